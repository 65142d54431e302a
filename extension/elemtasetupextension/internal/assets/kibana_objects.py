# Writes kibana_objects.ndjson: the saved objects the elemtasetup extension
# imports into Kibana. Run it after changing them: python3 kibana_objects.py
# The objects are in the format Kibana 8.8 exports (the oldest supported):
# attributes that Kibana stores as strings (panelsJSON, optionsJSON,
# searchSourceJSON) are strings here too, Lens panels are by value.
import json

VIEW = "elemta-logs"
CORE, TYPE_VERSION = "8.8.0", "8.0.0"


def s(value):
    return json.dumps(value, separators=(",", ":"))


def data_view():
    return {"attributes": {"allowHidden": False, "fieldAttrs": "{}", "fieldFormatMap": "{}", "fields": "[]",
                           "name": "Elemta SMTP events", "runtimeFieldMap": "{}", "sourceFilters": "[]",
                           "timeFieldName": "@timestamp", "title": "elemta-logs-*"},
            "coreMigrationVersion": CORE, "id": VIEW, "managed": True, "references": [],
            "type": "index-pattern", "typeMigrationVersion": TYPE_VERSION}


SEARCHES = [
    ("elemta-failed-connections", "Elemta: failed connections", "SMTP connections that failed or were refused.",
     'event_type:"smtp_connection" and event.outcome:"failure"', ["client_ip", "client_geo.country_iso_code", "helo", "error_reason", "log_message"]),
    ("elemta-authentication-failures", "Elemta: authentication failures", "Failed SMTP AUTH attempts, by client address.",
     'event_type:"authentication" and event.outcome:"failure"', ["client_ip", "username", "client_geo.country_iso_code", "log_message"]),
    ("elemta-delivery-errors", "Elemta: delivery errors", "Bounces, deferrals and failed deliveries.",
     'mta_flow:("bounce" or "tempfail") or (event_type:"message_delivery" and level:"ERROR")', ["mta_flow", "sender", "recipient", "bounce_reason", "error_reason", "log_message"]),
    ("elemta-rejections", "Elemta: rejected and blocked", "Messages and commands refused by policy: rejections and blocked patterns.",
     'mta_flow:"rejection"', ["client_ip", "sender", "recipient", "rejection_reason", "log_message"]),
    ("elemta-errors", "Elemta: errors", "Every line logged at ERROR or FATAL, newest first.",
     'level:("ERROR" or "FATAL")', ["component", "error_reason", "log_message"]),
]


def search(sid, title, desc, query, cols):
    source = {"query": {"query": query, "language": "kuery"}, "filter": [],
              "indexRefName": "kibanaSavedObjectMeta.searchSourceJSON.index"}
    return {"attributes": {"columns": ["event_type"] + cols, "description": desc, "grid": {}, "hideChart": False,
                           "isTextBasedQuery": False, "kibanaSavedObjectMeta": {"searchSourceJSON": s(source)},
                           "sort": [["@timestamp", "desc"]], "timeRestore": False, "title": title},
            "coreMigrationVersion": CORE, "id": sid, "managed": True,
            "references": [{"id": VIEW, "name": "kibanaSavedObjectMeta.searchSourceJSON.index", "type": "index-pattern"}],
            "type": "search", "typeMigrationVersion": TYPE_VERSION}


# Lens columns.
def count():
    return {"label": "Lines", "dataType": "number", "operationType": "count", "isBucketed": False,
            "scale": "ratio", "sourceField": "___records___", "params": {"emptyAsNull": True}}


def timeline():
    return {"label": "@timestamp", "dataType": "date", "operationType": "date_histogram", "sourceField": "@timestamp",
            "isBucketed": True, "scale": "interval", "params": {"interval": "auto", "includeEmptyRows": True, "dropPartials": False}}


def terms(field, label, size, order_by):
    return {"label": label, "dataType": "ip" if field == "client_ip" else "string", "operationType": "terms", "scale": "ordinal", "sourceField": field,
            "isBucketed": True, "params": {"size": size, "orderBy": {"type": "column", "columnId": order_by},
                                           "orderDirection": "desc", "otherBucket": True, "missingBucket": False,
                                           "parentFormat": {"id": "terms"}}}


