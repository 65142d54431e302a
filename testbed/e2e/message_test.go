package e2e

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/elemta/otelcol-elemta/testbed/esdouble"
)

// TestDocumentsSayWhatTheLinesSay indexes the sample logs twice through the
// built collector and its default configuration: as shipped, and with
// ELEMTA_KEEP_ORIGINAL=true. A document's message is what its line says
// (its log_message) either way; the line itself is in event.original only
// when kept, and nothing else differs: the same ids, the same fields.
func TestDocumentsSayWhatTheLinesSay(t *testing.T) {
	lines := sampleLines(t)
	logDir := t.TempDir() // both runs read the same file: their documents name it
	appendLines(t, filepath.Join(logDir, "elemta.log"), lines)
	index := func(keep bool) (map[string]esdouble.Document, int) {
		t.Helper()
		es := esdouble.New()
		defer es.Close()
		env := defaultEnv(logDir, t.TempDir(), es.URL())
		if !keep {
			delete(env, "ELEMTA_KEEP_ORIGINAL") // as shipped
		}
		c := startCollector(t, env, filepath.Join(distDir(t), "config.yaml"))
		require.Eventually(t, func() bool { return len(es.Documents()) == len(lines) },
			time.Minute, 100*time.Millisecond, "want %d documents", len(lines))
		c.stop(t)
		byID, size := map[string]esdouble.Document{}, 0
		for _, d := range es.Documents() {
			byID[d.ID] = d
			raw, err := json.Marshal(d.Source)
			require.NoError(t, err)
			size += len(raw)
		}
		return byID, size
	}
	shipped, shippedSize := index(false)
	kept, keptSize := index(true)
	require.Len(t, kept, len(shipped), "the same ids")

	said := 0
	for id, d := range shipped {
		assert.NotContains(t, d.Source, "event.original", "%s: as shipped, the line is left out", id)
		if text, ok := d.Source["log_message"].(string); ok && text != "" {
			assert.Equal(t, text, d.Source["message"], "%s: the message is what the line says", id)
			said++
		}
		k, ok := kept[id]
		require.True(t, ok, "%s: the same id with the line kept", id)
		line, ok := k.Source["event.original"].(string)
		require.True(t, ok, "%s: the line kept", id)
		if _, ok := d.Source["log_message"]; !ok {
			assert.Equal(t, line, d.Source["message"], "%s: a line that says nothing else is its own message", id)
		}
		delete(k.Source, "event.original")
		// A line without a time of its own is timed when read: in each run.
		delete(k.Source, "@timestamp")
		delete(d.Source, "@timestamp")
		assert.Equal(t, d.Source, k.Source, "%s: nothing else differs", id)
	}
	assert.Positive(t, said)
	t.Logf("documents' JSON: %d bytes as shipped, %d with the lines kept", shippedSize, keptSize)
	assert.Less(t, shippedSize, keptSize)
}
