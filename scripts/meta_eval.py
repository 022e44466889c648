"""Measure the metadata stage (region, province, year) on the written corpus and the five real seeds.

    python scripts/meta_eval.py [corpus/written] [--misses] [--json FILE] [--drop-head N]

Runs read + clean + structure + meta (the first two stages of `jixiao extract`) over every document listed in
``corpus/written/documents.json`` and over ``corpus/raw/*.txt``, and compares with the documented answers:

* **region found**: the region the document is about (``region`` in documents.json) is what ``meta`` names: it
  occurs in ``meta.region`` (the text's wording) or equals the gazetteer's county/prefecture/province name;
  **found where named** counts only the documents whose text still names that region (the goal's measure);
* **province correct**: ``meta.province`` equals the documented province (full official name);
* **year correct**: ``meta.year`` equals the documented year evaluated.

``--drop-head N`` removes each document's first N non-empty lines (its title, mostly) before reading it: a harder
run where the region and year must come from form fields, unit names and the body, as in excerpts without a title.

The written corpus was written by this team, so these are development figures on written text, not a test on
unseen reports. The seeds' answers below were judged by hand from their title, form fields and first pages.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from jixiao.doc import document_from_raw
from jixiao.io.readers import read_document
from jixiao.pipeline import Pipeline, load_pipeline

ROOT = Path(__file__).resolve().parent.parent

# The five real seeds, judged by hand (title, 实施单位, first paragraphs): region as named, province, year evaluated.
SEEDS = {
    "000_3ae7e199f53c681b": {"region": "和硕县", "province": "新疆维吾尔自治区", "year": 2018,
                             "kind": "seed", "level": "县"},
    "001_1d3965113ca8330b": {"region": "达川区", "province": "四川省", "year": 2018, "kind": "seed", "level": "县"},
    "002_6c2e0d7d5db5f9a8": {"region": "喀什地区", "province": "新疆维吾尔自治区", "year": 2022,
                             "kind": "seed", "level": "市"},
    "003_4b816f501919dc28": {"region": "自治区本级", "province": "新疆维吾尔自治区", "year": 2019,
                             "kind": "seed", "level": "省"},
    "004_8529412d41590b31": {"region": "张掖市", "province": "甘肃省", "year": 2023, "kind": "seed", "level": "市"},
}


def meta_pipeline() -> Pipeline:
    """The structure and meta stages of the default pipeline (no model is loaded)."""
    with tempfile.TemporaryDirectory() as tmp:
        manifest = Path(tmp) / "meta.json"
        manifest.write_text(json.dumps({"stages": [{"name": "structure", "type": "structure.v1"},
                                                   {"name": "meta", "type": "meta.v1"}]}), "utf-8")
        return load_pipeline(manifest)


def region_found(expected: str, meta: dict) -> bool:
    """The documented region is named: in the text's wording, or as the gazetteer's division name."""
    names = {meta.get(k) for k in ("province", "prefecture", "county")} - {None}
    return bool(meta.get("region")) and (expected in meta["region"] or expected in names)


def evaluate(items: list[tuple[Path, dict]], pipe: Pipeline, drop_head: int = 0) -> list[dict]:
    rows = []
    for path, truth in items:
        raw = read_document(path)
        if drop_head:
            lines = raw.text.split("\n")
            keep = [i for i, t in enumerate(lines) if t.strip()][drop_head:]
            raw = dataclasses.replace(raw, text="\n".join(lines[keep[0]:]) if keep else "")
        doc = pipe(document_from_raw(raw))
        m = doc.meta
        rows.append({
            "doc_id": path.stem, "kind": truth["kind"], "level": truth.get("level"),
            "expected": {k: truth[k] for k in ("region", "province", "year")},
            "got": {k: m.get(k) for k in ("region", "region_code", "province", "prefecture", "county", "year")},
            "region_found": region_found(truth["region"], m),
            "named": truth["region"] in raw.text,
            "province_correct": m.get("province") == truth["province"],
            "year_correct": m.get("year") == truth["year"],
        })
    return rows


def table(rows: list[dict], key: str) -> str:
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        groups[str(r[key])].append(r)
    lines = [f"| {key} | n | region found | found where named | province correct | year correct |",
             "|---|---|---|---|---|---|"]

    def frac(k: int, n: int) -> str:
        return f"{k}/{n} ({k / n:.3f})" if n else "–"

    for name, rs in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])) + [("**all**", rows)]:
        named = [r for r in rs if r["named"]]
        cells = [frac(sum(r["region_found"] for r in rs), len(rs)),
                 frac(sum(r["region_found"] for r in named), len(named)),
                 frac(sum(r["province_correct"] for r in rs), len(rs)),
                 frac(sum(r["year_correct"] for r in rs), len(rs))]
        lines.append(f"| {name} | {len(rs)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("written", nargs="?", default=str(ROOT / "corpus" / "written"))
    ap.add_argument("--seeds", default=str(ROOT / "corpus" / "raw"))
    ap.add_argument("--misses", action="store_true", help="list every document with a miss")
    ap.add_argument("--json", help="also write the per-document rows here")
    ap.add_argument("--drop-head", type=int, default=0, help="drop each document's first N non-empty lines")
    args = ap.parse_args(argv)
    written = Path(args.written)
    docs = json.loads((written / "documents.json").read_text("utf-8"))
    items = [(written / "raw" / f"{d['doc_id']}.txt", d) for d in docs]
    seeds = [(Path(args.seeds) / f"{k}.txt", v) for k, v in SEEDS.items() if (Path(args.seeds) / f"{k}.txt").exists()]
    pipe = meta_pipeline()
    w_rows, s_rows = evaluate(items, pipe, args.drop_head), evaluate(seeds, pipe, args.drop_head)
    dropped = f", first {args.drop_head} non-empty line(s) removed" if args.drop_head else ""
    print(f"## Written corpus ({len(w_rows)} documents{dropped}; development figures on text written by this team)\n")
    print(table(w_rows, "kind") + "\n")
    print(table(w_rows, "level") + "\n")
    print(f"## Real seeds ({len(s_rows)} documents, answers judged by hand)\n")
    print(table(s_rows, "kind") + "\n")
    if args.misses:
        for r in w_rows + s_rows:
            if not (r["region_found"] and r["province_correct"] and r["year_correct"]):
                print(f"MISS {r['doc_id']} {r['kind']}: expected {r['expected']} got {r['got']}")
    if args.json:
        Path(args.json).write_text(json.dumps(w_rows + s_rows, ensure_ascii=False, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
