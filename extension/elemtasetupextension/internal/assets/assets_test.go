package assets

import (
	"bufio"
	"bytes"
	"encoding/json"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/elemta/otelcol-elemta/exporter/durableelasticsearchexporter"
	"github.com/elemta/otelcol-elemta/internal/recordstest"
)

// field is one leaf of the template's mappings.
type field struct {
	Type string `json:"type"`
	Path string `json:"path"` // of an alias
}

type templateDoc struct {
	IndexPatterns []string `json:"index_patterns"`
	Template      struct {
		Settings struct {
			Index struct {
				Lifecycle struct {
					Name string `json:"name"`
				} `json:"lifecycle"`
			} `json:"index"`
		} `json:"settings"`
		Mappings struct {
			DynamicTemplates []map[string]struct {
				MatchMappingType string `json:"match_mapping_type"`
				Mapping          field  `json:"mapping"`
			} `json:"dynamic_templates"`
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"mappings"`
	} `json:"template"`
}

// leaves flattens the template's properties into dotted paths.
func leaves(t *testing.T, props map[string]json.RawMessage, prefix string, out map[string]field) {
	t.Helper()
	for name, raw := range props {
		var node struct {
			field
			Properties map[string]json.RawMessage `json:"properties"`
		}
		require.NoError(t, json.Unmarshal(raw, &node), name)
		if node.Properties != nil {
			leaves(t, node.Properties, prefix+name+".", out)
			continue
		}
		require.NotEmpty(t, node.Type, "%s%s has neither a type nor properties", prefix, name)
		out[prefix+name] = node.field
	}
}

func loadTemplate(t *testing.T) (templateDoc, map[string]field) {
	t.Helper()
	var tmpl templateDoc
	require.NoError(t, json.Unmarshal(IndexTemplate(), &tmpl))
	fields := map[string]field{}
	leaves(t, tmpl.Template.Mappings.Properties, "", fields)
	return tmpl, fields
}

func TestAliasesPointAtStoredFields(t *testing.T) {
	_, fields := loadTemplate(t)
	aliases := 0
	for name, f := range fields {
		if f.Type != "alias" {
			continue
		}
		aliases++
		target, ok := fields[f.Path]
		if assert.True(t, ok, "alias %s points at %s, which is not mapped", name, f.Path) {
			assert.NotEqual(t, "alias", target.Type, "alias %s points at another alias", name)
		}
	}
	assert.Positive(t, aliases)
}

// TestECSNames checks that the ECS names an operator searches by exist,
// stored or as an alias of the field the document stores.
func TestECSNames(t *testing.T) {
	_, fields := loadTemplate(t)
	tests := []struct {
		ecs, stored string
	}{
		{"source.ip", "client_ip"},
		{"source.port", "client_port"},
		{"source.geo.country_iso_code", "client_geo.country_iso_code"},
		{"source.geo.city_name", "client_geo.city_name"},
		{"source.geo.location", "client_geo.location"},
		{"source.as.number", "client_as.number"},
		{"source.as.organization.name", "client_as.organization.name"},
		{"destination.ip", "delivery_ip"},
		{"email.from.address", "sender"},
		{"email.to.address", "recipient"},
		{"email.message_id", "message_id"},
		{"email.subject", "subject"},
		{"user.name", "username"},
		{"log.level", "level"},
		{"event.category", "event.category"},
		{"event.outcome", "event.outcome"},
	}
	for _, tt := range tests {
		t.Run(tt.ecs, func(t *testing.T) {
			f, ok := fields[tt.ecs]
			require.True(t, ok, "%s is not mapped", tt.ecs)
			if tt.ecs == tt.stored {
				assert.NotEqual(t, "alias", f.Type)
				return
			}
			assert.Equal(t, field{Type: "alias", Path: tt.stored}, f)
		})
	}
}

// compatible tells whether Elasticsearch indexes a document value of the
// given pdata type into a field of the given mapping type.
func compatible(valueType pcommon.ValueType, mappingType string) bool {
	switch valueType {
	case pcommon.ValueTypeStr:
		return slices.Contains([]string{"keyword", "match_only_text", "text", "ip", "date", "date_nanos"}, mappingType)
	case pcommon.ValueTypeInt:
		return slices.Contains([]string{"long", "integer", "float", "double"}, mappingType)
	case pcommon.ValueTypeDouble:
		return slices.Contains([]string{"float", "double"}, mappingType)
	case pcommon.ValueTypeBool:
		return mappingType == "boolean"
	}
	return false
}

// TestDocumentsFitTheMappings checks every field of the processor's golden
// documents against the template: a mapped field takes its value's type,
// an unmapped one falls to a dynamic mapping, and no document stores a
// value under an alias's name or inside a leaf field.
func TestDocumentsFitTheMappings(t *testing.T) {
	tmpl, fields := loadTemplate(t)
	files, err := filepath.Glob(filepath.Join("..", "..", "..", "..", "exporter", "durableelasticsearchexporter", "testdata", "documents", "*.expected.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)

	checked := 0
	var check func(path string, v pcommon.Value)
	check = func(path string, v pcommon.Value) {
		for prefix, f := range fields {
			if strings.HasPrefix(path, prefix+".") && f.Type != "geo_point" {
				t.Errorf("%s is stored inside %s, a %s field", path, prefix, f.Type)
			}
		}
		f, mapped := fields[path]
		switch v.Type() {
		case pcommon.ValueTypeMap:
			if mapped && f.Type == "geo_point" {
				checked++
				return
			}
			for k, it := range v.Map().All() {
				check(path+"."+k, it)
			}
			return
		case pcommon.ValueTypeSlice:
			for _, it := range v.Slice().All() {
				check(path, it)
			}
			return
		}
		checked++
		switch {
		case mapped && f.Type == "alias":
			t.Errorf("%s is stored under the name of an alias of %s", path, f.Path)
		case mapped:
			assert.True(t, compatible(v.Type(), f.Type), "%s: a %s value in a %s field", path, v.Type(), f.Type)
		case v.Type() == pcommon.ValueTypeStr:
			require.NotEmpty(t, tmpl.Template.Mappings.DynamicTemplates, "unmapped strings need a dynamic template")
		}
	}
	for _, file := range files {
		ld, err := golden.ReadLogs(file)
		require.NoError(t, err)
		for _, lr := range recordstest.Of(ld) {
			for k, v := range lr.Body().Map().All() {
				check(k, v)
			}
		}
	}
	assert.Positive(t, checked)
}

// TestSeedQueryFields checks the fields the seed's Kibana queries use.
func TestSeedQueryFields(t *testing.T) {
	_, fields := loadTemplate(t)
	for name, want := range map[string]string{
		"client_ip": "ip", "level": "keyword", "sender": "keyword", "event_type": "keyword", "@timestamp": "date_nanos",
	} {
		assert.Equal(t, want, fields[name].Type, name)
	}
}

func TestTemplateMatchesTheExportersIndices(t *testing.T) {
	tmpl, _ := loadTemplate(t)
	cfg := durableelasticsearchexporter.NewFactory().CreateDefaultConfig().(*durableelasticsearchexporter.Config)
	assert.Equal(t, []string{cfg.Document.IndexPrefix + "*"}, tmpl.IndexPatterns)
	assert.Equal(t, ILMPolicyName, tmpl.Template.Settings.Index.Lifecycle.Name)

	var policy struct {
		Policy struct {
			Phases map[string]struct {
				MinAge  string                     `json:"min_age"`
				Actions map[string]json.RawMessage `json:"actions"`
			} `json:"phases"`
		} `json:"policy"`
	}
	require.NoError(t, json.Unmarshal(ILMPolicy(), &policy))
	assert.Contains(t, policy.Policy.Phases["delete"].Actions, "delete")
}

// kibanaField finds the field names a saved search uses: its columns and
// the fields its KQL query names.
var kqlField = regexp.MustCompile(`([A-Za-z_@][A-Za-z0-9_.@]*)\s*:`)

// TestKibanaObjectsUseMappedFields: every field a Kibana object shows or
// queries is mapped by the index template, and every object is in the
// format Kibana imports (type, id, attributes, the 8.8 migration versions,
// searchSourceJSON as a string naming the data view by reference).
func TestKibanaObjectsUseMappedFields(t *testing.T) {
	_, fields := loadTemplate(t)
	sc := bufio.NewScanner(bytes.NewReader(KibanaObjects()))
	sc.Buffer(nil, 1<<20)
	types := map[string]int{}
	ids := map[string]bool{}
	var dashboards []map[string]any
	for sc.Scan() {
		var obj struct {
			Type                 string         `json:"type"`
			ID                   string         `json:"id"`
			CoreMigrationVersion string         `json:"coreMigrationVersion"`
			TypeMigrationVersion string         `json:"typeMigrationVersion"`
			Attributes           map[string]any `json:"attributes"`
			References           []struct {
				ID, Name, Type string
			} `json:"references"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &obj))
		require.NotEmpty(t, obj.ID)
		ids[obj.ID] = true
		assert.Equal(t, "8.8.0", obj.CoreMigrationVersion, obj.ID)
		assert.NotEmpty(t, obj.TypeMigrationVersion, obj.ID)
		newest, known := kibana88TypeVersions[obj.Type]
		require.True(t, known, "%s: a type Kibana 8.8 has", obj.Type)
		assert.LessOrEqual(t, semverOrder(obj.TypeMigrationVersion), semverOrder(newest),
			"%s: typeMigrationVersion %s is newer than Kibana 8.8's %s migrations", obj.ID, obj.TypeMigrationVersion, newest)
		types[obj.Type]++
		switch obj.Type {
		case "dashboard":
			var whole map[string]any
			require.NoError(t, json.Unmarshal(sc.Bytes(), &whole))
			dashboards = append(dashboards, whole)
		case "map":
			checkMap(t, obj.Attributes, obj.References, fields)
		case "index-pattern":
			assert.Equal(t, IndexTemplateName+"-*", obj.Attributes["title"])
			assert.Contains(t, fields, obj.Attributes["timeFieldName"])
		case "search":
			meta := obj.Attributes["kibanaSavedObjectMeta"].(map[string]any)
			var source struct {
				Query struct {
					Query    string `json:"query"`
					Language string `json:"language"`
				} `json:"query"`
				IndexRefName string `json:"indexRefName"`
			}
			require.NoError(t, json.Unmarshal([]byte(meta["searchSourceJSON"].(string)), &source), obj.ID)
			assert.Equal(t, "kuery", source.Query.Language)
			require.Len(t, obj.References, 1)
			assert.Equal(t, source.IndexRefName, obj.References[0].Name)
			assert.Equal(t, "elemta-logs", obj.References[0].ID, "the data view")
			var used []string
			for _, m := range kqlField.FindAllStringSubmatch(source.Query.Query, -1) {
				used = append(used, m[1])
			}
			for _, c := range obj.Attributes["columns"].([]any) {
				used = append(used, c.(string))
			}
			require.NotEmpty(t, used)
			for _, f := range used {
				assert.Contains(t, fields, f, "%s uses %s", obj.ID, f)
			}
		}
	}
	require.NoError(t, sc.Err())
	assert.Equal(t, map[string]int{"index-pattern": 1, "search": 5, "map": 1, "dashboard": 1}, types)
	require.Len(t, dashboards, 1)
	checkDashboard(t, dashboards[0], fields, ids)
}

