// Package elasticsearchassets holds what otelcol-elemta installs in
// Elasticsearch for the documents of the smtpevent processor: the index
// template of the elemta-logs-YYYY.MM.dd indices, with the ECS names as
// field aliases, and their ILM policy.
package elasticsearchassets // import "github.com/elemta/otelcol-elemta/internal/elasticsearchassets"

import _ "embed"

// Names the assets are installed under.
const (
	IndexTemplateName = "elemta-logs"
	ILMPolicyName     = "elemta-logs"
)

//go:embed index_template.json
var indexTemplate []byte

//go:embed ilm_policy.json
var ilmPolicy []byte

// IndexTemplate returns the body of `PUT _index_template/elemta-logs`.
func IndexTemplate() []byte { return append([]byte(nil), indexTemplate...) }

// ILMPolicy returns the body of `PUT _ilm/policy/elemta-logs`.
func ILMPolicy() []byte { return append([]byte(nil), ilmPolicy...) }
