#!/usr/bin/env bash
# Times `fleetc check` and `fleetc build` on a generated repository of 10,000 declarations
# (spread over 100 files) and on 100 declarations, with the release build.
#
# usage: scripts/bench.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"

cargo build --release --quiet
bin="$PWD/target/release/fleetc"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 scripts/generate-repository.py "$work/large" 10000 100
python3 scripts/generate-repository.py "$work/small" 100 10

time_ms() {
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s%N)
  echo $(( (end - start) / 1000000 ))
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

for repo in small large; do
  for command in check build; do
    samples=$(for _ in $(seq "$runs"); do time_ms "$bin" -C "$work/$repo" "$command"; done)
    printf '%-6s %-6s median %5s ms over %s runs\n' "$repo" "$command" "$(echo "$samples" | median)" "$runs"
  done
done
echo "machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
