// Package elemtainput is the stanza input operator of the elemta receiver: it
// tails files with contrib's file consumer, splits them into lines with
// their continuation lines joined, and parses each line into a typed entry.
package elemtainput // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/elemtainput"

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/fileconsumer"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/operator"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/operator/helper"
	"go.opentelemetry.io/collector/component"
)

const operatorType = "elemta_input"

// Input formats.
const (
	// FormatAuto reads Elemta's own log lines, whatever their shape.
	FormatAuto = "auto"
	// FormatDocker reads Docker json-file container logs and unwraps each line first.
	FormatDocker = "docker"
)

func init() {
	operator.Register(operatorType, func() operator.Builder { return NewConfig() })
}

// Config is the configuration of the elemta_input operator: every option of
// contrib's file consumer (include, exclude, start_at, poll_interval,
// fingerprint_size, max_log_size, compression, ...) plus the ones below.
type Config struct {
	helper.InputConfig  `mapstructure:",squash"`
	fileconsumer.Config `mapstructure:",squash"`

	// Format is `auto` (Elemta's log files) or `docker` (Docker json-file
	// container logs, unwrapped before parsing).
	Format string `mapstructure:"format"`

	// Timezone is the IANA name of the zone of times written without one.
	Timezone string `mapstructure:"timezone"`
}

// NewConfig returns the default configuration.
func NewConfig() *Config {
	fc := fileconsumer.NewConfig()
	fc.StartAt = "beginning"
	fc.MaxLogSizeBehavior = fileconsumer.MaxLogSizeBehaviorTruncate
	fc.IncludeFileRecordOffset = true
	fc.IncludeFilePath = true
	return &Config{
		InputConfig: helper.NewInputConfig(operatorType, operatorType),
		Config:      *fc,
		Format:      FormatAuto,
		Timezone:    "UTC",
	}
}

// Validate checks the options this operator adds or restricts; the file
// consumer's own are checked when it is built.
func (c Config) Validate() error {
	var errs []error
	if c.Format != FormatAuto && c.Format != FormatDocker {
		errs = append(errs, fmt.Errorf("format: %q is not a known input format; use %q or %q", c.Format, FormatAuto, FormatDocker))
	}
	if _, err := time.LoadLocation(c.Timezone); err != nil {
		errs = append(errs, fmt.Errorf("timezone: %q is not an IANA time zone name (for example UTC or Europe/Berlin): %w", c.Timezone, err))
	}
	if c.SplitConfig.LineStartPattern != "" || c.SplitConfig.LineEndPattern != "" {
		errs = append(errs, errors.New("multiline: the elemta receiver joins continuation lines itself; remove the multiline settings"))
	}
	switch strings.ToLower(c.Encoding) {
	case "", "utf-8", "utf8", "nop":
	default:
		errs = append(errs, fmt.Errorf("encoding: %q is not supported; Elemta writes UTF-8, remove the key", c.Encoding))
	}
	if len(c.Include) == 0 {
		errs = append(errs, errors.New("include: no file pattern given; set it to the Elemta log files, for example [/var/log/elemta/*.log]"))
	}
	return errors.Join(errs...)
}

// Build builds the operator.
func (c Config) Build(set component.TelemetrySettings) (operator.Operator, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return newInput(c, set)
}
