package command // import "github.com/elemta/otelcol-elemta/distributions/otelcol-elemta/command"

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// defaultHealthEndpoint is the default configuration's health_check
// address, overridden as there by OTELCOL_ELEMTA_HEALTH_ENDPOINT.
const defaultHealthEndpoint = "0.0.0.0:13133"

// newHealthcheckCommand asks the running collector's health endpoint, for
// container health checks in images without curl: exit status 0 when it
// answers 200, 1 with its answer otherwise.
func newHealthcheckCommand() *cobra.Command {
	var endpoint string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:          "healthcheck",
		Short:        "Ask the running collector's health endpoint: exit 0 when healthy, 1 with the reason otherwise",
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return healthcheck(cmd.OutOrStdout(), healthURL(endpoint), timeout)
		},
	}
	fallback := os.Getenv("OTELCOL_ELEMTA_HEALTH_ENDPOINT")
	if fallback == "" {
		fallback = defaultHealthEndpoint
	}
	cmd.Flags().StringVar(&endpoint, "endpoint", fallback, "the health_check extension's address (host:port or URL)")
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Second, "how long to wait for the answer")
	return cmd
}

// healthURL turns a listen address into the URL to ask: a wildcard host
// is asked on loopback.
func healthURL(endpoint string) string {
	if strings.Contains(endpoint, "://") {
		return endpoint
	}
	host, port, err := net.SplitHostPort(endpoint)
	if err != nil {
		return "http://" + endpoint + "/"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

func healthcheck(out io.Writer, url string, timeout time.Duration) error {
	client := &http.Client{Timeout: timeout}
	resp, err := client.Get(url) //nolint:gosec // the operator's own health endpoint
	if err != nil {
		return fmt.Errorf("health endpoint %s does not answer: %w", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("unhealthy (%s): %s", resp.Status, strings.TrimSpace(string(body)))
	}
	fmt.Fprintf(out, "healthy: %s\n", strings.TrimSpace(string(body)))
	return nil
}
