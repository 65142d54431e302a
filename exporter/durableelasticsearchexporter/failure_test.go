package durableelasticsearchexporter

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.uber.org/zap"

	"github.com/elemta/otelcol-elemta/exporter/durableelasticsearchexporter/internal/metadata"
	"github.com/elemta/otelcol-elemta/internal/filestoragetest"
	"github.com/elemta/otelcol-elemta/internal/statustest"
	"github.com/elemta/otelcol-elemta/testbed/esdouble"
)

func TestWholeRequestRefusalsKeepTheBatch(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		wantLog  string
		wantKind string
	}{
		{"wrong credentials", http.StatusUnauthorized, "Elasticsearch rejected the credentials (401): check ELASTICSEARCH_USERNAME/ELASTICSEARCH_PASSWORD or ELASTICSEARCH_API_KEY", failureCredentials},
		{"missing privilege", http.StatusForbidden, "the user lacks the privilege to write to elemta-logs (403)", failurePrivileges},
		{"overloaded", http.StatusTooManyRequests, "Elasticsearch is overloaded (429 Too Many Requests)", failureOverloaded},
		{"unavailable", http.StatusServiceUnavailable, "Elasticsearch answered 503 Service Unavailable", failureUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := esdouble.New()
			defer es.Close()
			es.FailBulk(tt.status)
			host := statustest.NewHost()
			exp := startObserved(t, testConfig(t, es.URL(), false), host)
			answer := consumeInBackground(exp, logs(20))

			// Several attempts fail; the operator is told once, in words to act on.
			require.Eventually(t, func() bool {
				n := 0
				for _, r := range es.Requests() {
					if r.Path == "/_bulk" && r.Status == tt.status {
						n++
					}
				}
				return n >= 4
			}, 10*time.Second, 10*time.Millisecond)
			refusals := exp.logs.FilterMessage("Elasticsearch does not take documents").All()
			require.Len(t, refusals, 1, "logged once per change, not per retry")
			assert.Equal(t, tt.wantKind, refusals[0].ContextMap()["reason"])
			assert.Contains(t, refusals[0].ContextMap()["error"], tt.wantLog)
			assert.Empty(t, exp.logs.FilterMessage("Exporting failed. Dropping data.").All(), "nothing is dropped")

			es.FailBulk(0)
			requireAnswer(t, answer)
			requireAllLines(t, es, 20)
			require.Eventually(t, func() bool {
				return exp.logs.FilterMessage("Elasticsearch takes documents again").Len() == 1
			}, 10*time.Second, 10*time.Millisecond)
			require.NoError(t, exp.Shutdown(context.Background()))
			assert.Equal(t, []componentstatus.Status{componentstatus.StatusRecoverableError, componentstatus.StatusOK}, host.Statuses(),
				"one status for the failure, one for the recovery; none for each request")
		})
	}
}

func TestUnreachableIsReportedOnce(t *testing.T) {
	es := esdouble.New()
	addr := es.Addr()
	es.Close()
	host := statustest.NewHost()
	exp := startObserved(t, testConfig(t, "http://"+addr, false), host)
	answer := consumeInBackground(exp, logs(5))
	require.Eventually(t, func() bool {
		return exp.logs.FilterMessage("Elasticsearch does not take documents").Len() == 1
	}, 10*time.Second, 10*time.Millisecond)
	entry := exp.logs.FilterMessage("Elasticsearch does not take documents").All()[0]
	assert.Contains(t, entry.ContextMap()["error"], "Elasticsearch is unreachable at http://"+addr)

	back, err := esdouble.NewAt(addr)
	require.NoError(t, err)
	defer back.Close()
	requireAnswer(t, answer)
	requireAllLines(t, back, 5)
	require.NoError(t, exp.Shutdown(context.Background()))
	assert.Equal(t, 1, exp.logs.FilterMessage("Elasticsearch does not take documents").Len())
	assert.Equal(t, []componentstatus.Status{componentstatus.StatusRecoverableError, componentstatus.StatusOK}, host.Statuses())
}

// readDeadLetters reads every entry of the dead-letter file.
func readDeadLetters(t *testing.T, dir string) []deadLetter {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, deadLetterFile))
	require.NoError(t, err)
	defer f.Close()
	var out []deadLetter
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var d deadLetter
		require.NoError(t, json.Unmarshal(sc.Bytes(), &d), sc.Text())
		out = append(out, d)
	}
	require.NoError(t, sc.Err())
	return out
}

