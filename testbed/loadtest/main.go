// Command loadtest runs the testbed's scenarios against built collectors
// and prints their tables (Markdown): steady rates, an Elasticsearch
// outage, a 429 storm, slow answers, a SIGKILL, rotation under load and
// overload. Each scenario ends with every line checked: it fails on a line
// lost or duplicated, and on memory above the limit under overload.
//
//	go run ./testbed/loadtest --ours bin/otelcol-elemta [--stock _build/stock/otelcol-stock] [--suite short|full]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/elemta/otelcol-elemta/testbed/esdouble"
	"github.com/elemta/otelcol-elemta/testbed/loadgen"
)

// collector is a binary under test and how to run it.
type collector struct {
	name    string
	binary  string
	configs []string
	env     func(logs, storage, endpoint string) []string
}

// scenario is a load and what happens to Elasticsearch or the collector
// meanwhile.
type scenario struct {
	name     string
	rate     int
	duration time.Duration
	rotation loadgen.Rotation
	// events run at their time after the load starts.
	events []event
	// esRate limits Elasticsearch to so many documents a second while the
	// load runs (0: no limit).
	esRate int
	// memoryLimitMiB is the memory limit the collector is given; its peak
	// RSS must stay under it.
	memoryLimitMiB int
	// unreachableAtStart: no Elasticsearch listens at the collector's
	// endpoint when it starts (an event starts the double there).
	unreachableAtStart bool
	stockToo           bool
}

// event is something done to the run at a time.
type event struct {
	at   time.Duration
	what string
	do   func(r *run) error
}

// run is one scenario with one collector.
type run struct {
	c       collector
	s       scenario
	dir     string
	es      *esdouble.Server
	esAddr  string // where es listens, or will
	proc    *loadgen.Process
	writer  *loadgen.Writer
	env     []string
	started time.Time

	mu         sync.Mutex
	notes      []string
	recovering sync.WaitGroup
}

func main() {
	ours := flag.String("ours", "bin/otelcol-elemta", "otelcol-elemta binary")
	stock := flag.String("stock", "", "stock contrib collector binary (make bench-e2e builds it); empty: ours only")
	suite := flag.String("suite", "short", "short (CI) or full")
	only := flag.String("only", "", "run only the scenarios whose name contains this")
	extra := flag.String("ours-extra", "", "a configuration file added to ours (a pprof extension, say)")
	oursEnvExtra := flag.String("ours-env", "", "environment added to ours, KEY=VALUE[,KEY=VALUE] (GOGC=100, say)")
	flag.Parse()

	dist := filepath.Join("distributions", "otelcol-elemta")
	collectors := []collector{{
		name: "otelcol-elemta", binary: *ours,
		configs: []string{filepath.Join(dist, "config.yaml")},
		env:     loadgen.OursEnv,
	}}
	if *extra != "" {
		collectors[0].configs = append(collectors[0].configs, *extra)
	}
	if *oursEnvExtra != "" {
		added := strings.Split(*oursEnvExtra, ",")
		collectors[0].name += " (" + *oursEnvExtra + ")"
		collectors[0].env = func(logs, storage, endpoint string) []string {
			return append(loadgen.OursEnv(logs, storage, endpoint), added...)
		}
	}
	if *stock != "" {
		collectors = append(collectors, collector{
			name: "stock contrib", binary: *stock,
			configs: []string{filepath.Join("testbed", "stock", "default.yaml")},
			env:     loadgen.StockEnv,
		})
	}
	scenarios := shortSuite()
	if *suite == "full" {
		scenarios = fullSuite()
	}

	fmt.Printf("## Testbed, %s suite\n\n", *suite)
	fmt.Printf("%s, %d CPUs, %s; %s\n\n", runtime.GOOS+"/"+runtime.GOARCH, runtime.NumCPU(), runtime.Version(), time.Now().UTC().Format(time.DateOnly))
	fmt.Println("| scenario | collector | lines | CPU (% of a core) | peak RSS | write → indexed p50 | p95 | p99 | max | lost | duplicated | notes |")
	fmt.Println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
	failed := false
	for _, s := range scenarios {
		if *only != "" && !strings.Contains(s.name, *only) {
			continue
		}
		for _, c := range collectors {
			if !strings.HasPrefix(c.name, "otelcol-elemta") && !s.stockToo {
				continue
			}
			row, err := runScenario(c, s)
			if err != nil {
				failed = true
				fmt.Printf("| %s | %s | | | | | | | | | | **failed: %s** |\n", s.name, c.name, strings.ReplaceAll(err.Error(), "\n", " "))
				continue
			}
			fmt.Println(row)
		}
	}
	if failed {
		os.Exit(1)
	}
}

