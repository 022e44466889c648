"""Agreement between two annotators of the same paragraphs (ANNOTATION.md §6 records).

- paragraph labels: Cohen's κ per label over the binary decision "has this label", and their mean;
- entities and roles: span F1 with exact boundaries and type, annotator A taken as reference
  (F1 is symmetric), per type and micro;
- a list of disagreements (paragraph, what A said, what B said) to adjudicate.

Paragraphs are paired within each document by their text (exact, in order), so a document edited after
the second annotator received it is compared on the paragraphs both still share; the others are counted.

>>> a = [{"doc_id": "d", "para": 0, "text": "存在问题。", "labels": ["存在问题"], "roles": [[0, 5, "问题"]],
...       "entities": []},
...      {"doc_id": "d", "para": 1, "text": "8684万元", "labels": [], "roles": [],
...       "entities": [[0, 4, "AMOUNT"], [4, 6, "UNIT"]]}]
>>> b = [dict(a[0]), dict(a[1], entities=[[0, 4, "AMOUNT"]])]
>>> r = agreement(a, b)
>>> r["labels"]["存在问题"]["kappa"], r["entities"]["micro"]["f1"], r["roles"]["micro"]["f1"]
(1.0, 0.667, 1.0)
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from jixiao.errors import E_NO_SHARED_TEXT, LabelFileError
from jixiao.schema import ENTITY_TYPES, PARAGRAPH_LABELS, ROLES


def _kappa(x: Sequence[int], y: Sequence[int]) -> float | None:
    n = len(x)
    if n == 0:
        return None
    po = sum(a == b for a, b in zip(x, y)) / n
    px, py = sum(x) / n, sum(y) / n
    pe = px * py + (1 - px) * (1 - py)
    if pe == 1:
        return 1.0 if po == 1 else 0.0
    return round((po - pe) / (1 - pe), 3)


def _prf(ref: set, other: set) -> dict[str, Any]:
    tp = len(ref & other)
    p = tp / len(other) if other else 0.0
    r = tp / len(ref) if ref else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 3), "r": round(r, 3), "f1": round(f, 3), "a": len(ref), "b": len(other)}


def agreement(a: Iterable[dict], b: Iterable[dict]) -> dict[str, Any]:
    """Agreement figures of two annotations of the same paragraphs (see the module doc)."""
    from jixiao.evaluation import align_paragraphs

    docs_a: dict[str, list[dict]] = {}
    docs_b: dict[str, list[dict]] = {}
    for r in a:
        docs_a.setdefault(r["doc_id"], []).append(r)
    for r in b:
        docs_b.setdefault(r["doc_id"], []).append(r)
    ka: dict[tuple[str, int], dict] = {}
    kb: dict[tuple[str, int], dict] = {}
    unpaired = 0
    for doc_id in sorted(set(docs_a) & set(docs_b)):
        ra, rb = docs_a[doc_id], docs_b[doc_id]
        pairs = [(i, j) for i, j, how in align_paragraphs([r["text"] for r in ra], [r["text"] for r in rb])
                 if how == "exact"]
        unpaired += len(rb) - len(pairs)
        for i, j in pairs:
            ka[(doc_id, ra[i]["para"])] = ra[i]
            kb[(doc_id, ra[i]["para"])] = rb[j]
    if not ka and (docs_a or docs_b):
        raise LabelFileError(E_NO_SHARED_TEXT, "the two annotations share no paragraph text")
    keys = sorted(ka)
    out: dict[str, Any] = {"documents": len(set(docs_a) & set(docs_b)), "paragraphs": len(keys),
                           "unpaired_b": unpaired,
                           "labels": {}, "entities": {}, "roles": {}, "disagreements": []}
    kappas = []
    for lab in PARAGRAPH_LABELS:
        x = [int(lab in ka[k]["labels"]) for k in keys]
        y = [int(lab in kb[k]["labels"]) for k in keys]
        kap = _kappa(x, y)
        out["labels"][lab] = {"kappa": kap, "a": sum(x), "b": sum(y), "both": sum(i & j for i, j in zip(x, y))}
        if kap is not None:
            kappas.append(kap)
    out["labels"]["mean_kappa"] = round(sum(kappas) / len(kappas), 3) if kappas else None
    out["labels"]["exact_set_agreement"] = round(
        sum(set(ka[k]["labels"]) == set(kb[k]["labels"]) for k in keys) / len(keys), 3) if keys else None
    for key, types in (("entities", ENTITY_TYPES), ("roles", ROLES)):
        spans_a = {(k, s, e, t) for k in keys for s, e, t in ka[k][key]}
        spans_b = {(k, s, e, t) for k in keys for s, e, t in kb[k][key]}
        for t in types:
            out[key][t] = _prf({x for x in spans_a if x[3] == t}, {x for x in spans_b if x[3] == t})
        out[key]["micro"] = _prf(spans_a, spans_b)
    for k in keys:
        ra, rb = ka[k], kb[k]
        diff = {}
        if set(ra["labels"]) != set(rb["labels"]):
            diff["labels"] = [ra["labels"], rb["labels"]]
        for key in ("entities", "roles"):
            sa = {tuple(x) for x in ra[key]}
            sb = {tuple(x) for x in rb[key]}
            if sa != sb:
                text = ra["text"]
                diff[key] = [[[s, e, t, text[s:e]] for s, e, t in sorted(sa - sb)],
                             [[s, e, t, text[s:e]] for s, e, t in sorted(sb - sa)]]
        if diff:
            out["disagreements"].append({"doc_id": k[0], "para": k[1], "text": ra["text"], **diff})
    return out
