#!/usr/bin/env bash
# Whole-process timings of tradestat (release build), with hyperfine.
#
#   bench/run.sh            # bundled data and a 10,000-row panel
#   REGIONS=100000 bench/run.sh   # a larger panel (1M rows)
#
# Needs hyperfine (Debian: apt-get install hyperfine) and python3 for the panel generator.
# Prints the median of each job; bench/results.md gets hyperfine's Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."

regions=${REGIONS:-1000}
cargo build --release --locked --quiet
bin=target/release/tradestat
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 bench/gen_panel.py "$regions" --layout wide > "$work/panel.csv"
rows=$(( $(wc -l < "$work/panel.csv") - 1 ))
echo "panel: $regions regions x 10 years = $rows rows ($(du -h "$work/panel.csv" | cut -f1))"

hyperfine --warmup 3 --min-runs 20 --export-markdown bench/results.md --export-json "$work/results.json" \
  -n "growth, bundled table" "$bin growth --format csv --output $work/g.csv" \
  -n "share, bundled table" "$bin share --part cbec --whole trade --format csv --output $work/s.csv" \
  -n "project, bundled table" "$bin project --format csv --output $work/p.csv" \
  -n "panel, bundled table" "$bin panel --part cbec --whole trade --format csv --output $work/pn.csv" \
  -n "growth, $rows-row panel" "$bin growth --data $work/panel.csv --by region --format csv --output $work/gp.csv" \
  -n "share, $rows-row panel" "$bin share --data $work/panel.csv --by region --part cbec --whole trade --format csv --output $work/sp.csv" \
  -n "panel, $rows-row panel" "$bin panel --data $work/panel.csv --by region --part cbec --whole trade --format csv --output $work/pp.csv"

python3 - "$work/results.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
print("\nmedian wall time:")
for r in results:
    print(f"  {r['command']:<40} {r['median'] * 1000:8.1f} ms")
PY
