package elemtalog

import (
	"bufio"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/elemta/otelcol-elemta/internal/vocabulary"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenRecord is how a parsed line is written in a golden file.
type goldenRecord struct {
	Line       string            `yaml:"line"`
	Format     vocabulary.Format `yaml:"format"`
	Timestamp  string            `yaml:"timestamp,omitempty"`
	Level      string            `yaml:"level,omitempty"`
	Attributes map[string]any    `yaml:"attributes"`
}

func readTokens(t *testing.T, path string) []string {
	t.Helper()
	return readTokensB(t, path)
}

func readTokensB(t testing.TB, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 4<<20)
	sc.Split(SplitLines)
	var tokens []string
	for sc.Scan() {
		tokens = append(tokens, sc.Text())
	}
	require.NoError(t, sc.Err())
	return tokens
}

// TestGolden parses every input file under testdata/ and compares the
// records with <input>.golden.yaml. Run `go test -run TestGolden -update`
// after a deliberate change, and read the diff.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "*.log"))
	require.NoError(t, err)
	require.NotEmpty(t, inputs)
	p := NewParser(time.UTC)
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			var got []goldenRecord
			for _, tok := range readTokens(t, in) {
				r := p.Parse(tok)
				g := goldenRecord{Line: r.Line, Format: r.Format, Level: r.Level, Attributes: r.Attributes.AsRaw()}
				if !r.Timestamp.IsZero() {
					g.Timestamp = r.Timestamp.UTC().Format(time.RFC3339Nano)
				}
				got = append(got, g)
			}
			out, err := yaml.Marshal(got)
			require.NoError(t, err)
			golden := strings.TrimSuffix(in, ".log") + ".golden.yaml"
			if *update {
				require.NoError(t, os.WriteFile(golden, out, 0o600))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "no golden file: run go test -run TestGolden -update")
			assert.Equal(t, string(want), string(out))
		})
	}
}

func TestUnwrapCRI(t *testing.T) {
	at := time.Date(2026, 11, 25, 17, 42, 57, 446641595, time.UTC)
	tests := []struct {
		name        string
		line        string
		wantInner   string
		wantStream  string
		wantTime    time.Time
		wantPartial bool
		wantOK      bool
	}{
		{"a whole JSON line", `2026-11-25T17:42:57.446641595Z stdout F {"msg":"New connection"}`, `{"msg":"New connection"}`, "stdout", at, false, true},
		{"a partial piece", `2026-11-25T17:42:57.446641595Z stderr P {"msg":"New conn`, `{"msg":"New conn`, "stderr", at, true, true},
		{"a message with spaces keeps them", "2026-11-25T17:42:57.446641595Z stdout F a  b c ", "a  b c ", "stdout", at, false, true},
		{"an empty message", "2026-11-25T17:42:57.446641595Z stdout F", "", "stdout", at, false, true},
		{"a tag with more flags", "2026-11-25T17:42:57.446641595Z stdout F:x msg", "msg", "stdout", at, false, true},
		{"not CRI: an Elemta line", `{"time":"2026-11-25T17:42:57Z","msg":"x"}`, `{"time":"2026-11-25T17:42:57Z","msg":"x"}`, "", time.Time{}, false, false},
		{"not CRI: an unknown stream", "2026-11-25T17:42:57Z console F x", "2026-11-25T17:42:57Z console F x", "", time.Time{}, false, false},
		{"not CRI: a bad time", "yesterday stdout F x", "yesterday stdout F x", "", time.Time{}, false, false},
		{"not CRI: an unknown tag", "2026-11-25T17:42:57Z stdout X x", "2026-11-25T17:42:57Z stdout X x", "", time.Time{}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inner, stream, at, partial, ok := UnwrapCRI(tt.line)
			assert.Equal(t, tt.wantInner, inner)
			assert.Equal(t, tt.wantStream, stream)
			assert.True(t, tt.wantTime.Equal(at), "time %v", at)
			assert.Equal(t, tt.wantPartial, partial)
			assert.Equal(t, tt.wantOK, ok)
		})
	}
}