def lens(index, title, vis_type, visualization, columns, order, query, grid):
    layer = "layer-" + index
    ref = "indexpattern-datasource-layer-" + layer
    attributes = {
        "title": title, "visualizationType": vis_type, "type": "lens",
        "references": [{"type": "index-pattern", "id": VIEW, "name": ref}],
        "state": {"visualization": visualization(layer),
                  "query": {"query": query, "language": "kuery"}, "filters": [],
                  "datasourceStates": {"formBased": {"layers": {layer: {
                      "columns": columns, "columnOrder": order, "incompleteColumns": {}}}}},
                  "internalReferences": [], "adHocDataViews": {}},
    }
    panel = {"version": CORE, "type": "lens", "gridData": dict(grid, i=index), "panelIndex": index,
             "embeddableConfig": {"attributes": attributes, "enhancements": {}}, "title": title}
    return panel, [{"type": "index-pattern", "id": VIEW, "name": index + ":" + ref}]


def xy(series, x, y, split=None, legend="right"):
    def vis(layer):
        l = {"layerId": layer, "accessors": [y], "position": "top", "seriesType": series, "showGridlines": False,
             "layerType": "data", "xAccessor": x}
        if split:
            l["splitAccessor"] = split
        return {"legend": {"isVisible": True, "position": legend}, "valueLabels": "hide", "fittingFunction": "None",
                "preferredSeriesType": series, "layers": [l]}
    return vis


def pie(group, metric):
    return lambda layer: {"shape": "donut", "layers": [{"layerId": layer, "primaryGroups": [group], "metrics": [metric],
                                                         "numberDisplay": "percent", "categoryDisplay": "default",
                                                         "legendDisplay": "default", "nestedLegend": False, "layerType": "data"}]}


def table(cols):
    return lambda layer: {"layerId": layer, "layerType": "data", "columns": [{"columnId": c} for c in cols]}


MAP = "elemta-client-map"


def client_map():
    """The seed's country map: client locations (GeoIP) on the EMS base map,
    as a grid of counts, in the format the Maps app exports."""
    layers = [
        {"id": "base", "type": "EMS_VECTOR_TILE", "alpha": 1, "visible": True, "includeInFitToBounds": True,
         "label": None, "minZoom": 0, "maxZoom": 24, "style": {"type": "TILE"},
         "sourceDescriptor": {"type": "EMS_TMS", "isAutoSelect": True, "lightModeDefault": "road_map_desaturated"}},
        {"id": "clients", "type": "GEOJSON_VECTOR", "alpha": 0.75, "visible": True, "includeInFitToBounds": True,
         "label": "SMTP clients", "minZoom": 0, "maxZoom": 24, "joins": [],
         "sourceDescriptor": {"type": "ES_GEO_GRID", "id": "clients-grid", "geoField": "client_geo.location",
                              "indexPatternRefName": "layer_1_source_index_pattern", "requestType": "point",
                              "resolution": "COARSE", "metrics": [{"type": "count"}],
                              "applyGlobalQuery": True, "applyGlobalTime": True, "applyForceRefresh": True},
         "style": {"type": "VECTOR", "isTimeAware": True, "properties": {
             "fillColor": {"type": "DYNAMIC", "options": {"color": "Yellow to Red", "colorCategory": "palette_0",
                                                          "field": {"name": "doc_count", "origin": "source"},
                                                          "fieldMetaOptions": {"isEnabled": False, "sigma": 3}, "type": "ORDINAL"}},
             "iconSize": {"type": "DYNAMIC", "options": {"minSize": 7, "maxSize": 24,
                                                         "field": {"name": "doc_count", "origin": "source"},
                                                         "fieldMetaOptions": {"isEnabled": False, "sigma": 3}}},
             "lineColor": {"type": "STATIC", "options": {"color": "#3d3d3d"}},
             "lineWidth": {"type": "STATIC", "options": {"size": 1}},
             "symbolizeAs": {"options": {"value": "circle"}}}}},
    ]
    state = {"zoom": 1.5, "center": {"lon": 0, "lat": 20}, "timeFilters": {"from": "now-24h", "to": "now"},
             "refreshConfig": {"isPaused": True, "interval": 0}, "query": {"query": "", "language": "kuery"},
             "filters": [], "settings": {"autoFitToDataBounds": False, "initialLocation": "LAST_SAVED_LOCATION",
                                         "fixedLocation": {"lat": 0, "lon": 0, "zoom": 2}, "maxZoom": 24, "minZoom": 0,
                                         "showSpatialFilters": True, "showTimesliderToggleButton": True}}
    return {"attributes": {"title": "Elemta: SMTP clients by location", "description": "Where SMTP clients connect from (GeoIP).",
                           "layerListJSON": s(layers), "mapStateJSON": s(state),
                           "uiStateJSON": s({"isLayerTOCOpen": True, "openTOCDetails": []})},
            "coreMigrationVersion": CORE, "id": MAP, "managed": True,
            "references": [{"id": VIEW, "name": "layer_1_source_index_pattern", "type": "index-pattern"}],
            "type": "map", "typeMigrationVersion": "8.4.0"}


