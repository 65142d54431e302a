package elemtareceiver

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.uber.org/zap/zaptest"

	"github.com/elemta/otelcol-elemta/internal/vocabulary"
)

// placed is where a record says its line was read: the identity of its
// file and its offset.
type placed struct {
	identity string
	offset   int64
}

// placesOf returns each line's place, by its body (the test's lines are
// unique).
func placesOf(t *testing.T, sink *consumertest.LogsSink) map[string]placed {
	t.Helper()
	out := map[string]placed{}
	for _, lr := range records(sink) {
		id, ok := lr.Attributes().Get(vocabulary.AttrFileIdentity)
		require.True(t, ok, "no %s on %q", vocabulary.AttrFileIdentity, lr.Body().Str())
		off, _ := lr.Attributes().Get(vocabulary.AttrFileRecordOffset)
		_, kept := lr.Attributes().Get(fileHeadKey)
		require.False(t, kept, "the kept head is not a field of the line")
		out[lr.Body().Str()] = placed{id.Str(), off.Int()}
	}
	return out
}

// readOnce reads the files matching include from the start with a fresh
// receiver and no checkpoints, and returns each line's place.
func readOnce(t *testing.T, include string, lines int) map[string]placed {
	t.Helper()
	sink := new(consumertest.LogsSink)
	rcv := startReceiver(t, testConfig(include), componenttest.NewNopHost(), sink)
	require.Eventually(t, func() bool { return sink.LogRecordCount() >= lines }, 10*time.Second, time.Millisecond)
	require.NoError(t, rcv.Shutdown(context.Background()))
	return placesOf(t, sink)
}

// TestFileIdentityFollowsTheFile: a line's file identity is the same
// however and whenever it is read: while the file was young and short,
// after a restart from a checkpoint, after a rename (logrotate's default),
// from a copytruncate copy and from a fresh reading of the whole file under
// another name. A file that starts otherwise has another identity at the
// same offsets.
func TestFileIdentityFollowsTheFile(t *testing.T) {
	dir, storage := t.TempDir(), t.TempDir()
	log := filepath.Join(dir, "elemta.log")
	cfg := testConfig(filepath.Join(dir, "*.log"))
	sink := new(consumertest.LogsSink)

	// A young file, shorter than fingerprint_size (1,000 bytes), that
	// grows past it while the receiver reads.
	young := numbered("young", 3)
	writeLines(t, log, os.O_CREATE, young...)
	first := startReceiver(t, cfg, storageHost(t, cfg, storage), sink)
	require.Eventually(t, func() bool { return sink.LogRecordCount() == 3 }, 10*time.Second, time.Millisecond)
	grown := numbered("grown", 30)
	writeLines(t, log, os.O_APPEND, grown...)
	require.Eventually(t, func() bool { return sink.LogRecordCount() == 33 }, 10*time.Second, time.Millisecond)
	require.NoError(t, first.Shutdown(context.Background()))

	// Renamed while the collector is down; the writer goes on in the
	// renamed file before it reopens a new one.
	require.NoError(t, os.Rename(log, filepath.Join(dir, "elemta-1.log")))
	late := numbered("late in the renamed file", 10)
	writeLines(t, filepath.Join(dir, "elemta-1.log"), os.O_APPEND, late...)
	fresh := numbered("fresh", 40)
	writeLines(t, log, os.O_CREATE, fresh...)
	second := startReceiver(t, cfg, storageHost(t, cfg, storage), sink)
	require.Eventually(t, func() bool { return sink.LogRecordCount() == 83 }, 10*time.Second, time.Millisecond)
	require.NoError(t, second.Shutdown(context.Background()))
	incremental := placesOf(t, sink)
	require.Len(t, incremental, 83)

	// The same files, read whole under other names, and a copytruncate copy.
	other := t.TempDir()
	for from, to := range map[string]string{"elemta-1.log": "a.log", "elemta.log": "b.log"} {
		data, err := os.ReadFile(filepath.Join(dir, from))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(other, to), data, 0o600))
	}
	whole := readOnce(t, filepath.Join(other, "*.log"), 83)
	assert.Equal(t, incremental, whole, "the same line, read otherwise, has the same place")

	// Lines of two files at the same offsets, in files that start
	// otherwise. (At offset 0 nothing comes before a line: there its own
	// text, which the record's id hashes too, tells the files apart.)
	sameOffsets := 0
	for _, old := range append(append(young, grown...), late...) {
		for _, nw := range fresh {
			if whole[old].offset == whole[nw].offset && whole[nw].offset > 0 {
				sameOffsets++
				assert.NotEqual(t, whole[old].identity, whole[nw].identity, "%q and %q", old, nw)
			}
		}
	}
	assert.Positive(t, sameOffsets, "the test compares lines at the same offsets")
}

