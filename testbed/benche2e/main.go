// Command benche2e runs otelcol-elemta and stock contrib collectors (the
// lean one of testbed/stocklean, the anchor, and testbed/stock) on the
// same generated Elemta log into the same local _bulk endpoint, one after
// the other in one run, and reports for each the lines indexed per
// CPU-second of the collector process, the lines indexed per second of
// wall time, its peak resident memory (and how the largest sample of it
// splits between file pages and anonymous memory), and ratios to the lean
// stock collector on its defaults.
//
// Loads: a burst (the whole file is there when the collector starts), a
// steady rate (lines appended at -rate per second while it runs), and
// drains (a backlog while every bulk request is answered after a delay,
// as a loaded cluster answers). `make bench-e2e` builds the collectors and
// runs it.
package main

import (
	"bufio"
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/elemta/otelcol-elemta/testbed/esdouble"
	"github.com/elemta/otelcol-elemta/testbed/loadgen"
)

// setup is one collector with its configuration.
type setup struct {
	name    string
	binary  string
	configs []string
	// env gives the collector its log path, storage and endpoint.
	env func(logPaths, storage, endpoint string) []string
}

// result is what one run of one setup measured.
type result struct {
	lines   int
	cpu     time.Duration
	peakRSS int64 // bytes
	// atPeak is the largest resident sample taken while the collector ran,
	// split into file pages (its binary's, mostly) and anonymous memory.
	atPeak loadgen.Sample
	wall   time.Duration
	// bulks is the most bulk requests Elasticsearch served at once.
	bulks int
}

func (r result) linesPerCPUSecond() float64 { return float64(r.lines) / r.cpu.Seconds() }

func (r result) rss() float64 { return float64(r.peakRSS) }

// linesPerSecond is the rate of the lines' indexing, from the collector's
// start to the last document.
func (r result) linesPerSecond() float64 { return float64(r.lines) / r.wall.Seconds() }

