package elemtalog // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/elemtalog"

import (
	"maps"
	"sync"
	"sync/atomic"
)

// maxNames bounds how many distinct keys a parser keeps: Elemta writes a
// few dozen, on every line; lines with ever new keys make strings of their
// own past the bound.
const maxNames = 1024

// names hands out the keys of JSON lines as strings, one string for each
// distinct key: a line's keys cost no allocation once seen. Lookups take
// no lock; a new key copies the set.
type names struct {
	known atomic.Pointer[map[string]string]
	mu    sync.Mutex // serialises additions
}

// of returns k as a string.
func (n *names) of(k []byte) string {
	if known := n.known.Load(); known != nil {
		if s, ok := (*known)[string(k)]; ok {
			return s
		}
	}
	s := string(k)
	n.mu.Lock()
	defer n.mu.Unlock()
	var next map[string]string
	if known := n.known.Load(); known != nil {
		if len(*known) >= maxNames {
			return s
		}
		next = maps.Clone(*known)
	} else {
		next = map[string]string{}
	}
	next[s] = s
	n.known.Store(&next)
	return s
}
