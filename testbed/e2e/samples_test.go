package e2e

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/elemta/otelcol-elemta/testbed/esdouble"
)

// authPayload is the initial response of an SMTP AUTH command: the
// collector replaces it before anything leaves.
var authPayload = regexp.MustCompile(`(?i)(AUTH (?:PLAIN|LOGIN) )[A-Za-z0-9+/]+=*`)

// samplesDir is the folder of real Elemta logs committed with the tests
// (testdata/samples, described in its elemta/README.md): the output of a
// running Elemta server, byte for byte, and the seed's example lines.
func samplesDir(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	require.True(t, ok)
	return filepath.Join(filepath.Dir(file), "testdata", "samples")
}

// failedLogin matches Elemta's lines of a failed authentication, and
// failedLoginUser finds their user name.
var (
	failedLogin     = regexp.MustCompile(`(?i)"msg":"auth[^"]*(fail|error)|"event_type":"authentication".*"success":false`)
	failedLoginUser = regexp.MustCompile(`"username":"([^"]+)"`)
)

// indexed is a log line as the collector indexes it: AUTH payloads and the
// user name of a failed login are replaced, since a password typed into
// the user name ends up there.
func indexed(line string) string {
	line = authPayload.ReplaceAllString(line, "${1}[REDACTED]")
	if failedLogin.MatchString(line) {
		if m := failedLoginUser.FindStringSubmatch(line); m != nil {
			line = strings.ReplaceAll(line, m[1], "[REDACTED]")
		}
	}
	return line
}

type fileLine struct{ file, line string }

// readSample reads a log file, decompressing it when it is gzip (the larger
// samples are committed as .log.gz).
func readSample(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	if !strings.HasSuffix(path, ".gz") {
		return data
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	require.NoError(t, err)
	data, err = io.ReadAll(zr)
	require.NoError(t, err)
	return data
}

// records splits a log file the way Elemta's lines are records: a line with
// the continuation lines (starting with a space or tab) that follow it.
func records(t *testing.T, path string) []string {
	t.Helper()
	data := readSample(t, path)
	var out []string
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if len(out) > 0 && line != "" && (line[0] == ' ' || line[0] == '\t') && out[len(out)-1] != "" {
			out[len(out)-1] += "\n" + line
			continue
		}
		out = append(out, line)
	}
	kept := out[:0]
	for _, r := range out {
		if r != "" {
			kept = append(kept, r)
		}
	}
	return kept
}

// TestRealSamplesArrive ships every real sample log and the seed's
// example lines through the built collector on the default config, and
// checks that each line arrives once, with the event type and fields an
// operator searches by.
func TestRealSamplesArrive(t *testing.T) {
	samples := samplesDir(t)
	logDir := t.TempDir()
	want := map[fileLine]int{}
	var jsonLines []fileLine

	files, err := filepath.Glob(filepath.Join(samples, "elemta", "*.log"))
	require.NoError(t, err)
	compressed, err := filepath.Glob(filepath.Join(samples, "elemta", "*.log.gz"))
	require.NoError(t, err)
	require.Len(t, compressed, 4, "the larger samples, gzip-compressed")
	files = append(append(files, compressed...), filepath.Join(samples, "seed-lines.log"))
	for _, src := range files {
		name := strings.TrimSuffix(filepath.Base(src), ".gz")
		data := readSample(t, src)
		// Files are told apart by a fingerprint of their first bytes, which
		// is how a renamed or copied file is recognised after rotation; some
		// sample files start alike (stdout repeats the JSON file) or are
		// identical, so each copy opens with a line naming it.
		header := "e2e sample file " + name + "\n"
		dst := filepath.Join(logDir, name)
		require.NoError(t, os.WriteFile(dst, append([]byte(header), data...), 0o600))
		for _, r := range records(t, dst) {
			r = indexed(r)
			want[fileLine{name, r}]++
			if strings.HasPrefix(name, "elemta-json-") {
				jsonLines = append(jsonLines, fileLine{name, r})
			}
		}
	}

	es := esdouble.New()
	defer es.Close()
	c := startCollector(t, defaultEnv(logDir, t.TempDir(), es.URL()), filepath.Join(distDir(t), "config.yaml"))
	defer c.stop(t)

	total := 0
	for _, n := range want {
		total += n
	}
	require.Eventually(t, func() bool { return len(es.Documents()) >= total },
		3*time.Minute, 200*time.Millisecond, "want %d documents", total)

	got := map[fileLine]int{}
	eventType := map[fileLine]string{}
	for _, d := range es.Documents() {
		name, _ := esdouble.Attribute(d, "log.file.name")
		nameText, _ := name.(string)
		key := fileLine{nameText, esdouble.Message(d)}
		got[key]++
		et, _ := esdouble.Attribute(d, "event_type")
		eventType[key], _ = et.(string)
	}
	mismatches := 0
	for k, n := range want {
		if !assert.Equal(t, n, got[k], "%s: %q", k.file, k.line) {
			if mismatches++; mismatches == 5 {
				break
			}
		}
	}
	assert.Len(t, es.Documents(), total, "no document beyond the lines")
	_, installed := es.IndexTemplate("elemta-logs")
	require.True(t, installed, "the setup installed the index template")
	malformed := es.Malformed()
	assert.Empty(t, malformed[:min(5, len(malformed))], "every field fits the installed mappings (%d do not)", len(malformed))
	assert.Zero(t, es.Rejected())
	for outcome := range es.Outcomes() {
		assert.NotContains(t, outcome, "rejected", "no document refused by the mappings")
	}

	// No credential reaches Elasticsearch, in any field.
	secrets := 0
	for _, d := range es.Documents() {
		raw, err := json.Marshal(d.Source)
		require.NoError(t, err)
		for _, password := range []string{"sample-password-1", "sample-password-2", "sample-password-3"} {
			for _, encoded := range authPayloads(password) {
				if strings.Contains(string(raw), encoded) {
					secrets++
				}
			}
		}
		assert.True(t, d.ID != "" && !strings.HasPrefix(d.ID, "auto-"), "every document has its own id")
	}
	assert.Zero(t, secrets, "AUTH payloads in the documents")

	// Elemta's lifecycle events keep their type, decided here from the raw text.
	lifecycle := []string{"reception", "delivery", "bounce", "tempfail", "rejection", "system", "authentication"}
	checked := 0
	for _, l := range jsonLines {
		assert.NotEqual(t, "unparsed", eventType[l], "%s: %q", l.file, l.line)
		for _, typ := range lifecycle {
			if strings.Contains(l.line, `"event_type":"`+typ+`"`) {
				assert.Equal(t, typ, eventType[l], "%s: %q", l.file, l.line)
				checked++
			}
		}
	}
	assert.Positive(t, checked)
}

