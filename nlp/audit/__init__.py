"""``jixiao audit``: check a report's own arithmetic.

Reads documents of the output contract (the JSONL ``jixiao extract`` writes) and runs the
registered checks (:data:`CHECKS`) over their stated numbers: rates against their numerator and
denominator, parts against totals, scores against their sum, weight and grade band, indicator
status against target and actual, and figures stated twice. Each :class:`Finding` carries the
stated and computed values, the tolerance derived from the stated precision and evidence spans
(paragraph + offsets) for every number involved.

>>> doc = {"doc_id": "d1", "paragraphs": [{"index": 0, "text": "预算86.4万元，实际发放81.9万元，预算执行率96.8%。"}]}
>>> [f.kind for f in audit_document(doc)]
['rate']
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from jixiao.audit import checks as _checks  # noqa: F401  (registers the checks)
from jixiao.audit.grades import GradeBands, default_bands, load_bands
from jixiao.audit.registry import CHECKS, KINDS, AuditContext, Finding, register_check
from jixiao.audit.view import DocView
from jixiao.errors import E_AUDIT, UsageError


def audit_document(doc: Mapping[str, Any], *, checks: Sequence[str] | None = None,
                   grades: GradeBands | None = None) -> list[Finding]:
    """All findings of one extracted document (a dict of the output contract)."""
    names = list(checks) if checks else list(CHECKS)
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise UsageError(E_AUDIT, f"unknown check {', '.join(unknown)}; known: {', '.join(sorted(CHECKS))}")
    view = DocView.from_dict(doc)
    ctx = AuditContext(grades=grades or default_bands())
    out: list[Finding] = []
    seen: set[tuple] = set()
    for name in names:
        for f in CHECKS[name].fn(view, ctx):
            key = (f.kind, tuple(sorted((e["paragraph"], e["start"]) for e in f.evidence)))
            if key in seen:
                continue
            seen.add(key)
            f.doc_id, f.source = view.doc_id, view.source
            out.append(f)
    return out


def audit_documents(docs: Iterable[Mapping[str, Any]], **kwargs: Any) -> list[Finding]:
    """Findings of many documents, in input order."""
    out: list[Finding] = []
    for d in docs:
        out += audit_document(d, **kwargs)
    return out


__all__ = ["CHECKS", "E_AUDIT", "KINDS", "AuditContext", "DocView", "Finding", "GradeBands", "audit_document",
           "audit_documents", "default_bands", "load_bands", "register_check"]