func shortSuite() []scenario {
	return []scenario{
		{name: "steady 1,000 lines/s", rate: 1000, duration: 15 * time.Second},
		{name: "steady 5,000 lines/s", rate: 5000, duration: 15 * time.Second},
		outage(2000, 30*time.Second, 5*time.Second, 15*time.Second),
		unreachable(2000, 30*time.Second, 15*time.Second),
		kill(2000, 20*time.Second),
		overload(20000, 15*time.Second, 5000, 256),
	}
}

func fullSuite() []scenario {
	var out []scenario
	for _, rate := range []int{1000, 5000, 10000, 20000} {
		out = append(out, scenario{name: fmt.Sprintf("steady %s lines/s", thousands(rate)), rate: rate, duration: 30 * time.Second, stockToo: true})
	}
	for _, rate := range []int{40000, 60000} {
		out = append(out, scenario{name: fmt.Sprintf("offered %s lines/s (maximum rate)", thousands(rate)), rate: rate, duration: 20 * time.Second})
	}
	out = append(out,
		outage(2000, 11*time.Minute, 30*time.Second, 10*time.Minute),
		// 120,000 lines written in the first 2 s: a backlog waiting for the setup.
		unreachable(60000, 2*time.Second, 15*time.Second),
		storm(5000, 60*time.Second),
		slow(5000, 60*time.Second),
		kill(5000, 30*time.Second),
		scenario{name: "rotation by rename every 5 s, 5,000 lines/s", rate: 5000, duration: 60 * time.Second, rotation: loadgen.RotateRename},
		scenario{name: "rotation by copytruncate every 5 s, 5,000 lines/s", rate: 5000, duration: 60 * time.Second, rotation: loadgen.RotateCopyTruncate},
		overload(50000, 2*time.Minute, 5000, 256),
	)
	return out
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// outage: Elasticsearch answers 503 to every bulk request for down.
func outage(rate int, d, from, down time.Duration) scenario {
	return scenario{
		name: fmt.Sprintf("Elasticsearch down (503) for %s, %s lines/s", down, thousands(rate)), rate: rate, duration: d,
		events: []event{
			{at: from, what: "down", do: func(r *run) error { r.es.FailBulk(503); return nil }},
			{at: from + down, what: "back", do: func(r *run) error {
				r.es.FailBulk(0)
				r.recoverFrom(r.writer.Written())
				return nil
			}},
		},
	}
}

// unreachable: no Elasticsearch at the collector's endpoint from its start
// (connection refused) until down into the load: the Elasticsearch setup
// waits, and the lines with it.
func unreachable(rate int, d, down time.Duration) scenario {
	return scenario{
		name: fmt.Sprintf("Elasticsearch unreachable from the start for %s, %s lines/s", down, thousands(rate)), rate: rate, duration: d,
		unreachableAtStart: true,
		events: []event{{at: down, what: "reachable", do: func(r *run) error {
			r.note("peak RSS while unreachable: %d MiB", r.proc.PeakRSS()>>20)
			es, err := esdouble.NewAt(r.esAddr)
			if err != nil {
				return err
			}
			es.SetLean(true)
			r.es = es
			r.recoverFrom(r.writer.Written())
			return nil
		}}},
	}
}

// storm: every bulk request answered 429 for half the run.
func storm(rate int, d time.Duration) scenario {
	return scenario{
		name: fmt.Sprintf("429 storm for %s, %s lines/s", d/2, thousands(rate)), rate: rate, duration: d,
		events: []event{
			{at: d / 4, what: "429", do: func(r *run) error { r.es.FailBulk(429); return nil }},
			{at: 3 * d / 4, what: "200", do: func(r *run) error { r.es.FailBulk(0); return nil }},
		},
	}
}

// slow: every answer takes a second.
func slow(rate int, d time.Duration) scenario {
	return scenario{
		name: fmt.Sprintf("answers take 1 s, %s lines/s", thousands(rate)), rate: rate, duration: d,
		events: []event{
			{at: 0, what: "slow", do: func(r *run) error { r.es.SetDelay(time.Second); return nil }},
			{at: d, what: "fast", do: func(r *run) error { r.es.SetDelay(0); return nil }},
		},
	}
}

// kill: SIGKILL at 40% of the run, a new collector at 50%.
func kill(rate int, d time.Duration) scenario {
	return scenario{
		name: fmt.Sprintf("SIGKILL and restart, %s lines/s", thousands(rate)), rate: rate, duration: d,
		events: []event{
			{at: 4 * d / 10, what: "kill", do: func(r *run) error { return r.proc.Kill() }},
			{at: d / 2, what: "restart", do: func(r *run) error { return r.start() }},
		},
	}
}

// overload: lines come faster than Elasticsearch takes them.
func overload(rate int, d time.Duration, esRate, limitMiB int) scenario {
	return scenario{
		name: fmt.Sprintf("overload: %s lines/s offered, Elasticsearch takes %s/s, memory limit %d MiB", thousands(rate), thousands(esRate), limitMiB),
		rate: rate, duration: d, esRate: esRate, memoryLimitMiB: limitMiB,
	}
}

func (r *run) note(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

// recoverFrom notes the backlog when Elasticsearch came back, and how long
// the collector took to index the lines written until then.
func (r *run) recoverFrom(written int) {
	back := time.Now()
	r.note("backlog when Elasticsearch came back: %s lines", thousands(written-r.es.DocumentCount()))
	r.recovering.Add(1)
	go func() {
		defer r.recovering.Done()
		for r.es.DocumentCount() < written && time.Since(back) < 10*time.Minute {
			time.Sleep(50 * time.Millisecond)
		}
		r.note("backlog indexed in %s", time.Since(back).Round(100*time.Millisecond))
	}()
}

// start runs the collector (again, after a kill).
func (r *run) start() error {
	var args []string
	for _, c := range r.c.configs {
		args = append(args, "--config", c)
	}
	if r.s.memoryLimitMiB > 0 && strings.HasPrefix(r.c.name, "otelcol-elemta") {
		args = append(args, "--set", fmt.Sprintf("processors::memory_limiter::limit_mib=%d", r.s.memoryLimitMiB),
			"--set", fmt.Sprintf("processors::memory_limiter::spike_limit_mib=%d", r.s.memoryLimitMiB/4),
			"--set", "processors::memory_limiter::limit_percentage=0",
			"--set", "processors::memory_limiter::spike_limit_percentage=0")
	}
	p, err := loadgen.Start(r.c.binary, args, r.env, filepath.Join(r.dir, fmt.Sprintf("collector-%d.log", time.Now().UnixNano())), 250*time.Millisecond)
	if err != nil {
		return err
	}
	r.proc = p
	return nil
}

func runScenario(c collector, s scenario) (string, error) {
	r, err := newRun(c, s)
	if err != nil {
		return "", err
	}
	defer r.close()
	if err := r.start(); err != nil {
		return "", err
	}
	time.Sleep(time.Second) // started, setup done
	written, err := r.load()
	if err != nil {
		return "", err
	}
	if err := r.drain(); err != nil {
		return "", err
	}
	drained := time.Since(written)
	wall := time.Since(r.started)
	r.recovering.Wait()
	if err := r.proc.Stop(30 * time.Second); err != nil {
		var exit interface{ ExitCode() int }
		if !errors.As(err, &exit) {
			return "", err
		}
	}
	return r.report(drained, wall)
}

// newRun prepares a scenario's directories, Elasticsearch double,
// environment and log writer; close removes them.
func newRun(c collector, s scenario) (*run, error) {
	dir, err := os.MkdirTemp("", "loadtest-")
	if err != nil {
		return nil, err
	}
	r := &run{c: c, s: s, dir: dir}
	storage := filepath.Join(dir, "storage")
	for _, d := range []string{filepath.Join(dir, "logs"), storage} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			_ = os.RemoveAll(dir)
			return nil, err
		}
	}
	r.es = esdouble.New()
	r.es.SetLean(true)
	r.es.SetDocumentsPerSecond(s.esRate)
	r.esAddr = r.es.Addr()
	r.env = c.env(filepath.Join(dir, "logs", "*.log"), storage, r.es.URL())
	if s.unreachableAtStart {
		r.es.Close() // its port stays free until the event starts a double there
	}
	if s.memoryLimitMiB > 0 {
		r.env = append(r.env, fmt.Sprintf("GOMEMLIMIT=%dMiB", s.memoryLimitMiB*3/4))
	}
	r.writer = &loadgen.Writer{Path: filepath.Join(dir, "logs", "elemta.log"), Rotation: s.rotation, RotateEvery: 5 * time.Second}
	return r, nil
}

