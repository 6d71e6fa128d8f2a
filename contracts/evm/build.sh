#!/usr/bin/env bash
# build.sh (make contracts): compile the contracts with the pinned solc from
# npm (package-lock.json) and regenerate the Go bindings with the module's
# pinned go-ethereum abigen: the v1 bindings (package evm, used by the tests
# and evmsim to deploy and transact) and the abigen v2 bindings (package
# bindv2: the typed Pack/Unpack functions chains/evm encodes and decodes
# with). Running it twice leaves the tree unchanged.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$here"
npm ci --no-audit --no-fund --loglevel=error
node compile.js
cd "$root"
mkdir -p contracts/evm/bindv2
for c in FluxBridge FluxToken; do
	lower=$(echo "$c" | tr '[:upper:]' '[:lower:]')
	go run github.com/ethereum/go-ethereum/cmd/abigen \
		--abi "contracts/evm/artifacts/$c.abi" --bin "contracts/evm/artifacts/$c.bin" \
		--pkg evm --type "$c" --out "contracts/evm/$lower.go"
	go run github.com/ethereum/go-ethereum/cmd/abigen --v2 \
		--abi "contracts/evm/artifacts/$c.abi" --bin "contracts/evm/artifacts/$c.bin" \
		--pkg bindv2 --type "$c" --out "contracts/evm/bindv2/$lower.go"
done
echo "contracts: artifacts and bindings regenerated"
