package kibanadouble

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAnswers(t *testing.T) {
	s := New()
	defer s.Close()
	s.AddSpace("mail")
	tests := []struct {
		name, method, path string
		xsrf               bool
		want               int
	}{
		{"status", http.MethodGet, "/api/status", false, http.StatusOK},
		{"status in a space", http.MethodGet, "/s/mail/api/status", false, http.StatusOK},
		{"status in a space that does not exist: any space answers", http.MethodGet, "/s/nope/api/status", false, http.StatusOK},
		{"a space, through the spaces API", http.MethodGet, "/api/spaces/space/mail", false, http.StatusOK},
		{"a space that does not exist, through the spaces API", http.MethodGet, "/api/spaces/space/nope", false, http.StatusNotFound},
		{"an object that does not exist", http.MethodGet, "/api/saved_objects/search/x", false, http.StatusNotFound},
		{"a write without kbn-xsrf", http.MethodPost, "/api/saved_objects/_import", false, http.StatusBadRequest},
		{"an import without a file", http.MethodPost, "/api/saved_objects/_import", true, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, s.URL()+tt.path, strings.NewReader(""))
			require.NoError(t, err)
			if tt.xsrf {
				req.Header.Set("kbn-xsrf", "test")
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, tt.want, resp.StatusCode)
		})
	}
}

// TestImportAsKibanaDoes: an import is migrated (panels re-serialised and
// stamped, from 9.1 searches with tabs), stamped with updated_at, and an
// id that exists in another space is given a new one, which the import's
// references follow.
func TestImportAsKibanaDoes(t *testing.T) {
	const objects = `{"type":"index-pattern","id":"v","attributes":{"title":"logs-*"},"references":[]}
{"type":"search","id":"s","attributes":{"title":"S","columns":["a"]},"references":[{"type":"index-pattern","id":"v","name":"i"}]}
{"type":"dashboard","id":"d","attributes":{"title":"D","panelsJSON":"[{\"version\":\"8.8.0\",\"embeddableConfig\":{\"attributes\":{\"type\":\"lens\"}}}]"},"references":[]}
`
	tests := []struct {
		version  string
		wantTabs bool
	}{{"8.17.0", false}, {"9.1.0", true}}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			s := New()
			defer s.Close()
			s.SetVersion(tt.version)
			s.AddSpace("mail")
			require.NoError(t, s.Import("default", []byte(objects)))

			search, ok := s.Object("default", "search", "s")
			require.True(t, ok)
			_, tabs := search.Attributes["tabs"]
			assert.Equal(t, tt.wantTabs, tabs)
			assert.NotEmpty(t, search.Raw["updated_at"])
			board, _ := s.Object("default", "dashboard", "d")
			assert.Contains(t, board.Attributes["panelsJSON"], `"version": "8.9.0"`, "by-value panels stamped, the JSON written again")

			require.NoError(t, s.Import("mail", []byte(objects)))
			assert.Len(t, s.Objects("mail"), 3, "one copy in the second space")
			_, same := s.Object("mail", "search", "s")
			assert.False(t, same, "under new ids")
			for _, o := range s.Objects("mail") {
				if o.Type == "search" {
					ref := o.References[0].(map[string]any)
					_, found := s.Object("mail", "index-pattern", ref["id"].(string))
					assert.True(t, found, "the reference follows the data view's new id")
				}
			}
		})
	}
}
