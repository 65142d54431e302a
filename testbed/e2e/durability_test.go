package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/elemta/otelcol-elemta/testbed/esdouble"
)

// TestCredentialsRefusedForAWhile: Elasticsearch answers 401 (an expired
// password) for 20 s, then accepts. Every line arrives once, and the log
// says once, in words an operator acts on, what was wrong.
func TestCredentialsRefusedForAWhile(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	es.FailBulk(http.StatusUnauthorized)
	logDir := t.TempDir()
	c := startCollector(t, defaultEnv(logDir, t.TempDir(), es.URL()), filepath.Join(distDir(t), "config.yaml"))

	lines := numberedLines("written while the password was expired", 3000)
	appendLines(t, filepath.Join(logDir, "elemta.log"), lines)
	require.Eventually(t, func() bool {
		return strings.Contains(c.output.String(), "Elasticsearch rejected the credentials (401): check ELASTICSEARCH_USERNAME/ELASTICSEARCH_PASSWORD or ELASTICSEARCH_API_KEY")
	}, 30*time.Second, 100*time.Millisecond)
	time.Sleep(20 * time.Second)
	assert.Empty(t, es.Documents())
	es.FailBulk(0)

	requireEachOnce(t, es, lines)
	// Told once the exporter has read the answer, after the double stored the documents.
	require.Eventually(t, func() bool { return strings.Contains(c.output.String(), "Elasticsearch takes documents again") },
		10*time.Second, 50*time.Millisecond)
	c.stop(t)
	out := c.output.String()
	assert.Equal(t, 1, strings.Count(out, "Elasticsearch does not take documents"), "told once, not once per retry")
	assert.NotContains(t, out, "Dropping data")
}

// deadLetterFile reads the dead-letter file of a storage directory.
func deadLetterFile(t *testing.T, storage string) []map[string]any {
	t.Helper()
	f, err := os.Open(filepath.Join(storage, "dead-letter", "dead-letter.ndjson"))
	require.NoError(t, err)
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var entry map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &entry))
		out = append(out, entry)
	}
	require.NoError(t, sc.Err())
	return out
}

// TestRefusedDocumentsAreDeadLettered: Elasticsearch refuses every 10th
// document (a mapping conflict). The refused ones are in the dead-letter
// file with their id and reason, counted, none lost; after the fix the
// README's command sends them again.
func TestRefusedDocumentsAreDeadLettered(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	refused := func(d esdouble.Document) bool { return strings.HasSuffix(esdouble.Message(d), "0") }
	es.RejectItems(refused)
	logDir, storage := t.TempDir(), t.TempDir()
	c := startCollector(t, defaultEnv(logDir, storage, es.URL()), filepath.Join(distDir(t), "config.yaml"))

	lines := numberedLines("mapping conflict for every tenth", 1000)
	appendLines(t, filepath.Join(logDir, "elemta.log"), lines)
	require.Eventually(t, func() bool { return len(es.Documents()) == 900 }, 60*time.Second, 100*time.Millisecond)
	counted := regexp.MustCompile(`otelcol_exporter_durable_elasticsearch_dead_lettered(_total)?\{[^}]*error_type="mapper_parsing_exception"[^}]*\} 100\n`)
	require.Eventually(t, func() bool { return counted.MatchString(c.metrics(t)) }, 30*time.Second, 100*time.Millisecond)
	c.stop(t)

	entries := deadLetterFile(t, storage)
	require.Len(t, entries, 100)
	for _, e := range entries {
		assert.EqualValues(t, http.StatusBadRequest, e["status"])
		assert.Equal(t, map[string]any{"type": "mapper_parsing_exception", "reason": "injected rejection"}, e["error"])
		assert.NotEmpty(t, e["id"])
		assert.True(t, strings.HasPrefix(e["index"].(string), "elemta-logs-"), "index %v", e["index"])
		doc := e["document"].(map[string]any)
		assert.True(t, strings.HasSuffix(doc["message"].(string), "0"), "the refused document: %v", doc["message"])
	}
	assert.Contains(t, c.output.String(), "Elasticsearch refused documents for good; they are kept in the dead-letter file")

	// The mapping is fixed: the README's command sends the file again.
	es.RejectItems(nil)
	resendDeadLetters(t, filepath.Join(storage, "dead-letter", "dead-letter.ndjson"), es.URL())
	requireEachOnce(t, es, lines)
}

