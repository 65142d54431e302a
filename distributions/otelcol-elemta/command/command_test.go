package command

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/provider/envprovider"
	"go.opentelemetry.io/collector/confmap/provider/fileprovider"
	"go.opentelemetry.io/collector/otelcol"
)

func settings() otelcol.CollectorSettings {
	return otelcol.CollectorSettings{ConfigProviderSettings: otelcol.ConfigProviderSettings{
		ResolverSettings: confmap.ResolverSettings{
			ProviderFactories: []confmap.ProviderFactory{envprovider.NewFactory(), fileprovider.NewFactory()},
		},
	}}
}

func TestSetupConfig(t *testing.T) {
	dir := t.TempDir()
	without := filepath.Join(dir, "without.yaml")
	require.NoError(t, os.WriteFile(without, []byte("extensions:\n  health_check:\n"), 0o600))
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("extensions:\n  elemtasetup/site:\n    ilm:\n      retention: forever\n"), 0o600))
	t.Setenv("ELASTICSEARCH_ENDPOINT", "http://es.example.com:9200")
	t.Setenv("ELEMTA_LOGS_RETENTION", "14d")

	tests := []struct {
		name    string
		configs []string
		check   func(t *testing.T, endpoint, retention string)
		wantErr string
	}{
		{name: "the shipped configuration", configs: []string{filepath.Join("..", "config.yaml")}, check: func(t *testing.T, endpoint, retention string) {
			assert.Equal(t, "http://es.example.com:9200", endpoint)
			assert.Equal(t, "14d", retention)
		}},
		{name: "no elemtasetup extension", configs: []string{without}, wantErr: "the configuration has no elemtasetup extension under extensions"},
		{name: "a wrong setting", configs: []string{bad}, wantErr: `extensions::elemtasetup/site: ilm::retention: "forever" is not a retention`},
		{name: "no configuration", wantErr: "at least one --config must be given"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := setupConfig(context.Background(), settings(), tt.configs)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			tt.check(t, cfg.Elasticsearch.Endpoint, cfg.ILM.Retention)
		})
	}
}

func TestHealthcheck(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		wantErr string
	}{
		{"healthy", http.StatusOK, `{"status":"Server available"}`, ""},
		{"unhealthy, with the reason", http.StatusInternalServerError, `{"status":"unavailable: Elasticsearch does not take documents"}`, "unhealthy (500 Internal Server Error): {\"status\":\"unavailable: Elasticsearch does not take documents\"}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			cmd := newHealthcheckCommand()
			var out bytes.Buffer
			cmd.SetOut(&out)
			cmd.SetErr(&out)
			cmd.SetArgs([]string{"--endpoint", "0.0.0.0:" + srv.URL[strings.LastIndex(srv.URL, ":")+1:]})
			err := cmd.Execute()
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.Contains(t, out.String(), "healthy")
				return
			}
			require.EqualError(t, err, tt.wantErr)
		})
	}
	t.Run("nothing listening", func(t *testing.T) {
		cmd := newHealthcheckCommand()
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		cmd.SetArgs([]string{"--endpoint", "127.0.0.1:1"})
		require.ErrorContains(t, cmd.Execute(), "health endpoint http://127.0.0.1:1/ does not answer")
	})
}
