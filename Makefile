# gatewarden — run `make help` for the targets.
GO ?= go
KUBECTL ?= kubectl

.DEFAULT_GOAL := help

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: generate
generate: ## Render templates/, constraints/, sync/ and kustomizations from internal/policies
	$(GO) run ./gen generate
	@# A second pass renders policies whose folders the first pass just registered.
	$(GO) run ./gen generate

.PHONY: verify
verify: ## Fail when committed generated files differ from a fresh render
	$(GO) run ./gen generate --check

.PHONY: test
test: ## Run the test suite (the same command CI runs)
	$(GO) test ./...

.PHONY: race
race: ## Run the test suite under the race detector (about 25 minutes on 2 cores, most of it the tests package)
	$(GO) test -race -timeout 60m ./...

.PHONY: gator-verify
gator-verify: ## Run the policy suites with Gatekeeper's gator, with and without CEL
	$(GO) tool gator verify ./tests/... --enable-k8s-native-validation=true
	$(GO) tool gator verify ./tests/... --enable-k8s-native-validation=false

.PHONY: check-examples
check-examples: ## Check the bundled examples (exits 1: the insecure app has violations)
	$(GO) run ./gen check examples/

# Benchmarks: BENCH selects them (a go test -bench pattern), BENCHTIME sets
# how long each runs, BENCHCOUNT how many times (figures are medians). The
# whole set takes about 6 minutes on 2 cores. bench-compare compares
# BENCH_UNIT: CPU time per iteration, which varies less than wall time (ns/op)
# when the machine is shared.
BENCH ?= .
BENCHTIME ?= 200ms
BENCHCOUNT ?= 1
BENCH_UNIT ?= cpu-ns/op

.PHONY: bench
bench: ## Benchmark every policy (Rego and CEL), the bundle, rendering and loading; print the ratios (raw output: bench/latest.txt)
	bash -o pipefail -c '$(GO) test ./bench/policies -run "^$$" -bench "$(BENCH)" -benchmem -benchtime $(BENCHTIME) -count $(BENCHCOUNT) -timeout 60m | tee bench/latest.txt'
	$(GO) run ./bench/ratios < bench/latest.txt

.PHONY: bench-compare
bench-compare: ## Compare bench/latest.txt (from `make bench`, run first if absent) with the committed bench/baseline.txt; exit 1 on any benchmark over 20% slower in CPU time
	@test -f bench/latest.txt || $(MAKE) bench
	$(GO) run ./bench/compare -threshold 20 -unit $(BENCH_UNIT) bench/baseline.txt bench/latest.txt

.PHONY: bench-check
bench-check: ## Time `gatewarden check` against `gator test` on 100, 1,000 and 10,000 generated objects
	$(GO) run ./bench/check -n 100,1000,10000

.PHONY: e2e
e2e: ## Real cluster: etcd + kube-apiserver + Gatekeeper on a private loopback, every suite replayed (webhook, then native)
	tests/e2e/run.sh

.PHONY: deploy
deploy: ## Install into the current kubectl context: templates, wait, then everything
	$(KUBECTL) apply -k templates/
	$(KUBECTL) wait --for=jsonpath='{.status.created}'=true constrainttemplates -l app.kubernetes.io/managed-by=gatewarden --timeout=180s
	$(KUBECTL) apply -k .

.PHONY: lint
lint: ## gofmt and go vet
	@test -z "$$(gofmt -l bench gen internal tests)" || (gofmt -l bench gen internal tests; exit 1)
	$(GO) vet ./...
