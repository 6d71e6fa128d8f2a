# fluxbridge — build, test, lint, fuzz and benchmark targets.
# `make test` is what CI runs (through .ci/run); it lints first.

GO        ?= go
BIN       ?= bin
FUZZTIME  ?= 5s
BENCHTIME ?= 1s
BENCHPKGS ?= ./...
# BENCHSLOW are the packages whose benchmarks each run a whole devnet for
# minutes (a 500-lock burst; 10,000 transfers through relayer processes):
# they run once each (-benchtime=$(BENCHSLOWTIME)), after the others.
BENCHSLOW     ?= github.com/fluxbridge/fluxbridge/internal/devnet
BENCHSLOWTIME ?= 1x

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

## bench: every benchmark of BENCHPKGS (raw output in bench/raw.txt), then one table of the performance targets — each figure beside the floor measured in the same run, the ratio, the target, met or missed — and the mint gas by quorum and batch size (also in bench/results.json; see bench/README.md)
bench:
	@mkdir -p bench && rm -f bench/.failed
	@pkgs=$$($(GO) list $(BENCHPKGS)) || exit 1; \
	fast=$$(printf '%s\n' $$pkgs | grep -vxF $(patsubst %,-e %,$(BENCHSLOW))); \
	slow=$$(printf '%s\n' $$pkgs | grep -xF $(patsubst %,-e %,$(BENCHSLOW))); \
	{ [ -z "$$fast" ] || $(GO) test -run='^$$' -bench=. -benchmem -benchtime=$(BENCHTIME) $$fast || touch bench/.failed; \
	  [ -z "$$slow" ] || $(GO) test -run='^$$' -bench=. -benchmem -benchtime=$(BENCHSLOWTIME) -timeout=30m $$slow || touch bench/.failed; \
	} 2>&1 | tee bench/raw.txt
	@echo
	@$(GO) run ./internal/benchtab/cmd/benchtab -in bench/raw.txt -json bench/results.json
	@if [ -e bench/.failed ]; then rm -f bench/.failed; echo "make bench: a benchmark or its build failed (bench/raw.txt has the output)"; exit 1; fi

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
