package elemtalog

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/valyala/fastjson"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/elemta/otelcol-elemta/internal/vocabulary"
)

// TestFieldsFitTheRoom: the room ParseInto makes in a record's attributes
// before parsing holds every field of every sample line, so that the list
// is allocated once (and Room more is left for the pipeline).
func TestFieldsFitTheRoom(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "*.log"))
	require.NoError(t, err)
	p := NewParser(nil)
	seen := map[vocabulary.Format]int{}
	for _, input := range inputs {
		for _, line := range readTokens(t, input) {
			attrs := pcommon.NewMap()
			r := p.ParseInto(line, attrs)
			head := strings.TrimLeft(strings.SplitN(line, "\n", 2)[0], " \t")
			var room int
			switch r.Format {
			case vocabulary.FormatJSON:
				v, err := fastjson.Parse(head)
				require.NoError(t, err)
				room = v.GetObject().Len() + structuredAdded
			case vocabulary.FormatKeyValue:
				room = keyValueFields(head)
			case vocabulary.FormatUnparsed:
				continue
			default:
				room = textFields
			}
			seen[r.Format]++
			assert.LessOrEqual(t, attrs.Len(), room, "%s: %q", r.Format, line)
		}
	}
	for _, f := range []vocabulary.Format{vocabulary.FormatJSON, vocabulary.FormatKeyValue, vocabulary.FormatSMTP, vocabulary.FormatLeveled, vocabulary.FormatGoStd, vocabulary.FormatPlain} {
		assert.Positive(t, seen[f], "no %s line among the samples", f)
	}
}