func main() {
	ours := flag.String("ours", "bin/otelcol-elemta", "otelcol-elemta binary")
	stock := flag.String("stock", "_build/stock/otelcol-stock", "stock contrib collector binary")
	lean := flag.String("lean", "_build/stock-lean/otelcol-stock-lean", "lean stock contrib collector binary (the anchor)")
	leanDir := flag.String("lean-configs", "testbed/stocklean", "directory of the lean stock collector's configurations")
	dist := flag.String("dist", "distributions/otelcol-elemta", "directory of otelcol-elemta's config.yaml")
	stockDir := flag.String("stock-configs", "testbed/stock", "directory of the stock collector's configurations")
	here := flag.String("overlays", "testbed/benche2e", "directory of this command's config overlays")
	samples := flag.String("samples", "distributions/otelcol-elemta/samples", "directory of real Elemta JSON lines (*.log)")
	seed := flag.String("seed", "", "file of the seed's text lines; the built-in ones when empty")
	burst := flag.Int("burst", 200000, "lines of the burst")
	rate := flag.Int("rate", 5000, "lines per second of the steady load")
	steady := flag.Duration("steady", 20*time.Second, "duration of the steady load")
	oursExtra := flag.String("ours-extra", "", "more config files for otelcol-elemta, comma-separated (a pprof overlay, say)")
	only := flag.String("only", "", "run only the collectors whose name contains one of these, comma-separated")
	loadsFlag := flag.String("loads", "burst,steady,drain", "loads to run: burst, steady, drain")
	drainLines := flag.Int("drain-lines", 200000, "lines of the backlog each drain starts with")
	drainDelays := flag.String("drain-delays", "200ms,1s", "how long Elasticsearch takes to answer each bulk request, one drain each")
	rounds := flag.Int("rounds", 3, "runs of each collector on each load: the medians count, and the ratios to the lean stock are taken round by round")
	flag.Parse()

	input, err := mixedLines(*samples, *seed)
	if err != nil {
		fail(err)
	}
	setups := []setup{
		{name: "otelcol-elemta, default config (durable)", binary: *ours, configs: []string{filepath.Join(*dist, "config.yaml")}, env: loadgen.OursEnv},
		{name: "lean stock contrib, defaults", binary: *lean, configs: []string{filepath.Join(*leanDir, "config.yaml")}, env: loadgen.LeanEnv},
		{name: "lean stock contrib, tuned for durability", binary: *lean, configs: []string{filepath.Join(*leanDir, "config-durable.yaml")}, env: loadgen.LeanEnv},
		{name: "stock contrib, defaults", binary: *stock, configs: []string{filepath.Join(*stockDir, "default.yaml")}, env: loadgen.StockEnv},
		{name: "stock contrib, tuned for durability", binary: *stock, configs: []string{filepath.Join(*stockDir, "default.yaml"), filepath.Join(*stockDir, "durable.yaml")}, env: loadgen.StockEnv},
		{name: "otelcol-elemta, persistent queue (a second copy)", binary: *ours, configs: []string{filepath.Join(*dist, "config.yaml"), filepath.Join(*here, "persistent_queue.yaml")}, env: loadgen.OursEnv},
		{name: "otelcol-elemta, without SMTP metrics", binary: *ours, configs: []string{filepath.Join(*dist, "config.yaml"), filepath.Join(*here, "without_metrics.yaml")}, env: loadgen.OursEnv},
	}
	if *oursExtra != "" {
		setups[0].configs = append(setups[0].configs, strings.Split(*oursExtra, ",")...)
	}
	type load struct {
		name string
		run  func(s setup) (result, error)
	}
	loads := []load{
		{fmt.Sprintf("burst of %d lines", *burst), func(s setup) (result, error) { return runBurst(s, input, *burst, 0) }},
		{fmt.Sprintf("steady %d lines/s for %s", *rate, *steady), func(s setup) (result, error) { return runSteady(s, input, *rate, *steady) }},
	}
	for _, d := range strings.Split(*drainDelays, ",") {
		delay, err := time.ParseDuration(strings.TrimSpace(d))
		if err != nil {
			fail(fmt.Errorf("-drain-delays: %w", err))
		}
		loads = append(loads, load{
			fmt.Sprintf("drain %d lines, answers in %s", *drainLines, delay),
			func(s setup) (result, error) { return runBurst(s, input, *drainLines, delay) },
		})
	}

	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "load\tcollector\tlines\tCPU s\tlines/CPU-s\tlines/s\tpeak RSS MiB\tof it: files + anon MiB\tvs lean, by round: lines/CPU-s\tvs lean, by round: lines/s\tvs lean, by round: RSS\t")
	for _, load := range loads {
		if !strings.Contains(*loadsFlag, strings.Fields(load.name)[0]) {
			continue
		}
		// The collectors take turns in each round, so that a slower spell
		// of the machine touches them alike; each one's median counts.
		runs := make([][]result, len(setups))
		for range *rounds {
			for i, s := range setups {
				if !selected(s.name, *only) {
					continue
				}
				r, err := load.run(s)
				if err != nil {
					fail(fmt.Errorf("%s, %s: %w", load.name, s.name, err))
				}
				fmt.Fprintf(os.Stderr, "%s, %s: %d lines, CPU %.2fs, wall %.1fs, peak RSS %d MiB (files %d + anon %d), at most %d bulk requests at once\n",
					load.name, s.name, r.lines, r.cpu.Seconds(), r.wall.Seconds(), r.peakRSS>>20, r.atPeak.File>>20, r.atPeak.Anon>>20, r.bulks)
				runs[i] = append(runs[i], r)
			}
		}
		anchored := len(runs[1]) > 0 // the lean stock ran: the ratios are to it
		for i, s := range setups {
			if len(runs[i]) == 0 {
				continue
			}
			r := median(runs[i])
			ratios := "–\t–\t–"
			if anchored {
				ratios = strings.Join([]string{
					byRound(runs[i], runs[1], result.linesPerCPUSecond).String(),
					byRound(runs[i], runs[1], result.linesPerSecond).String(),
					byRound(runs[i], runs[1], result.rss).String(),
				}, "\t")
			}
			fmt.Fprintf(w, "%s\t%s\t%d\t%.2f\t%.0f\t%.0f\t%d\t%d + %d\t%s\t\n", load.name, s.name, r.lines, r.cpu.Seconds(),
				r.linesPerCPUSecond(), r.linesPerSecond(), r.peakRSS>>20, r.atPeak.File>>20, r.atPeak.Anon>>20, ratios)
		}
	}
	_ = w.Flush()
}

