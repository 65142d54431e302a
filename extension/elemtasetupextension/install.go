package elemtasetupextension // import "github.com/elemta/otelcol-elemta/extension/elemtasetupextension"

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/elemta/otelcol-elemta/extension/elemtasetupextension/internal/assets"
)

// managedBy marks, in _meta, what this extension installed.
const managedBy = "otelcol-elemta"

// asset is one thing installed in Elasticsearch.
type asset struct {
	kind string // for the log: "ILM policy", "index template"
	name string
	api  string // path of GET and PUT
	// wrap turns the content into the PUT body; unwrap finds the content
	// in the GET answer.
	wrap    func(content map[string]any) map[string]any
	unwrap  func(answer map[string]any) (map[string]any, bool)
	content map[string]any // ours, without the version marks
	// earlierContent is the content an earlier version of ours installed,
	// or nil when none is known (then an installation of it is taken for
	// changed, the safe direction).
	earlierContent func(version int) map[string]any
	// metaPath is where in the content the marks go: ["_meta"] for ILM
	// policies and index templates; SLM policies keep metadata in config.
	metaPath []string
	// unmanaged assets carry no marks: installed when absent, left as they
	// are otherwise (a snapshot repository, which takes no _meta).
	unmanaged bool
}

// marksOf returns the marks map of content, or nil.
func (a asset) marksOf(content map[string]any) map[string]any {
	var cur any = content
	for _, k := range a.path() {
		m, _ := cur.(map[string]any)
		cur = m[k]
	}
	m, _ := cur.(map[string]any)
	return m
}

func (a asset) path() []string {
	if len(a.metaPath) == 0 {
		return []string{"_meta"}
	}
	return a.metaPath
}

// earlier is the content of an earlier version, or nil.
func (a asset) earlier(version int) map[string]any {
	if a.earlierContent == nil {
		return nil
	}
	return a.earlierContent(version)
}

// holdsEarlier tells whether installed still shows the content of an
// earlier version of ours; a version not known is taken for changed.
func (a asset) holdsEarlier(installed map[string]any, version int) bool {
	earlier := a.earlier(version)
	return earlier != nil && holds(a.unmarked(installed), a.unmarked(earlier))
}

// withMarks returns a copy of content with the marks added to its own.
func (a asset) withMarks(content, marks map[string]any) map[string]any {
	return setAt(content, a.path(), func(own map[string]any) map[string]any {
		out := make(map[string]any, len(own)+len(marks))
		for k, v := range own {
			out[k] = v
		}
		for k, v := range marks {
			out[k] = v
		}
		return out
	})
}

// unmarked returns a copy of content without its marks map.
func (a asset) unmarked(content map[string]any) map[string]any {
	return setAt(content, a.path(), func(map[string]any) map[string]any { return nil })
}

// setAt returns a copy of m with the map at path replaced by change's
// result (removed when it is nil); the maps on the way are copied.
func setAt(m map[string]any, path []string, change func(map[string]any) map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	if len(path) == 1 {
		own, _ := m[path[0]].(map[string]any)
		if next := change(own); next != nil {
			out[path[0]] = next
		} else {
			delete(out, path[0])
		}
		return out
	}
	inner, _ := m[path[0]].(map[string]any)
	out[path[0]] = setAt(inner, path[1:], change)
	return out
}

// Outcomes of ensuring an asset.
const (
	outcomeInstalled = "installed"
	outcomeUpdated   = "updated"
	outcomeUpToDate  = "up to date"
	outcomeChanged   = "left alone: changed since it was installed"
	outcomeForeign   = "left alone: not installed by otelcol-elemta"
	outcomeNewer     = "left alone: a newer version is installed"
	outcomePresent   = "left as it is: it exists"
)

// ensure installs a when it is absent, or ours and older and unchanged, or
// whenever overwrite is set; it returns what it did. Whether an operator
// changed an installed asset is told by holds: Elasticsearch must still
// show everything the setup wrote. Only the marks (managed_by, version)
// are written beside the content.
func (c *client) ensure(ctx context.Context, a asset, overwrite bool) (string, error) {
	answer, status, err := c.do(ctx, http.MethodGet, a.api, nil)
	if err != nil {
		return "", err
	}
	installed, found := a.unwrap(answer)
	switch {
	case status == http.StatusNotFound || !found:
		if a.unmanaged {
			_, _, err := c.do(ctx, http.MethodPut, a.api, a.wrap(a.content))
			return outcomeInstalled, err
		}
		return outcomeInstalled, c.put(ctx, a)
	case a.unmanaged && overwrite:
		_, _, err := c.do(ctx, http.MethodPut, a.api, a.wrap(a.content))
		return outcomeUpdated, err
	case a.unmanaged:
		return outcomePresent, nil
	}
	meta := a.marksOf(installed)
	version, _ := meta["version"].(float64)
	var outcome string
	switch {
	case overwrite:
		outcome = outcomeUpdated
	case meta["managed_by"] != managedBy:
		return outcomeForeign, nil
	case int(version) > assets.Version:
		return outcomeNewer, nil
	case int(version) == assets.Version && holds(a.unmarked(installed), a.unmarked(a.content)):
		return outcomeUpToDate, nil
	case int(version) == assets.Version:
		return outcomeChanged, nil
	case !a.holdsEarlier(installed, int(version)):
		return outcomeChanged, nil
	default:
		outcome = outcomeUpdated
	}
	return outcome, c.put(ctx, a)
}

