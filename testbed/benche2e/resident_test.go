package main

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
			got, err := statusSizes(tt.status, tt.names...)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestSampleResident samples this test's own process: its largest sample
// has file pages (the test binary) and anonymous memory, within its peak.
func TestSampleResident(t *testing.T) {
	s := sampleResident(os.Getpid(), time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	got := s.stop()
	assert.Equal(t, got, s.stop(), "stopping again changes nothing")

	peak, err := peakRSS(os.Getpid())
	require.NoError(t, err)
	assert.Positive(t, got.file)
	assert.Positive(t, got.anon)
	assert.LessOrEqual(t, got.total(), peak)
}
