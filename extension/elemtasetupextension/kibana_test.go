package elemtasetupextension

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"

	"github.com/elemta/otelcol-elemta/extension/elemtasetupextension/internal/assets"
	"github.com/elemta/otelcol-elemta/testbed/esdouble"
	"github.com/elemta/otelcol-elemta/testbed/kibanadouble"
)

func withKibana(endpoint, space string) func(*Config) {
	return func(c *Config) {
		c.Kibana.Endpoint = endpoint
		c.Kibana.Space = space
	}
}

// waitLog waits until the setup logged a message.
func waitLog(t *testing.T, s started, msg string) {
	t.Helper()
	require.Eventually(t, func() bool { return s.logs.FilterMessage(msg).Len() > 0 }, 10*time.Second, 10*time.Millisecond, msg)
}

func TestKibanaObjects(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	kb := kibanadouble.New()
	defer kb.Close()

	first := startSetup(t, es.URL(), componenttest.NewNopHost(), withKibana(kb.URL(), ""))
	waitLog(t, first, "Kibana setup done")
	objects := kb.Objects("default")
	require.Len(t, objects, shippedObjects())
	view, ok := kb.Object("default", "index-pattern", "elemta-logs")
	require.True(t, ok, "the data view")
	assert.Equal(t, "elemta-logs-*", view.Attributes["title"])
	assert.Equal(t, "@timestamp", view.Attributes["timeFieldName"])
	_, ok = kb.Object("default", "search", "elemta-authentication-failures")
	assert.True(t, ok, "a saved search")
	board, ok := kb.Object("default", "dashboard", "elemta-smtp-overview")
	require.True(t, ok, "the dashboard")
	assert.Equal(t, "Elemta SMTP overview", board.Attributes["title"])
	assert.EqualValues(t, shippedObjects(), first.logs.FilterMessage("Kibana setup done").All()[0].ContextMap()["imported"])
	require.NoError(t, first.Shutdown(context.Background()))

	second := startSetup(t, es.URL(), componenttest.NewNopHost(), withKibana(kb.URL(), ""))
	waitLog(t, second, "Kibana setup done")
	done := second.logs.FilterMessage("Kibana setup done").All()[0].ContextMap()
	assert.EqualValues(t, 0, done["imported"], "a restart imports nothing")
	assert.EqualValues(t, shippedObjects(), done["up_to_date"])
}

// TestKibanaNeverHoldsDocuments: with Kibana down, the Elasticsearch
// setup finishes and documents go; the objects arrive once Kibana is up.
func TestKibanaNeverHoldsDocuments(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	kb := kibanadouble.New()
	addr := kb.Addr()
	kb.Close()

	s := startSetup(t, es.URL(), componenttest.NewNopHost(), withKibana("http://"+addr, ""))
	waitReady(t, s)
	waitLog(t, s, "Kibana setup waits for Kibana; documents go on meanwhile")

	back, err := kibanadouble.NewAt(addr)
	require.NoError(t, err)
	defer back.Close()
	waitLog(t, s, "Kibana setup done")
	assert.Len(t, back.Objects("default"), shippedObjects())
}

func TestKibanaRefusals(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(kb *kibanadouble.Server)
		space   string
		want    string
	}{
		{name: "a space that does not exist", space: "mail", want: `the Kibana space "mail" does not exist: create it (Stack Management > Spaces`},
		{name: "an old Kibana", prepare: func(kb *kibanadouble.Server) { kb.SetVersion("8.7.1") }, want: "Kibana 8.7.1 is not supported: the saved objects need Kibana 8.8 or newer"},
		{name: "wrong credentials", prepare: func(kb *kibanadouble.Server) { kb.RequireBasicAuth("elastic", "secret") }, want: "Kibana rejected the credentials (401)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := esdouble.New()
			defer es.Close()
			kb := kibanadouble.New()
			defer kb.Close()
			if tt.prepare != nil {
				tt.prepare(kb)
			}
			s := startSetup(t, es.URL(), componenttest.NewNopHost(), withKibana(kb.URL(), tt.space))
			waitLog(t, s, "Kibana setup failed; the data view and saved searches are not installed")
			entry := s.logs.FilterMessage("Kibana setup failed; the data view and saved searches are not installed").All()[0]
			assert.Contains(t, entry.ContextMap()["error"], tt.want)
			waitReady(t, s)
			assert.Empty(t, kb.Objects(tt.space))
		})
	}
}

