#!/usr/bin/env python3
"""Writes elemta-smtp.json, the Grafana dashboard of otelcol-elemta's
metrics: python3 dashboard.py > elemta-smtp.json. Every query is run against
a real Prometheus by the tests (testbed/e2e, TestPrometheusAlerts)."""
import json

DS = {"type": "prometheus", "uid": "${datasource}"}
panels = []


def panel(title, kind, targets, x, y, w=12, h=8, unit=None, description=""):
    p = {
        "id": len(panels) + 1,
        "title": title,
        "description": description,
        "type": kind,
        "datasource": DS,
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "targets": [
            {"refId": chr(ord("A") + i), "datasource": DS, "expr": expr, "legendFormat": legend}
            for i, (expr, legend) in enumerate(targets)
        ],
        "fieldConfig": {"defaults": {}, "overrides": []},
        "options": {},
    }
    if unit:
        p["fieldConfig"]["defaults"]["unit"] = unit
    if kind == "heatmap":
        p["targets"][0]["format"] = "heatmap"
        p["options"] = {"calculate": False, "yAxis": {"unit": "s"}}
    panels.append(p)


I = '{instance=~"$instance"}'


def sel(extra=""):
    return '{instance=~"$instance"%s}' % ("," + extra if extra else "")


panel("SMTP connections", "timeseries",
      [(f"sum by (connection_result) (rate(elemta_smtp_connections_total{I}[$__rate_interval]))", "{{connection_result}}")],
      0, 0, unit="cps", description="Accepted and refused (server limits) connections a second.")
panel("Connections by client country", "timeseries",
      [(f"topk(10, sum by (client_country) (rate(elemta_smtp_connections_total{I}[$__rate_interval])))", "{{client_country}}")],
      12, 0, unit="cps", description="With GeoIP on (GEOIP_CITY_DB).")
panel("Message flow", "timeseries",
      [(f"sum by (message_status) (rate(elemta_messages_total{I}[$__rate_interval]))", "{{message_status}}")],
      0, 8, unit="ops", description="Received, delivered, bounced, deferred, rejected messages a second.")
panel("SMTP commands", "timeseries",
      [(f"sum by (smtp_verb, event_outcome) (rate(elemta_smtp_commands_total{I}[$__rate_interval]))", "{{smtp_verb}} {{event_outcome}}")],
      12, 8, unit="ops")
panel("Rejections by reason", "timeseries",
      [(f"sum by (rejection_class) (rate(elemta_smtp_rejections_total{I}[$__rate_interval]))", "{{rejection_class}}")],
      0, 16, unit="ops")
panel("Authentication", "timeseries",
      [(f"sum by (auth_mechanism, event_outcome) (rate(elemta_smtp_auth_attempts_total{I}[$__rate_interval]))", "{{auth_mechanism}} {{event_outcome}}")],
      12, 16, unit="ops")
panel("Delivery delay", "heatmap",
      [(f"sum by (le) (increase(elemta_delivery_delay_seconds_bucket{I}[$__rate_interval]))", "{{le}}")],
      0, 24, description="Reception to delivery, per message.")
panel("Delivery delay p50 / p95", "timeseries",
      [(f"histogram_quantile(0.5, sum by (le) (rate(elemta_delivery_delay_seconds_bucket{I}[$__rate_interval])))", "p50"),
       (f"histogram_quantile(0.95, sum by (le) (rate(elemta_delivery_delay_seconds_bucket{I}[$__rate_interval])))", "p95")],
      12, 24, unit="s")
panel("Errors by component", "timeseries",
      [(f"sum by (error_component) (increase(elemta_errors_total{I}[1m]))", "{{error_component}}")],
      0, 32, unit="short", description="ERROR lines a minute; the alert fires above 10.")
panel("TLS handshakes", "timeseries",
      [(f"sum by (tls_result, tls_protocol_version) (rate(elemta_smtp_tls_handshakes_total{I}[$__rate_interval]))", "{{tls_result}} TLS {{tls_protocol_version}}")],
      12, 32, unit="ops")
panel("Lines ingested", "timeseries",
      [(f"sum(rate(otelcol_receiver_elemta_lines_read{I}[$__rate_interval]))", "read"),
       (f"sum(rate(elemta_log_records_total{I}[$__rate_interval]))", "processed")],
      0, 40, unit="ops", description="Ingestion rate: lines read from Elemta's files and records processed.")
panel("Elasticsearch delivery", "stat",
      [(f"max by (reason) (otelcol_exporter_durable_elasticsearch_failing{I})", "failing: {{reason}}"),
       (f"sum(increase(otelcol_exporter_durable_elasticsearch_dead_lettered{I}[1h]))", "dead-lettered (1h)"),
       (f"max by (target) (otelcol_extension_elemtasetup_incomplete{I})", "setup incomplete: {{target}}")],
      12, 40, description="1 while Elasticsearch does not take documents (by reason); documents refused for good; setup not finished.")
panel("Disk usage", "timeseries",
      [(f"max by (mountpoint) (system_filesystem_utilization_ratio{I})", "{{mountpoint}}")],
      0, 48, unit="percentunit")
panel("Elasticsearch: documents by index", "timeseries",
      [('sum by (index) (elasticsearch_index_documents{aggregation="total",state="active",index!="_all"})', "{{index}}")],
      0, 56, unit="short", description="With the elasticsearch-metrics.yaml overlay.")
panel("Elasticsearch: time per indexing and search operation", "timeseries",
      [('sum by (operation) (rate(elasticsearch_index_operations_time_milliseconds_total{index="_all",aggregation="total",operation=~"index|query"}[$__rate_interval]))'
        ' / sum by (operation) (rate(elasticsearch_index_operations_completed_total{index="_all",aggregation="total",operation=~"index|query"}[$__rate_interval]))', "{{operation}}")],
      12, 56, unit="ms", description="Indexing rate and query latency of the cluster, with the elasticsearch-metrics.yaml overlay.")
panel("Collector memory and CPU", "timeseries",
      [(f"max(otelcol_process_memory_rss{I})", "RSS"),
       (f"sum(rate(otelcol_process_cpu_seconds{I}[$__rate_interval]))", "CPU (cores)")],
      12, 48, unit="short")

dashboard = {
    "uid": "elemta-smtp",
    "title": "Elemta SMTP (otelcol-elemta)",
    "tags": ["elemta", "smtp", "otelcol-elemta"],
    "timezone": "browser",
    "schemaVersion": 39,
    "version": 1,
    "editable": True,
    "refresh": "30s",
    "time": {"from": "now-6h", "to": "now"},
    "templating": {"list": [
        {"name": "datasource", "label": "Prometheus", "type": "datasource", "query": "prometheus"},
        {"name": "instance", "label": "Mail server", "type": "query", "datasource": DS,
         "query": {"query": "label_values(elemta_log_records_total, instance)", "refId": "instance"},
         "definition": "label_values(elemta_log_records_total, instance)",
         "includeAll": True, "multi": True, "allValue": ".*", "refresh": 2},
    ]},
    "annotations": {"list": []},
    "panels": panels,
}
print(json.dumps(dashboard, indent=2))