// close kills a collector still running, stops the double and removes
// the directories.
func (r *run) close() {
	if r.proc != nil {
		if ended, _ := r.proc.Exited(); !ended {
			_ = r.proc.Kill()
		}
	}
	r.es.Close()
	_ = os.RemoveAll(r.dir)
}

// load writes the scenario's lines at its rate while its events happen,
// and returns when the last line was written.
func (r *run) load() (time.Time, error) {
	r.started = time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	writeDone := make(chan error, 1)
	go func() { writeDone <- r.writer.Run(ctx, r.s.rate, r.s.duration) }()
	for _, ev := range r.s.events {
		if wait := time.Until(r.started.Add(ev.at)); wait > 0 {
			time.Sleep(wait)
		}
		if err := ev.do(r); err != nil {
			return time.Time{}, fmt.Errorf("%s: %w", ev.what, err)
		}
	}
	if err := <-writeDone; err != nil {
		return time.Time{}, err
	}
	if r.s.esRate > 0 {
		r.note("backlog at the end of the overload: %s lines, in the log files", thousands(r.writer.Written()-r.es.DocumentCount()))
	}
	r.es.SetDocumentsPerSecond(0)
	return time.Now(), nil
}

// drain waits until every line written is delivered, or until no
// document arrived for a minute.
func (r *run) drain() error {
	last, lastChange := -1, time.Now()
	for {
		n := r.es.DocumentCount()
		// A collector that splits a continued line makes more documents
		// than lines: the count is a hint, the ids decide.
		if n >= r.writer.Written() && loadgen.Check(r.es.Documents(), r.writer.Written(), nil).Missing == 0 {
			return nil
		}
		if n != last {
			last, lastChange = n, time.Now()
		}
		if time.Since(lastChange) > time.Minute {
			return nil // the report counts what is missing
		}
		if ended, err := r.proc.Exited(); ended {
			return fmt.Errorf("collector exited: %w; its log ends: %s", err, logTail(r.dir))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// report checks what arrived and makes the scenario's table row; a line
// of ours lost or duplicated, or memory above the scenario's limit, is an
// error.
func (r *run) report(drained, wall time.Duration) (string, error) {
	s, c := r.s, r.c
	rep := loadgen.Check(r.es.Documents(), r.writer.Written(), nil)
	cpu := r.proc.CPU()
	if len(s.events) > 0 && s.events[0].what == "kill" {
		r.note("CPU of the collector after the restart")
	}
	if drained > time.Second {
		r.note("all indexed %s after the last write", drained.Round(100*time.Millisecond))
	}
	if n := r.es.Replaced(); n > 0 {
		r.note("%s lines sent again replaced their own documents", thousands(n))
	}
	if r.writer.Rotations() > 0 {
		r.note("%d rotations", r.writer.Rotations())
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	row := fmt.Sprintf("| %s | %s | %s | %.1f%% | %d MiB | %s | %s | %s | %s | %d | %d | %s |",
		s.name, c.name, thousands(rep.Written), 100*cpu.Seconds()/wall.Seconds(), r.proc.PeakRSS()>>20,
		ms(rep.Latency.P50), ms(rep.Latency.P95), ms(rep.Latency.P99), ms(rep.Latency.Max),
		rep.Missing, rep.Duplicates, strings.Join(r.notes, "; "))
	ours := strings.HasPrefix(c.name, "otelcol-elemta")
	switch {
	case rep.Missing > 0 && ours:
		return "", fmt.Errorf("%s; first missing ids %v", rep, rep.FirstMissing)
	case rep.Duplicates > 0 && ours:
		return "", fmt.Errorf("%s", rep)
	case s.memoryLimitMiB > 0 && r.proc.PeakRSS() > int64(s.memoryLimitMiB)<<20:
		return "", fmt.Errorf("peak RSS %d MiB above the %d MiB limit", r.proc.PeakRSS()>>20, s.memoryLimitMiB)
	}
	return row, nil
}

// logTail is the end of the newest collector log of a run.
func logTail(dir string) string {
	logs, _ := filepath.Glob(filepath.Join(dir, "collector-*.log"))
	if len(logs) == 0 {
		return "(no log)"
	}
	data, _ := os.ReadFile(logs[len(logs)-1])
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	return strings.Join(lines[max(0, len(lines)-5):], " / ")
}

func ms(d time.Duration) string {
	if d >= 10*time.Second {
		return d.Round(time.Second).String()
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}
