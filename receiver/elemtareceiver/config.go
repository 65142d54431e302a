package elemtareceiver // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver"

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/fileconsumer"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configretry"
)

// Input formats.
const (
	// FormatAuto reads Elemta's own log lines, whatever their shape.
	FormatAuto = "auto"
	// FormatDocker reads Docker json-file container logs and unwraps each line first.
	FormatDocker = "docker"
	// FormatCRI reads the container logs containerd and CRI-O write for
	// Kubernetes (/var/log/pods/...), joining the pieces of split lines.
	FormatCRI = "cri"
)

// Config is the configuration of the elemta receiver.
type Config struct {
	// Config is where and how to read, as contrib's file consumer does it:
	// include, exclude, start_at, poll_interval, fingerprint_size,
	// max_log_size, max_concurrent_files, compression, delete_after_read,
	// include_file_* and force_flush_period.
	fileconsumer.Config `mapstructure:",squash"`

	// Format is `auto` (Elemta's log files), `docker` (Docker json-file
	// container logs) or `cri` (Kubernetes container logs of containerd
	// and CRI-O); container lines are unwrapped before parsing.
	Format string `mapstructure:"format"`

	// Timezone is the IANA name of the zone of times written without one.
	Timezone string `mapstructure:"timezone"`

	// StorageID names the storage extension (file_storage) that keeps the
	// reading checkpoints and the lines a shutdown interrupted (`storage`).
	StorageID *component.ID `mapstructure:"storage"`

	// RotatedCopies names the copies logrotate's copytruncate makes of the
	// files matched by include (`rotated_copies`), which the receiver reads
	// as well: the lines written between its last read and the copy are only
	// in the copy.
	RotatedCopies RotatedCopiesConfig `mapstructure:"rotated_copies"`

	// Batch bounds the batches of lines handed to the pipeline (`batch`).
	Batch BatchConfig `mapstructure:"batch"`

	// InFlight bounds the batches handed to the pipeline and not yet
	// delivered (`in_flight`): reading waits while the bounds are reached.
	InFlight InFlightConfig `mapstructure:"in_flight"`

	// RetryOnFailure paces the retries of a batch the pipeline refused
	// (`retry_on_failure`); reading waits meanwhile. max_elapsed_time 0,
	// the default, retries until the pipeline takes the batch.
	RetryOnFailure configretry.BackOffConfig `mapstructure:"retry_on_failure"`
}

// BatchConfig bounds a batch of lines. A batch goes to the pipeline once
// it is full, and after each look at the files (poll_interval) with
// whatever was read; reading waits until the pipeline has taken it.
type BatchConfig struct {
	// MaxLines is the number of lines of a full batch (`batch::max_lines`).
	MaxLines int `mapstructure:"max_lines"`
	// MaxBytes is the size of the lines of a full batch (`batch::max_bytes`).
	MaxBytes int `mapstructure:"max_bytes"`
}

// InFlightConfig bounds the batches in flight: handed to the pipeline, and
// held by an exporter that answers once the backend has them
// (durable_elasticsearch). Each keeps its lines in memory until then.
type InFlightConfig struct {
	// MaxBatches is the number of batches in flight at most
	// (`in_flight::max_batches`); 1 sends one batch at a time.
	MaxBatches int `mapstructure:"max_batches"`
	// MaxBytes is the size of the lines in flight at most
	// (`in_flight::max_bytes`); a single batch may exceed it.
	MaxBytes int `mapstructure:"max_bytes"`
}

// RotatedCopiesConfig names the rotated copies of the log files.
type RotatedCopiesConfig struct {
	// Suffixes are glob patterns appended to each include pattern to match
	// the rotated copies (`suffixes`): ".1" for logrotate's default naming,
	// "-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]" for dateext. A suffix
	// must not match compressed copies (.gz, .bz2, .xz, .zst): their lines
	// were read from the copy before it was compressed. Empty turns
	// following the copies off.
	Suffixes []string `mapstructure:"suffixes"`
}

// compressedCopies are names of rotated copies that logrotate compressed,
// which a rotated-copy suffix must not match.
var compressedCopies = []string{".1.gz", ".2.gz", "-20261202.gz", ".1.bz2", "-20261202.bz2", ".1.xz", "-20261202.xz", ".1.zst", "-20261202.zst"}

// patterns returns the include patterns of the file consumer: the
// configured ones, plus the rotated copies of each.
func (c *Config) patterns() []string {
	include := append([]string(nil), c.Include...)
	for _, pattern := range c.Include {
		for _, suffix := range c.RotatedCopies.Suffixes {
			include = append(include, pattern+suffix)
		}
	}
	return include
}

// Validate checks the options; each message names the YAML key and the fix.
func (c *Config) Validate() error {
	var errs []error
	if c.Format != FormatAuto && c.Format != FormatDocker && c.Format != FormatCRI {
		errs = append(errs, fmt.Errorf("format: %q is not a known input format; use %q, %q or %q", c.Format, FormatAuto, FormatDocker, FormatCRI))
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
	for _, suffix := range c.RotatedCopies.Suffixes {
		errs = append(errs, validateCopySuffix(suffix))
	}
	if c.Batch.MaxLines <= 0 {
		errs = append(errs, fmt.Errorf("batch::max_lines: %d must be positive, for example 1000", c.Batch.MaxLines))
	}
	if c.Batch.MaxBytes <= 0 {
		errs = append(errs, fmt.Errorf("batch::max_bytes: %d must be positive, for example 5242880 (5 MiB)", c.Batch.MaxBytes))
	}
	if c.InFlight.MaxBatches <= 0 {
		errs = append(errs, fmt.Errorf("in_flight::max_batches: %d must be positive, for example 10 (1 sends one batch at a time)", c.InFlight.MaxBatches))
	}
	if c.InFlight.MaxBytes <= 0 {
		errs = append(errs, fmt.Errorf("in_flight::max_bytes: %d must be positive, for example 33554432 (32 MiB)", c.InFlight.MaxBytes))
	}
	if !c.RetryOnFailure.Enabled {
		errs = append(errs, errors.New("retry_on_failure::enabled is false: refused lines would be dropped; remove the key or set it to true"))
	}
	return errors.Join(errs...)
}

func validateCopySuffix(suffix string) error {
	if suffix == "" || strings.ContainsAny(suffix, "/"+string(filepath.Separator)) {
		return fmt.Errorf("rotated_copies::suffixes: %q does not name a copy beside the file; use a suffix such as \".1\" or \"-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]\"", suffix)
	}
	for _, name := range compressedCopies {
		matched, err := doublestar.Match("x"+suffix, "x"+name)
		if err != nil {
			return fmt.Errorf("rotated_copies::suffixes: %q is not a glob pattern: %w", suffix, err)
		}
		if matched {
			return fmt.Errorf("rotated_copies::suffixes: %q matches compressed copies such as %q, whose lines were read before; "+
				"make it match the uncompressed copy only, for example \"-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]\"", suffix, "elemta.log"+name)
		}
	}
	return nil
}