// selected reports whether a collector's name contains one of the
// comma-separated parts of only (all are selected when only is empty).
func selected(name, only string) bool {
	for part := range strings.SplitSeq(only, ",") {
		if strings.Contains(name, strings.TrimSpace(part)) {
			return true
		}
	}
	return false
}

// ratios are a measure's ratios to the anchor's, one per round.
type ratios []float64

// byRound divides each round's measure of runs by the anchor's in the same
// round: the collectors take turns in a round, so that a slower spell of
// the machine weighs on both sides of each ratio alike.
func byRound(runs, anchor []result, measure func(result) float64) ratios {
	n := min(len(runs), len(anchor))
	out := make(ratios, 0, n)
	for j := range n {
		out = append(out, measure(runs[j])/measure(anchor[j]))
	}
	return out
}

// String is the median ratio and, over several rounds, their range.
func (r ratios) String() string {
	if len(r) == 0 {
		return "–"
	}
	sorted := slices.Sorted(slices.Values(r))
	mid := sorted[len(sorted)/2]
	if len(sorted)%2 == 0 {
		mid = (sorted[len(sorted)/2-1] + mid) / 2
	}
	if len(sorted) == 1 {
		return fmt.Sprintf("%.2f×", mid)
	}
	return fmt.Sprintf("%.2f× (%.2f–%.2f)", mid, sorted[0], sorted[len(sorted)-1])
}

// median is the run of median CPU time, with the median peak RSS (and
// that run's split of it).
func median(runs []result) result {
	byCPU := slices.Clone(runs)
	slices.SortFunc(byCPU, func(a, b result) int { return cmp.Compare(a.cpu, b.cpu) })
	byRSS := slices.Clone(runs)
	slices.SortFunc(byRSS, func(a, b result) int { return cmp.Compare(a.peakRSS, b.peakRSS) })
	m := byCPU[len(byCPU)/2]
	m.peakRSS, m.atPeak = byRSS[len(byRSS)/2].peakRSS, byRSS[len(byRSS)/2].atPeak
	return m
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "benche2e:", err)
	os.Exit(1)
}

// builtinSeedLines are the text lines of the seed document, the older
// shapes Elemta and its side loggers write.
var builtinSeedLines = []string{
	"SMTP: 2024-01-15 10:30:45 new connection: 192.168.1.100:54321",
	"SMTP: 2024-01-15 10:30:46 EHLO client.example.com",
	"SMTP: 2024-01-15 10:30:47 MAIL FROM:<sender@example.com>",
	"component=queue-processor message_id=abc123 from=sender@example.com to=[recipient@example.com]",
	"component=lmtp-delivery message_id=abc123 from=sender@example.com to=[recipient@example.com]",
	"2024-01-15 10:30:48 ERROR Failed to deliver message: connection refused",
}

// mixedLines returns the input's lines: real JSON lines and the seed's
// text lines, alternating, so that half the input is each.
func mixedLines(samplesDir, seedFile string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(samplesDir, "*.log"))
	if err != nil {
		return nil, err
	}
	var jsonLines []string
	for _, f := range files {
		lines, err := readLines(f)
		if err != nil {
			return nil, err
		}
		for _, l := range lines {
			if strings.HasPrefix(l, "{") {
				jsonLines = append(jsonLines, l)
			}
		}
	}
	if len(jsonLines) == 0 {
		return nil, fmt.Errorf("no JSON lines in %s", samplesDir)
	}
	text := builtinSeedLines
	if seedFile != "" {
		if text, err = readLines(seedFile); err != nil {
			return nil, err
		}
	}
	out := make([]string, 0, 2*len(jsonLines))
	for i, l := range jsonLines {
		out = append(out, l, text[i%len(text)])
	}
	return out, nil
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		if sc.Text() != "" {
			out = append(out, sc.Text())
		}
	}
	return out, sc.Err()
}

