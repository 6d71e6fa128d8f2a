# fluxbridge — build, test, lint, fuzz and benchmark targets.
# `make test` is what CI runs (through .ci/run); it lints first.

GO        ?= go
BIN       ?= bin
FUZZTIME  ?= 5s
BENCHTIME ?= 1s
BENCHPKGS ?= ./...

.PHONY: all build test lint vet fmt-check tidy-check staticcheck fuzz-smoke bench demo demo-inspect clean contracts proto generate generated-check

all: build test

## build: compile every package and the fluxbridge binary into ./bin
build:
	$(GO) build ./...
	$(GO) build -o $(BIN)/ ./cmd/...

## test: lint, then run every test (vectors from testdata/; a missing one fails its test)
test: lint
	$(GO) test -count=1 ./...

## lint: gofmt, go vet, go mod tidy -diff and staticcheck (pinned as a tool in go.mod)
lint: fmt-check vet tidy-check staticcheck

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

tidy-check:
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run 'go mod tidy'"; exit 1; }

staticcheck:
	$(GO) tool staticcheck ./...

## fuzz-smoke: run every fuzz target for FUZZTIME each (default 5s)
fuzz-smoke:
	FUZZTIME=$(FUZZTIME) GO=$(GO) ./scripts/fuzz-smoke.sh

## bench: benchmarks beside their floors: header verification per era, sighash, decoding, a 50,000-block light-node sync over loopback (blocks/s, peak RSS), mint gas, and lock → mint with 3 relayers (transfers/s, p50/p99 ms after finality)
bench:
	$(GO) test -run='^$$' -bench=. -benchmem -benchtime=$(BENCHTIME) $(BENCHPKGS)

## demo: a local devnet (simulated FLUX and EVM chains, 3 relayers, k = 2) turns 20 user locks into mints and prints the result as JSON
demo: build
	./$(BIN)/fluxbridge-devnet --demo --locks $(or $(LOCKS),20)

## demo-inspect: inspect real mainnet headers and transactions with the CLI
demo-inspect: build
	./scripts/demo.sh

## contracts: compile the Solidity contracts with the pinned solc (npm) and regenerate the abigen bindings
contracts:
	./contracts/evm/build.sh

## proto: regenerate the chain plugin protocol's and the peer protocol's Go code with the pinned protoc and plugins
proto:
	./chains/chainrpc/gen.sh
	./relayer/peer/gen.sh

## generate: every generated file (contracts, bindings, proto)
generate: contracts proto

## generated-check: regenerate everything and fail if any committed file changes (CI runs this)
generated-check: generate
	@git diff --exit-code --stat -- contracts chains/chainrpc relayer/peer || { echo "generated files differ from the committed ones: run 'make generate' and commit"; exit 1; }
	@untracked=$$(git ls-files --others --exclude-standard -- contracts chains/chainrpc relayer/peer); \
	if [ -n "$$untracked" ]; then echo "generation created uncommitted files:"; echo "$$untracked"; exit 1; fi

clean:
	rm -rf $(BIN)
