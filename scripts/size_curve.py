"""Time of the default pipeline against the size of one document (issue 15): 10 KB … 10 MB.

    python scripts/size_curve.py [--sizes 10e3,100e3,1e6] [--stages]

One document is made by concatenating the distinct written reports (corpus/written/raw) up to the
size in UTF-8 bytes; the pipeline runs in this process (startup excluded); per stage with --stages.
Linear time means a constant µs per KB.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def text_of(size: int) -> str:
    files = sorted((ROOT / "corpus/written/raw").glob("*.txt")) + sorted((ROOT / "corpus/raw").glob("*.txt"))
    parts, n, k = [], 0, 0
    while n < size:
        t = files[k % len(files)].read_text(encoding="utf-8")
        if k >= len(files):
            t = t + f"\n（续 {k}）"
        parts.append(t)
        n += len(t.encode("utf-8")) + 1
        k += 1
    text = "\n".join(parts)
    return text.encode("utf-8")[:size].decode("utf-8", "ignore")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10e3,100e3,1e6,3e6,10e6")
    ap.add_argument("--stages", action="store_true")
    a = ap.parse_args()
    from jixiao.pipeline import document_from_text, load_pipeline

    pipe = load_pipeline()
    pipe(document_from_text(text_of(5000)))  # warm-up
    for size in [int(float(s)) for s in a.sizes.split(",")]:
        doc = document_from_text(text_of(size))
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
