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
	// BusyHeapMiB is the heap, in MiB, the garbage collector lets the
	// pipeline reach before a collection while a receiver reports it busy
	// (`busy_heap_mib`), however little of it is live; 0 turns it off.
	BusyHeapMiB int `mapstructure:"busy_heap_mib"`
}

// Validate checks the configuration; each message names the key and the fix.
func (c *Config) Validate() error {
	if c.GCPercent < 0 {
		return fmt.Errorf("gc_percent: %d is negative; use a percentage, for example 200, or 0 for the runtime's own", c.GCPercent)
	}
	if c.BusyHeapMiB < 0 {
		return fmt.Errorf("busy_heap_mib: %d is negative; use a size in MiB, for example 40, or 0 to turn it off", c.BusyHeapMiB)
	}
	return nil
}
