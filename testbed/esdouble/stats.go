package esdouble

import (
	"encoding/json"
	"net/http"
	"strings"
)

// stats answers the monitoring APIs contrib's elasticsearch metrics
// receiver reads: index statistics (documents, size, indexing counts) from
// what the double holds, a green one-node cluster, and node APIs without
// nodes. It returns handled=false for any other request.
func (s *Server) stats(r *http.Request) (status int, body any, handled bool) {
	if r.Method != http.MethodGet {
		return 0, nil, false
	}
	path := strings.Trim(r.URL.Path, "/")
	switch {
	case path == "_cluster/health":
		return http.StatusOK, map[string]any{
			"cluster_name": "otelcol-elemta-testbed", "status": "green", "number_of_nodes": 1,
			"number_of_data_nodes": 1, "active_primary_shards": len(s.indexStats()), "active_shards": len(s.indexStats()),
		}, true
	case strings.HasPrefix(path, "_cluster/stats"):
		return http.StatusOK, map[string]any{"cluster_name": "otelcol-elemta-testbed"}, true
	case strings.HasPrefix(path, "_nodes"):
		return http.StatusOK, map[string]any{"cluster_name": "otelcol-elemta-testbed", "nodes": map[string]any{}}, true
	case strings.Contains(path, "_stats"):
		all := indexStat{}
		indices := s.indexStats()
		out := map[string]any{}
		for name, st := range indices {
			all.add(st)
			out[name] = map[string]any{"primaries": st.json(), "total": st.json()}
		}
		return http.StatusOK, map[string]any{"_all": map[string]any{"primaries": all.json(), "total": all.json()}, "indices": out}, true
	}
	return 0, nil, false
}

// indexStat is what the double knows of one index.
type indexStat struct{ docs, bytes, indexed int64 }

func (a *indexStat) add(b indexStat) {
	a.docs += b.docs
	a.bytes += b.bytes
	a.indexed += b.indexed
}

func (st indexStat) json() map[string]any {
	return map[string]any{
		"docs":     map[string]any{"count": st.docs, "deleted": 0},
		"store":    map[string]any{"size_in_bytes": st.bytes},
		"indexing": map[string]any{"index_total": st.indexed},
	}
}

// indexStats sums the documents of each index; the double counts one
// indexing operation per document it holds.
func (s *Server) indexStats() map[string]indexStat {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]indexStat{}
	for _, d := range s.docs {
		st := out[d.Index]
		st.docs++
		st.indexed++
		if b, err := json.Marshal(d.Source); err == nil {
			st.bytes += int64(len(b))
		}
		out[d.Index] = st
	}
	return out
}
