// Package assets holds what the elemtasetup extension installs in
// Elasticsearch for the documents of the durable_elasticsearch exporter: the
// index template of the elemta-logs-YYYY.MM.dd indices, with the ECS names
// as field aliases, and their ILM policy.
package assets // import "github.com/elemta/otelcol-elemta/extension/elemtasetupextension/internal/assets"

import _ "embed"

// Names the assets are installed under.
const (
	IndexTemplateName = "elemta-logs"
	ILMPolicyName     = "elemta-logs-policy"
)

//go:embed index_template.json
var indexTemplate []byte

//go:embed ilm_policy.json
var ilmPolicy []byte

// Version is the version of the assets, in their _meta: raise it with any
// change, so that installations of an older one are updated.
const Version = 2

// IndexTemplate returns the body of `PUT _index_template/elemta-logs`.
func IndexTemplate() []byte { return append([]byte(nil), indexTemplate...) }

//go:embed kibana_objects.ndjson
var kibanaObjects []byte

// kibanaObjectsV1 are the Kibana objects of version 1, as shipped: an
// installation of them that nobody changed is updated to this version.
//
//go:embed kibana_objects_v1.ndjson
var kibanaObjectsV1 []byte

// KibanaVersion is the version of KibanaObjects. With any change of them,
// raise it and keep the objects shipped before in
// kibana_objects_v<N>.ndjson, listed by EarlierKibanaObjects.
const KibanaVersion = 2

// EarlierKibanaObjects returns the Kibana objects of every earlier version,
// oldest first, in the format of KibanaObjects.
func EarlierKibanaObjects() [][]byte {
	return [][]byte{append([]byte(nil), kibanaObjectsV1...)}
}

// KibanaObjects returns the Kibana saved objects, one JSON object a line
// as Kibana's import takes them: the data view elemta-logs (on
// elemta-logs-*, time field @timestamp), the saved searches of the common
// queries and the dashboard "Elemta SMTP overview". They carry the
// migration versions of Kibana 8.8, the oldest supported: a newer Kibana
// migrates them on import. kibana_objects.py writes the file.
func KibanaObjects() []byte { return append([]byte(nil), kibanaObjects...) }

// ILMPolicy returns the body of `PUT _ilm/policy/elemta-logs-policy`.
func ILMPolicy() []byte { return append([]byte(nil), ilmPolicy...) }
