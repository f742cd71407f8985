#!/usr/bin/env bash
# The same panel job in tradestat, Polars (Python API) and the DuckDB CLI, timed as whole
# processes in one hyperfine run, with peak RSS from /usr/bin/time.
#
#   bench/compare.sh 1000        # 1,000 regions × 10 years = 10,000 rows
#   bench/compare.sh 100000      # 1,000,000 rows
#
# The job: per region, the YoY growth of cbec and trade, cbec's share of trade and the CAGR
# of both, written as CSV to a file. Polars and DuckDB come from PyPI into bench/.venv.
set -euo pipefail
cd "$(dirname "$0")/.."
regions=${1:-1000}
runs=${RUNS:-3}

cargo build --release --locked --quiet
bin=$PWD/target/release/tradestat
if [ ! -x bench/.venv/bin/python ]; then
  python3 -m venv bench/.venv
  bench/.venv/bin/pip install --quiet polars duckdb-cli
fi
py=$PWD/bench/.venv/bin/python
duckdb=$PWD/bench/.venv/bin/duckdb

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/gen_panel.py "$regions" > "$work/panel.csv"
rows=$(( $(wc -l < "$work/panel.csv") - 1 ))

cat > "$work/job.py" <<'PY'
import sys
import polars as pl
src, dst = sys.argv[1], sys.argv[2]
w = "region"
span = pl.col("year").max().over(w) - pl.col("year").min().over(w)
out = (
    pl.scan_csv(src)
    .sort(["region", "year"])
    .with_columns(
        (pl.col("cbec") / pl.col("cbec").shift(1).over(w) - 1).alias("cbec_yoy"),
        (pl.col("trade") / pl.col("trade").shift(1).over(w) - 1).alias("trade_yoy"),
        (pl.col("cbec") / pl.col("trade")).alias("share"),
        ((pl.col("cbec").last().over(w) / pl.col("cbec").first().over(w)) ** (1 / span) - 1).alias("cbec_cagr"),
        ((pl.col("trade").last().over(w) / pl.col("trade").first().over(w)) ** (1 / span) - 1).alias("trade_cagr"),
    )
)
out.sink_csv(dst)
PY
cat > "$work/job.sql" <<SQL
COPY (
  SELECT region, year, cbec, trade,
         cbec / LAG(cbec) OVER w - 1 AS cbec_yoy,
         trade / LAG(trade) OVER w - 1 AS trade_yoy,
         cbec / trade AS share,
         pow(last_value(cbec) OVER u / first_value(cbec) OVER u, 1.0 / (max(year) OVER u - min(year) OVER u)) - 1 AS cbec_cagr,
         pow(last_value(trade) OVER u / first_value(trade) OVER u, 1.0 / (max(year) OVER u - min(year) OVER u)) - 1 AS trade_cagr
  FROM read_csv('$work/panel.csv')
  WINDOW w AS (PARTITION BY region ORDER BY year),
         u AS (PARTITION BY region ORDER BY year ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
  ORDER BY region, year
) TO '$work/duckdb.csv' (HEADER);
SQL

ts="$bin growth --data $work/panel.csv --by region --output $work/g.csv --quiet && $bin share --data $work/panel.csv --by region --part cbec --whole trade --output $work/s.csv --quiet"
pp="$py $work/job.py $work/panel.csv $work/polars.csv"
dd="$duckdb -c \".read $work/job.sql\""

echo "panel: $rows rows"
hyperfine --warmup 1 --runs "$runs" --export-json "$work/times.json" \
  -n tradestat "$ts" -n polars-python "$pp" -n duckdb-cli "$dd"

rss() { /usr/bin/time -f %M sh -c "$1" 2>&1 >/dev/null | tail -1; }
python3 - "$work/times.json" "$rows" "$(rss "$ts")" "$(rss "$pp")" "$(rss "$dd")" <<'PY'
import json, sys
times = json.load(open(sys.argv[1]))["results"]
rows, rss = sys.argv[2], dict(zip(["tradestat", "polars-python", "duckdb-cli"], sys.argv[3:6]))
print(f"\n| tool | rows | median wall (s) | peak RSS (MiB) |\n|---|---:|---:|---:|")
for r in times:
    print(f"| {r['command']} | {int(rows):,} | {r['median']:.3f} | {int(rss[r['command']]) / 1024:.0f} |")
PY
