package smtpeventprocessor // import "github.com/elemta/otelcol-elemta/processor/smtpeventprocessor"

import (
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/config/configopaque"
)

// Config is the configuration of the smtpevent processor.
type Config struct {
	// Session bounds the table of SMTP sessions whose context (client
	// address, HELO name, user, TLS) is added to the session's other lines.
	Session SessionConfig `mapstructure:"session"`

	// Privacy optionally hashes or redacts personal data. Credentials are
	// always scrubbed, whatever this says.
	Privacy PrivacyConfig `mapstructure:"privacy"`

	// GeoIP places client and delivery server addresses.
	GeoIP GeoIPConfig `mapstructure:"geoip"`
}

// GeoIPConfig names MaxMind-format databases. Both empty turns GeoIP off.
//
// Each key takes one path, a list, or a comma-separated string (so that an
// environment variable can name several): ip-location-db ships IPv4 and
// IPv6 in separate files. An address is looked up in the files in order,
// skipping IPv4-only files for IPv6 addresses; the first that knows it
// answers.
type GeoIPConfig struct {
	// CityDatabase is City databases: GeoIP2/GeoLite2 (or DB-IP's own)
	// schema, or ip-location-db's flattened one, told by their metadata
	// (`geoip::city_database`).
	CityDatabase []string `mapstructure:"city_database"`
	// ASNDatabase is ASN databases (`geoip::asn_database`).
	ASNDatabase []string `mapstructure:"asn_database"`
	// CacheSize is the number of addresses whose answer is kept (`geoip::cache_size`).
	CacheSize int `mapstructure:"cache_size"`
	// ReloadInterval is how often the files are checked for a new version
	// (`geoip::reload_interval`).
	ReloadInterval time.Duration `mapstructure:"reload_interval"`
}

// SessionConfig bounds the session table.
type SessionConfig struct {
	// MaxSessions is the number of sessions kept; the least recently seen
	// goes first (`session::max_sessions`).
	MaxSessions int `mapstructure:"max_sessions"`
	// TTL forgets a session not seen for this long (`session::ttl`).
	TTL time.Duration `mapstructure:"ttl"`
}

// Privacy modes.
const (
	PrivacyKeep   = "keep"
	PrivacyHash   = "hash"
	PrivacyRedact = "redact"
)

// PrivacyConfig hashes (keyed HMAC-SHA256) or redacts personal data.
type PrivacyConfig struct {
	// HashKey is the HMAC key (`privacy::hash_key`); required when a field is hashed.
	HashKey configopaque.String `mapstructure:"hash_key"`
	// Sender, Recipient and Subject are keep (default), hash or redact.
	Sender    string `mapstructure:"sender"`
	Recipient string `mapstructure:"recipient"`
	Subject   string `mapstructure:"subject"`
	// FailedLoginUsername is redact (default), hash or keep
	// (`privacy::failed_login_username`): the user name of a failed
	// authentication, in every field and in the line. Failed logins carry
	// passwords typed into the user name; successful logins keep theirs.
	FailedLoginUsername string `mapstructure:"failed_login_username"`
}

// Validate checks the configuration; each message names the key and the fix.
func (c *Config) Validate() error {
	var errs []error
	if c.Session.MaxSessions <= 0 {
		errs = append(errs, fmt.Errorf("session::max_sessions: %d must be positive, for example 10000", c.Session.MaxSessions))
	}
	if c.Session.TTL <= 0 {
		errs = append(errs, fmt.Errorf("session::ttl: %s must be positive, for example 10m", c.Session.TTL))
	}
	if c.GeoIP.CacheSize <= 0 {
		errs = append(errs, fmt.Errorf("geoip::cache_size: %d must be positive, for example 4096", c.GeoIP.CacheSize))
	}
	if c.GeoIP.ReloadInterval <= 0 {
		errs = append(errs, fmt.Errorf("geoip::reload_interval: %s must be positive, for example 1m", c.GeoIP.ReloadInterval))
	}
	// A database that cannot be opened fails `otelcol-elemta validate` as
	// it would fail the start.
	errs = append(errs, checkGeoDBs("city_database", "GeoIP", c.GeoIP.CityDatabase)...)
	errs = append(errs, checkGeoDBs("asn_database", "ASN lookups", c.GeoIP.ASNDatabase)...)
	hashing := false
	for key, mode := range map[string]string{
		"sender": c.Privacy.Sender, "recipient": c.Privacy.Recipient, "subject": c.Privacy.Subject,
		"failed_login_username": c.Privacy.FailedLoginUsername,
	} {
		switch mode {
		case PrivacyKeep, PrivacyRedact:
		case PrivacyHash:
			hashing = true
		default:
			errs = append(errs, fmt.Errorf("privacy::%s: %q is not a mode; use %q, %q or %q", key, mode, PrivacyKeep, PrivacyHash, PrivacyRedact))
		}
	}
	if hashing && len(c.Privacy.HashKey) < 16 {
		errs = append(errs, errors.New("privacy::hash_key: hashing needs a secret key of at least 16 characters; set it, for example from ${env:SMTPEVENT_HASH_KEY}"))
	}
	return errors.Join(errs...)
}