// checkMap checks a map: its layers are JSON in a string, and each layer
// on the data view names a geo_point field of the template.
func checkMap(t *testing.T, attrs map[string]any, refs []struct{ ID, Name, Type string }, fields map[string]field) {
	t.Helper()
	var layers []struct {
		Type   string `json:"type"`
		Source struct {
			Type                string `json:"type"`
			GeoField            string `json:"geoField"`
			IndexPatternRefName string `json:"indexPatternRefName"`
		} `json:"sourceDescriptor"`
	}
	require.NoError(t, json.Unmarshal([]byte(attrs["layerListJSON"].(string)), &layers), "layerListJSON is a JSON string")
	var state map[string]any
	require.NoError(t, json.Unmarshal([]byte(attrs["mapStateJSON"].(string)), &state), "mapStateJSON is a JSON string")
	byName := map[string]string{}
	for _, r := range refs {
		byName[r.Name] = r.ID
	}
	onData := 0
	for _, l := range layers {
		if l.Source.IndexPatternRefName == "" {
			continue
		}
		onData++
		assert.Equal(t, "elemta-logs", byName[l.Source.IndexPatternRefName], "the layer reads the data view")
		assert.Equal(t, "geo_point", fields[l.Source.GeoField].Type, "%s is a geo_point", l.Source.GeoField)
	}
	assert.Equal(t, 1, onData, "one layer of the clients")
}

