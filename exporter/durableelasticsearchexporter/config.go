package durableelasticsearchexporter // import "github.com/elemta/otelcol-elemta/exporter/durableelasticsearchexporter"

import (
	"errors"
	"fmt"
	"strings"

	"github.com/open-telemetry/opentelemetry-collector-contrib/exporter/elasticsearchexporter"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
)

// Config is the configuration of the durable_elasticsearch exporter.
type Config struct {
	// TimeoutConfig bounds one attempt to send a batch (`timeout`).
	exporterhelper.TimeoutConfig `mapstructure:",squash"`

	// QueueConfig is the sending queue (`sending_queue`), off by default:
	// the exporter answers its caller once Elasticsearch has the batch, and
	// the caller keeps the batch until then (the elemta receiver: the log
	// file and its read position). Turn it on, with a `storage` extension
	// (file_storage), for callers that cannot send again.
	QueueConfig configoptional.Optional[exporterhelper.QueueBatchConfig] `mapstructure:"sending_queue"`

	// BackOffConfig retries every transient failure (`retry_on_failure`).
	// With max_elapsed_time 0, the default, a batch is retried until
	// Elasticsearch takes it: nothing is dropped while the cluster is away.
	BackOffConfig configretry.BackOffConfig `mapstructure:"retry_on_failure"`

	// RemovedBulkAction is the `bulk_action` key of earlier releases, read
	// only to tell a configuration that still sets it what to do: documents
	// go with contrib's create action, and a document sent again, which
	// Elasticsearch answers with a 409 conflict, counts as delivered.
	RemovedBulkAction *string `mapstructure:"bulk_action"`

	// Document is how a log record becomes an Elasticsearch document
	// (`document`).
	Document DocumentConfig `mapstructure:"document"`

	// DeadLetter is where documents Elasticsearch refuses for good are kept
	// (`dead_letter`).
	DeadLetter DeadLetterConfig `mapstructure:"dead_letter"`

	// Elasticsearch is the configuration of contrib's Elasticsearch exporter
	// (`elasticsearch`), every option of it except its own sending_queue,
	// which this exporter replaces.
	Elasticsearch elasticsearchexporter.Config `mapstructure:"elasticsearch"`
}

// DocumentConfig is how a log record becomes an Elasticsearch document.
type DocumentConfig struct {
	// Shape is flat (the default) or none (`document::shape`). flat makes
	// a document of the record's attributes at the top level, `@timestamp`
	// and `message` (what the line says), with the record's log.record.uid
	// as its id; none leaves the document to contrib's mapping modes.
	Shape string `mapstructure:"shape"`
	// Original keeps the line itself, as read and scrubbed, in a flat
	// document's `event.original` (`document::original`); off by default,
	// as in Elastic's integrations: every field of it is in the document.
	Original bool `mapstructure:"original"`
	// IndexPrefix is followed by the event's UTC date, YYYY.MM.dd, to name
	// a flat document's index (`document::index_prefix`); empty leaves the
	// index to contrib's settings (logs_index, elasticsearch.index).
	IndexPrefix string `mapstructure:"index_prefix"`
}

// DeadLetterConfig configures the dead-letter store: NDJSON files holding
// each document Elasticsearch refused for good (a mapping conflict, say)
// with the reason, ready to be sent again once the cause is fixed.
type DeadLetterConfig struct {
	// Directory holds dead-letter.ndjson and its rotated files
	// (`directory`); it is created when missing.
	Directory string `mapstructure:"directory"`
	// MaxSizeMiB rotates the file when it would grow past this size (`max_size_mib`).
	MaxSizeMiB int64 `mapstructure:"max_size_mib"`
	// MaxFiles is the number of rotated files kept (`max_files`); the
	// oldest is removed beyond it.
	MaxFiles int `mapstructure:"max_files"`
}

var (
	errMemoryQueue = errors.New("sending_queue: a queue in memory answers batches before Elasticsearch has them " +
		"and loses them at a crash or a stop; give it storage: file_storage, set wait_for_result: true, or remove sending_queue")
	errRemovedBulkAction = errors.New("bulk_action is no longer a setting: documents go with contrib's create action, " +
		"and a document sent again (Elasticsearch answers 409) counts as delivered; remove the key")
	errInnerQueue = errors.New("elasticsearch::sending_queue must not be set: " +
		"the durable_elasticsearch exporter queues batches itself; move those settings to sending_queue")
	errNoRetry = errors.New("retry_on_failure::enabled is false: " +
		"failed batches would be dropped; remove the key or set it to true")
)

// Validate checks the parts of the configuration this exporter owns; the
// nested elasticsearch settings are validated by their own Validate.
func (c *Config) Validate() error {
	var errs []error
	if c.Elasticsearch.QueueBatchConfig.HasValue() {
		errs = append(errs, errInnerQueue)
	}
	if !c.BackOffConfig.Enabled {
		errs = append(errs, errNoRetry)
	}
	if q := c.QueueConfig; q.HasValue() && q.Get().StorageID == nil && !q.Get().WaitForResult {
		errs = append(errs, errMemoryQueue)
	}
	if c.RemovedBulkAction != nil {
		errs = append(errs, errRemovedBulkAction)
	}
	errs = append(errs, c.Document.validate())
	if c.DeadLetter.Directory == "" {
		errs = append(errs, errors.New("dead_letter::directory is empty: documents Elasticsearch refuses would have nowhere to go; "+
			"set it to a writable directory, for example /var/lib/otelcol-elemta/dead-letter"))
	}
	if c.DeadLetter.Directory != "" {
		if err := creatable(c.DeadLetter.Directory); err != nil {
			errs = append(errs, fmt.Errorf("dead_letter::directory: %q cannot be created: %w; "+
				"set it (with the default configuration: OTELCOL_ELEMTA_STORAGE) to a directory the collector can create or write", c.DeadLetter.Directory, err))
		}
	}
	if c.DeadLetter.MaxSizeMiB <= 0 {
		errs = append(errs, fmt.Errorf("dead_letter::max_size_mib: %d is not a size; set it to a number of MiB above 0", c.DeadLetter.MaxSizeMiB))
	}
	if c.DeadLetter.MaxFiles < 0 {
		errs = append(errs, fmt.Errorf("dead_letter::max_files: %d is negative; set it to the number of rotated files to keep", c.DeadLetter.MaxFiles))
	}
	return errors.Join(errs...)
}

// indexNameForbidden are the characters an Elasticsearch index name cannot hold.
const indexNameForbidden = `\/*?"<>| ,#:`

func (d DocumentConfig) validate() error {
	var errs []error
	if d.Shape != ShapeFlat && d.Shape != ShapeNone {
		errs = append(errs, fmt.Errorf("document::shape: %q is not a shape; use %q (attributes, @timestamp and message at the top level) or %q (contrib's mapping modes)",
			d.Shape, ShapeFlat, ShapeNone))
	}
	if p := d.IndexPrefix; p != "" && (strings.ToLower(p) != p || strings.ContainsAny(p, indexNameForbidden) || strings.IndexAny(p[:1], "-_+.") == 0) {
		errs = append(errs, fmt.Errorf("document::index_prefix: %q cannot start an Elasticsearch index name; "+
			"use lower-case letters, digits, '-' and '.', not first, for example \"elemta-logs-\"", p))
	}
	return errors.Join(errs...)
}