func TestKibanaSpace(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	kb := kibanadouble.New()
	defer kb.Close()
	kb.AddSpace("mail")
	s := startSetup(t, es.URL(), componenttest.NewNopHost(), withKibana(kb.URL(), "mail"))
	waitLog(t, s, "Kibana setup done")
	assert.Len(t, kb.Objects("mail"), shippedObjects())
	assert.Empty(t, kb.Objects("default"))
}

// shippedObjects is the number of Kibana objects the setup imports.
func shippedObjects() int { return bytes.Count(assets.KibanaObjects(), []byte("\n")) }

// importInto imports NDJSON saved objects into the Kibana double, as an
// earlier installation (or an operator) did.
func importInto(t *testing.T, kibana string, ndjson []byte) {
	t.Helper()
	var body bytes.Buffer
	form := multipart.NewWriter(&body)
	part, err := form.CreateFormFile("file", "objects.ndjson")
	require.NoError(t, err)
	_, err = part.Write(ndjson)
	require.NoError(t, err)
	require.NoError(t, form.Close())
	req, err := http.NewRequest(http.MethodPost, kibana+"/api/saved_objects/_import?overwrite=true", &body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", form.FormDataContentType())
	req.Header.Set("kbn-xsrf", "test")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

// TestKibanaObjectsOfAnEarlierVersion: objects installed by an earlier
// version and unchanged since are updated; an object an operator changed
// is left as it is, with a warning, unless overwrite is set.
func TestKibanaObjectsOfAnEarlierVersion(t *testing.T) {
	v1 := assets.EarlierKibanaObjects()[0]
	edited := bytes.Replace(v1, []byte(`"title":"Elemta SMTP overview"`), []byte(`"title":"Our mail dashboard"`), 1)
	require.NotEqual(t, v1, edited)
	tests := []struct {
		name          string
		installed     []byte
		overwrite     bool
		wantTitle     string
		wantUpdated   []any
		wantLeftAlone []any
	}{
		{"unchanged since: updated", v1, false, "Elemta SMTP overview", []any{"dashboard/elemta-smtp-overview"}, []any{}},
		{"changed by an operator: left alone", edited, false, "Our mail dashboard", []any{}, []any{"dashboard/elemta-smtp-overview"}},
		{"changed, with overwrite: replaced", edited, true, "Elemta SMTP overview", []any{}, []any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := esdouble.New()
			defer es.Close()
			kb := kibanadouble.New()
			defer kb.Close()
			importInto(t, kb.URL(), tt.installed)

			s := startSetup(t, es.URL(), componenttest.NewNopHost(), func(c *Config) {
				withKibana(kb.URL(), "")(c)
				c.Overwrite = tt.overwrite
			})
			waitLog(t, s, "Kibana setup done")
			done := s.logs.FilterMessage("Kibana setup done").All()[0].ContextMap()
			assert.ElementsMatch(t, tt.wantUpdated, done["updated"])
			assert.ElementsMatch(t, tt.wantLeftAlone, done["left_alone"])

			board, ok := kb.Object("default", "dashboard", "elemta-smtp-overview")
			require.True(t, ok)
			assert.Equal(t, tt.wantTitle, board.Attributes["title"])
			_, ok = kb.Object("default", "map", "elemta-client-map")
			assert.True(t, ok, "the object this version adds is imported")
			if len(tt.wantLeftAlone) > 0 {
				assert.NotEmpty(t, s.logs.FilterMessageSnippet("left an object as it is").All(), "one warning says so")
			}
		})
	}
}
