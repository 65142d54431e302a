package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/elemta/otelcol-elemta/testbed/esdouble"
)

// run starts the double and the collector, summarises once the count of
// documents settles, and stops the collector when ctx ends (or after the
// first summary with once).
func run(ctx context.Context, o options, out io.Writer) error {
	storage := envValue(os.Environ(), "OTELCOL_ELEMTA_STORAGE", filepath.Join(o.dir, "storage"))
	if err := os.MkdirAll(storage, 0o750); err != nil {
		return err
	}
	es := esdouble.New()
	defer es.Close()

	logPath := filepath.Join(o.dir, "collector.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logFile.Close()
	cmd := exec.Command(o.bin, "--config", o.config) //nolint:gosec // the binary and configuration the developer named
	cmd.Env = append(os.Environ(), "ELASTICSEARCH_ENDPOINT="+es.URL(), "OTELCOL_ELEMTA_STORAGE="+storage)
	if o.logs != "" {
		cmd.Env = append(cmd.Env, "ELEMTA_LOG_PATHS="+o.logs)
	}
	cmd.Env = append(cmd.Env, o.env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	ports := portsOf(cmd.Env)
	fmt.Fprintf(out, "otelcol-elemta: reading %s; no ELASTICSEARCH_ENDPOINT, so an Elasticsearch stand-in at %s takes the documents\n",
		envValue(cmd.Env, "ELEMTA_LOG_PATHS", "the sample logs"), es.URL())

	docsPath := filepath.Join(o.dir, "documents.ndjson")
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	last, lastChange, summarised := -1, time.Now(), -1
	for {
		select {
		case <-ctx.Done():
			_ = cmd.Process.Signal(syscall.SIGTERM)
			err := <-exited
			if werr := writeDocuments(docsPath, es.Documents()); werr != nil {
				return werr
			}
			fmt.Fprintf(out, "otelcol-elemta: stopped; %d documents in %s\n", es.DocumentCount(), docsPath)
			return stopped(err)
		case err := <-exited:
			return fmt.Errorf("the collector exited (%w); its log: %s", err, logPath)
		case <-tick.C:
		}
		n := es.DocumentCount()
		if n != last {
			last, lastChange = n, time.Now()
			continue
		}
		if n == 0 || n == summarised || time.Since(lastChange) < o.settle {
			continue
		}
		docs := es.Documents()
		if err := writeDocuments(docsPath, docs); err != nil {
			return err
		}
		if summarised < 0 {
			s := summarise(docs, linesRead(ports.telemetry), deadLetters(storage))
			s.print(out, docsPath, logPath, storage, ports)
		} else {
			fmt.Fprintf(out, "otelcol-elemta: %d documents now (%d more), in %s\n", n, n-summarised, docsPath)
		}
		summarised = n
		if o.once {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			return stopped(<-exited)
		}
	}
}

// stopped is nil for a collector that ended as asked.
func stopped(err error) error {
	var exit *exec.ExitError
	if err == nil || errors.As(err, &exit) && exit.ExitCode() == -1 {
		return nil
	}
	return err
}

// document is one line of documents.ndjson: what Elasticsearch received.
type document struct {
	Index  string         `json:"_index"`
	ID     string         `json:"_id"`
	Source map[string]any `json:"_source"`
}

// writeDocuments writes the documents, in the order they arrived, one a line.
func writeDocuments(path string, docs []esdouble.Document) error {
	slices.SortStableFunc(docs, func(a, b esdouble.Document) int { return a.Arrived.Compare(b.Arrived) })
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for _, d := range docs {
		if err := enc.Encode(document{Index: d.Index, ID: d.ID, Source: d.Source}); err != nil {
			_ = f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// summary is what a first run shows.
type summary struct {
	lines      int // read by the receiver; -1 when its metrics did not answer
	documents  int
	byType     map[string]int
	errors     int // documents of lines at ERROR or FATAL
	deadLetter int
}

func summarise(docs []esdouble.Document, lines, deadLetters int) summary {
	s := summary{lines: lines, documents: len(docs), byType: map[string]int{}, deadLetter: deadLetters}
	for _, d := range docs {
		typ, _ := d.Source["event_type"].(string)
		s.byType[cmp.Or(typ, "(none)")]++
		if level, _ := d.Source["level"].(string); level == "ERROR" || level == "FATAL" {
			s.errors++
		}
	}
	return s
}

func (s summary) print(out io.Writer, docsPath, logPath, storage string, p ports) {
	lines := "?"
	if s.lines >= 0 {
		lines = strconv.Itoa(s.lines)
	}
	fmt.Fprintf(out, "\n  lines read        %s\n  documents         %d\n", lines, s.documents)
	types := make([]string, 0, len(s.byType))
	for t := range s.byType {
		types = append(types, t)
	}
	slices.SortFunc(types, func(a, b string) int { return cmp.Or(s.byType[b]-s.byType[a], strings.Compare(a, b)) })
	fmt.Fprintf(out, "  by event type     ")
	for i, t := range types {
		if i > 0 {
			fmt.Fprintf(out, ", ")
		}
		fmt.Fprintf(out, "%s %d", t, s.byType[t])
	}
	fmt.Fprintf(out, "\n  errors            %d lines at ERROR or FATAL; %d documents refused (dead letters)\n\n", s.errors, s.deadLetter)
	fmt.Fprintf(out, "  documents         %s (one a line, as Elasticsearch received them)\n", docsPath)
	fmt.Fprintf(out, "  collector's log   %s\n", logPath)
	fmt.Fprintf(out, "  dead letters      %s\n", filepath.Join(storage, "dead-letter", "dead-letter.ndjson"))
	fmt.Fprintf(out, "  SMTP metrics      http://%s/metrics\n  health            http://%s/\n  own metrics       http://%s/metrics\n\n",
		p.metrics, p.health, p.telemetry)
	fmt.Fprintf(out, "The collector keeps running and indexes what is appended to the files; Ctrl-C stops it.\n")
	fmt.Fprintf(out, "With ELASTICSEARCH_ENDPOINT set, make run ships to that cluster instead.\n")
}

// ports are where the collector serves, as its configuration reads them
// from the environment.
type ports struct{ health, metrics, telemetry string }

func portsOf(env []string) ports {
	return ports{
		health:    local(envValue(env, "OTELCOL_ELEMTA_HEALTH_ENDPOINT", "0.0.0.0:13133")),
		metrics:   local(envValue(env, "OTELCOL_ELEMTA_METRICS_ENDPOINT", "0.0.0.0:8889")),
		telemetry: envValue(env, "OTELCOL_ELEMTA_TELEMETRY_HOST", "localhost") + ":" + envValue(env, "OTELCOL_ELEMTA_TELEMETRY_PORT", "8888"),
	}
}

// local is an address to reach a listener on all interfaces from here.
func local(addr string) string {
	if rest, ok := strings.CutPrefix(addr, "0.0.0.0:"); ok {
		return "localhost:" + rest
	}
	return addr
}

// envValue is the last value of key in env, or def.
func envValue(env []string, key, def string) string {
	value := def
	for _, kv := range env {
		if k, v, _ := strings.Cut(kv, "="); k == key && v != "" {
			value = v
		}
	}
	return value
}

// linesRead asks the collector's own metrics how many lines the elemta
// receiver read; -1 when they do not answer.
func linesRead(telemetry string) int {
	client := http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get("http://" + telemetry + "/metrics")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	total := 0.0
	found := false
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "otelcol_receiver_elemta_lines_read") {
			continue
		}
		fields := strings.Fields(line)
		if v, err := strconv.ParseFloat(fields[len(fields)-1], 64); err == nil {
			total += v
			found = true
		}
	}
	if !found {
		return -1
	}
	return int(total)
}

// deadLetters counts the documents of the dead-letter file.
func deadLetters(storage string) int {
	data, err := os.ReadFile(filepath.Join(storage, "dead-letter", "dead-letter.ndjson"))
	if err != nil {
		return 0
	}
	return strings.Count(string(data), "\n")
}