func TestRefusedDocumentsAreDeadLettered(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	refused := func(d esdouble.Document) bool {
		return strings.HasSuffix(esdouble.Message(d), "0") // every 10th line
	}
	es.RejectItems(refused)
	cfg := testConfig(t, es.URL(), false)
	cfg.Elasticsearch.LogsDynamicID.Enabled = true
	exp := startObserved(t, cfg, componenttest.NewNopHost())
	require.NoError(t, exp.ConsumeLogs(context.Background(), idLogs(100, ShapeFlat)))
	require.Eventually(t, func() bool { return len(es.Documents()) == 90 }, 10*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool {
		return exp.counter(t, "otelcol_exporter_durable_elasticsearch_dead_lettered", "error_type")["mapper_parsing_exception"] == 10
	}, 10*time.Second, 10*time.Millisecond)
	require.NoError(t, exp.Shutdown(context.Background()))

	letters := readDeadLetters(t, cfg.DeadLetter.Directory)
	require.Len(t, letters, 10)
	for _, d := range letters {
		assert.Equal(t, http.StatusBadRequest, d.Status)
		assert.Equal(t, refusal{Type: "mapper_parsing_exception", Reason: "injected rejection"}, d.Error)
		assert.Equal(t, "elemta-logs", d.Index)
		assert.NotEmpty(t, d.ID)
		assert.WithinDuration(t, time.Now(), d.Time, time.Minute)
		var doc map[string]any
		require.NoError(t, json.Unmarshal(d.Document, &doc))
		assert.True(t, strings.HasSuffix(doc["message"].(string), "0"), "the refused document itself: %s", d.Document)
		var action actionMeta
		require.NoError(t, json.Unmarshal(d.Action, &action))
		index, id := action.target()
		assert.Equal(t, [2]string{"elemta-logs", d.ID}, [2]string{index, id}, "the action line: %s", d.Action)
	}
	entry := exp.logs.FilterMessage("Elasticsearch refused documents for good; they are kept in the dead-letter file").All()
	require.NotEmpty(t, entry)
	assert.NotEmpty(t, entry[0].ContextMap()["id"])
	assert.Equal(t, "injected rejection", entry[0].ContextMap()["error.reason"])
}

func TestDocumentsRefusedWithRetryableStatusAreSentAgain(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	// Elasticsearch refuses every 5th document with 429 for longer than
	// contrib's own document retries last.
	es.RejectItemsWithStatus(http.StatusTooManyRequests, func(d esdouble.Document) bool {
		return strings.HasSuffix(esdouble.Message(d), "5")
	})
	cfg := testConfig(t, es.URL(), false)
	cfg.Elasticsearch.LogsDynamicID.Enabled = true
	exp := startObserved(t, cfg, componenttest.NewNopHost())
	answer := consumeInBackground(exp, idLogs(50, ShapeFlat))
	require.Eventually(t, func() bool {
		return exp.logs.FilterField(zap.String("reason", failureDocuments)).Len() == 1
	}, 10*time.Second, 10*time.Millisecond)
	assert.Len(t, es.Documents(), 45)

	es.RejectItemsWithStatus(0, nil)
	requireAnswer(t, answer)
	require.Eventually(t, func() bool { return len(es.Documents()) == 50 }, 10*time.Second, 10*time.Millisecond)
	require.NoError(t, exp.Shutdown(context.Background()))
	_, err := os.Stat(filepath.Join(cfg.DeadLetter.Directory, deadLetterFile))
	require.NoError(t, err)
	assert.Empty(t, readDeadLetters(t, cfg.DeadLetter.Directory), "a 429 is never dead-lettered")
}

func TestTooLargeBatchesAreSplit(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	cfg := testConfig(t, es.URL(), false)
	cfg.Elasticsearch.LogsDynamicID.Enabled = true
	exp := startObserved(t, cfg, componenttest.NewNopHost())

	ld := idLogs(20, ShapeFlat)
	// One document alone is larger than Elasticsearch takes in a request.
	huge := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(7)
	huge.Body().SetStr(strings.Repeat("x", 4096))
	es.SetMaxBulkBytes(2048)

	require.NoError(t, exp.ConsumeLogs(context.Background(), ld))
	require.Eventually(t, func() bool { return len(es.Documents()) == 19 }, 10*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool {
		return exp.counter(t, "otelcol_exporter_durable_elasticsearch_dead_lettered", "error_type")["content_too_long_exception"] == 1
	}, 10*time.Second, 10*time.Millisecond)
	require.NoError(t, exp.Shutdown(context.Background()))

	split := exp.counter(t, "otelcol_exporter_durable_elasticsearch_batches_split", "")
	assert.GreaterOrEqual(t, split[""], int64(3), "20 → 10 → 5 → ... until the large one is alone")
	letters := readDeadLetters(t, cfg.DeadLetter.Directory)
	require.Len(t, letters, 1)
	assert.Equal(t, http.StatusRequestEntityTooLarge, letters[0].Status)
	assert.Contains(t, string(letters[0].Document), strings.Repeat("x", 4096))
}

