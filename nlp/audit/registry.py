"""Findings and the registry of audit checks.

A check is a small function ``check(view, ctx) -> Iterable[Finding]`` registered under a name
with :func:`register_check`; :data:`CHECKS` maps names to :class:`CheckSpec` (function, kind,
one-line description). ``jixiao audit --check NAME`` runs a subset.

>>> @register_check("demo_never", kind="demo", description="never fires")
... def _demo(view, ctx):
...     return []
>>> CHECKS["demo_never"].kind
'demo'
>>> del CHECKS["demo_never"]
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Iterable

from jixiao.audit.grades import GradeBands, default_bands

#: Kinds of finding (what the finance bureau filters on).
KINDS = ("rate", "sum", "score_sum", "weight_sum", "score_over", "grade", "met", "duplicate")
SEVERITIES = ("error", "warning")


def dec(d: Decimal | None, places: int = 6) -> str | None:
    """A Decimal as plain text, at most ``places`` decimals, no trailing zeros.

    >>> dec(Decimal("94.7916666666")), dec(Decimal("5126.80")), dec(None)
    ('94.791667', '5126.8', None)
    """
    if d is None:
        return None
    q = d.quantize(Decimal(1).scaleb(-places)) if d.as_tuple().exponent < -places else d
    s = format(q, "f")
    return s.rstrip("0").rstrip(".") if "." in s else s


@dataclass
class Finding:
    """One inconsistency: kind, severity, stated vs computed value, tolerance and evidence spans.

    ``evidence`` lists every number involved: ``{"role", "value", "unit", "paragraph", "start",
    "end", "text"}`` with offsets into the paragraph text of the extraction output.
    """

    kind: str
    check: str
    severity: str
    message: str
    stated: str | None = None
    computed: str | None = None
    difference: str | None = None
    tolerance: str | None = None
    tolerance_rule: str = ""
    unit: str | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)
    doc_id: str | None = None
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "source": self.source, "kind": self.kind, "check": self.check,
                "severity": self.severity, "message": self.message, "stated": self.stated,
                "computed": self.computed, "difference": self.difference, "tolerance": self.tolerance,
                "tolerance_rule": self.tolerance_rule, "unit": self.unit, "evidence": self.evidence}

    @property
    def paragraphs(self) -> list[int]:
        return sorted({int(e["paragraph"]) for e in self.evidence if e.get("paragraph") is not None})


@dataclass
class AuditContext:
    """What checks may need besides the document: the grade bands."""

    grades: GradeBands = field(default_factory=default_bands)


CheckFn = Callable[[Any, AuditContext], Iterable[Finding]]


@dataclass(frozen=True)
class CheckSpec:
    name: str
    kind: str
    description: str
    fn: CheckFn


CHECKS: dict[str, CheckSpec] = {}


def register_check(name: str, *, kind: str, description: str) -> Callable[[CheckFn], CheckFn]:
    """Register ``fn`` as audit check ``name`` of finding kind ``kind``."""

    def deco(fn: CheckFn) -> CheckFn:
        CHECKS[name] = CheckSpec(name, kind, description, fn)
        return fn

    return deco


__all__ = ["AuditContext", "CHECKS", "CheckSpec", "Finding", "KINDS", "SEVERITIES", "dec", "register_check"]
