"""Measure table understanding: indicator records, typed values and rule entities, on gold paragraph texts.

    python scripts/tables_eval.py [--gold corpus/written/gold] [--gold corpus/gold] [--json FILE] [--misses N]
                                  [--by-kind]

Runs the rules' table/entity stages — structure on the given paragraph texts, ``indicators.v1``
(:func:`jixiao.structure.extract_indicators`), ``rule_entities.v1`` (:func:`jixiao.rules.entities.annotate_document`)
and ``link_indicators.v1`` (:func:`jixiao.link.link_indicators`), as ``configs/pipeline_rules.yaml`` orders them —
on the gold paragraph texts of every document and scores:

* **indicator records**: a gold record is a table row or a sentence of prose with an INDICATOR and at least one
  TARGET/ACTUAL/SCORE after it (before the next INDICATOR) in the gold entities. A predicted record (``doc.indicators``)
  matches when it sits in the same paragraph and its name equals the gold INDICATOR (spaces, quotes and brackets
  ignored); precision, recall and F1 over records.
* **typed values**: for every TARGET/ACTUAL/SCORE of a gold record, is the predicted record's typed value the one
  the gold text parses to (comparator, number, unit, upper bound; text for qualitative values)? Reported over the
  values of matched records and end to end (over all gold values: a missed record counts as wrong).
* **rule entities**: P/R/F1 per type and money ``value_yuan`` accuracy with :func:`jixiao.evaluation.evaluate`,
  the scorer of ``jixiao eval``.

The written corpus (``corpus/written``) was written by this team, and the table rules were revised while reading it:
its figures are in-sample for those rules. The five seeds (``corpus/gold``) are real reports, but the rules were
also written while reading them.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from jixiao.doc import Document, paragraph_records
from jixiao.evaluation import evaluate, load_gold
from jixiao.link import link_indicators
from jixiao.normalize import parse_value
from jixiao.rules.entities import annotate_document, cells_with_offsets
from jixiao.structure import document_from_paragraphs, extract_indicators

ROOT = Path(__file__).resolve().parent.parent
VALUE_TYPES = {"TARGET": "target", "ACTUAL": "actual", "SCORE": "score"}
TYPES = ("AMOUNT", "UNIT", "INDICATOR", "TARGET", "ACTUAL", "SCORE")


def key(text: str | None) -> str:
    """Comparable form of a name or value text."""
    if text is None:
        return ""
    t = unicodedata.normalize("NFKC", str(text)).replace(">=", "≥").replace("<=", "≤")
    return re.sub(r"[\s“”\"'()（）]", "", t)


def run_rules(doc_id: str, texts: list[str]) -> Document:
    """The rules pipeline's table and entity stages on given paragraph texts."""
    doc = document_from_paragraphs(doc_id, texts)
    extract_indicators(doc)
    annotate_document(doc)
    link_indicators(doc)
    return doc


