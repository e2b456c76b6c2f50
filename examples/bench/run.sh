#!/bin/sh
# Runs the benchmarks and prints a Markdown table (fastest of COUNT runs,
# ratios to the hand-written switch baseline). Usage: ./run.sh [COUNT]
set -eu
cd "$(dirname "$0")"
count="${1:-5}"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
go test -run='^$' -bench=. -benchmem -count="$count" | tee "$out" >&2
go version
go run ./cmd/benchtable <"$out"
