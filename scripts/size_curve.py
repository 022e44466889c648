"""Time of the default pipeline against the size of one document (issue 15): 10 KB … 10 MB.

    python scripts/size_curve.py [--sizes 10e3,100e3,1e6] [--stages]

One document per size is made as `jixiao bench --archive` makes its curve (jixiao.archive_bench.curve_texts:
distinct bundled reports bound together); the pipeline runs in this process (startup excluded); per stage
with --stages (what `jixiao bench --archive --curve-sizes` adds).
Linear time means a constant µs per KB.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10e3,100e3,1e6,3e6,10e6")
    ap.add_argument("--stages", action="store_true")
    a = ap.parse_args()
    from jixiao.pipeline import document_from_text, load_pipeline

    from jixiao.archive_bench import curve_texts

    sizes = [int(float(s)) for s in a.sizes.split(",")]
    pipe = load_pipeline()
    pipe(document_from_text(curve_texts([5000])[0]))  # warm-up
    for size, text in zip(sizes, curve_texts(sizes)):
        doc = document_from_text(text)
        per: dict[str, float] = {}
        from jixiao.tokenize import clear_caches

        clear_caches()
        t0 = time.perf_counter()
        for name, stage in pipe.stages:
            t = time.perf_counter()
            doc = stage(doc)
            per[name] = time.perf_counter() - t
        total = time.perf_counter() - t0
        line = f"{size / 1e3:>8.0f} KB {len(doc.text):>9,} chars {total:8.2f} s  {total / size * 1e9:7.0f} µs/KB"
        if a.stages:
            line += "  " + " ".join(f"{k}={v:.2f}" for k, v in per.items())
        print(line, flush=True)


if __name__ == "__main__":
    main()
