// Package substrtest tells, in tests, whether a string shares the memory
// of another: a value cut out of a log line keeps the whole line alive as
// long as it is kept; a copy does not.
package substrtest // import "github.com/elemta/otelcol-elemta/internal/substrtest"

import "unsafe"

// Within reports whether s's bytes lie inside in's: s is a substring of
// in, not a copy. An empty s never is: it holds no memory.
func Within(s, in string) bool {
	if s == "" {
		return false
	}
	start, at := addressOf(in), addressOf(s)
	return at >= start && at+uintptr(len(s)) <= start+uintptr(len(in))
}

func addressOf(s string) uintptr {
	return uintptr(unsafe.Pointer(unsafe.StringData(s))) //nolint:gosec // an address to compare, never turned back into a pointer
}
