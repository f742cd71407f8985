#!/usr/bin/env bash
# Whole-process timings of tradestat (release build), with hyperfine.
#
#   bench/run.sh            # bundled data and a 10,000-row panel
#   REGIONS=100000 bench/run.sh   # a larger panel (1M rows)
#   BIN=path/to/tradestat BASELINE=path/to/older/tradestat bench/run.sh
#                           # a given binary, each job also run by the baseline, in one run
#
# Needs hyperfine (Debian: apt-get install hyperfine) and python3 for the panel generator.
# Prints the median of each job; bench/results.md gets hyperfine's Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."

regions=${REGIONS:-1000}
if [ -z "${BIN:-}" ]; then
  cargo build --release --locked --quiet
fi
bin=${BIN:-target/release/tradestat}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 bench/gen_panel.py "$regions" --layout wide > "$work/panel.csv"
rows=$(( $(wc -l < "$work/panel.csv") - 1 ))
echo "panel: $regions regions x 10 years = $rows rows ($(du -h "$work/panel.csv" | cut -f1))"

jobs=(
  "growth, bundled table" "growth --format csv --output $work/g.csv"
  "share, bundled table" "share --part cbec --whole trade --format csv --output $work/s.csv"
  "project, bundled table" "project --format csv --output $work/p.csv"
  "panel, bundled table" "panel --part cbec --whole trade --format csv --output $work/pn.csv"
  "report, bundled table" "report --out $work/report --force"
  "growth, $rows-row panel" "growth --data $work/panel.csv --by region --format csv --output $work/gp.csv"
  "share, $rows-row panel" "share --data $work/panel.csv --by region --part cbec --whole trade --format csv --output $work/sp.csv"
  "panel, $rows-row panel" "panel --data $work/panel.csv --by region --part cbec --whole trade --format csv --output $work/pp.csv"
)
args=()
for ((i = 0; i < ${#jobs[@]}; i += 2)); do
  args+=(-n "${jobs[i]}" "$bin ${jobs[i + 1]}")
  if [ -n "${BASELINE:-}" ]; then
    args+=(-n "${jobs[i]} (baseline)" "$BASELINE ${jobs[i + 1]}")
  fi
done
hyperfine --warmup 3 --min-runs 20 --export-markdown bench/results.md --export-json "$work/results.json" "${args[@]}"

python3 - "$work/results.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
print("\nmedian wall time:")
for r in results:
    print(f"  {r['command']:<40} {r['median'] * 1000:8.1f} ms")
PY
