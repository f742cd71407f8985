#!/usr/bin/env python3
"""Checks that two tools' CSV results agree: the same rows by key, every compared number
equal to a relative 1e-9 (or both empty).

    check_equal.py A.csv B.csv KEY[,KEY…] COL_A=COL_B [COL_A=COL_B …]

KEY names a column present in both files (or `a=b` when the names differ); each COL_A=COL_B
pair compares column COL_A of A with column COL_B of B. Exits 1 with the first difference.
"""
import csv
import math
import sys


def rows(path, keys):
    with open(path, newline="") as f:
        return {tuple(r[k] for k in keys): r for r in csv.DictReader(f)}


def number(text):
    return None if text in ("", "NaN", "nan", "null") else float(text)


def main():
    a_path, b_path, keys = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
    pairs = [p.split("=") for p in sys.argv[4:]]
    key_a = [k.split("=")[0] for k in keys]
    key_b = [k.split("=")[-1] for k in keys]
    a, b = rows(a_path, key_a), rows(b_path, key_b)
    norm = lambda d: {tuple(str(int(float(x))) if x.replace(".", "").isdigit() else x for x in k): v for k, v in d.items()}
    a, b = norm(a), norm(b)
    if a.keys() != b.keys():
        missing = sorted(set(a) ^ set(b))[:3]
        sys.exit(f"different rows: {len(a)} against {len(b)}; e.g. {missing}")
    for key, ra in a.items():
        rb = b[key]
        for ca, cb in pairs:
            x, y = number(ra[ca]), number(rb[cb])
            if x is None or y is None:
                if x is None and y is None:
                    continue
                # An undefined rate is empty in one tool and inf/NaN in another: both undefined.
                other = y if x is None else x
                if math.isfinite(other):
                    sys.exit(f"{key} {ca}/{cb}: {ra[ca]!r} against {rb[cb]!r}")
                continue
            if not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12):
                sys.exit(f"{key} {ca}/{cb}: {x!r} against {y!r}")
    print(f"equal: {len(a)} rows, {len(pairs)} columns compared (relative 1e-9)")


if __name__ == "__main__":
    main()
