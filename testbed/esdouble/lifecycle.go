package esdouble // import "github.com/elemta/otelcol-elemta/testbed/esdouble"

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// writeBlockingActions are the ILM actions after which an index takes no
// more writes (the Elasticsearch reference, "Index lifecycle actions"):
// readonly ("disables data write operations against the index"),
// forcemerge ("this action makes the index read-only"), shrink (the
// source index is made read-only, then replaced), searchable_snapshot and
// downsample (the index is replaced by a read-only one).
var writeBlockingActions = []string{"readonly", "forcemerge", "shrink", "searchable_snapshot", "downsample"}

// AgeIndex makes an index older by age, as if it had been created that
// much earlier: the phases of its ILM policy whose min_age it then passes
// apply to it. The index must exist (a document created it).
func (s *Server) AgeIndex(index string, age time.Duration) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.indexMappings[index]
	if !ok || m == nil {
		return false
	}
	m.created = m.created.Add(-age)
	return true
}

// writeBlock is the block ILM has put on an index, or "" when it takes
// writes: a phase of its policy whose min_age the index has reached holds
// an action that blocks writes. Real ILM applies a phase's actions a little
// after the index reaches it; the double applies them at once, the
// harsher of the two. The caller holds s.mu.
func (s *Server) writeBlock(index string, m *mapping) string {
	if m == nil || m.lifecycle == "" {
		return ""
	}
	policy, ok := s.policies[m.lifecycle]
	if !ok {
		return ""
	}
	age := time.Since(m.created)
	phases, _ := policy.body["phases"].(map[string]any)
	for _, p := range phases {
		phase, _ := p.(map[string]any)
		minAge, ok := parseAge(phase["min_age"])
		if !ok || age < minAge {
			continue
		}
		actions, _ := phase["actions"].(map[string]any)
		for _, a := range writeBlockingActions {
			if _, set := actions[a]; set {
				return "index [" + index + "] blocked by: [FORBIDDEN/8/index write (api)];"
			}
		}
	}
	return ""
}

// blockedItem is a bulk item refused by an index's write block.
func blockedItem(a bulkAction, reason string) map[string]any {
	return itemResult(a, http.StatusForbidden, "", map[string]any{"type": "cluster_block_exception", "reason": reason})
}

// parseAge reads an ILM min_age: a number and a unit (d, h, m, s, ms);
// absent is 0.
func parseAge(v any) (time.Duration, bool) {
	text, _ := v.(string)
	if text == "" {
		return 0, v == nil
	}
	units := []struct {
		suffix string
		unit   time.Duration
	}{{"ms", time.Millisecond}, {"d", 24 * time.Hour}, {"h", time.Hour}, {"m", time.Minute}, {"s", time.Second}}
	for _, u := range units {
		if n, ok := strings.CutSuffix(text, u.suffix); ok {
			count, err := strconv.Atoi(n)
			if err != nil {
				return 0, false
			}
			return time.Duration(count) * u.unit, true
		}
	}
	return 0, false
}
