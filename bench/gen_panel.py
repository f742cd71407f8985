#!/usr/bin/env python3
"""Writes a deterministic panel of yearly series for benchmarks.

    gen_panel.py REGIONS [--years 10] [--layout wide|long] [--seed 1] [--shuffle] > panel.csv

Wide: region,year,cbec,trade. Long: region,year,series,value. Values follow a noisy
exponential trend per region, so growth rates and shares are realistic. With --shuffle the
rows come in a random (seeded) order, as a file concatenated from many exports would.
"""
import argparse
import random
import sys


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("regions", type=int)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--layout", choices=["wide", "long"], default="wide")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shuffle", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    out = sys.stdout
    write = out.write
    write("region,year,cbec,trade\n" if args.layout == "wide" else "region,year,series,value\n")
    first = 2010
    shuffled = [] if args.shuffle else None
    for r in range(args.regions):
        region = f"r{r:07d}"
        cbec = rng.uniform(0.5, 10.0)
        trade = cbec * rng.uniform(2.0, 6.0)
        g_cbec = rng.uniform(0.05, 0.3)
        g_trade = rng.uniform(-0.02, 0.1)
        rows = []
        for y in range(args.years):
            year = first + y
            if args.layout == "wide":
                rows.append(f"{region},{year},{cbec:.4f},{trade:.4f}\n")
            else:
                rows.append(f"{region},{year},cbec,{cbec:.4f}\n{region},{year},trade,{trade:.4f}\n")
            cbec *= 1.0 + g_cbec + rng.gauss(0.0, 0.03)
            trade *= 1.0 + g_trade + rng.gauss(0.0, 0.02)
        if shuffled is None:
            write("".join(rows))
        else:
            shuffled.extend(rows)
    if shuffled is not None:
        random.Random(args.seed + 1).shuffle(shuffled)
        write("".join(shuffled))


if __name__ == "__main__":
    main()
