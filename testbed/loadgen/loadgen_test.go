package loadgen

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/elemta/otelcol-elemta/testbed/esdouble"
)

func TestLinesCarryTheirIDAndWriteTime(t *testing.T) {
	at := time.Date(2026, 12, 2, 10, 30, 0, 123456789, time.UTC)
	seen := map[Shape]bool{}
	for i := range 2 * len(mix) * 4 {
		line := Line(i, at)
		seen[ShapeOf(i)] = true
		id, written, ok := ParseID(line)
		require.True(t, ok, "line %d: %s", i, line)
		assert.Equal(t, i, id)
		assert.True(t, written.Equal(at))
		assert.Equal(t, ShapeOf(i) == ShapeContinued, strings.Contains(line, "\n\t"), "only a continued line has a continuation: %q", line)
	}
	assert.Len(t, seen, int(shapes), "every shape")
	_, _, ok := ParseID("a line of somebody else")
	assert.False(t, ok)
}

func TestWriterRateAndRotation(t *testing.T) {
	tests := []struct {
		name     string
		rotation Rotation
	}{
		{"no rotation", NoRotation},
		{"rename", RotateRename},
		{"copytruncate", RotateCopyTruncate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "elemta.log")
			w := &Writer{Path: path, Rotation: tt.rotation, RotateEvery: 100 * time.Millisecond}
			require.NoError(t, w.Run(context.Background(), 2000, 500*time.Millisecond))
			assert.Equal(t, 1000, w.Written(), "rate times duration")

			var all []string
			for _, f := range []string{path + ".1", path} {
				data, err := os.ReadFile(f)
				if os.IsNotExist(err) {
					continue
				}
				require.NoError(t, err)
				all = append(all, strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")...)
			}
			if tt.rotation == NoRotation {
				assert.Zero(t, w.Rotations())
				assert.NoFileExists(t, path+".1")
				ids := map[int]bool{}
				for _, l := range all {
					if id, _, ok := ParseID(l); ok {
						ids[id] = true
					}
				}
				assert.Len(t, ids, 1000, "every line in the file")
				return
			}
			assert.Positive(t, w.Rotations())
			assert.FileExists(t, path+".1")
		})
	}
}

func TestCheck(t *testing.T) {
	at := time.Now()
	doc := func(id int, arrivedAfter time.Duration) esdouble.Document {
		return esdouble.Document{Source: map[string]any{"message": Line(id, at), "event_type": "x"}, Arrived: at.Add(arrivedAfter)}
	}
	tests := []struct {
		name string
		docs []esdouble.Document
		dead map[int]bool
		want Report
	}{
		{
			"all once",
			[]esdouble.Document{doc(0, time.Second), doc(1, 2*time.Second), doc(2, 3*time.Second)},
			nil,
			Report{Written: 3, Delivered: 3, Latency: Latency{P50: 2 * time.Second, P95: 3 * time.Second, P99: 3 * time.Second, Max: 3 * time.Second}, ByEventType: map[string]int{"x": 3}},
		},
		{
			"one missing, one twice",
			[]esdouble.Document{doc(0, time.Second), doc(0, time.Second), doc(2, time.Second)},
			nil,
			Report{Written: 3, Delivered: 2, Missing: 1, Duplicates: 1, FirstMissing: []int{1}, Latency: Latency{P50: time.Second, P95: time.Second, P99: time.Second, Max: time.Second}, ByEventType: map[string]int{"x": 3}},
		},
		{
			"dead-lettered is not missing",
			[]esdouble.Document{doc(0, time.Second)},
			map[int]bool{1: true},
			Report{Written: 2, Delivered: 1, DeadLettered: 1, Latency: Latency{P50: time.Second, P95: time.Second, P99: time.Second, Max: time.Second}, ByEventType: map[string]int{"x": 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Check(tt.docs, tt.want.Written, tt.dead)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.want.Missing > 0 || tt.want.Duplicates > 0, got.Lost())
		})
	}
}

func TestProcessSamples(t *testing.T) {
	p, err := Start("sleep", []string{"5"}, nil, filepath.Join(t.TempDir(), "out.log"), 20*time.Millisecond)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(p.Samples()) >= 2 }, 5*time.Second, 10*time.Millisecond)
	assert.Positive(t, p.PeakRSS())
	largest := p.Largest()
	assert.Positive(t, largest.File, "the binary's pages")
	assert.Positive(t, largest.Anon, "its heap and stacks")
	hwm, err := p.HighWaterRSS()
	require.NoError(t, err)
	assert.LessOrEqual(t, largest.File+largest.Anon, hwm, "a sample is within the high-water mark")
	require.NoError(t, p.Kill())
	ended, _ := p.Exited()
	assert.True(t, ended)
}

func TestStatusSizes(t *testing.T) {
	const status = "Name:\totelcol-elemta\nVmHWM:\t   88664 kB\nVmRSS:\t   86584 kB\nRssAnon:\t   43816 kB\nRssFile:\t   42760 kB\nRssShmem:\t       8 kB\n"
	tests := []struct {
		name    string
		status  string
		names   []string
		want    []int64
		wantErr string
	}{
		{"peak", status, []string{"VmHWM"}, []int64{88664 << 10}, ""},
		{"split, in the order asked", status, []string{"RssFile", "RssAnon"}, []int64{42760 << 10, 43816 << 10}, ""},
		{"missing", "VmRSS:\t1 kB\n", []string{"VmHWM"}, nil, "not all of VmHWM"},
		{"not a number", "VmHWM:\tmany kB\n", []string{"VmHWM"}, nil, "VmHWM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := StatusSizes(tt.status, tt.names...)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestIDOf finds a line's id in each form a document carries it.
func TestIDOf(t *testing.T) {
	at := time.Unix(0, 1796630000123456789)
	tests := []struct {
		name   string
		source map[string]any
		wantID int
		wantOK bool
	}{
		{"the line in message", map[string]any{"message": Line(7, at)}, 7, true},
		{"the line in event.original", map[string]any{"message": "New connection", "event.original": Line(8, at)}, 8, true},
		{"the line in the OTel mapping's body", map[string]any{"body": map[string]any{"text": Line(9, at)}}, 9, true},
		{"a structured line's tbid field", map[string]any{"message": "New connection", "tbid": "10:1796630000123456789"}, 10, true},
		{"the OTel mapping's attribute", map[string]any{"attributes": map[string]any{"tbid": "11:1796630000123456789"}}, 11, true},
		{"none", map[string]any{"message": "a line of somebody else"}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, written, ok := IDOf(esdouble.Document{Source: tt.source})
			require.Equal(t, tt.wantOK, ok)
			assert.Equal(t, tt.wantID, id)
			if ok {
				assert.Equal(t, at.UnixNano(), written.UnixNano())
			}
		})
	}
}
