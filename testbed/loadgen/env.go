package loadgen // import "github.com/elemta/otelcol-elemta/testbed/loadgen"

// OursEnv is the environment of otelcol-elemta on its default configuration
// reading logs (a glob) into the Elasticsearch at endpoint, its ports on
// loopback, chosen by the system.
func OursEnv(logs, storage, endpoint string) []string {
	return []string{
		"ELEMTA_LOG_PATHS=" + logs,
		"OTELCOL_ELEMTA_STORAGE=" + storage,
		"ELASTICSEARCH_ENDPOINT=" + endpoint,
		"OTELCOL_ELEMTA_HEALTH_ENDPOINT=127.0.0.1:0",
		"OTELCOL_ELEMTA_METRICS_ENDPOINT=127.0.0.1:0",
		"OTELCOL_ELEMTA_TELEMETRY_HOST=127.0.0.1",
		"OTELCOL_ELEMTA_TELEMETRY_PORT=0",
	}
}

// StockEnv is the environment of the stock contrib collector on
// testbed/stock's configurations.
func StockEnv(logs, storage, endpoint string) []string {
	return []string{"BENCH_LOG_PATHS=" + logs, "BENCH_STORAGE=" + storage, "ELASTICSEARCH_ENDPOINT=" + endpoint}
}

// LeanEnv is the environment of the lean stock contrib collector on
// testbed/stocklean's configurations.
func LeanEnv(logs, storage, endpoint string) []string {
	return []string{"ELEMTA_LOG_PATHS=" + logs, "OTELCOL_ELEMTA_STORAGE=" + storage, "ELASTICSEARCH_ENDPOINT=" + endpoint}
}
