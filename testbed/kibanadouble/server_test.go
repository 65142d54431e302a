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
		{"a space that does not exist", http.MethodGet, "/s/nope/api/status", false, http.StatusNotFound},
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