// writeLines appends n lines of input, cycling, starting at line from.
func writeLines(w io.Writer, input []string, from, n int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	for i := from; i < from+n; i++ {
		if _, err := bw.WriteString(input[i%len(input)]); err != nil {
			return err
		}
		if err := bw.WriteByte('\n'); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// runDir makes a directory for one run, with the logs directory in it, and
// returns it and the log file's path; remove the directory after the run.
func runDir() (dir, logFile string, err error) {
	if dir, err = os.MkdirTemp("", "benche2e-"); err != nil {
		return "", "", err
	}
	logFile = filepath.Join(dir, "logs", "elemta.log")
	if err := os.MkdirAll(filepath.Dir(logFile), 0o750); err != nil {
		os.RemoveAll(dir)
		return "", "", err
	}
	return dir, logFile, nil
}

// runBurst writes n lines, then runs the collector until they are indexed,
// every bulk request answered after delay.
func runBurst(s setup, input []string, n int, delay time.Duration) (result, error) {
	dir, logFile, err := runDir()
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	f, err := os.Create(logFile)
	if err != nil {
		return result{}, err
	}
	if err := writeLines(f, input, 0, n); err != nil {
		return result{}, err
	}
	if err := f.Close(); err != nil {
		return result{}, err
	}
	return run(s, dir, n, nil, delay)
}

func runSteady(s setup, input []string, rate int, d time.Duration) (result, error) {
	dir, logFile, err := runDir()
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	const tick = 100 * time.Millisecond
	perTick := rate / int(time.Second/tick)
	ticks := int(d / tick)
	n := perTick * ticks
	writer := func() error {
		f, err := os.OpenFile(logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		defer f.Close()
		t := time.NewTicker(tick)
		defer t.Stop()
		for i := range ticks {
			<-t.C
			if err := writeLines(f, input, i*perTick, perTick); err != nil {
				return err
			}
		}
		return nil
	}
	return run(s, dir, n, writer, 0)
}

// run starts the collector on dir/logs/*.log, runs write (if any) while
// it runs, waits until n documents are indexed, stops it and reads its
// resource usage. Elasticsearch answers each bulk request after delay.
func run(s setup, dir string, n int, write func() error, delay time.Duration) (result, error) {
	es := esdouble.New()
	defer es.Close()
	es.SetBulkDelay(delay)
	es.SetLean(true) // documents are counted: the double keeps little of each, alike for every collector
	storage := filepath.Join(dir, "storage")
	if err := os.MkdirAll(storage, 0o750); err != nil {
		return result{}, err
	}
	var args []string
	for _, c := range s.configs {
		args = append(args, "--config", c)
	}
	logFile := filepath.Join(dir, "collector.log")
	start := time.Now()
	p, err := loadgen.Start(s.binary, args, s.env(filepath.Join(dir, "logs", "*.log"), storage, es.URL()), logFile, 50*time.Millisecond)
	if err != nil {
		return result{}, err
	}
	defer func() {
		if ended, _ := p.Exited(); !ended {
			_ = p.Kill()
		}
	}()

	writeErr := make(chan error, 1)
	if write != nil {
		go func() { writeErr <- write() }()
	} else {
		writeErr <- nil
	}
	deadline := time.Now().Add(10 * time.Minute)
	for es.DocumentCount() < n {
		if ended, err := p.Exited(); ended {
			log, _ := os.ReadFile(logFile)
			return result{}, fmt.Errorf("collector exited: %w\n%s", err, tail(string(log)))
		}
		if time.Now().After(deadline) {
			return result{}, fmt.Errorf("%d of %d documents after 10 minutes", es.DocumentCount(), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	wall := time.Since(start)
	if err := <-writeErr; err != nil {
		return result{}, err
	}
	// The peak of the collector's own memory: rusage's maxrss would count
	// this process's memory at the time of the exec.
	peak, err := p.HighWaterRSS()
	if err != nil {
		return result{}, err
	}
	if err := p.Stop(30 * time.Second); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return result{}, err
		}
	}
	if got := es.DocumentCount(); got != n {
		return result{}, fmt.Errorf("%d documents for %d lines", got, n)
	}
	return result{
		lines:   n,
		cpu:     p.CPU(), // all of it: the process has ended
		peakRSS: peak,
		atPeak:  p.Largest(),
		wall:    wall,
		bulks:   es.MaxConcurrentBulks(),
	}, nil
}

func tail(s string) string {
	lines := strings.Split(s, "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return strings.Join(lines, "\n")
}
