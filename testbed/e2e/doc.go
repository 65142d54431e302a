// Package e2e holds the end-to-end tests of the built otelcol-elemta
// collector: they run bin/otelcol-elemta (path in OTELCOL_ELEMTA_BIN) with the
// shipped configuration against the Elasticsearch test double.
package e2e
