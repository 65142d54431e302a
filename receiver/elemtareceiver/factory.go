package elemtareceiver // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver"

import (
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/adapter"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/operator"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/receiver"

	"github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/elemtainput"
	"github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/metadata"
)

const (
	// defaultRetryInitialInterval and defaultRetryMaxInterval pace the retries
	// of a batch the pipeline refused (the memory limiter, say).
	defaultRetryInitialInterval = time.Second
	defaultRetryMaxInterval     = 30 * time.Second
)

// NewFactory returns the factory of the elemta receiver.
func NewFactory() receiver.Factory {
	return adapter.NewFactory(ReceiverType{}, metadata.LogsStability)
}

// ReceiverType plugs the receiver into contrib's stanza adapter.
type ReceiverType struct{}

// Type is the component type, elemta.
func (ReceiverType) Type() component.Type {
	return metadata.Type
}

// CreateDefaultConfig returns the default configuration.
func (ReceiverType) CreateDefaultConfig() component.Config {
	return createDefaultConfig()
}

func createDefaultConfig() *Config {
	cfg := &Config{
		InputConfig: *elemtainput.NewConfig(),
		BaseConfig:  adapter.BaseConfig{Operators: []operator.Config{}},
	}
	// A refused batch is retried until the pipeline takes it: reading stops
	// meanwhile and no line is dropped.
	cfg.RetryOnFailure.Enabled = true
	cfg.RetryOnFailure.InitialInterval = defaultRetryInitialInterval
	cfg.RetryOnFailure.MaxInterval = defaultRetryMaxInterval
	cfg.RetryOnFailure.MaxElapsedTime = 0
	return cfg
}

// BaseConfig returns the stanza adapter's part of the configuration.
func (ReceiverType) BaseConfig(cfg component.Config) adapter.BaseConfig {
	return cfg.(*Config).BaseConfig
}

// InputConfig returns the input operator's configuration.
func (ReceiverType) InputConfig(cfg component.Config) operator.Config {
	return operator.NewConfig(&cfg.(*Config).InputConfig)
}
