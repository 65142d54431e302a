package elemtalog

import (
	"testing"
	"time"
)

// BenchmarkParse parses lines into new attribute maps; ns/op is per line.
// "samples" are the parser's own sample lines of every shape; "smtpevent"
// are the smtpevent processor's inputs, the baseline of its
// BenchmarkProcessor, which processes the same lines after this parse.
func BenchmarkParse(b *testing.B) {
	inputs := []struct {
		name  string
		files []string
	}{
		{"samples", []string{"testdata/elemta-samples.log", "testdata/elemta-text.log", "testdata/formats.log", "testdata/seed.log"}},
		{"smtpevent", []string{
			"../../../../processor/smtpeventprocessor/testdata/auth-session.log",
			"../../../../processor/smtpeventprocessor/testdata/flow.log",
			"../../../../processor/smtpeventprocessor/testdata/seed.log",
		}},
	}
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			var lines []string
			for _, name := range in.files {
				lines = append(lines, readTokensB(b, name)...)
			}
			p := NewParser(time.UTC)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				_ = p.Parse(lines[i%len(lines)])
			}
		})
	}
}