// resendDeadLetters runs the command README.md gives to send a dead-letter
// file again.
func resendDeadLetters(t *testing.T, file, endpoint string) {
	t.Helper()
	for _, tool := range []string{"jq", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is missing: .ci/run installs it", tool)
			}
			t.Skipf("%s is not installed: the resend command needs it", tool)
		}
	}
	cmd := exec.Command("sh", "-c", `jq -c '.action, .document' "$DEAD_LETTER_FILE" |
  curl -fsS -H 'Content-Type: application/x-ndjson' --data-binary @- "$ELASTICSEARCH_ENDPOINT/_bulk"`)
	cmd.Env = append(os.Environ(), "DEAD_LETTER_FILE="+file, "ELASTICSEARCH_ENDPOINT="+endpoint)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	assert.Contains(t, string(out), `"errors":false`)
}

// TestCopytruncateUnderASteadyWriter rotates the log with logrotate's
// copytruncate three times while a writer appends without pause, with the
// documented glob of the live files (*.log): none lost, none twice. The
// rotations come 700 ms apart: the collector must have read each copy
// (elemta.log.1) before the next rotation renames it elemta.log.2, which it
// does not follow; with a daily rotation that leaves a day.
func TestCopytruncateUnderASteadyWriter(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	logDir := t.TempDir()
	log := filepath.Join(logDir, "elemta.log")
	c := startCollector(t, defaultEnv(logDir, t.TempDir(), es.URL()), filepath.Join(distDir(t), "config.yaml"))

	f, err := os.OpenFile(log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	require.NoError(t, err)
	var written []string
	var stop atomic.Bool
	// Lines written between logrotate's copy and its truncate are lost by
	// the rotation itself, whoever reads the file; the writer waits while
	// the test rotates, so what is lost can only be the collector's doing.
	var rotating sync.Mutex
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; !stop.Load(); i++ {
			line := fmt.Sprintf("steady writer line %d", i)
			rotating.Lock()
			_, err := fmt.Fprintln(f, line)
			rotating.Unlock()
			if err != nil {
				return
			}
			written = append(written, line)
			if i%20 == 0 {
				time.Sleep(10 * time.Millisecond) // about 2,000 lines a second
			}
		}
	}()
	for range 3 {
		time.Sleep(700 * time.Millisecond)
		rotating.Lock()
		copyTruncate(t, log)
		rotating.Unlock()
	}
	time.Sleep(300 * time.Millisecond)
	stop.Store(true)
	<-done
	require.NoError(t, f.Close())
	require.Greater(t, len(written), 1000)

	requireEachOnce(t, es, written)
	c.stop(t)
}

// copyTruncate does what logrotate's copytruncate does: older copies move
// up, the file is copied to .1 and truncated in place.
func copyTruncate(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path + ".1"); err == nil {
		require.NoError(t, os.Rename(path+".1", path+".2"))
	}
	src, err := os.Open(path)
	require.NoError(t, err)
	dst, err := os.Create(path + ".1")
	require.NoError(t, err)
	_, err = io.Copy(dst, src)
	require.NoError(t, err)
	require.NoError(t, dst.Close())
	require.NoError(t, src.Close())
	require.NoError(t, os.Truncate(path, 0))
}

// TestFailedLoginPasswordsAreNeverIndexed: a client sends its password as
// AUTH LOGIN's user name; Elemta logs it in the AUTH line, as the failed
// attempt's username, and as a bare SASL response. No indexed field holds
// it in any form; the successful login keeps its user name.
func TestFailedLoginPasswordsAreNeverIndexed(t *testing.T) {
	const password = "Hunter2-secret!"
	const encoded = "SHVudGVyMi1zZWNyZXQh"
	es := esdouble.New()
	defer es.Close()
	logDir := t.TempDir()
	lines := []string{
		`{"time":"2026-11-25T17:48:22.93Z","level":"INFO","msg":"SMTP command processed","component":"session-commands","remote_addr":"127.0.0.25:60931","session_id":"s-1","command":"AUTH LOGIN ` + encoded + `\\x0D\\x0A","success":false,"response":"535 5.7.8 Authentication credentials invalid","authenticated":false,"username":""}`,
		`{"time":"2026-11-25T17:48:22.94Z","level":"WARN","msg":"authentication","component":"auth-logging","event_type":"authentication","session_id":"s-1","username":"` + password + `","client_ip":"127.0.0.25:60931","auth_method":"LOGIN","status":"failure","success":false}`,
		`{"time":"2026-11-25T17:48:23.10Z","level":"INFO","msg":"SMTP command processed","component":"session-commands","remote_addr":"127.0.0.25:60931","session_id":"s-1","command":"` + encoded + `\\x0D\\x0A","success":false,"authenticated":false,"username":""}`,
		`{"time":"2026-11-25T17:48:24.00Z","level":"INFO","msg":"authentication","component":"auth-logging","event_type":"authentication","session_id":"s-1","username":"olivia.hart@corp.example.org","client_ip":"127.0.0.25:60931","auth_method":"PLAIN","status":"success","success":true}`,
	}
	appendLines(t, filepath.Join(logDir, "elemta.log"), lines)
	c := startCollector(t, defaultEnv(logDir, t.TempDir(), es.URL()), filepath.Join(distDir(t), "config.yaml"))
	require.Eventually(t, func() bool { return len(es.Documents()) == len(lines) }, 30*time.Second, 100*time.Millisecond)
	c.stop(t)

	users := map[string]bool{}
	for _, d := range es.Documents() {
		raw, err := json.Marshal(d.Source)
		require.NoError(t, err)
		assert.NotContains(t, string(raw), password)
		assert.NotContains(t, string(raw), encoded)
		if u, ok := d.Source["username"].(string); ok && u != "" {
			users[u] = true
		}
	}
	assert.Equal(t, map[string]bool{"[REDACTED]": true, "olivia.hart@corp.example.org": true}, users)
}

