#!/usr/bin/env bash
# The full benchmark run behind BENCHMARKS.md: every section, one run, JSON + printed table.
#
#   bench/run-full.sh            # writes bench/results/full.json and bench/results/full.txt
#
# Needs: the repository's .venv (warta with the [convert] extra: torch, transformers), data/
# (flores101-dev, opus-mt-id-en), and wrk on PATH (Debian: apt-get install wrk). About 43 minutes
# on 2 cores (five rounds in section 1); the models are built once into ~/.cache/warta/bench and
# reused.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/results
mkdir -p "$out"
{
  echo "# started $(date -u +%FT%TZ) on $(hostname); uptime: $(uptime)"
  .venv/bin/warta bench --out "$out/full.json" "$@"
  echo "# finished $(date -u +%FT%TZ); uptime: $(uptime)"
} 2>&1 | tee "$out/full.txt"
