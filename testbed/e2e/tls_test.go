package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/elemta/otelcol-elemta/testbed/esdouble"
)

// TestElasticsearchOverHTTPS serves the double over HTTPS with a CA of its
// own. With another CA in ELASTICSEARCH_CA_FILE the collector says that it
// does not trust the certificate and keeps every line; restarted with the
// cluster's CA, it delivers each line once.
func TestElasticsearchOverHTTPS(t *testing.T) {
	es := esdouble.NewTLS()
	defer es.Close()
	other := esdouble.NewTLS()
	other.Close()
	certs := t.TempDir()
	rightCA, wrongCA := filepath.Join(certs, "cluster-ca.pem"), filepath.Join(certs, "other-ca.pem")
	require.NoError(t, os.WriteFile(rightCA, es.CAPEM(), 0o600))
	require.NoError(t, os.WriteFile(wrongCA, other.CAPEM(), 0o600))

	logDir, storage := t.TempDir(), t.TempDir()
	lines := numberedLines("over https", 20)
	appendLines(t, filepath.Join(logDir, "elemta.log"), lines)
	env := defaultEnv(logDir, storage, es.URL())

	env["ELASTICSEARCH_CA_FILE"] = wrongCA
	c := startCollector(t, env, filepath.Join(distDir(t), "config.yaml"))
	require.Eventually(t, func() bool {
		return strings.Contains(c.output.String(), "x509: certificate signed by unknown authority")
	}, 30*time.Second, 100*time.Millisecond, "the collector says why it does not send")
	assert.Zero(t, es.DocumentCount(), "nothing goes to a server the collector does not trust")
	c.stop(t)

	env["ELASTICSEARCH_CA_FILE"] = rightCA
	c = startCollector(t, env, filepath.Join(distDir(t), "config.yaml"))
	requireEachOnce(t, es, lines)
	c.stop(t)
}
