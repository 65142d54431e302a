package elemtalog

import (
	"testing"
	"time"
)

// BenchmarkParse parses every committed sample line; ns/op is per line.
func BenchmarkParse(b *testing.B) {
	var lines []string
	for _, name := range []string{"testdata/elemta-samples.log", "testdata/elemta-text.log", "testdata/formats.log", "testdata/seed.log"} {
		lines = append(lines, readTokensB(b, name)...)
	}
	p := NewParser(time.UTC)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		_ = p.Parse(lines[i%len(lines)])
	}
}
