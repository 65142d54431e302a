// Package assets holds what the elemtasetup extension installs in
// Elasticsearch for the documents of the durable_elasticsearch exporter: the
// index template of the elemta-logs-YYYY.MM.dd indices, with the ECS names
// as field aliases, and their ILM policy.
package assets // import "github.com/elemta/otelcol-elemta/extension/elemtasetupextension/internal/assets"

import (
	"embed"
	"fmt"
)

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
// change, so that installations of an older one are updated, and keep the
// assets shipped before in earlier/ (EarlierILMPolicy,
// EarlierIndexTemplate): an installation of them that nobody changed is
// told by them.
//
// Version 3: the warm phase no longer force-merges nor makes the indices
// read-only (both block writes, and a late line must still be indexed).
//
// Version 4: event.original (the line, kept with document.original) is
// stored, not indexed, as ECS maps it.
const Version = 4

//go:embed earlier
var earlier embed.FS

// EarlierILMPolicy returns the body of `PUT _ilm/policy/elemta-logs-policy`
// of an earlier version, or false when there is none of that version.
func EarlierILMPolicy(version int) ([]byte, bool) {
	return earlierFile(fmt.Sprintf("earlier/ilm_policy_v%d.json", version))
}

// EarlierIndexTemplate returns the index template of an earlier version,
// or false when there is none of that version.
func EarlierIndexTemplate(version int) ([]byte, bool) {
	return earlierFile(fmt.Sprintf("earlier/index_template_v%d.json", version))
}

func earlierFile(name string) ([]byte, bool) {
	data, err := earlier.ReadFile(name)
	return data, err == nil
}

// IndexTemplate returns the body of `PUT _index_template/elemta-logs`.
func IndexTemplate() []byte { return append([]byte(nil), indexTemplate...) }

//go:embed kibana_objects.ndjson
var kibanaObjects []byte

// KibanaVersion is the version of KibanaObjects. With any change of them,
// raise it and keep the objects shipped before in
// earlier/kibana_objects_v<N>.ndjson, which EarlierKibanaObjects reads.
//
// Version 3: the Lens terms columns on client_ip say dataType ip.
const KibanaVersion = 3

// EarlierKibanaObjects returns the Kibana objects of every earlier version,
// oldest first, in the format of KibanaObjects.
func EarlierKibanaObjects() [][]byte {
	var out [][]byte
	for v := 1; v < KibanaVersion; v++ {
		if data, ok := earlierFile(fmt.Sprintf("earlier/kibana_objects_v%d.ndjson", v)); ok {
			out = append(out, data)
		}
	}
	return out
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