// TestSeedLinesKeepTheirFields checks the fields the seed's Kibana queries use.
func TestSeedLinesKeepTheirFields(t *testing.T) {
	samples := samplesDir(t)
	logDir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(samples, "seed-lines.log"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(logDir, "seed.log"), data, 0o600))

	es := esdouble.New()
	defer es.Close()
	c := startCollector(t, defaultEnv(logDir, t.TempDir(), es.URL()), filepath.Join(distDir(t), "config.yaml"))
	defer c.stop(t)
	require.Eventually(t, func() bool { return len(es.Documents()) == 6 }, time.Minute, 100*time.Millisecond)

	byLine := map[string]esdouble.Document{}
	for _, d := range es.Documents() {
		byLine[esdouble.Message(d)] = d
	}
	tests := []struct {
		line   string
		fields map[string]any
	}{
		{
			"SMTP: 2024-01-15 10:30:45 new connection: 192.168.1.100:54321",
			map[string]any{"event_type": "smtp_connection", "client_ip": "192.168.1.100", "client_port": 54321.0},
		},
		{
			"SMTP: 2024-01-15 10:30:46 EHLO client.example.com",
			map[string]any{"event_type": "smtp_command", "smtp_command": "EHLO", "command_data": "client.example.com"},
		},
		{
			"SMTP: 2024-01-15 10:30:47 MAIL FROM:<sender@example.com>",
			map[string]any{"event_type": "smtp_command", "smtp_command": "MAIL FROM", "sender": "sender@example.com"},
		},
		{
			"component=queue-processor message_id=abc123 from=sender@example.com to=[recipient@example.com]",
			map[string]any{
				"event_type": "queue_processing", "message_id": "abc123", "sender": "sender@example.com",
				"recipient": []any{"recipient@example.com"},
			},
		},
		{
			"component=lmtp-delivery message_id=abc123 from=sender@example.com to=[recipient@example.com]",
			map[string]any{"event_type": "message_delivery", "component": "lmtp-delivery"},
		},
		{
			"2024-01-15 10:30:48 ERROR Failed to deliver message: connection refused",
			map[string]any{
				"event_type": "error", "level": "ERROR", "is_error": true,
				"log_message": "Failed to deliver message: connection refused",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			d, ok := byLine[tt.line]
			require.True(t, ok, "line did not arrive")
			for k, v := range tt.fields {
				got, ok := esdouble.Attribute(d, k)
				require.True(t, ok, "no field %s in %v", k, d.Source)
				assert.Equal(t, v, got, k)
			}
		})
	}
}

// authPayloads returns the base64 forms in which the samples' AUTH PLAIN
// commands carry a password, for each of the sample accounts.
func authPayloads(password string) []string {
	var out []string
	for _, user := range []string{"olivia.hart@corp.example.org", "rajesh.iyer@shop.example.net", "mei.tanaka@lists.example.io"} {
		out = append(out, base64.StdEncoding.EncodeToString([]byte("\x00"+user+"\x00"+password)))
	}
	return append(out, base64.StdEncoding.EncodeToString([]byte(password)))
}
