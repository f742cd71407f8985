#!/usr/bin/env bash
# The same panel job in tradestat, Polars (Python API) and the DuckDB CLI, timed as whole
# processes in one hyperfine run per size, with peak RSS from /usr/bin/time; plus a tiny job
# (the bundled 10-value table) for start-up, where Miller joins if it is installed.
#
#   bench/compare.sh                      # 1,000 regions × 10 years = 10,000 rows
#   bench/compare.sh 1000 100000 1000000  # 1e4, 1e6 and 1e7 rows (the table in README.md)
#   RUNS=5 bench/compare.sh 100000        # more runs (default 3)
#   SHUFFLE=1 bench/compare.sh 1000000    # the same panels with their rows in random order
#   bench/compare.sh baci 10 2000000      # the BACI-like detail job: 10 yearly .csv.gz files
#                                         # of 2,000,000 records each (see gen_baci.py)
#   BIN=path/to/tradestat bench/compare.sh  # a given binary instead of building one
#
# The job: per region, the YoY growth of cbec and trade, cbec's share of trade and the CAGR
# of both, written as CSV to a file. tradestat does it with `panel` (one row per region and
# year, as the others write it) and, for comparison, as `growth` then `share` (two processes,
# long output with more columns); Polars with `scan_csv` … `.over("region")` … `sink_csv`;
# DuckDB with `LAG() OVER (PARTITION BY region ORDER BY year)` … `COPY`.
# Polars and DuckDB come from PyPI into bench/.venv. Output goes to a directory on the same
# disk as the input (mktemp -d; set TMPDIR to choose another).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
[ $# -eq 0 ] && set -- 1000

if [ -z "${BIN:-}" ]; then
  cargo build --release --locked --quiet
fi
bin=${BIN:-${CARGO_TARGET_DIR:-$PWD/target}/release/tradestat}
if [ ! -x bench/.venv/bin/python ]; then
  python3 -m venv bench/.venv
  bench/.venv/bin/pip install --quiet polars duckdb-cli
fi
py=$PWD/bench/.venv/bin/python
duckdb=$PWD/bench/.venv/bin/duckdb

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

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
job_sql() {
  cat <<SQL
COPY (
  SELECT region, year, cbec, trade,
         cbec / LAG(cbec) OVER w - 1 AS cbec_yoy,
         trade / LAG(trade) OVER w - 1 AS trade_yoy,
         cbec / trade AS share,
         pow(last_value(cbec) OVER u / first_value(cbec) OVER u, 1.0 / (max(year) OVER u - min(year) OVER u)) - 1 AS cbec_cagr,
         pow(last_value(trade) OVER u / first_value(trade) OVER u, 1.0 / (max(year) OVER u - min(year) OVER u)) - 1 AS trade_cagr
  FROM read_csv('$1')
  WINDOW w AS (PARTITION BY region ORDER BY year),
         u AS (PARTITION BY region ORDER BY year ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
  ORDER BY region, year
) TO '$2' (HEADER);
SQL
}

rss() { /usr/bin/time -f %M sh -c "$1" 2>&1 >/dev/null | tail -1; }
report() { # times.json rows name=command...
  local json=$1 rows=$2
  shift 2
  local args=()
  for named in "$@"; do args+=("${named%%=*}" "$(rss "${named#*=}")"); done
  python3 - "$json" "$rows" "${args[@]}" <<'PY'
import json, sys
times = json.load(open(sys.argv[1]))["results"]
rows, rest = sys.argv[2], sys.argv[3:]
rss = dict(zip(rest[0::2], rest[1::2]))
for r in times:
    print(f"| {r['command']} | {int(rows):,} | {r['median']:.3f} | {len(r['times'])} | {int(rss[r['command']]) / 1024:.0f} |")
PY
}

table="$work/table.md"
echo "| tool | rows | median wall (s) | runs | peak RSS (MiB) |" > "$table"
echo "|---|---:|---:|---:|---:|" >> "$table"

# The BACI-like detail job: per exporter and year, total exports, their YoY growth, the CAGR
# over the span and the share of products starting with 85, from gzip files one per year.
# Peers: bench/baci_polars.py (Polars, lazy) and the DuckDB query below; every tool's output
# is checked against tradestat's to a relative 1e-9 (bench/check_equal.py).
if [ "${1:-}" = baci ]; then
  years=${2:-10} per_year=${3:-2000000}
  python3 bench/gen_baci.py "$work/baci" --years "$years" --rows "$per_year"
  rows=$(( years * per_year ))
  files="$work/baci/BACI_Y*.csv.gz"
  cat > "$work/baci.sql" <<SQL
COPY (
  WITH s AS (
    SELECT i, t, sum(v) AS total, coalesce(sum(v) FILTER (WHERE starts_with(k, '85')), 0) AS part
    FROM read_csv('$files', header = true,
      columns = {'t':'BIGINT','i':'VARCHAR','j':'VARCHAR','k':'VARCHAR','v':'DOUBLE','q':'DOUBLE'})
    GROUP BY i, t)
  SELECT i, t, total,
    CASE WHEN t - LAG(t) OVER w = 1 THEN total / LAG(total) OVER w - 1 END AS yoy,
    POW(arg_max(total, t) OVER g / arg_min(total, t) OVER g, 1.0 / (max(t) OVER g - min(t) OVER g)) - 1 AS cagr,
    part / total AS share
  FROM s WINDOW w AS (PARTITION BY i ORDER BY t), g AS (PARTITION BY i)
  ORDER BY i, t) TO '$work/baci-duckdb.csv' (HEADER, DELIMITER ',');
SQL
  ts="$bin panel --data '$files' --year-col t --value-col v --sum-by i --part-where 'k=85*' --output $work/baci-ts.csv --quiet"
  pp="$py bench/baci_polars.py '$files' $work/baci-polars.csv"
  dd="$duckdb -c \".read $work/baci.sql\""
  echo "BACI-like: $rows records in $years files ($(du -ch $work/baci/*.gz | tail -1 | cut -f1) gzip)"
  hyperfine --warmup 1 --runs "$runs" --prepare sync --export-json "$work/times.json" \
    -n tradestat "$ts" -n polars-python "$pp" -n duckdb-cli "$dd"
  report "$work/times.json" "$rows" tradestat="$ts" polars-python="$pp" duckdb-cli="$dd" >> "$table"
  for peer in polars duckdb; do
    python3 bench/check_equal.py "$work/baci-ts.csv" "$work/baci-$peer.csv" i,year=t \
      v=total v_yoy=yoy v_cagr=cagr share=share
  done
  echo
  cat "$table"
  exit 0
fi

# Start-up: the same job on a 5-row wide file in every tool.
printf 'region,year,cbec,trade\nchina,2015,5.4,24.6\nchina,2016,6.7,24.2\nchina,2017,8.06,27.8\nchina,2018,9.7,30.5\nchina,2019,10.8,31.54\n' > "$work/tiny.csv"
job_sql "$work/tiny.csv" "$work/tiny-duckdb.csv" > "$work/tiny.sql"
tiny_ts="$bin panel --data $work/tiny.csv --by region --part cbec --whole trade --output $work/tiny-p.csv --quiet"
tiny_pp="$py $work/job.py $work/tiny.csv $work/tiny-polars.csv"
tiny_dd="$duckdb -c \".read $work/tiny.sql\""
tiny_mlr="mlr --icsv --ocsv step -a shift_lag,ratio -f cbec,trade -g region then put '\$share = \$cbec / \$trade' $work/tiny.csv > $work/tiny-mlr.csv"
tiny=(-n tradestat "$tiny_ts" -n polars-python "$tiny_pp" -n duckdb-cli "$tiny_dd")
tiny_rss=(tradestat="$tiny_ts" polars-python="$tiny_pp" duckdb-cli="$tiny_dd")
if command -v mlr > /dev/null; then
  tiny+=(-n miller "$tiny_mlr")
  tiny_rss+=(miller="$tiny_mlr")
fi
echo "tiny job (bundled table)"
hyperfine --warmup 3 --min-runs 20 --export-json "$work/tiny.json" "${tiny[@]}"
report "$work/tiny.json" 10 "${tiny_rss[@]}" >> "$table"

for regions in "$@"; do
  python3 bench/gen_panel.py "$regions" ${SHUFFLE:+--shuffle} > "$work/panel.csv"
  rows=$(( $(wc -l < "$work/panel.csv") - 1 ))
  job_sql "$work/panel.csv" "$work/duckdb.csv" > "$work/job.sql"
  ts="$bin panel --data $work/panel.csv --by region --part cbec --whole trade --output $work/p.csv --quiet"
  ts2="$bin growth --data $work/panel.csv --by region --output $work/g.csv --quiet && $bin share --data $work/panel.csv --by region --part cbec --whole trade --output $work/s.csv --quiet"
  pp="$py $work/job.py $work/panel.csv $work/polars.csv"
  dd="$duckdb -c \".read $work/job.sql\""
  echo "panel: $rows rows ($(du -h "$work/panel.csv" | cut -f1))"
  # `sync` before each run: the previous run's output is on disk, not in dirty pages whose
  # write-back would slow down whoever runs next.
  hyperfine --warmup 1 --runs "$runs" --prepare sync --export-json "$work/times.json" \
    -n tradestat "$ts" -n tradestat-growth+share "$ts2" -n polars-python "$pp" -n duckdb-cli "$dd"
  report "$work/times.json" "$rows" tradestat="$ts" tradestat-growth+share="$ts2" \
    polars-python="$pp" duckdb-cli="$dd" >> "$table"
  rm -f "$work"/*.csv
done
echo
cat "$table"
