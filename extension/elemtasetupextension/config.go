package elemtasetupextension // import "github.com/elemta/otelcol-elemta/extension/elemtasetupextension"

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"
)

// Config is the configuration of the elemtasetup extension.
type Config struct {
	// Elasticsearch is where the policy and the template are installed
	// (`elasticsearch`): endpoint, TLS, auth extensions and timeout as for
	// any HTTP client of the collector, plus user, password or api_key.
	Elasticsearch ElasticsearchConfig `mapstructure:"elasticsearch"`

	// Kibana is where the data view and the saved searches are imported
	// (`kibana`); an empty endpoint leaves Kibana alone.
	Kibana KibanaConfig `mapstructure:"kibana"`

	// Backup registers a snapshot repository and a daily snapshot policy
	// of the elemta-logs-* indices (`backup`); off while repository is empty.
	Backup BackupConfig `mapstructure:"backup"`

	// ILM shapes the ILM policy (`ilm`).
	ILM ILMConfig `mapstructure:"ilm"`

	// Overwrite replaces an installed policy or template even when an
	// operator changed it or it is newer than ours (`overwrite`).
	Overwrite bool `mapstructure:"overwrite"`

	// Retry paces the attempts while Elasticsearch does not answer (`retry`).
	Retry RetryConfig `mapstructure:"retry"`
}

// ElasticsearchConfig is the Elasticsearch client.
type ElasticsearchConfig struct {
	confighttp.ClientConfig `mapstructure:",squash"`
	// User and Password are basic authentication (`user`, `password`).
	User     string              `mapstructure:"user"`
	Password configopaque.String `mapstructure:"password"`
	// APIKey is an Elasticsearch API key, base64 as Elasticsearch gives it (`api_key`).
	APIKey configopaque.String `mapstructure:"api_key"`
}

// KibanaConfig is the Kibana client.
type KibanaConfig struct {
	confighttp.ClientConfig `mapstructure:",squash"`
	// User and Password are basic authentication (`user`, `password`).
	User     string              `mapstructure:"user"`
	Password configopaque.String `mapstructure:"password"`
	// APIKey is an Elasticsearch API key Kibana accepts (`api_key`).
	APIKey configopaque.String `mapstructure:"api_key"`
	// Space is the Kibana space the objects go to (`space`); empty is the
	// default space.
	Space string `mapstructure:"space"`
	// Alerts installs Kibana alerting rules beside the saved objects
	// (`alerts`, on by default); false installs none.
	Alerts bool `mapstructure:"alerts"`
	// AlertRules are the rules' thresholds and windows (`alert_rules`).
	AlertRules AlertRulesConfig `mapstructure:"alert_rules"`
}

// BackupConfig is the snapshot repository and the daily snapshots.
type BackupConfig struct {
	// Repository names the snapshot repository (`backup::repository`);
	// empty turns backups off.
	Repository string `mapstructure:"repository"`
	// Type is the repository type: fs, s3, gcs, azure, url (`backup::type`).
	Type string `mapstructure:"type"`
	// Settings are the repository's settings, as Elasticsearch takes them:
	// location for fs, bucket for s3 and gcs, ... (`backup::settings`).
	Settings map[string]any `mapstructure:"settings"`
	// Schedule is when the snapshot is taken, in Elasticsearch's cron syntax
	// (`backup::schedule`).
	Schedule string `mapstructure:"schedule"`
	// ExpireAfter deletes snapshots older than this, in Elasticsearch's
	// units (`backup::expire_after`).
	ExpireAfter string `mapstructure:"expire_after"`
}

// ILMConfig shapes the ILM policy.
type ILMConfig struct {
	// Retention is how long an index is kept, counted from its creation, in
	// Elasticsearch's units: 30d, 720h (`ilm::retention`).
	Retention string `mapstructure:"retention"`
}

// RetryConfig paces the attempts.
type RetryConfig struct {
	// InitialInterval is the first wait (`retry::initial_interval`).
	InitialInterval time.Duration `mapstructure:"initial_interval"`
	// MaxInterval caps the wait, which doubles after each failure (`retry::max_interval`).
	MaxInterval time.Duration `mapstructure:"max_interval"`
}

var (
	retentionPattern = regexp.MustCompile(`^[1-9][0-9]*(d|h)$`)
	spacePattern     = regexp.MustCompile(`^[a-z0-9_-]+$`)
)

// Validate checks the configuration; each message names the key and the fix.
func (c *Config) Validate() error {
	var errs []error
	if c.Elasticsearch.Endpoint == "" {
		errs = append(errs, errors.New("elasticsearch::endpoint is empty; set it to the Elasticsearch URL, for example http://localhost:9200"))
	} else if u, err := url.Parse(c.Elasticsearch.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("elasticsearch::endpoint: %q is not an http or https URL; set it to the Elasticsearch URL, for example http://localhost:9200", c.Elasticsearch.Endpoint))
	}
	if c.Elasticsearch.APIKey != "" && c.Elasticsearch.User != "" {
		errs = append(errs, errors.New("elasticsearch: both user and api_key are set; keep one of them"))
	}
	if c.Kibana.Endpoint != "" {
		if u, err := url.Parse(c.Kibana.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("kibana::endpoint: %q is not an http or https URL; set it to the Kibana URL, for example http://localhost:5601, or leave it empty", c.Kibana.Endpoint))
		}
	}
	if c.Kibana.APIKey != "" && c.Kibana.User != "" {
		errs = append(errs, errors.New("kibana: both user and api_key are set; keep one of them"))
	}
	if c.Kibana.Alerts {
		errs = append(errs, c.Kibana.AlertRules.validate())
	}
	if c.Kibana.Space != "" && !spacePattern.MatchString(c.Kibana.Space) {
		errs = append(errs, fmt.Errorf("kibana::space: %q is not a space id; use lower-case letters, digits, '_' and '-'", c.Kibana.Space))
	}
	if b := c.Backup; b.Repository != "" {
		if b.Type == "" || len(b.Settings) == 0 {
			errs = append(errs, fmt.Errorf("backup: the repository %q needs a type and its settings, for example type: fs and settings: {location: /mnt/backups/elemta}", b.Repository))
		}
		if loc, _ := b.Settings["location"].(string); b.Type == "fs" && strings.TrimSpace(loc) == "" {
			errs = append(errs, errors.New("backup::settings::location is empty: an fs repository needs a directory listed in Elasticsearch's path.repo (with the default configuration: ELEMTA_BACKUP_LOCATION)"))
		}
		if strings.TrimSpace(b.Schedule) == "" {
			errs = append(errs, errors.New("backup::schedule is empty; set a cron expression, for example \"0 30 1 * * ?\" (01:30 every day)"))
		}
		if !retentionPattern.MatchString(b.ExpireAfter) {
			errs = append(errs, fmt.Errorf("backup::expire_after: %q is not a duration; use days or hours, for example 30d", b.ExpireAfter))
		}
	}
	if !retentionPattern.MatchString(c.ILM.Retention) {
		errs = append(errs, fmt.Errorf("ilm::retention: %q is not a retention; use days or hours, for example 30d", c.ILM.Retention))
	}
	if c.Retry.InitialInterval <= 0 || c.Retry.MaxInterval < c.Retry.InitialInterval {
		errs = append(errs, fmt.Errorf("retry: initial_interval %s and max_interval %s must be positive, the maximum at least the initial; for example 1s and 30s",
			c.Retry.InitialInterval, c.Retry.MaxInterval))
	}
	return errors.Join(errs...)
}