func TestRequestRefusedForGoodIsDeadLettered(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	es.FailNextBulk(1, http.StatusBadRequest)
	cfg := testConfig(t, es.URL(), false)
	exp := startObserved(t, cfg, componenttest.NewNopHost())
	require.NoError(t, exp.ConsumeLogs(context.Background(), idLogs(5, ShapeFlat)))
	require.Eventually(t, func() bool {
		return exp.counter(t, "otelcol_exporter_durable_elasticsearch_dead_lettered", "error_type")["es_rejected_execution_exception"] == 5
	}, 10*time.Second, 10*time.Millisecond)
	require.NoError(t, exp.ConsumeLogs(context.Background(), idLogs(3, ShapeFlat)))
	require.Eventually(t, func() bool { return len(es.Documents()) == 3 }, 10*time.Second, 10*time.Millisecond)
	require.NoError(t, exp.Shutdown(context.Background()))
	letters := readDeadLetters(t, cfg.DeadLetter.Directory)
	assert.Len(t, letters, 5)
	assert.Equal(t, "es_rejected_execution_exception", letters[0].Error.Type)
	assert.Empty(t, exp.logs.FilterMessage("Exporting failed. Dropping data.").All())
}

func TestDeadLetterStoreRotates(t *testing.T) {
	dir := t.TempDir()
	store, err := openDeadLetterStore(DeadLetterConfig{Directory: dir, MaxSizeMiB: 1, MaxFiles: 2})
	require.NoError(t, err)
	defer func() { require.NoError(t, store.close()) }()
	doc := json.RawMessage(`{"message":"` + strings.Repeat("y", 300<<10) + `"}`)
	for i := range 8 {
		require.NoError(t, store.write([]deadLetter{{ID: string(rune('a' + i)), Status: 400, Action: json.RawMessage(`{}`), Document: doc}}))
	}
	names, err := filepath.Glob(filepath.Join(dir, "*"))
	require.NoError(t, err)
	for i := range names {
		names[i] = filepath.Base(names[i])
	}
	assert.ElementsMatch(t, []string{deadLetterFile, deadLetterFile + ".1", deadLetterFile + ".2"}, names)
	for _, n := range names {
		info, err := os.Stat(filepath.Join(dir, n))
		require.NoError(t, err)
		assert.LessOrEqual(t, info.Size(), int64(1<<20))
	}
}

func TestStorageInUseIsNamed(t *testing.T) {
	storageDir := t.TempDir()
	es := esdouble.New()
	defer es.Close()
	first := startObserved(t, testConfig(t, es.URL(), true), filestoragetest.NewHost(t, storageDir))
	defer func() { require.NoError(t, first.Shutdown(context.Background())) }()

	set := exportertest.NewNopSettings(metadata.Type)
	set.ID = component.NewID(metadata.Type)
	second, err := NewFactory().CreateLogs(context.Background(), set, testConfig(t, es.URL(), true))
	require.NoError(t, err)
	err = second.Start(context.Background(), filestoragetest.NewHost(t, storageDir))
	require.ErrorContains(t, err, `sending_queue::storage: the storage directory of "file_storage" is in use by another collector`)
	require.NoError(t, second.Shutdown(context.Background()))
}

func TestDeadLetterDirectoryMustBeCreatable(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	tests := []struct {
		name, dir, wantErr string
	}{
		{"exists", dir, ""},
		{"can be created", filepath.Join(dir, "storage", "dead-letter"), ""},
		{"under a file", filepath.Join(file, "dead-letter"), file + " is not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t, "http://127.0.0.1:9200", false)
			cfg.DeadLetter.Directory = tt.dir
			err := cfg.Validate()
			if tt.wantErr == "" {
				require.NoError(t, err)
				_, statErr := os.Stat(filepath.Join(dir, "storage"))
				assert.True(t, os.IsNotExist(statErr), "validation creates nothing")
				return
			}
			require.ErrorContains(t, err, tt.wantErr)
			require.ErrorContains(t, err, "dead_letter::directory")
			require.ErrorContains(t, err, "OTELCOL_ELEMTA_STORAGE")
		})
	}
}
