"""Precision and recall of the audit on documents with planted slips (``documents.json`` ``planted``).

The evaluation set is every document with planted slips plus as many consistent documents (no
planted slip), one of the same kind of report for each planted document, taken in ``doc_id``
order. A finding counts as correct when its document has a planted slip of the same kind; a
planted slip counts as found when its document has at least one finding of its kind. Kinds that
are never planted (score_over, weight_sum, met, duplicate) are counted, not scored.

>>> docs = [{"doc_id": "a", "kind": "K", "planted": [{"kind": "rate"}]}, {"doc_id": "b", "kind": "K", "planted": []}]
>>> evaluation_set(docs)
(['a'], ['b'])
>>> m = planted_metrics({"a": [{"kind": "rate"}], "b": [{"kind": "rate"}]}, docs, ["a", "b"])
>>> m["per_kind"]["rate"]["precision"], m["per_kind"]["rate"]["recall"]
(0.5, 1.0)
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Mapping, Sequence

PLANTED_KINDS = ("rate", "sum", "score_sum", "grade")


def evaluation_set(documents: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[str]]:
    """(planted doc ids, matched consistent doc ids): one consistent document of the same kind per planted one."""
    docs = sorted(documents, key=lambda d: d["doc_id"])
    planted = [d for d in docs if d.get("planted")]
    pool = [d for d in docs if not d.get("planted")]
    chosen: list[str] = []
    for p in planted:
        same = [d for d in pool if d.get("kind") == p.get("kind") and d["doc_id"] not in chosen]
        pick = same[0] if same else next((d for d in pool if d["doc_id"] not in chosen), None)
        if pick is not None:
            chosen.append(pick["doc_id"])
    return [d["doc_id"] for d in planted], sorted(chosen)


def _ratio(a: int, b: int) -> float | None:
    return None if b == 0 else round(a / b, 4)


def planted_metrics(findings: Mapping[str, Sequence[Mapping[str, Any]]], documents: Sequence[Mapping[str, Any]],
                    doc_ids: Sequence[str]) -> dict[str, Any]:
    """Per kind: planted, found, findings, correct findings, precision, recall (over ``doc_ids``)."""
    by_id = {d["doc_id"]: d for d in documents}
    per: dict[str, dict[str, Any]] = {}
    other: Counter = Counter()
    for kind in PLANTED_KINDS:
        planted = found = n_find = correct = 0
        for did in doc_ids:
            kinds = [p["kind"] for p in by_id[did].get("planted") or []]
            fk = [f for f in findings.get(did, []) if f["kind"] == kind]
            if kind in kinds:
                planted += kinds.count(kind)
                found += min(kinds.count(kind), 1 if fk else 0)
                correct += len(fk)
            n_find += len(fk)
        per[kind] = {"planted": planted, "found": found, "findings": n_find, "correct_findings": correct,
                     "precision": _ratio(correct, n_find), "recall": _ratio(found, planted)}
    for did in doc_ids:
        for f in findings.get(did, []):
            if f["kind"] not in PLANTED_KINDS:
                other[f["kind"]] += 1
    tot = {k: sum(v[k] for v in per.values()) for k in ("planted", "found", "findings", "correct_findings")}
    tot["precision"] = _ratio(tot["correct_findings"], tot["findings"])
    tot["recall"] = _ratio(tot["found"], tot["planted"])
    return {"documents": len(doc_ids), "per_kind": per, "all_planted_kinds": tot,
            "unplanted_kinds_findings": dict(sorted(other.items()))}


__all__ = ["PLANTED_KINDS", "evaluation_set", "planted_metrics"]
