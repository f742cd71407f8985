"""Polars (Python, lazy) peer of the BACI-like job. Usage: baci_polars.py 'DIR/BACI_Y*.csv.gz' OUT

Per exporter and year: total exports, their YoY growth, the CAGR over the exporter's span,
and the share of products whose code starts with 85 in the total. Explicit schema (k as
text), `.over()` windows, `sink_csv`."""
import glob
import sys

import polars as pl

pattern, out = sys.argv[1], sys.argv[2]
schema = {"t": pl.Int64, "i": pl.String, "j": pl.String, "k": pl.String, "v": pl.Float64, "q": pl.Float64}
files = sorted(glob.glob(pattern))
frames = [pl.scan_csv(f, schema=schema) for f in files]
v, t = pl.col("v"), pl.col("t")
(
    pl.concat(frames)
    .group_by("i", "t")
    .agg(
        v.sum().alias("total"),
        v.filter(pl.col("k").str.starts_with("85")).sum().alias("part"),
    )
    .sort("i", "t")
    .with_columns(
        pl.when((t - t.shift(1).over("i")) == 1)
        .then(pl.col("total") / pl.col("total").shift(1).over("i") - 1)
        .alias("yoy"),
        ((pl.col("total").last() / pl.col("total").first()).pow(1.0 / (t.last() - t.first())) - 1)
        .over("i")
        .alias("cagr"),
        (pl.col("part") / pl.col("total")).alias("share"),
    )
    .select("i", "t", "total", "yoy", "cagr", "share")
    .sink_csv(out)
)
