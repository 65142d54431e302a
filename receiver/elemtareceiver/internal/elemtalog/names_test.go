package elemtalog

import (
	"strconv"
	"sync"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNamesGiveOneStringPerKey(t *testing.T) {
	var n names
	first := n.of([]byte("session_id"))
	again := n.of([]byte("session_id"))
	assert.Equal(t, "session_id", again)
	assert.Same(t, unsafeData(first), unsafeData(again), "a key seen before is the same string")
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = n.of([]byte("session_id")) }), "a known key allocates nothing")
}

func TestNamesStopLearningAtTheBound(t *testing.T) {
	var n names
	for i := range maxNames + 10 {
		k := "k" + strconv.Itoa(i)
		require.Equal(t, k, n.of([]byte(k)))
	}
	assert.Len(t, *n.known.Load(), maxNames)
	assert.Equal(t, "beyond", n.of([]byte("beyond")), "past the bound a key is still returned")
}

func TestNamesConcurrently(t *testing.T) {
	var n names
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				k := "k" + strconv.Itoa((i+g)%50)
				assert.Equal(t, k, n.of([]byte(k)))
			}
		})
	}
	wg.Wait()
	assert.Len(t, *n.known.Load(), 50)
}

// unsafeData points at a string's first byte, to tell strings apart by
// their storage.
func unsafeData(s string) *byte { return unsafe.StringData(s) }
