#!/usr/bin/env bash
# gen.sh (make proto): regenerate peerpb from proto/ with pinned tools:
# protoc 3.21.12 (Debian bookworm's protobuf-compiler), protoc-gen-go v1.36.12
# and protoc-gen-go-grpc v1.6.2 (installed into bin/tools). Byte-for-byte
# reproducible: the generated headers name these versions.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
want_protoc="libprotoc 3.21.12"
if ! command -v protoc >/dev/null; then
	apt-get update -qq && apt-get install -y -qq protobuf-compiler
fi
if [ "$(protoc --version)" != "$want_protoc" ]; then
	echo "gen.sh: need $want_protoc (Debian bookworm's protobuf-compiler), found $(protoc --version)" >&2
	exit 1
fi
tools="$root/bin/tools"
mkdir -p "$tools"
GOBIN="$tools" go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
GOBIN="$tools" go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2
cd "$here/proto"
PATH="$tools:$PATH" protoc \
	--go_out="$here/peerpb" --go_opt=paths=source_relative \
	--go-grpc_out="$here/peerpb" --go-grpc_opt=paths=source_relative \
	fluxbridge/peer/v1/peer.proto
# source_relative writes under the proto's directory; peerpb holds the files flat.
mv "$here/peerpb/fluxbridge/peer/v1/"*.go "$here/peerpb/"
rm -rf "$here/peerpb/fluxbridge"
echo "proto: peerpb regenerated"
