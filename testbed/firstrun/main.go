// Command firstrun is `make run` without an Elasticsearch cluster. It starts
// the Elasticsearch double on a loopback port, runs the built collector
// with the default configuration against it (the setup installs the ILM
// policy and the index template there, the exporter indexes there), and,
// once the lines read so far are indexed, writes what Elasticsearch
// received, one document a line, and prints a short summary: lines read,
// events by type, errors, where the files are, how to stop. The collector
// keeps running with the ports of a production one, indexing what is
// appended to the files, until Ctrl-C.
//
//	go run ./testbed/firstrun --bin bin/otelcol-elemta --config distributions/otelcol-elemta/config.yaml --dir _run
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "bin/otelcol-elemta", "the otelcol-elemta binary")
	flag.StringVar(&o.config, "config", "distributions/otelcol-elemta/config.yaml", "the collector's configuration")
	flag.StringVar(&o.dir, "dir", "_run", "where the documents, the collector's log and its checkpoints go")
	flag.StringVar(&o.logs, "logs", "", "the log files to read (ELEMTA_LOG_PATHS)")
	flag.DurationVar(&o.settle, "settle", 2*time.Second, "how long the document count must stay still before the summary")
	flag.BoolVar(&o.once, "once", false, "stop the collector after the first summary")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, o, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "otelcol-elemta:", err)
		os.Exit(1)
	}
}

// options of a first run.
type options struct {
	bin, config, dir, logs string
	settle                 time.Duration
	once                   bool
	env                    []string // more environment for the collector (tests: free ports)
}