// TestHealthFollowsElasticsearch: while Elasticsearch is unreachable for
// longer than the health window the health endpoint answers 500 with the
// reason; once it takes documents again, 200.
func TestHealthFollowsElasticsearch(t *testing.T) {
	down := esdouble.New()
	addr := down.Addr()
	down.Close()
	logDir := t.TempDir()
	env := defaultEnv(logDir, t.TempDir(), "http://"+addr)
	env["OTELCOL_ELEMTA_HEALTH_WINDOW"] = "2s"
	c := startCollector(t, env, filepath.Join(distDir(t), "config.yaml"))
	lines := numberedLines("written while Elasticsearch was away", 100)
	appendLines(t, filepath.Join(logDir, "elemta.log"), lines)

	body := c.waitForHealth(t, http.StatusInternalServerError, 30*time.Second)
	assert.Contains(t, body, "Elasticsearch is unreachable at http://"+addr)

	es, err := esdouble.NewAt(addr)
	require.NoError(t, err)
	defer es.Close()
	requireEachOnce(t, es, lines)
	c.waitForHealth(t, http.StatusOK, 60*time.Second)
	c.stop(t)
}

// TestValidateOpensGeoIPDatabases: `otelcol-elemta validate` fails on a
// GeoIP path that cannot be opened, with the message the start gives.
func TestValidateOpensGeoIPDatabases(t *testing.T) {
	cmd := exec.Command(binary(t), "validate", "--config", filepath.Join(distDir(t), "config.yaml"))
	cmd.Env = append(os.Environ(), "GEOIP_CITY_DB=/nonexistent/GeoLite2-City.mmdb")
	out, err := cmd.CombinedOutput()
	require.Error(t, err)
	assert.Contains(t, string(out), `geoip::city_database: cannot open "/nonexistent/GeoLite2-City.mmdb"`)
	assert.Contains(t, string(out), "fix the path or leave it empty to turn GeoIP off")
}

// TestSecondCollectorOnTheSameStorage: a second collector started on the
// storage directory of a running one exits and says why.
func TestSecondCollectorOnTheSameStorage(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	logDir, storage := t.TempDir(), t.TempDir()
	env := defaultEnv(logDir, storage, es.URL())
	first := startCollector(t, env, filepath.Join(distDir(t), "config.yaml"))
	defer first.stop(t)

	cmd := collectorCommand(t, env, filepath.Join(distDir(t), "config.yaml"))
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "the second collector must not run")
	assert.Contains(t, string(out), "is in use by another collector")
	assert.Contains(t, string(out), "OTELCOL_ELEMTA_STORAGE")
}

// TestValidateChecksTheStorageDirectory: `otelcol-elemta validate` fails
// when the storage directory cannot be created.
func TestValidateChecksTheStorageDirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	cmd := exec.Command(binary(t), "validate", "--config", filepath.Join(distDir(t), "config.yaml"))
	cmd.Env = append(os.Environ(), "OTELCOL_ELEMTA_STORAGE="+filepath.Join(file, "storage"))
	out, err := cmd.CombinedOutput()
	require.Error(t, err)
	assert.Contains(t, string(out), "cannot be created: "+file+" is not a directory")
}
