package command

import (
	"context"
	"os"
	"path/filepath"
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