def dashboard():
    panels, refs = [], []

    def add(p):
        panels.append(p[0])
        refs.extend(p[1])

    add(lens("1", "SMTP connections over time", "lnsXY", xy("bar_stacked", "ts", "n"),
             {"ts": timeline(), "n": count()}, ["ts", "n"], 'event_type:"smtp_connection"', {"x": 0, "y": 0, "w": 24, "h": 12}))
    add(lens("2", "SMTP commands", "lnsPie", pie("cmd", "n"),
             {"cmd": terms("smtp_command", "SMTP command", 10, "n"), "n": count()}, ["cmd", "n"], "smtp_command:*",
             {"x": 24, "y": 0, "w": 24, "h": 12}))
    add(lens("3", "Message flow: reception, delivery, rejection, bounce", "lnsXY", xy("bar_stacked", "ts", "n", "flow"),
             {"ts": timeline(), "flow": terms("mta_flow", "Mail flow", 7, "n"), "n": count()}, ["ts", "flow", "n"],
             'not mta_flow:"none"', {"x": 0, "y": 12, "w": 48, "h": 12}))
    panels.append({"version": CORE, "type": "search", "gridData": {"x": 0, "y": 24, "w": 48, "h": 14, "i": "4"},
                   "panelIndex": "4", "embeddableConfig": {"enhancements": {}}, "panelRefName": "panel_4",
                   "title": "Recent errors"})
    refs.append({"type": "search", "id": "elemta-errors", "name": "4:panel_4"})
    add(lens("5", "Top senders", "lnsDatatable", table(["who", "n"]),
             {"who": terms("sender", "Sender", 10, "n"), "n": count()}, ["who", "n"], "sender:*", {"x": 0, "y": 38, "w": 24, "h": 12}))
    add(lens("6", "Top recipients", "lnsDatatable", table(["who", "n"]),
             {"who": terms("recipient", "Recipient", 10, "n"), "n": count()}, ["who", "n"], "recipient:*", {"x": 24, "y": 38, "w": 24, "h": 12}))
    add(lens("7", "Client addresses", "lnsDatatable", table(["ip", "country", "n"]),
             {"ip": terms("client_ip", "Client IP", 20, "n"), "country": terms("client_geo.country_iso_code", "Country", 1, "n"),
              "n": count()}, ["ip", "country", "n"], "client_ip:*", {"x": 0, "y": 50, "w": 24, "h": 14}))
    add(lens("8", "Client countries (GeoIP)", "lnsPie", pie("country", "n"),
             {"country": terms("client_geo.country_iso_code", "Country", 15, "n"), "n": count()}, ["country", "n"],
             "client_geo.country_iso_code:*", {"x": 24, "y": 50, "w": 24, "h": 14}))
    panels.append({"version": CORE, "type": "map", "gridData": {"x": 0, "y": 64, "w": 48, "h": 18, "i": "9"},
                   "panelIndex": "9", "embeddableConfig": {"enhancements": {}}, "panelRefName": "panel_9",
                   "title": "SMTP clients by location (GeoIP)"})
    refs.append({"type": "map", "id": MAP, "name": "9:panel_9"})
    return {"attributes": {"title": "Elemta SMTP overview",
                           "description": "Connections, commands, mail flow, errors, senders, recipients and clients of Elemta, from otelcol-elemta.",
                           "timeRestore": True, "timeFrom": "now-24h", "timeTo": "now",
                           "refreshInterval": {"pause": False, "value": 60000},
                           "optionsJSON": s({"useMargins": True, "syncColors": False, "syncCursor": True, "syncTooltips": False, "hidePanelTitles": False}),
                           "panelsJSON": s(panels),
                           "kibanaSavedObjectMeta": {"searchSourceJSON": s({"query": {"query": "", "language": "kuery"}, "filter": []})}},
            "coreMigrationVersion": CORE, "id": "elemta-smtp-overview", "managed": True, "references": refs,
            "type": "dashboard", "typeMigrationVersion": "8.7.0"}


with open("kibana_objects.ndjson", "w") as f:
    for o in [data_view()] + [search(*x) for x in SEARCHES] + [client_map(), dashboard()]:
        f.write(s(o) + "\n")
