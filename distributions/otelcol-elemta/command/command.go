// Package command is the otelcol-elemta command line: the collector's own
// (run, validate, components, featuregate, print-config) plus `setup`,
// which installs the ILM policy and the index template the configuration's
// elemtasetup extension describes, then exits, and `healthcheck`, which asks
// the running collector's health endpoint (for container health checks). The built binary uses it in
// place of otelcol.NewCommand (the Makefile wires it next to the main
// package ocb generates).
package command // import "github.com/elemta/otelcol-elemta/distributions/otelcol-elemta/command"

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/otelcol"
	"go.opentelemetry.io/otel/metric/noop"
	nooptrace "go.opentelemetry.io/otel/trace/noop"
	"go.uber.org/zap"

	"github.com/elemta/otelcol-elemta/extension/elemtasetupextension"
)

// NewCommand is otelcol.NewCommand with the setup and healthcheck
// subcommands.
func NewCommand(set otelcol.CollectorSettings) *cobra.Command {
	cmd := otelcol.NewCommand(set)
	cmd.AddCommand(newSetupCommand(set), newHealthcheckCommand())
	return cmd
}

// setupTimeout bounds how long setup waits for Elasticsearch by default.
const setupTimeout = 2 * time.Minute

func newSetupCommand(set otelcol.CollectorSettings) *cobra.Command {
	var configs []string
	var timeout time.Duration
	var exportTo string
	cmd := &cobra.Command{
		Use:   "setup",
		Short: "Install the ILM policy and the index template in Elasticsearch, then exit",
		Long: "Installs what the elemtasetup extension of the configuration describes (ILM policy, index template),\n" +
			"waiting for Elasticsearch up to --timeout, prints what it did and exits: 0 on success, 1 with the reason otherwise.",
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := setupConfig(cmd.Context(), set, configs)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			telemetry := component.TelemetrySettings{
				Logger: zap.NewNop(), TracerProvider: nooptrace.NewTracerProvider(), MeterProvider: noop.NewMeterProvider(),
			}
			if exportTo != "" {
				return exportKibana(ctx, cmd.OutOrStdout(), cfg, telemetry, exportTo)
			}
			results, err := elemtasetupextension.InstallOnce(ctx, cfg, telemetry)
			report(cmd.OutOrStdout(), results)
			if err != nil {
				return fmt.Errorf("setup failed: %w", err)
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&configs, "config", nil, "configuration file (or URI); repeat to merge, as for the collector")
	cmd.Flags().DurationVar(&timeout, "timeout", setupTimeout, "how long to wait for Elasticsearch")
	cmd.Flags().StringVar(&exportTo, "export-kibana", "", "instead of installing, export the Kibana objects as they are now to this NDJSON file (a backup Kibana's import takes back)")
	return cmd
}

// setupConfig resolves the configuration as the collector would and
// returns its elemtasetup extension's settings.
func setupConfig(ctx context.Context, set otelcol.CollectorSettings, configs []string) (*elemtasetupextension.Config, error) {
	if len(configs) == 0 {
		return nil, errors.New("at least one --config must be given")
	}
	resolverSet := set.ConfigProviderSettings.ResolverSettings
	resolverSet.URIs = nil
	for _, c := range configs {
		if !strings.Contains(c, ":") || strings.HasPrefix(c, "/") || strings.HasPrefix(c, ".") {
			c = "file:" + c
		}
		resolverSet.URIs = append(resolverSet.URIs, c)
	}
	if resolverSet.DefaultScheme == "" {
		resolverSet.DefaultScheme = "env"
	}
	resolver, err := confmap.NewResolver(resolverSet)
	if err != nil {
		return nil, err
	}
	conf, err := resolver.Resolve(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the configuration: %w", err)
	}
	extensions, err := conf.Sub("extensions")
	if err != nil {
		return nil, err
	}
	factory := elemtasetupextension.NewFactory()
	for _, key := range extensions.AllKeys() {
		id := strings.SplitN(key, confmap.KeyDelimiter, 2)[0]
		var cid component.ID
		if cid.UnmarshalText([]byte(id)) != nil || cid.Type() != factory.Type() {
			continue
		}
		sub, err := extensions.Sub(id)
		if err != nil {
			return nil, err
		}
		cfg := factory.CreateDefaultConfig().(*elemtasetupextension.Config)
		if err := sub.Unmarshal(cfg); err != nil {
			return nil, fmt.Errorf("extensions::%s: %w", id, err)
		}
		if err := confmap.Validate(cfg); err != nil {
			return nil, fmt.Errorf("extensions::%s: %w", id, err)
		}
		return cfg, nil
	}
	return nil, fmt.Errorf("the configuration has no %s extension under extensions; add one (see distributions/otelcol-elemta/config.yaml)", factory.Type())
}

// exportKibana writes the Kibana objects to path; a file is only left
// behind when the export succeeded.
func exportKibana(ctx context.Context, out io.Writer, cfg *elemtasetupextension.Config, telemetry component.TelemetrySettings, path string) error {
	var buf bytes.Buffer
	n, err := elemtasetupextension.ExportKibana(ctx, cfg, telemetry, &buf)
	if err != nil {
		return fmt.Errorf("export failed: %w", err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("export failed: %w", err)
	}
	fmt.Fprintf(out, "exported %d Kibana objects from %s to %s\n", n, cfg.Kibana.Endpoint, path)
	return nil
}

func report(w io.Writer, results []elemtasetupextension.Result) {
	for _, r := range results {
		line := fmt.Sprintf("%s %s at %s: %s", r.Kind, r.Name, r.Endpoint, r.Outcome)
		if r.LeftAlone() {
			line += " (overwrite: true replaces it)"
		}
		fmt.Fprintln(w, line)
	}
}
