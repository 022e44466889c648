"""Coverage tables of the written corpus for its datasheet (corpus/written/README.md).

    python scripts/corpus_datasheet.py corpus/written > /tmp/tables.md

Reads corpus/written/documents.json (written by `jixiao labels compile`) and the gold files; prints Markdown:
counts per kind × level, funds, provinces, years, layouts, the planted slips, the totals against the goals,
and how well the raw-text rendering (with its layout debris) re-anchors through `jixiao extract`'s cleaner.
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from jixiao.doc import document_from_raw
from jixiao.evaluation import align_paragraphs
from jixiao.io.readers import read_document
from jixiao.labels.schema import read_label_file
from jixiao.labels.stats import CORPUS_GOALS, corpus_summary
from jixiao.paths import config_path
from jixiao.pipeline import load_pipeline


def table(title: str, counter: Counter, cols: int = 1) -> str:
    rows = sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))
    return f"| {title} | documents |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows) + "\n"


def main(root: Path) -> None:
    docs = json.loads((root / "documents.json").read_text(encoding="utf-8"))
    levels = ("省", "市", "县", "乡镇")
    kinds = Counter(d["kind"] for d in docs)
    print("| kind | " + " | ".join(levels) + " | total | paragraphs | 经验做法 | 存在问题 | 建议 | TARGET | ACTUAL | SCORE |")
    print("|---|" + "---|" * (len(levels) + 8))
    for kind in sorted(kinds, key=lambda k: -kinds[k]):
        ds = [d for d in docs if d["kind"] == kind]
        lv = Counter(d["level"] for d in ds)
        c = Counter()
        for d in ds:
            c.update(d["counts"])
        print(f"| {kind} | " + " | ".join(str(lv.get(x, 0)) for x in levels) + f" | {len(ds)} | {c['paragraphs']} | "
              f"{c['经验做法']} | {c['存在问题']} | {c['建议']} | {c['TARGET']} | {c['ACTUAL']} | {c['SCORE']} |")
    print()
    print(table("fund", Counter(d["fund"] for d in docs)))
    print(table("province", Counter(d["province"] for d in docs)))
    years = Counter(d["year"] for d in docs)
    print("| year | " + " | ".join(str(y) for y in sorted(years)) + " |")
    print("|---|" + "---|" * len(years))
    print("| documents | " + " | ".join(str(years[y]) for y in sorted(years)) + " |\n")
    lay = Counter(t for d in docs for t in d["layout"])
    lay.update(f"table_layout: {d['table_layout']}" for d in docs)
    print(table("layout tag", lay))
    print("| document | kind | planted slip |\n|---|---|---|")
    for d in docs:
        for p in d["planted"]:
            print(f"| {d['doc_id']} | {p['kind']} | {p['description']} |")
    print()
    records = [r for p in sorted((root / "gold").glob("*.jsonl")) for r in read_label_file(p)]
    print(table("theme of 存在问题 paragraphs", Counter(t for r in records for t in r.get("themes", []))))
    summary = corpus_summary(records)
    print("| count | corpus | goal |\n|---|---|---|")
    for k, v in summary.items():
        print(f"| {k} | {v} | {CORPUS_GOALS.get(k, '')} |")
    print()
    pipe = load_pipeline(config_path("pipeline_rules.yaml"))
    hit = total = docs_full = 0
    for d in docs:
        gold = [r["text"] for r in read_label_file(root / "gold" / f"{d['doc_id']}.jsonl")]
        doc = pipe(document_from_raw(read_document(root / "raw" / f"{d['doc_id']}.txt")),
                   disable=("meta", "indicators", "entities", "link", "labels"))
        n = len(align_paragraphs(gold, [p.text for p in doc.paragraphs]))
        hit, total, docs_full = hit + n, total + len(gold), docs_full + (n == len(gold))
    print(f"Raw text through the cleaner: {hit}/{total} gold paragraphs ({hit / total:.1%}) re-anchor exactly or up to "
          f"whitespace; {docs_full}/{len(docs)} documents completely.")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
