// Package shipped_test holds the configurations the distribution ships to
// the names the components write: a renamed attribute must not silently
// empty a metric of the default configuration or an overlay.
package shipped_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// vocabularyNames returns every string constant of internal/vocabulary:
// the attribute names and values the components write.
func vocabularyNames(t *testing.T) map[string]bool {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join("..", "..", "..", "internal", "vocabulary", "*.go"))
	require.NoError(t, err)
	names := map[string]bool{}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			spec, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for _, v := range spec.Values {
				if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, err := strconv.Unquote(lit.Value)
					require.NoError(t, err)
					names[s] = true
				}
			}
			return true
		})
	}
	require.NotEmpty(t, names)
	return names
}

// metricDefinitions is the part of a configuration the check reads: the
// signal_to_metrics connector's log metrics.
type metricDefinitions struct {
	Connectors struct {
		SignalToMetrics struct {
			Logs []struct {
				Name       string `yaml:"name"`
				Attributes []struct {
					Key string `yaml:"key"`
				} `yaml:"attributes"`
				Conditions []string `yaml:"conditions"`
				Histogram  struct {
					Value string `yaml:"value"`
				} `yaml:"histogram"`
				Sum struct {
					Value string `yaml:"value"`
				} `yaml:"sum"`
			} `yaml:"logs"`
		} `yaml:"signal_to_metrics"`
	} `yaml:"connectors"`
}

// ottlAttribute finds the attributes an OTTL expression reads.
var ottlAttribute = regexp.MustCompile(`log\.attributes\["([^"]+)"\]`)

// TestShippedConfigsUseTheVocabulary: every attribute the shipped
// configurations' metrics label by or read is a name of internal/vocabulary.
func TestShippedConfigsUseTheVocabulary(t *testing.T) {
	names := vocabularyNames(t)
	configs, err := filepath.Glob(filepath.Join("..", "*.yaml"))
	require.NoError(t, err)
	overlays, err := filepath.Glob(filepath.Join("..", "examples", "*.yaml"))
	require.NoError(t, err)
	checked := 0
	for _, path := range append(configs, overlays...) {
		t.Run(path, func(t *testing.T) {
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			var cfg metricDefinitions
			require.NoError(t, yaml.Unmarshal(data, &cfg))
			for _, m := range cfg.Connectors.SignalToMetrics.Logs {
				var read []string
				for _, a := range m.Attributes {
					read = append(read, a.Key)
				}
				for _, expr := range append(m.Conditions, m.Histogram.Value, m.Sum.Value) {
					for _, match := range ottlAttribute.FindAllStringSubmatch(expr, -1) {
						read = append(read, match[1])
					}
				}
				for _, key := range read {
					assert.True(t, names[key], "%s: metric %s reads %q, which no component writes (internal/vocabulary)", path, m.Name, key)
					checked++
				}
			}
		})
	}
	assert.Positive(t, checked, "the default configuration defines metrics")
}
