#!/usr/bin/env bash
# Inspects real FLUX mainnet data (from testdata/flux/mainnet_vectors.json)
# with the fluxbridge CLI: the genesis header (Equihash 200,9), the last PoW block
# (ZelHash 125,4), the first PoN block, the genesis coinbase and a 9-input v4 transaction.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}/fluxbridge
vectors=testdata/flux/mainnet_vectors.json
[ -f "$vectors" ] || { echo "demo: $vectors not found (it is committed: is this a full checkout?)"; exit 1; }

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

# The embedded light node against a simulated FLUX network on loopback: the
# simnet mines 3,000 PoN blocks (fluxnodes joining and expiring on the way),
# and `flux sync` verifies every header, every producer signature and every
# fluxnode-set change from the genesis anchor.
work=$(mktemp -d)
trap 'kill "$simpid" 2>/dev/null || true; rm -rf "$work"' EXIT
"$BIN" flux simnet --listen 127.0.0.1:0 --blocks 3000 --datadir "$work/sim" > "$work/sim.out" 2> "$work/sim.err" &
simpid=$!
for _ in $(seq 1 300); do [ -s "$work/sim.out" ] && break; sleep 0.1; done
info=$(head -n1 "$work/sim.out")
echo "== simnet: $info"
listen=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["listen"])' "$info")
anchor=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["anchor"])' "$info")
echo "== light node sync from the genesis anchor"
"$BIN" flux sync --network simnet --peer "$listen" --anchor "$anchor" --datadir "$work/node" --until-height 3000 --json 2>/dev/null
