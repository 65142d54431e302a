package e2e

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// binary returns the path of the built collector, or skips the test when
// OTELCOL_ELEMTA_BIN is not set (`make test` sets it after `make build`).
func binary(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("OTELCOL_ELEMTA_BIN")
	if bin == "" {
		t.Skip("OTELCOL_ELEMTA_BIN is not set: run `make test`, or `make build` and set it to bin/otelcol-elemta")
	}
	_, err := os.Stat(bin)
	require.NoError(t, err, "OTELCOL_ELEMTA_BIN points to no file")
	return bin
}

// distDir is the folder of the shipped configuration files.
func distDir(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	require.True(t, ok)
	return filepath.Join(filepath.Dir(file), "..", "..", "distributions", "otelcol-elemta")
}

// syncBuffer collects a process's output while it runs.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// collector is one run of bin/otelcol-elemta.
type collector struct {
	cmd    *exec.Cmd
	output *syncBuffer
	done   chan error
	health string
	// telemetry is the address of the collector's own Prometheus metrics.
	telemetry string
}

// freePort returns a loopback port nobody listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// collectorCommand is a run of the collector with the given config files
// and environment, its own ports on free loopback ports.
func collectorCommand(t *testing.T, env map[string]string, configs ...string) *exec.Cmd {
	t.Helper()
	full := map[string]string{
		"OTELCOL_ELEMTA_HEALTH_ENDPOINT":  "127.0.0.1:" + strconv.Itoa(freePort(t)),
		"OTELCOL_ELEMTA_METRICS_ENDPOINT": "127.0.0.1:" + strconv.Itoa(freePort(t)),
		"OTELCOL_ELEMTA_TELEMETRY_HOST":   "127.0.0.1",
		"OTELCOL_ELEMTA_TELEMETRY_PORT":   strconv.Itoa(freePort(t)),
	}
	maps.Copy(full, env)
	var args []string
	for _, c := range configs {
		args = append(args, "--config", c)
	}
	cmd := exec.Command(binary(t), args...)
	cmd.Env = os.Environ()
	for k, v := range full {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd
}

// envOf returns the value a command's environment gives a variable.
func envOf(cmd *exec.Cmd, key string) string {
	value := ""
	for _, kv := range cmd.Env {
		if k, v, _ := strings.Cut(kv, "="); k == key {
			value = v // the last one wins, as for the process
		}
	}
	return value
}

// startCollector runs the collector with the given config files and
// environment, on free loopback ports, and waits until it reports healthy.
// A port taken between freePort and the start (by another test's process)
// is not the collector's fault: it starts again on other ports.
func startCollector(t *testing.T, env map[string]string, configs ...string) *collector {
	t.Helper()
	for attempt := 1; ; attempt++ {
		c := launch(t, env, configs...)
		if ended, _ := c.exited(); !ended {
			return c
		}
		out := c.output.String()
		if !strings.Contains(out, "address already in use") || attempt == 3 {
			t.Fatalf("collector exited at start:\n%s", out)
		}
		t.Logf("a port was taken before the collector bound it; starting again on other ports")
	}
}

// launch starts a collector and waits until it is healthy or has exited.
func launch(t *testing.T, env map[string]string, configs ...string) *collector {
	t.Helper()
	cmd := collectorCommand(t, env, configs...)
	c := &collector{
		cmd: cmd, output: &syncBuffer{}, done: make(chan error, 1),
		health:    envOf(cmd, "OTELCOL_ELEMTA_HEALTH_ENDPOINT"),
		telemetry: "127.0.0.1:" + envOf(cmd, "OTELCOL_ELEMTA_TELEMETRY_PORT"),
	}
	cmd.Stdout = c.output
	cmd.Stderr = c.output
	require.NoError(t, cmd.Start())
	go func() { c.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if ended, _ := c.exited(); !ended {
			_ = cmd.Process.Kill()
			t.Logf("collector killed at cleanup: %v", <-c.done)
		}
		if t.Failed() {
			t.Logf("collector output:\n%s", c.output.String())
		}
	})

	require.Eventually(t, func() bool {
		if ended, _ := c.exited(); ended {
			return true // reported by the caller
		}
		resp, err := http.Get("http://" + c.health + "/")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 30*time.Second, 50*time.Millisecond, "collector never became healthy")
	return c
}

// exited reports whether the collector has ended, and how, without
// consuming the outcome.
func (c *collector) exited() (bool, error) {
	select {
	case err := <-c.done:
		c.done <- err
		return true, err
	default:
		return false, nil
	}
}

// get fetches a URL and returns the status and body of the answer.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	code, body, err := tryGet(url)
	require.NoError(t, err)
	return code, body
}

// tryGet fetches a URL that may not answer yet.
func tryGet(address string) (int, string, error) {
	resp, err := http.Get(address) //nolint:gosec // loopback test servers
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// metrics returns the collector's own metrics, in Prometheus text format.
func (c *collector) metrics(t *testing.T) string {
	t.Helper()
	_, body := get(t, "http://"+c.telemetry+"/metrics")
	return body
}

// healthAnswer asks the collector's health endpoint.
func (c *collector) healthAnswer(t *testing.T) (int, string) {
	t.Helper()
	return get(t, "http://"+c.health+"/")
}

// waitForHealth waits, up to within, until the health endpoint answers
// code, and returns the answer's body.
func (c *collector) waitForHealth(t *testing.T, code int, within time.Duration) string {
	t.Helper()
	var body string
	require.Eventually(t, func() bool {
		var got int
		got, body = c.healthAnswer(t)
		return got == code
	}, within, 100*time.Millisecond, "health never answered %d", code)
	return body
}

// stop sends SIGTERM and waits for a clean exit.
func (c *collector) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, c.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-c.done:
		c.done <- err // for exited
		require.NoError(t, err, "collector did not exit cleanly:\n%s", c.output.String())
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Kill()
		t.Fatalf("collector did not stop within 30s:\n%s", c.output.String())
	}
}

// kill ends the collector with SIGKILL, as a crash or the OOM killer
// would: nothing runs after it.
func (c *collector) kill(t *testing.T) {
	t.Helper()
	require.NoError(t, c.cmd.Process.Kill())
	err := <-c.done
	c.done <- err // for exited
	require.Error(t, err, "killed: no clean exit")
}

// appendLines appends lines to a log file, creating it if needed.
func appendLines(t *testing.T, path string, lines []string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	require.NoError(t, err)
	defer f.Close()
	for _, l := range lines {
		_, err := fmt.Fprintln(f, l)
		require.NoError(t, err)
	}
}
