#!/usr/bin/env bash
# Inspects real FLUX mainnet data (from ../shared/testdata/flux/mainnet_vectors.json)
# with the fluxbridge CLI: the genesis header (Equihash 200,9), the last PoW block
# (ZelHash 125,4), the first PoN block, the genesis coinbase and a 9-input v4 transaction.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}/fluxbridge
SHARED=${FLUXBRIDGE_SHARED:-../shared}
vectors="$SHARED/testdata/flux/mainnet_vectors.json"
[ -f "$vectors" ] || { echo "demo: $vectors not found (set FLUXBRIDGE_SHARED)"; exit 1; }

field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(next(x for x in d[sys.argv[2]] if x["name"]==sys.argv[3])[sys.argv[4]])' "$vectors" "$@"; }

for name in genesis last-pow first-pon; do
	height=$(field headers "$name" height)
	echo "== header $name (height $height)"
	"$BIN" flux header --network mainnet --height "$height" "$(field headers "$name" raw)" || echo "(exit $?)"
done
for name in genesis-coinbase v4-sapling-9-inputs; do
	echo "== transaction $name"
	"$BIN" flux tx --network mainnet "$(field transactions "$name" raw)" | head -c 2500 || echo "(exit $?)"
	echo
done
