#!/usr/bin/env bash
# Runs every `func FuzzXxx` in the module for $FUZZTIME (default 5s) each.
# A failing fuzz target stops the script with its output and a non-zero status.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-5s}
count=0
while IFS=: read -r file name; do
	pkg="./$(dirname "$file")"
	echo "== $pkg $name ($FUZZTIME)"
	"$GO" test -run='^$' -fuzz="^${name}\$" -fuzztime="$FUZZTIME" -fuzzminimizetime=1s "$pkg"
	count=$((count + 1))
done < <(grep -rHoE --include='*_test.go' '^func (Fuzz[A-Za-z0-9_]+)' . | sed -E 's#^\./##; s#:func #:#' | sort -u)
echo "fuzz-smoke: $count targets ran for $FUZZTIME each"
[ "$count" -gt 0 ]
