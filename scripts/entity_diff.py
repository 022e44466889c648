"""List entity errors of a prediction against gold: missed and spurious spans, grouped by surface text.

    python scripts/entity_diff.py --gold corpus/blind/gold --pred out/extract.jsonl [--type INDICATOR]
                                  [--top 40] [--context 12] [--docs bK01,bK02]

Paragraphs are aligned the way ``jixiao eval`` aligns them (:func:`jixiao.evaluation.align.align_paragraphs`), so
the prediction may come from ``jixiao extract`` on the raw text. A wrong-type or wrong-boundary span counts as one
miss and one spurious span, as in exact-span scoring. For error analysis on *development* text only: reading the
errors of a test set makes it a development set.
"""
from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from pathlib import Path

from jixiao.evaluation import load_gold
from jixiao.evaluation.align import align_paragraphs, clean_pred_spans, map_span, trim
from jixiao.evaluation.predictions import as_paras, load_predictions
from jixiao.schema import ENTITY_TYPES


def diff(gold_dir: Path, pred_path: Path, docs: set[str] | None = None):
    """Yield (kind, type, doc_id, para, text, start, end, gold_types_here) for every error."""
    gold = as_paras(load_gold(gold_dir))
    pred = as_paras(load_predictions(pred_path))
    for doc_id, golds in gold.items():
        if docs and doc_id not in docs:
            continue
        preds = pred.get(doc_id, [])
        pairs = align_paragraphs([g.text for g in golds], [p.text for p in preds])
        for gi, pi, how in pairs:
            g, p = golds[gi], preds[pi]
            kept, _ = clean_pred_spans(p.text, p.entities, ENTITY_TYPES)
            ps = set()
            for s, e, kind, _ in kept:
                mapped = (s, e) if how == "exact" else map_span(p.text, g.text, s, e)
                if mapped:
                    ps.add((*mapped, kind))
            gs = {(*trim(g.text, s, e), kind) for s, e, kind, _ in g.entities}
            for s, e, kind in sorted(gs - ps):
                yield "missed", kind, doc_id, g.para, g.text, s, e
            for s, e, kind in sorted(ps - gs):
                yield "spurious", kind, doc_id, g.para, g.text, s, e


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gold", type=Path, required=True)
    ap.add_argument("--pred", type=Path, required=True)
    ap.add_argument("--type", default=None, help="only this entity type")
    ap.add_argument("--top", type=int, default=40, help="surface strings shown per (error, type)")
    ap.add_argument("--context", type=int, default=12, help="characters of context either side")
    ap.add_argument("--docs", default="", help="comma-separated doc ids")
    args = ap.parse_args()
    docs = {d for d in args.docs.split(",") if d} or None
    groups: dict[tuple[str, str], Counter] = defaultdict(Counter)
    example: dict[tuple[str, str, str], str] = {}
    for err, kind, doc_id, para, text, s, e in diff(args.gold, args.pred, docs):
        if args.type and kind != args.type:
            continue
        surface = text[s:e]
        groups[(err, kind)][surface] += 1
        key = (err, kind, surface)
        if key not in example:
            left = text[max(0, s - args.context):s].replace("\t", "⇥")
            right = text[e:e + args.context].replace("\t", "⇥")
            example[key] = f"{doc_id}#{para}: …{left}[{surface}]{right}…"
    for (err, kind), counter in sorted(groups.items(), key=lambda kv: -sum(kv[1].values())):
        print(f"\n## {err} {kind}: {sum(counter.values())}")
        for surface, n in counter.most_common(args.top):
            print(f"  {n:4d}  {example[(err, kind, surface)]}")


if __name__ == "__main__":
    main()