def _units(text: str) -> list[tuple[int, int]]:
    if "\t" in text:
        return [(0, len(text))]
    cuts = [0] + [m.end() for m in re.finditer(r"[。！？；;]", text)] + [len(text)]
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def gold_records(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Gold indicator records: an INDICATOR followed by TARGET/ACTUAL/SCORE in one table row or sentence."""
    out = []
    for r in records:
        text = r["text"]
        ents = sorted((e[0], e[1], e[2]) for e in r["entities"])
        for a, b in _units(text):
            current = None
            for s, e, typ in ents:
                if not a <= s < b:
                    continue
                if typ == "INDICATOR":
                    current = {"para": r["para"], "name": text[s:e], "target": None, "actual": None,
                               "score": None, "text": text, **_row_context(text, ents)}
                    out.append(current)
                elif typ in VALUE_TYPES and current is not None and current[VALUE_TYPES[typ]] is None:
                    current[VALUE_TYPES[typ]] = text[s:e]
    return [g for g in out if g["target"] or g["actual"] or g["score"]]


def _row_context(text: str, ents: list[tuple[int, int, str]]) -> dict[str, str | None]:
    """A table row's unit cell (计量单位 column, tagged UNIT) and comparator cell (比较符: ≥, ＝), which type its bare
    values: 「≥⇥31600⇥人」 means ≥ 31600 人 though the TARGET span is 「31600」."""
    if "\t" not in text:
        return {"row_unit": None, "row_comparator": None}
    units = {(s, text[s:e]) for s, e, typ in ents if typ == "UNIT"}  # a UNIT span that is a whole cell
    cells = [(a + len(text[a:b]) - len(text[a:b].lstrip()), text[a:b].strip()) for a, b in cells_with_offsets(text)]
    unit = next((c for a, c in cells if (a, c) in units), None)
    comp = next((c for _, c in cells if re.fullmatch(r"[≥≤<>＞＜=＝]", c)), None)
    return {"row_unit": unit, "row_comparator": {"＝": "=", "＞": ">", "＜": "<"}.get(comp, comp)}


def typed(text: str | None) -> tuple | None:
    """What a value means: (comparator, number, unit, upper) or ('text', key) for a qualitative value."""
    if text is None:
        return None
    pv = parse_value(text)
    if pv.value is None:
        return ("text", key(text))
    return (pv.comparator, pv.value.normalize(), pv.unit, pv.upper.normalize() if pv.upper is not None else None)


def pred_typed(rec: Any, field: str) -> tuple | None:
    """The predicted record's typed value (its typed field if it has one, else its string parsed)."""
    tv = getattr(rec, f"{field}_value", None)
    if tv is not None and hasattr(tv, "comparator"):
        if field == "score" and tv.number is not None:
            return (None, tv.number.normalize(), None, None)
        if tv.number is None:
            return ("text", key(tv.text))
        return (tv.comparator, tv.number.normalize(), tv.unit,
                tv.high.normalize() if getattr(tv, "high", None) is not None and tv.comparator == "range" else None)
    raw = getattr(rec, field)
    if raw is None:
        return None
    if field == "score" and isinstance(raw, Decimal):
        return (None, raw.normalize(), None, None)
    return typed(str(raw))


def _score_typed(g: dict[str, Any], field: str) -> tuple | None:
    t = typed(g[field])
    if t is not None and t[0] != "text" and field != "score":  # a bare value typed by its row's unit and comparator cells
        unit, comp = g.get("row_unit"), g.get("row_comparator")
        comp = comp if field == "target" else None
        if (unit and t[2] is None) or (comp and t[0] is None):
            t = typed((comp if comp and t[0] is None else "") + g[field] + (unit if unit and t[2] is None else ""))
    if t is not None and field == "score" and t[0] != "text":
        return (None, t[1], None, None)  # a score's 分 is not part of its value
    return t


def score_records(gold: dict[str, list[dict[str, Any]]], docs: dict[str, Document], misses: list) -> dict[str, Any]:
    tp = fp = fn = 0
    values_total = values_right_matched = values_matched = 0
    typed_pred = 0
    pred_total = 0
    for doc_id, records in gold.items():
        golds = gold_records(records)
        doc = docs[doc_id]
        preds = list(doc.indicators)
        pred_total += len(preds)
        typed_pred += sum(1 for p in preds if any(pred_typed(p, f) is not None and pred_typed(p, f)[0] != "text"
                                                 for f in ("target", "actual", "score")))
        used: set[int] = set()
        for g in golds:
            n_vals = sum(1 for f in VALUE_TYPES.values() if g[f] is not None)
            values_total += n_vals
            match = None
            for i, p in enumerate(preds):
                if i not in used and p.paragraph == g["para"] and key(p.name) == key(g["name"]):
                    match = i
                    break
            if match is None:
                fn += 1
                misses.append({"doc": doc_id, "miss": "record", "gold": {k: g[k] for k in
                               ("para", "name", "target", "actual", "score")}, "text": g["text"][:120]})
                continue
            used.add(match)
            tp += 1
            p = preds[match]
            for f in VALUE_TYPES.values():
                if g[f] is None:
                    continue
                values_matched += 1
                if _score_typed(g, f) == pred_typed(p, f):
                    values_right_matched += 1
                else:
                    misses.append({"doc": doc_id, "miss": f, "gold": g[f], "pred": str(getattr(p, f)),
                                   "text": g["text"][:120]})
        fp += len(preds) - len(used)
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    return {
        "gold_records": tp + fn, "pred_records": pred_total, "matched": tp,
        "precision": round(prec, 3), "recall": round(rec, 3),
        "f1": round(2 * prec * rec / (prec + rec), 3) if prec + rec else 0.0,
        "typed_accuracy_matched": round(values_right_matched / values_matched, 3) if values_matched else None,
        "typed_accuracy_end_to_end": round(values_right_matched / values_total, 3) if values_total else None,
        "gold_values": values_total,
        "pred_records_with_typed_number": typed_pred,
    }


def measure(gold_dir: Path, kinds: dict[str, str] | None = None, misses_out: list | None = None) -> dict[str, Any]:
    gold = load_gold(gold_dir)
    docs = {doc_id: run_rules(doc_id, [r["text"] for r in recs]) for doc_id, recs in gold.items()}
    misses: list = []
    result: dict[str, Any] = {"gold": str(gold_dir), "documents": len(gold)}
    result["records"] = score_records(gold, docs, misses)
    preds = {doc_id: paragraph_records(doc, with_values=True) for doc_id, doc in docs.items()}
    rep = evaluate(gold, preds)
    result["entities"] = {t: {"p": round(s.precision, 3), "r": round(s.recall, 3), "f1": round(s.f1, 3),
                              "support": s.support}
                          for t, s in rep.entities.per_type.items()}
    m = rep.entities.micro
    result["entities"]["micro"] = {"p": round(m.precision, 3), "r": round(m.recall, 3), "f1": round(m.f1, 3),
                                   "support": m.support}
    result["money"] = {"correct": rep.money.correct, "total": rep.money.gold_amounts,
                       "accuracy": round(rep.money.accuracy, 3) if rep.money.accuracy is not None else None}
    if kinds:
        by_kind: dict[str, list[str]] = defaultdict(list)
        for doc_id in gold:
            by_kind[kinds.get(doc_id, "?")].append(doc_id)
        result["by_kind"] = {}
        for kind, ids in sorted(by_kind.items()):
            sub = {d: gold[d] for d in ids}
            result["by_kind"][kind] = score_records(sub, docs, [])
    if misses_out is not None:
        misses_out.extend(misses)
    return result


def render(res: dict[str, Any]) -> str:
    r = res["records"]
    lines = [f"## {res['gold']} ({res['documents']} documents)", "",
             f"indicator records: gold {r['gold_records']}, predicted {r['pred_records']}, matched {r['matched']}: "
             f"P {r['precision']:.3f} R {r['recall']:.3f} F1 {r['f1']:.3f}; typed values right "
             f"{r['typed_accuracy_matched']} of matched, {r['typed_accuracy_end_to_end']} end to end "
             f"({r['gold_values']} gold values); predicted records with a typed number "
             f"{r['pred_records_with_typed_number']}", "",
             "| type | P | R | F1 | support |", "|---|---|---|---|---|"]
    for t in (*TYPES, "micro"):
        e = res["entities"].get(t)
        if e:
            lines.append(f"| {t} | {e['p']:.3f} | {e['r']:.3f} | {e['f1']:.3f} | {e['support']} |")
    mo = res["money"]
    lines.append(f"\nmoney value_yuan accuracy: {mo['accuracy']} ({mo['correct']}/{mo['total']})")
    if "by_kind" in res:
        lines += ["", "| kind | gold records | P | R | F1 | typed (matched) |", "|---|---|---|---|---|---|"]
        for kind, k in res["by_kind"].items():
            lines.append(f"| {kind} | {k['gold_records']} | {k['precision']:.3f} | {k['recall']:.3f} | "
                         f"{k['f1']:.3f} | {k['typed_accuracy_matched']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gold", action="append", type=Path,
                    help="gold folder (repeatable; default corpus/written/gold and corpus/gold)")
    ap.add_argument("--json", type=Path, help="write the figures as JSON")
    ap.add_argument("--misses", type=int, default=0, help="print up to N missed records/values")
    ap.add_argument("--by-kind", action="store_true", help="records per document kind (written corpus)")
    args = ap.parse_args(argv)
    golds = args.gold or [ROOT / "corpus/written/gold", ROOT / "corpus/gold"]
    kinds = None
    docs_json = ROOT / "corpus/written/documents.json"
    if args.by_kind and docs_json.exists():
        kinds = {d["doc_id"]: d["kind"] for d in json.loads(docs_json.read_text(encoding="utf-8"))}
    results = []
    for g in golds:
        misses: list = []
        res = measure(g, kinds if "written" in str(g) else None, misses)
        results.append(res)
        print(render(res))
        for m in misses[: args.misses]:
            print(json.dumps(m, ensure_ascii=False, default=str))
        print()
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