// TestFileIdentityOfAFileReadFromItsEnd: with start_at end the receiver
// never reads a file's first lines; it reads the file's start to identify
// the lines it does read, as a reading from the start would.
func TestFileIdentityOfAFileReadFromItsEnd(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "elemta.log")
	before := numbered("before start", 20)
	writeLines(t, log, os.O_CREATE, before...)
	cfg := testConfig(filepath.Join(dir, "*.log"))
	cfg.StartAt = "end"
	sink := new(consumertest.LogsSink)
	rcv := startReceiver(t, cfg, componenttest.NewNopHost(), sink)
	time.Sleep(100 * time.Millisecond) // the first look at the files: positions at their ends
	after := numbered("after start", 20)
	writeLines(t, log, os.O_APPEND, after...)
	require.Eventually(t, func() bool { return sink.LogRecordCount() == 20 }, 10*time.Second, time.Millisecond)
	require.NoError(t, rcv.Shutdown(context.Background()))

	whole := readOnce(t, log, 40)
	got := placesOf(t, sink)
	for _, l := range after {
		assert.Equal(t, whole[l], got[l], "%q", l)
	}
}

// TestFileHeads covers the head kept for a file, directly: what it reads,
// what it refuses and what each offset gets.
func TestFileHeads(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.log")
	content := []byte("first line\nsecond line\nthird line\n")
	require.NoError(t, os.WriteFile(plain, content, 0o600))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, err := zw.Write(content)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	gzipped := filepath.Join(dir, "plain.log.gz")
	require.NoError(t, os.WriteFile(gzipped, gz.Bytes(), 0o600))

	tests := []struct {
		name       string
		size       int
		compressed bool
		attrs      map[string]any
		token      string
		offset     int64
		wantHead   string // the head kept in attrs after the read; "" for none
	}{
		{
			name: "read from the file", size: 1000,
			attrs: map[string]any{vocabulary.AttrFilePath: plain}, token: "third line", offset: 23,
			wantHead: string(content),
		},
		{
			name: "cut at the fingerprint size", size: 15,
			attrs: map[string]any{vocabulary.AttrFilePath: plain}, token: "third line", offset: 23,
			wantHead: "first line\nseco",
		},
		{
			name: "gzip, decompressed", size: 1000, compressed: true,
			attrs: map[string]any{vocabulary.AttrFilePath: gzipped}, token: "third line", offset: 23,
			wantHead: string(content),
		},
		{
			name: "another file now at the path", size: 1000,
			attrs: map[string]any{vocabulary.AttrFilePath: plain}, token: "not this line", offset: 23,
		},
		{
			name: "starts otherwise than what was known", size: 1000,
			attrs: map[string]any{vocabulary.AttrFilePath: plain, fileHeadKey: "b3RoZXIgc3RhcnQ="}, token: "third line", offset: 23,
			wantHead: "other start",
		},
		{
			name: "no path", size: 1000,
			attrs: map[string]any{}, token: "third line", offset: 23,
		},
		{
			name: "gone", size: 1000,
			attrs: map[string]any{vocabulary.AttrFilePath: filepath.Join(dir, "gone.log")}, token: "third line", offset: 23,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			heads := newFileHeads(tt.size, tt.compressed, zaptest.NewLogger(t))
			h := heads.of(tt.attrs, [][]byte{[]byte(tt.token)}, []int64{tt.offset})
			assert.Equal(t, tt.wantHead, string(h.bytes))
			if tt.wantHead == "" || tt.wantHead == "other start" {
				assert.Empty(t, h.identityAt(tt.offset), "no identity where the head does not reach")
				return
			}
			assert.Equal(t, headDigest([]byte(tt.wantHead)[:min(int(tt.offset), len(tt.wantHead))]), h.identityAt(tt.offset))
			assert.Equal(t, headDigest(nil), h.identityAt(0), "the first line: nothing before it")
			again := heads.of(tt.attrs, [][]byte{[]byte(tt.token)}, []int64{tt.offset})
			assert.Same(t, h, again, "kept and decoded once")
		})
	}
}