// checkDashboard checks the dashboard's panels: every Lens column's field
// and every panel query's field is mapped, and every reference names an
// object that is imported with it.
func checkDashboard(t *testing.T, d map[string]any, fields map[string]field, ids map[string]bool) {
	t.Helper()
	attrs := d["attributes"].(map[string]any)
	assert.Equal(t, "Elemta SMTP overview", attrs["title"])
	var options map[string]any
	require.NoError(t, json.Unmarshal([]byte(attrs["optionsJSON"].(string)), &options), "optionsJSON is a JSON string")
	var panels []map[string]any
	require.NoError(t, json.Unmarshal([]byte(attrs["panelsJSON"].(string)), &panels), "panelsJSON is a JSON string")
	require.Len(t, panels, 9, "connections, commands, mail flow, recent errors, senders, recipients, client addresses, countries, map")
	refs := map[string]string{}
	for _, r := range d["references"].([]any) {
		ref := r.(map[string]any)
		assert.True(t, ids[ref["id"].(string)], "reference %v names an imported object", ref)
		refs[ref["name"].(string)] = ref["id"].(string)
	}
	for _, p := range panels {
		index := p["panelIndex"].(string)
		switch p["type"] {
		case "search", "map":
			assert.Contains(t, refs, index+":"+p["panelRefName"].(string))
		case "lens":
			a := p["embeddableConfig"].(map[string]any)["attributes"].(map[string]any)
			state := a["state"].(map[string]any)
			query := state["query"].(map[string]any)["query"].(string)
			for _, m := range kqlField.FindAllStringSubmatch(query, -1) {
				assert.Contains(t, fields, m[1], "panel %s queries %s", index, m[1])
			}
			layers := state["datasourceStates"].(map[string]any)["formBased"].(map[string]any)["layers"].(map[string]any)
			require.Len(t, layers, 1)
			for layer, l := range layers {
				assert.Contains(t, refs, index+":indexpattern-datasource-layer-"+layer, "panel %s's layer names the data view", index)
				for id, c := range l.(map[string]any)["columns"].(map[string]any) {
					column := c.(map[string]any)
					source := column["sourceField"].(string)
					if source != "___records___" {
						require.Contains(t, fields, source, "panel %s column %s", index, id)
						if _, bucketed := column["params"].(map[string]any)["size"]; bucketed {
							assert.Equal(t, lensDataType(fields, source), column["dataType"], "panel %s column %s on %s", index, id, source)
						}
					}
				}
			}
		default:
			t.Errorf("panel %s has type %v", index, p["type"])
		}
	}
}

