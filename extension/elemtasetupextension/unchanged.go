package elemtasetupextension // import "github.com/elemta/otelcol-elemta/extension/elemtasetupextension"

import (
	"encoding/json"
	"fmt"
	"strings"
)

// holds tells whether what a product shows (an asset's content from an
// Elasticsearch GET, a saved object's attributes from Kibana) still holds
// what the setup wrote: the one rule by which the setup tells an object it
// installed and nobody changed ("ours, unchanged") from one an operator
// changed.
//
//   - Every key written is there, with its value held in turn; a key the
//     product shows beside them is the product's and is ignored: defaults
//     Elasticsearch adds (delete_searchable_snapshot), fields newer releases
//     show (composed_of: [] since 8.13, created_date_millis and
//     modified_date_millis in 9.2), what Kibana's migrations add (a saved
//     search's tabs, a panel's version stamp).
//   - A list holds a list of as many items, each held in order.
//   - A string of JSON (Kibana's panelsJSON, searchSourceJSON, a map's
//     layerListJSON) is compared as the JSON it holds: Kibana re-serialises
//     them when it migrates an import.
//   - A number or a boolean holds the string Elasticsearch shows for it
//     (index settings come back as strings).
//
// Anything else, a value changed or a key written that is gone, is a
// change; a release that rewrites a value of ours is taken for one too, so
// the setup leaves the object alone rather than write over an operator's
// work: the safe direction.
func holds(shown, written any) bool {
	switch w := written.(type) {
	case map[string]any:
		s, ok := shown.(map[string]any)
		if !ok {
			return false
		}
		for k, wv := range w {
			sv, present := s[k]
			if !present || !holds(sv, wv) {
				return false
			}
		}
		return true
	case []any:
		s, ok := shown.([]any)
		if !ok || len(s) != len(w) {
			return false
		}
		for i := range w {
			if !holds(s[i], w[i]) {
				return false
			}
		}
		return true
	case string:
		s, ok := shown.(string)
		if !ok {
			return false
		}
		if s == w {
			return true
		}
		ws, ss := decodedJSON(w), decodedJSON(s)
		return ws != nil && ss != nil && holds(ss, ws)
	case float64, bool:
		if s, ok := shown.(string); ok {
			return s == fmt.Sprint(w)
		}
		return shown == written
	case nil:
		return shown == nil
	}
	return false
}

// decodedJSON is the object or list a string of JSON holds, or nil.
func decodedJSON(s string) any {
	t := strings.TrimSpace(s)
	if t == "" || (t[0] != '{' && t[0] != '[') {
		return nil
	}
	var v any
	if json.Unmarshal([]byte(t), &v) != nil {
		return nil
	}
	return v
}
