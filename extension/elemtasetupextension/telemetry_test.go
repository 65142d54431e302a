package elemtasetupextension

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/elemta/otelcol-elemta/extension/elemtasetupextension/internal/metadata"
	"github.com/elemta/otelcol-elemta/internal/statustest"
	"github.com/elemta/otelcol-elemta/testbed/esdouble"
)

// TestIncompleteMetric: extension_elemtasetup_incomplete is 0 for a target
// once the assets are in place, and stays 1 when the setup gave up.
func TestIncompleteMetric(t *testing.T) {
	tests := []struct {
		name     string
		password string
		want     int64
	}{
		{"installed", "right", 0},
		{"refused for good", "wrong", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := esdouble.New()
			defer es.Close()
			es.RequireBasicAuth("elastic", "right")
			tel := componenttest.NewTelemetry()
			defer func() { require.NoError(t, tel.Shutdown(context.Background())) }()

			cfg := NewFactory().CreateDefaultConfig().(*Config)
			cfg.Elasticsearch.Endpoint = es.URL()
			cfg.Elasticsearch.User, cfg.Elasticsearch.Password = "elastic", configopaque.String(tt.password)
			cfg.Retry = RetryConfig{InitialInterval: 10 * time.Millisecond, MaxInterval: 50 * time.Millisecond}
			set := extensiontest.NewNopSettings(metadata.Type)
			set.TelemetrySettings = tel.NewTelemetrySettings()
			ext, err := NewFactory().Create(context.Background(), set, cfg)
			require.NoError(t, err)
			require.NoError(t, ext.Start(context.Background(), statustest.NewHost()))
			defer func() { require.NoError(t, ext.Shutdown(context.Background())) }()
			waitReady(t, started{Extension: ext})

			m, err := tel.GetMetric("otelcol_extension_elemtasetup_incomplete")
			require.NoError(t, err)
			points := m.Data.(metricdata.Sum[int64]).DataPoints
			require.Len(t, points, 1)
			v, _ := points[0].Attributes.Value(attribute.Key("target"))
			require.Equal(t, "elasticsearch", v.AsString())
			require.Equal(t, tt.want, points[0].Value)
		})
	}
}