// kibana88TypeVersions is the newest migration of each type Kibana 8.8
// (the oldest supported) has: an object stamped newer is refused by it
// (Kibana's document migrator, "Document ... has a typeMigrationVersion
// higher than the current Kibana version"). Read from Kibana 8.8's
// migrations: dashboard 8.7.0, map 8.4.0, search and index-pattern 8.0.0.
var kibana88TypeVersions = map[string]string{"dashboard": "8.7.0", "map": "8.4.0", "search": "8.0.0", "index-pattern": "8.0.0"}

// semverOrder makes a version x.y.z comparable: numbers, not strings
// (8.10.0 is newer than 8.9.0).
func semverOrder(v string) int {
	order := 0
	for part := range strings.SplitSeq(v, ".") {
		n, _ := strconv.Atoi(part)
		order = order*1000 + n
	}
	return order
}

// lensDataType is the dataType a Lens column gives a field of the
// template: Lens names keyword fields string, and ip fields ip.
func lensDataType(fields map[string]field, name string) string {
	f := fields[name]
	if f.Type == "alias" {
		f = fields[f.Path]
	}
	switch f.Type {
	case "ip", "date", "boolean":
		return f.Type
	case "long", "integer", "short", "byte", "double", "float", "half_float", "scaled_float":
		return "number"
	}
	return "string"
}

// TestEarlierKibanaObjects: the objects of every earlier version are there
// to recognise unchanged installations, and each is still shipped, so that
// it can be updated.
func TestEarlierKibanaObjects(t *testing.T) {
	ids := func(ndjson []byte) map[string]bool {
		out := map[string]bool{}
		sc := bufio.NewScanner(bytes.NewReader(ndjson))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var head struct{ Type, ID string }
			require.NoError(t, json.Unmarshal(sc.Bytes(), &head))
			out[head.Type+"/"+head.ID] = true
		}
		require.NoError(t, sc.Err())
		return out
	}
	current := ids(KibanaObjects())
	earlier := EarlierKibanaObjects()
	require.Len(t, earlier, KibanaVersion-1, "one file a version")
	for v, ndjson := range earlier {
		for key := range ids(ndjson) {
			assert.True(t, current[key], "version %d's %s is still shipped", v+1, key)
		}
		assert.NotEqual(t, KibanaObjects(), ndjson, "version %d differs from this one", v+1)
	}
}
