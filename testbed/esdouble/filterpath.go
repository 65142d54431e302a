package esdouble

import (
	"encoding/json"
	"path"
	"strings"
)

// Response filtering, as Elasticsearch applies the `filter_path` query
// parameter of any API: the answer keeps only the fields a filter names.
// A filter is a dot-separated path; `*` in a name matches any characters
// of one field name, `**` any number of fields; arrays are passed through,
// each element filtered on its own; an object left empty disappears, and
// an answer with nothing left is `{}`; an error is not filtered (see
// serveHTTP). Only inclusive filters are modelled (no leading `-`).
// Source: the Elasticsearch reference, "Common options",
// "Response filtering" (filter_path), 7.x to 9.x. go-docappender sends
// `filter_path=items.*._index,items.*.status,items.*.failure_store,
// items.*.error.type,items.*.error.reason` with every _bulk request.
func filterPath(body any, filters string) any {
	var patterns [][]string
	for _, f := range strings.Split(filters, ",") {
		if f = strings.TrimSpace(f); f != "" {
			patterns = append(patterns, strings.Split(f, "."))
		}
	}
	if len(patterns) == 0 {
		return body
	}
	switch body.(type) {
	case map[string]any, []any:
	default: // a typed answer: filtered as the JSON it is sent as
		data, err := json.Marshal(body)
		if err != nil || json.Unmarshal(data, &body) != nil {
			return body
		}
	}
	if out, ok := filterValue(body, patterns); ok {
		return out
	}
	return map[string]any{}
}

// filterValue keeps of v what one of patterns (the rest of each filter)
// names; ok is false when nothing is left.
func filterValue(v any, patterns [][]string) (any, bool) {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, field := range v {
			whole, rest := descend(patterns, k)
			if whole {
				out[k] = field
				continue
			}
			if len(rest) == 0 {
				continue
			}
			if kept, ok := filterValue(field, rest); ok {
				out[k] = kept
			}
		}
		return out, len(out) > 0
	case []any:
		out := make([]any, 0, len(v))
		for _, item := range v {
			if kept, ok := filterValue(item, patterns); ok {
				out = append(out, kept)
			}
		}
		return out, len(out) > 0
	default:
		return nil, false // a value with more of a path to match
	}
}

// descend matches the field name key against the first name of each
// pattern: whole when a pattern ends with it (the field is kept as it
// is), else the patterns the field's own fields must match.
func descend(patterns [][]string, key string) (whole bool, rest [][]string) {
	for _, p := range patterns {
		if p[0] == "**" {
			rest = append(rest, p) // more fields may come before the rest
			if len(p) == 1 {
				return true, nil
			}
			if ok, _ := path.Match(p[1], key); ok {
				if len(p) == 2 {
					return true, nil
				}
				rest = append(rest, p[2:])
			}
			continue
		}
		if ok, _ := path.Match(p[0], key); !ok {
			continue
		}
		if len(p) == 1 {
			return true, nil
		}
		rest = append(rest, p[1:])
	}
	return false, rest
}
