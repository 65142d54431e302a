package elemtareceiver // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver"

import (
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/adapter"

	"github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/elemtainput"
)

// Config is the configuration of the elemta receiver.
type Config struct {
	// InputConfig holds where and how to read: include, exclude, start_at,
	// poll_interval, fingerprint_size, max_log_size, compression, format
	// (auto or docker) and timezone.
	InputConfig elemtainput.Config `mapstructure:",squash"`

	// BaseConfig holds storage (the extension that keeps checkpoints),
	// retry_on_failure and optional extra stanza operators.
	adapter.BaseConfig `mapstructure:",squash"`
}

// Validate checks the reading options; each key in an error is the YAML key.
func (c *Config) Validate() error {
	return c.InputConfig.Validate()
}
