package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/elemta/otelcol-elemta/testbed/esdouble"
)

// TestLateLinesAfterTheirIndexAged: a line dated five days ago arrives
// after its day's index aged past the ILM policy's warm phase (other
// agents filled that index on its day). The shipped policy keeps daily
// indices writable until they are deleted, so the line is indexed in its
// day's index, where a search of elemta-logs-* for that day finds it, and
// nothing is dead-lettered. The double blocks writes as Elasticsearch does
// once a phase with readonly or forcemerge applies.
func TestLateLinesAfterTheirIndexAged(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	logDir, storage := t.TempDir(), t.TempDir()
	day := time.Now().UTC().AddDate(0, 0, -5)
	index := "elemta-logs-" + day.Format("2006.01.02")
	line := func(text string) string {
		return fmt.Sprintf(`{"time":%q,"level":"INFO","msg":%q,"component":"smtp-server"}`, day.Format(time.RFC3339Nano), text)
	}

	on := line("written on its day")
	appendLines(t, filepath.Join(logDir, "elemta.log"), []string{on})
	c := startCollector(t, defaultEnv(logDir, storage, es.URL()), filepath.Join(distDir(t), "config.yaml"))
	requireEachOnce(t, es, []string{on})
	require.True(t, es.AgeIndex(index, 5*24*time.Hour), "the day's index exists")

	late := line("arrived five days late")
	appendLines(t, filepath.Join(logDir, "elemta.log"), []string{late})
	requireEachOnce(t, es, []string{on, late})
	c.stop(t)

	for _, d := range es.Documents() {
		assert.Equal(t, index, d.Index, "in its day's index, under elemta-logs-*")
		ts, _ := esdouble.Attribute(d, "@timestamp")
		assert.Contains(t, ts, day.Format("2006-01-02"), "a search for that day finds it")
	}
	dead, err := os.ReadFile(filepath.Join(storage, "dead-letter", "dead-letter.ndjson"))
	if err == nil {
		assert.Empty(t, dead, "nothing dead-lettered")
	}
	assert.Zero(t, es.Outcomes()["create/blocked"], "no write was blocked")
}