// put writes a with its marks.
func (c *client) put(ctx context.Context, a asset) error {
	meta := map[string]any{"managed_by": managedBy, "version": assets.Version}
	_, _, err := c.do(ctx, http.MethodPut, a.api, a.wrap(a.withMarks(a.content, meta)))
	return err
}

// ilmPolicy is the ILM policy with the configured retention.
func ilmPolicy(retention string) (asset, error) {
	policy, err := ilmPolicyContent(assets.ILMPolicy(), retention)
	if err != nil {
		return asset{}, fmt.Errorf("embedded ILM policy: %w", err)
	}
	return asset{
		kind: "ILM policy", name: assets.ILMPolicyName, api: "/_ilm/policy/" + assets.ILMPolicyName,
		content: policy,
		earlierContent: func(version int) map[string]any {
			data, ok := assets.EarlierILMPolicy(version)
			if !ok {
				return nil
			}
			p, err := ilmPolicyContent(data, retention)
			if err != nil {
				return nil // a policy that does not read (the tests hold them to valid JSON) is no version known
			}
			return p
		},
		wrap: func(content map[string]any) map[string]any { return map[string]any{"policy": content} },
		unwrap: func(answer map[string]any) (map[string]any, bool) {
			entry, ok := answer[assets.ILMPolicyName].(map[string]any)
			if !ok {
				return nil, false
			}
			policy, ok := entry["policy"].(map[string]any)
			return policy, ok
		},
	}, nil
}

// ilmPolicyContent is the policy of a `PUT _ilm/policy` body, with the
// retention as its delete phase's min_age.
func ilmPolicyContent(body []byte, retention string) (map[string]any, error) {
	var put struct {
		Policy map[string]any `json:"policy"`
	}
	if err := json.Unmarshal(body, &put); err != nil {
		return nil, err
	}
	phases, _ := put.Policy["phases"].(map[string]any)
	if del, ok := phases["delete"].(map[string]any); ok {
		del["min_age"] = retention
	}
	return put.Policy, nil
}

// indexTemplate is the index template of the elemta-logs-* indices.
func indexTemplate() (asset, error) {
	var content map[string]any
	if err := json.Unmarshal(assets.IndexTemplate(), &content); err != nil {
		return asset{}, fmt.Errorf("embedded index template: %w", err)
	}
	return asset{
		kind: "index template", name: assets.IndexTemplateName, api: "/_index_template/" + assets.IndexTemplateName,
		content: content,
		earlierContent: func(version int) map[string]any {
			data, ok := assets.EarlierIndexTemplate(version)
			if !ok {
				return nil
			}
			// An earlier template that does not read (the tests hold them
			// to valid JSON) is no version known: left alone, the safe way.
			var earlier map[string]any
			if json.Unmarshal(data, &earlier) != nil {
				return nil
			}
			return earlier
		},
		wrap: func(content map[string]any) map[string]any { return content },
		unwrap: func(answer map[string]any) (map[string]any, bool) {
			list, _ := answer["index_templates"].([]any)
			for _, it := range list {
				entry, _ := it.(map[string]any)
				if entry["name"] == assets.IndexTemplateName {
					tmpl, ok := entry["index_template"].(map[string]any)
					return tmpl, ok
				}
			}
			return nil, false
		},
	}, nil
}

// Names of the backup assets.
const (
	slmPolicyName = "elemta-logs-daily"
	snapshotNames = "<elemta-logs-{now/d}>"
)

// snapshotRepository is the configured repository.
func snapshotRepository(b BackupConfig) asset {
	return asset{
		kind: "snapshot repository", name: b.Repository, api: "/_snapshot/" + b.Repository, unmanaged: true,
		content: map[string]any{"type": b.Type, "settings": b.Settings},
		wrap:    func(content map[string]any) map[string]any { return content },
		unwrap: func(answer map[string]any) (map[string]any, bool) {
			repo, ok := answer[b.Repository].(map[string]any)
			return repo, ok
		},
	}
}

// slmPolicy snapshots the elemta-logs-* indices on schedule into the
// repository and deletes snapshots after expire_after (keeping 5 at least).
func slmPolicy(b BackupConfig) asset {
	content := map[string]any{
		"schedule": b.Schedule, "name": snapshotNames, "repository": b.Repository,
		"config":    map[string]any{"indices": []any{assets.IndexTemplateName + "-*"}, "include_global_state": false},
		"retention": map[string]any{"expire_after": b.ExpireAfter, "min_count": 5, "max_count": 100},
	}
	return asset{
		kind: "snapshot policy", name: slmPolicyName, api: "/_slm/policy/" + slmPolicyName,
		metaPath: []string{"config", "metadata"},
		content:  content,
		// Every version so far wrote the policy the configuration makes.
		earlierContent: func(int) map[string]any { return content },
		wrap:           func(content map[string]any) map[string]any { return content },
		unwrap: func(answer map[string]any) (map[string]any, bool) {
			entry, ok := answer[slmPolicyName].(map[string]any)
			if !ok {
				return nil, false
			}
			policy, ok := entry["policy"].(map[string]any)
			return policy, ok
		},
	}
}
