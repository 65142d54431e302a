package elemtareceiver

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/fileconsumer/attrs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/elemta/otelcol-elemta/internal/vocabulary"
	"github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)

	tests := []struct {
		name    string
		check   func(*testing.T, *Config)
		wantErr string
	}{
		{
			name: "",
			check: func(t *testing.T, cfg *Config) {
				assert.Equal(t, []string{"/var/log/elemta/*.log"}, cfg.Include)
				assert.Equal(t, "beginning", cfg.StartAt)
				assert.Equal(t, "auto", cfg.Format)
				assert.Equal(t, "UTC", cfg.Timezone)
				assert.True(t, cfg.RetryOnFailure.Enabled)
				assert.Nil(t, cfg.StorageID)
				assert.Equal(t, time.Duration(0), cfg.RetryOnFailure.MaxElapsedTime, "never drop a refused batch")
				assert.True(t, cfg.IncludeFileRecordOffset)
				assert.Equal(t, []string{".1"}, cfg.RotatedCopies.Suffixes, "copytruncate copies are followed by default")
				assert.Equal(t, InFlightConfig{MaxBatches: 32, MaxBytes: 10 << 20}, cfg.InFlight)
			},
		},
		{
			name: "full",
			check: func(t *testing.T, cfg *Config) {
				assert.Len(t, cfg.Include, 2)
				assert.Equal(t, "end", cfg.StartAt)
				assert.Equal(t, 500*time.Millisecond, cfg.PollInterval)
				assert.EqualValues(t, 64*1024, cfg.MaxLogSize)
				assert.Equal(t, "docker", cfg.Format)
				assert.Equal(t, "Europe/Berlin", cfg.Timezone)
				require.NotNil(t, cfg.StorageID)
				assert.Equal(t, component.MustNewID("file_storage"), *cfg.StorageID)
				assert.Equal(t, BatchConfig{MaxLines: 500, MaxBytes: 1 << 20}, cfg.Batch)
				assert.Equal(t, InFlightConfig{MaxBatches: 4, MaxBytes: 8 << 20}, cfg.InFlight)
			},
		},
		{name: "bad_format", wantErr: `format: "syslog" is not a known input format; use "auto", "docker" or "cri"`},
		{name: "bad_timezone", wantErr: `timezone: "Mars/Olympus_Mons" is not an IANA time zone name`},
		{name: "multiline", wantErr: "multiline: the elemta receiver joins continuation lines itself"},
		{name: "no_include", wantErr: "include: no file pattern given"},
		{name: "no_retry", wantErr: "retry_on_failure::enabled is false"},
		{name: "bad_batch", wantErr: "batch::max_lines: 0 must be positive, for example 1000"},
		{name: "bad_batch", wantErr: "batch::max_bytes: -1 must be positive"},
		{name: "bad_in_flight", wantErr: "in_flight::max_batches: 0 must be positive, for example 10"},
		{name: "bad_in_flight", wantErr: "in_flight::max_bytes: -1 must be positive"},
		{
			name: "dateext",
			check: func(t *testing.T, cfg *Config) {
				assert.Equal(t, []string{"-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]"}, cfg.RotatedCopies.Suffixes)
			},
		},
		{name: "bad_rotated_copy", wantErr: `rotated_copies::suffixes: "/old/x" does not name a copy beside the file`},
		{name: "bad_rotated_copy", wantErr: `rotated_copies::suffixes: "[1" is not a glob pattern`},
		{name: "bad_rotated_copy", wantErr: `rotated_copies::suffixes: "-[0-9]*" matches compressed copies such as "elemta.log-20261202.gz"`},
	}
	for _, tt := range tests {
		t.Run("name="+tt.name, func(t *testing.T) {
			cfg := NewFactory().CreateDefaultConfig()
			sub, err := cm.Sub(component.NewIDWithName(metadata.Type, tt.name).String())
			require.NoError(t, err)
			require.NoError(t, sub.Unmarshal(cfg))
			err = confmap.Validate(cfg)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			tt.check(t, cfg.(*Config))
		})
	}
}

// TestVocabularyNamesTheFileConsumersAttributes: the processor reads where
// a line was read under the vocabulary's names; the file consumer writes
// them under its own.
func TestVocabularyNamesTheFileConsumersAttributes(t *testing.T) {
	assert.Equal(t, attrs.LogFilePath, vocabulary.AttrFilePath)
	assert.Equal(t, attrs.LogFileRecordOffset, vocabulary.AttrFileRecordOffset)
}
