#!/usr/bin/env python3
"""Writes BACI-like bilateral product-level trade records, one gzip-compressed CSV per year.

    gen_baci.py DIR [--years 10] [--rows 2000000] [--exporters 200] [--importers 200]
                    [--products 5000] [--first 2010] [--seed 1] [--plain]

Each file DIR/BACI_Y<year>.csv.gz has the columns of CEPII's BACI: t (year), i (exporter),
j (importer), k (six-digit HS product code, as text: a leading zero is kept), v (value,
thousand USD, three decimals) and q (quantity, tonnes, three decimals, sometimes empty).
Rows are distinct (t, i, j, k) combinations drawn at random, in random order; about a
twentieth of the products start with 85. Values follow a trend per exporter so growth rates
are realistic. --plain writes uncompressed .csv files instead.
"""
import argparse
import gzip
import os
import random


def products(n: int, rng: random.Random) -> list:
    codes = set()
    while len(codes) < n:
        chapter = 85 if rng.random() < 0.05 else rng.randint(1, 97)
        codes.add(f"{chapter:02d}{rng.randint(0, 9999):04d}")
    return sorted(codes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--exporters", type=int, default=200)
    parser.add_argument("--importers", type=int, default=200)
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--first", type=int, default=2010)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--plain", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    codes = products(args.products, rng)
    size = [rng.uniform(0.5, 50.0) for _ in range(args.exporters)]
    trend = [rng.uniform(-0.03, 0.12) for _ in range(args.exporters)]
    os.makedirs(args.dir, exist_ok=True)
    combos = args.exporters * args.importers * len(codes)
    for y in range(args.years):
        year = args.first + y
        picks = rng.sample(range(combos), min(args.rows, combos))
        lines = ["t,i,j,k,v,q\n"]
        for p in picks:
            e, rest = divmod(p, args.importers * len(codes))
            m, c = divmod(rest, len(codes))
            level = size[e] * (1.0 + trend[e]) ** y
            v = level * rng.lognormvariate(0.0, 1.0)
            q = "" if rng.random() < 0.1 else f"{v * rng.uniform(0.01, 2.0):.3f}"
            lines.append(f"{year},{e + 4},{m + 4},{codes[c]},{v:.3f},{q}\n")
        name = os.path.join(args.dir, f"BACI_Y{year}.csv" + ("" if args.plain else ".gz"))
        data = "".join(lines).encode()
        if args.plain:
            with open(name, "wb") as f:
                f.write(data)
        else:
            with gzip.open(name, "wb", compresslevel=6) as f:
                f.write(data)


if __name__ == "__main__":
    main()
