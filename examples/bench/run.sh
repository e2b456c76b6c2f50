#!/bin/sh
# Runs the benchmarks and prints a Markdown table (fastest and median of
# ROUNDS rounds, ratios to the hand-written switch baseline), then checks the
# speed targets against that baseline (see cmd/benchtable); it exits non-zero
# when one is missed. Usage: ./run.sh [ROUNDS] [BENCH REGEXP]
#
# The test binary is built once and run once per round, each round running
# every scenario and implementation back to back, so that on a shared
# machine every implementation sees the same load as its baseline.
set -eu
cd "$(dirname "$0")"
rounds="${1:-6}"
bench="${2:-.}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
go test -c -o "$dir/bench.test" .
i=0
while [ "$i" -lt "$rounds" ]; do
	"$dir/bench.test" -test.run='^$' -test.bench="$bench" -test.benchmem -test.count=1 | tee -a "$dir/out" >&2
	i=$((i + 1))
done
go version
uptime
go run ./cmd/benchtable -check <"$dir/out"
