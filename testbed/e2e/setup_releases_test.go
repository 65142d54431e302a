package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/elemta/otelcol-elemta/testbed/esdouble"
	"github.com/elemta/otelcol-elemta/testbed/kibanadouble"
)

// runSetup runs `otelcol-elemta setup` with the default configuration, env
// and more arguments (another --config), and returns its output and exit
// code.
func runSetup(t *testing.T, env map[string]string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(binary(t), append([]string{"setup", "--config", filepath.Join(distDir(t), "config.yaml")}, args...)...)
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, _ := cmd.CombinedOutput()
	return string(out), cmd.ProcessState.ExitCode()
}

// earlierKibanaObjects are the Kibana objects an earlier release shipped.
func earlierKibanaObjects(t *testing.T, version int) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(distDir(t), "..", "..", "extension", "elemtasetupextension", "internal", "assets", "earlier",
		"kibana_objects_v"+strconv.Itoa(version)+".ndjson"))
	require.NoError(t, err)
	return data
}

// TestSetupAgainstCurrentReleases runs the setup, through the built
// binary, against doubles that answer as current releases do: Kibana
// migrates what it imports, Elasticsearch shows composed_of and the
// template's dates. The second run writes nothing and warns of nothing; an
// operator's edit, in Kibana and in Elasticsearch, is still seen and left
// alone.
func TestSetupAgainstCurrentReleases(t *testing.T) {
	for _, kibana := range []string{"8.17.0", "9.1.0"} {
		t.Run("Kibana "+kibana, func(t *testing.T) {
			es := esdouble.New()
			defer es.Close()
			kb := kibanadouble.New()
			defer kb.Close()
			kb.SetVersion(kibana)
			env := map[string]string{"ELASTICSEARCH_ENDPOINT": es.URL(), "KIBANA_ENDPOINT": kb.URL()}
			kibanaLine := "Kibana objects in space default at " + kb.URL() + ": "

			out, code := runSetup(t, env)
			require.Equal(t, 0, code, out)
			assert.Contains(t, out, kibanaLine+strconv.Itoa(shippedKibanaObjects)+" imported, 0 updated, 0 up to date")

			writes := len(es.Requests())
			out, code = runSetup(t, env)
			require.Equal(t, 0, code, out)
			assert.Contains(t, out, "ILM policy elemta-logs-policy at "+es.URL()+": up to date")
			assert.Contains(t, out, "index template elemta-logs at "+es.URL()+": up to date")
			assert.Contains(t, out, kibanaLine+"0 imported, 0 updated, "+strconv.Itoa(shippedKibanaObjects)+" up to date\n", "nothing left alone")
			for _, r := range es.Requests()[writes:] {
				assert.Equal(t, "GET", r.Method, "the second run writes nothing to Elasticsearch: %s %s", r.Method, r.Path)
			}
			imports := 0
			for _, r := range kb.Requests() {
				if r.Path == "/api/saved_objects/_import" {
					imports++
				}
			}
			assert.Equal(t, 1, imports, "the second run imports nothing")

			require.True(t, kb.EditObject("default", "search", "elemta-errors", func(a map[string]any) { a["columns"] = []any{"message"} }))
			es.EditIndexTemplate("elemta-logs", func(tmpl map[string]any) { tmpl["priority"] = float64(7) })
			out, code = runSetup(t, env)
			require.Equal(t, 0, code, out)
			assert.Contains(t, out, "index template elemta-logs at "+es.URL()+": left alone: changed since it was installed")
			assert.Contains(t, out, "left alone (changed since installed, or newer): search/elemta-errors")
			search, _ := kb.Object("default", "search", "elemta-errors")
			assert.Equal(t, []any{"message"}, search.Attributes["columns"], "the operator's edit stays")
		})
	}
}

// TestSetupUpdatesEarlierKibanaObjects: the objects of the first release,
// imported (and migrated) by Kibana, are updated to this release's.
func TestSetupUpdatesEarlierKibanaObjects(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	kb := kibanadouble.New()
	defer kb.Close()
	require.NoError(t, kb.Import("default", earlierKibanaObjects(t, 1)))
	_, ok := kb.Object("default", "map", "elemta-client-map")
	require.False(t, ok, "the first release had no map")

	out, code := runSetup(t, map[string]string{"ELASTICSEARCH_ENDPOINT": es.URL(), "KIBANA_ENDPOINT": kb.URL()})
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "Kibana objects in space default at "+kb.URL()+": 1 imported, 1 updated, "+strconv.Itoa(shippedKibanaObjects-2)+" up to date\n",
		"the map imported, the dashboard updated, nothing left alone")
	board, ok := kb.Object("default", "dashboard", "elemta-smtp-overview")
	require.True(t, ok)
	var refs []string
	for _, r := range board.References {
		refs = append(refs, r.(map[string]any)["id"].(string))
	}
	assert.Contains(t, refs, "elemta-client-map", "this release's dashboard, with the map")
}

// TestSetupInSpaces: two spaces each get one copy of the objects, start
// after start; a space that does not exist fails the setup with a message
// that names it and how to create it.
func TestSetupInSpaces(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	kb := kibanadouble.New()
	defer kb.Close()
	kb.AddSpace("mail")
	kb.AddSpace("ops")
	for run := 1; run <= 2; run++ {
		for _, space := range []string{"default", "mail", "ops"} {
			out, code := runSetup(t, map[string]string{"ELASTICSEARCH_ENDPOINT": es.URL(), "KIBANA_ENDPOINT": kb.URL(), "KIBANA_SPACE": space})
			require.Equal(t, 0, code, out)
			assert.NotContains(t, out, "left alone", "run %d, space %s", run, space)
		}
		for _, space := range []string{"default", "mail", "ops"} {
			assert.Len(t, kb.Objects(space), shippedKibanaObjects, "run %d: one copy in space %s", run, space)
		}
	}
	board, ok := kb.Object("mail", "dashboard", "elemta-smtp-overview-mail")
	require.True(t, ok, "the objects of a space other than the default have its name in their ids")
	for _, r := range board.References {
		id := r.(map[string]any)["id"].(string)
		assert.Regexp(t, `-mail$`, id, "the dashboard refers to the space's own objects")
	}
	assert.NotContains(t, board.Attributes["panelsJSON"], `"id":"elemta-logs"`, "the Lens panels too")

	out, code := runSetup(t, map[string]string{"ELASTICSEARCH_ENDPOINT": es.URL(), "KIBANA_ENDPOINT": kb.URL(), "KIBANA_SPACE": "nosuchspace"})
	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, `the Kibana space "nosuchspace" does not exist: create it`)
	assert.Contains(t, out, "KIBANA_SPACE")
	assert.Empty(t, kb.Objects("nosuchspace"))
}
