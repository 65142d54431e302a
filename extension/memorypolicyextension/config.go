package memorypolicyextension // import "github.com/elemta/otelcol-elemta/extension/memorypolicyextension"

import "fmt"

// Config is the memory policy.
type Config struct {
	// GCPercent is the garbage collector's target (`gc_percent`), as GOGC
	// sets it; the environment's GOGC, when set, wins. 0 leaves the
	// runtime's own (100).
	GCPercent int `mapstructure:"gc_percent"`
	// CollectWhenIdle collects garbage when a receiver reports the
	// pipeline idle (`collect_when_idle`); never with GOGC=off.
	CollectWhenIdle bool `mapstructure:"collect_when_idle"`
}

// Validate checks the configuration; each message names the key and the fix.
func (c *Config) Validate() error {
	if c.GCPercent < 0 {
		return fmt.Errorf("gc_percent: %d is negative; use a percentage, for example 200, or 0 for the runtime's own", c.GCPercent)
	}
	return nil
}
