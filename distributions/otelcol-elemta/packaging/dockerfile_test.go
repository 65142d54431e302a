package packaging

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	keyword string // upper case
	args    string
}

func readDockerfile(t *testing.T, path string) []instruction {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var out []instruction
	var current strings.Builder
	for _, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		if current.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if strings.HasSuffix(trimmed, "\\") {
			current.WriteString(strings.TrimSuffix(trimmed, "\\") + " ")
			continue
		}
		current.WriteString(trimmed)
		keyword, args, _ := strings.Cut(current.String(), " ")
		out = append(out, instruction{keyword: strings.ToUpper(keyword), args: strings.TrimSpace(args)})
		current.Reset()
	}
	require.Zero(t, current.Len(), "the Dockerfile ends inside a continued instruction")
	return out
}

// finalStage returns the instructions after the last FROM.
func finalStage(instructions []instruction) []instruction {
	last := 0
	for i, in := range instructions {
		if in.keyword == "FROM" {
			last = i
		}
	}
	return instructions[last:]
}

// packageContents maps each source of nfpm.yaml to where the package
// installs it.
func packageContents(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile("nfpm.yaml")
	require.NoError(t, err)
	var cfg struct {
		Contents []struct {
			Src string `yaml:"src"`
			Dst string `yaml:"dst"`
		} `yaml:"contents"`
	}
	require.NoError(t, yaml.Unmarshal(data, &cfg))
	out := map[string]string{}
	for _, c := range cfg.Contents {
		out[c.Src] = c.Dst
	}
	return out
}

// TestDockerfile lints the image's Dockerfile and checks that the image
// holds what the packages hold, where they hold it: the binary, the
// configuration, the user, the storage directory.
func TestDockerfile(t *testing.T) {
	root := filepath.Join("..", "..", "..")
	instructions := readDockerfile(t, filepath.Join("..", "Dockerfile"))
	final := finalStage(instructions)
	contents := packageContents(t)
	binary := contents["bin/otelcol-elemta"]
	require.NotEmpty(t, binary)

	unit, err := os.ReadFile("otelcol-elemta.service")
	require.NoError(t, err)
	preinstall, err := os.ReadFile("preinstall.sh")
	require.NoError(t, err)

	byKeyword := map[string][]string{}
	for _, in := range final {
		byKeyword[in.keyword] = append(byKeyword[in.keyword], in.args)
	}

	t.Run("base images are pinned by tag", func(t *testing.T) {
		for _, in := range instructions {
			if in.keyword != "FROM" {
				continue
			}
			image := strings.Fields(in.args)[0]
			if image == "scratch" {
				continue
			}
			assert.Regexp(t, `^[a-z0-9./-]+:[0-9][^ ]*$`, image, "FROM %s: a version tag, not latest", image)
		}
	})
	t.Run("every copied file is in the repository or an earlier stage", func(t *testing.T) {
		for _, in := range instructions {
			if in.keyword != "COPY" && in.keyword != "ADD" {
				continue
			}
			assert.Equal(t, "COPY", in.keyword, "COPY, not ADD")
			fields := strings.Fields(in.args)
			if strings.HasPrefix(fields[0], "--from=") {
				continue
			}
			for _, src := range fields[:len(fields)-1] {
				if strings.HasPrefix(src, "--") || src == "bin/otelcol-elemta" { // make build writes the binary before docker build
					continue
				}
				_, err := os.Stat(filepath.Join(root, src))
				assert.NoError(t, err, "COPY %s", src)
			}
		}
	})
	t.Run("the package's files at the package's paths", func(t *testing.T) {
		copies := strings.Join(byKeyword["COPY"], "\n")
		for _, src := range []string{"bin/otelcol-elemta", "distributions/otelcol-elemta/config.yaml", "distributions/otelcol-elemta/elasticsearch-metrics.yaml"} {
			assert.Contains(t, copies, src+" "+contents[src], "%s goes where the package puts it", src)
		}
	})
	t.Run("runs as the package's user, not root", func(t *testing.T) {
		require.Len(t, byKeyword["USER"], 1)
		uid, _, _ := strings.Cut(byKeyword["USER"][0], ":")
		assert.NotEqual(t, "0", uid)
		assert.NotEqual(t, "root", uid)
		joined := strings.ReplaceAll(string(preinstall), "\\\n", " ")
		user := regexp.MustCompile(`(?m)useradd [^\n]* (\S+)$`).FindStringSubmatch(joined)
		require.NotNil(t, user, "the package's useradd")
		var base strings.Builder
		for _, in := range instructions {
			if in.keyword == "RUN" {
				base.WriteString(in.args)
			}
		}
		assert.Contains(t, base.String(), "--uid "+uid, "the image's user has the USER id")
		assert.Regexp(t, `useradd [^&]*--uid `+uid+` [^&]* `+user[1]+` `, base.String()+" ", "the image's user is the package's, %s", user[1])
	})
	t.Run("the storage directory is a volume, as it is the unit's state directory", func(t *testing.T) {
		state := regexp.MustCompile(`(?m)^ReadWritePaths=(\S+)$`).FindStringSubmatch(string(unit))
		require.NotNil(t, state)
		require.Len(t, byKeyword["VOLUME"], 1)
		var volumes []string
		require.NoError(t, json.Unmarshal([]byte(byKeyword["VOLUME"][0]), &volumes))
		assert.Contains(t, volumes, state[1])
		assert.Contains(t, strings.Join(byKeyword["ENV"], " "), "OTELCOL_ELEMTA_STORAGE="+state[1])
	})
	t.Run("the entry point is the package's binary with the package's configuration", func(t *testing.T) {
		require.Len(t, byKeyword["ENTRYPOINT"], 1)
		var entry, cmd []string
		require.NoError(t, json.Unmarshal([]byte(byKeyword["ENTRYPOINT"][0]), &entry), "exec form")
		require.NoError(t, json.Unmarshal([]byte(byKeyword["CMD"][0]), &cmd), "exec form")
		assert.Equal(t, []string{binary}, entry)
		assert.Equal(t, []string{"--config=" + contents["distributions/otelcol-elemta/config.yaml"]}, cmd)
		assert.Contains(t, string(unit), "ExecStart="+binary+" ")
	})
	t.Run("the health check asks the health endpoint", func(t *testing.T) {
		require.Len(t, byKeyword["HEALTHCHECK"], 1)
		_, check, ok := strings.Cut(byKeyword["HEALTHCHECK"][0], "CMD ")
		require.True(t, ok)
		var argv []string
		require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(check)), &argv), "exec form: the image has no shell")
		assert.Equal(t, []string{binary, "healthcheck"}, argv)
	})
	t.Run("the ports of the default configuration", func(t *testing.T) {
		assert.ElementsMatch(t, []string{"8889", "8888", "13133"}, strings.Fields(strings.Join(byKeyword["EXPOSE"], " ")))
	})
}
