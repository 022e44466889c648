"""The document model: one ``Document`` flows through the pipeline; stages only add layers.

Offsets are character offsets into ``Paragraph.text`` (ANNOTATION.md §1, §6), end exclusive.
``Document.to_dict()`` is the output contract (schema_version 1) that later tools depend on.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from jixiao.text import MappedText

SCHEMA_VERSION = 1
from jixiao.schema import ENTITY_TYPES, PARAGRAPH_LABELS, ROLES  # noqa: F401  (re-exported)
META_FIELDS = ("title", "region", "region_code", "province", "prefecture", "county", "year", "fund", "unit",
               "report_date", "score", "grade")


@dataclass
class Sentence:
    start: int
    end: int
    role: str | None = None
    role_score: float | None = None


@dataclass
class Entity:
    paragraph: int
    start: int
    end: int
    type: str
    text: str
    value: Decimal | None = None
    unit: str | None = None
    value_yuan: Decimal | None = None
    comparator: str | None = None
    upper: Decimal | None = None  # for ranges such as 105%≤≥95%: value is the lower bound
    source: str = "rules"


@dataclass
class Indicator:
    paragraph: int
    level1: str | None = None
    level2: str | None = None
    name: str | None = None
    target: str | None = None
    actual: str | None = None
    weight: Decimal | None = None
    score: Decimal | None = None
    note: str | None = None
    source: str = "table"  # table (a table row) | prose (entities linked in one clause/paragraph)
    # a prose statement of an indicator already recorded (the narrative restating a table row): the index in
    # ``doc.indicators`` of that record; aggregates count the indicator once (summarize skips repeats)
    repeats: int | None = None
    # Typed values (normalize.TypedValue: text, number, unit, comparator, low, high) and whether the
    # actual meets the target (None where not comparable); filled by structure.type_values.
    target_value: Any = None
    actual_value: Any = None
    weight_value: Any = None
    score_value: Any = None
    met: bool | None = None


@dataclass
class Paragraph:
    index: int
    text: str
    kind: str = "text"  # text | heading | table_row
    heading_level: int | None = None
    section: list[str] = field(default_factory=list)
    table: int | None = None  # table number for table rows
    source_span: tuple[int, int] = (0, 0)
    labels: list[str] = field(default_factory=list)
    label_scores: dict[str, float] = field(default_factory=dict)
    sentences: list[Sentence] = field(default_factory=list)
    mapped: MappedText | None = field(default=None, repr=False)

    @property
    def cells(self) -> list[str]:
        return self.text.split("\t")


@dataclass
class Document:
    doc_id: str
    source: str
    sha256: str
    text: str = ""
    fmt: str = "txt"
    meta: dict[str, Any] = field(default_factory=lambda: {k: None for k in META_FIELDS})
    paragraphs: list[Paragraph] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    table_units: dict[int, str] = field(default_factory=dict)  # table number → header unit

    def to_dict(self) -> dict[str, Any]:
        """The output contract (schema_version 1)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "doc_id": self.doc_id,
            "source": self.source,
            "sha256": self.sha256,
            "meta": {k: _jsonable(self.meta.get(k)) for k in META_FIELDS},
            "paragraphs": [
                {
                    "index": p.index,
                    "section": list(p.section),
                    "kind": p.kind,
                    "heading_level": p.heading_level,
                    "table": p.table,
                    "source_span": list(p.source_span),
                    "text": p.text,
                    "labels": list(p.labels),
                    "label_scores": {k: round(v, 4) for k, v in p.label_scores.items()},
                    "sentences": [
                        {"start": s.start, "end": s.end, "role": s.role} for s in p.sentences
                    ],
                }
                for p in self.paragraphs
            ],
            "entities": [
                {
                    "paragraph": e.paragraph, "start": e.start, "end": e.end, "type": e.type,
                    "text": e.text, "value": _jsonable(e.value), "unit": e.unit,
                    "value_yuan": _jsonable(e.value_yuan), "comparator": e.comparator,
                    "upper": _jsonable(e.upper), "source": e.source,
                }
                for e in self.entities
            ],
            "indicators": [
                {
                    "paragraph": r.paragraph, "level1": r.level1, "level2": r.level2,
                    "name": r.name, "target": r.target, "actual": r.actual,
                    "weight": _jsonable(r.weight), "score": _jsonable(r.score), "note": r.note,
                    "source": r.source, "repeats": r.repeats,
                    "target_value": _typed(r.target_value), "actual_value": _typed(r.actual_value),
                    "weight_value": _typed(r.weight_value), "score_value": _typed(r.score_value),
                    "met": r.met,
                }
                for r in self.indicators
            ],
        }


def _jsonable(v: Any) -> Any:
    """Decimals travel as strings so money stays exact ("86840000")."""
    if isinstance(v, Decimal):
        s = format(v.normalize(), "f") if v == v.to_integral_value() else format(v, "f")
        return s
    return v


def _typed(v: Any) -> Any:
    """A typed value's JSON form (``normalize.TypedValue.to_dict``), or None."""
    return v.to_dict() if v is not None and hasattr(v, "to_dict") else None


def document_from_raw(raw: Any) -> Document:
    """A ``Document`` from a reader's ``RawDocument``."""
    return Document(doc_id=raw.doc_id, source=raw.source, sha256=raw.sha256, text=raw.text, fmt=raw.fmt)


def paragraph_records(doc: Document, with_values: bool = False) -> list[dict[str, Any]]:
    """A processed document as ANNOTATION.md §6 records (one per paragraph).

    ``with_values`` adds each entity's ``value_yuan`` as a fourth element (for evaluation).
    """
    ents: dict[int, list] = {}
    for e in doc.entities:
        ents.setdefault(e.paragraph, []).append(e)
    out = []
    for p in doc.paragraphs:
        out.append({
            "doc_id": doc.doc_id, "para": p.index, "text": p.text, "labels": list(p.labels),
            "roles": [[s.start, s.end, s.role] for s in p.sentences if s.role],
            "entities": [[e.start, e.end, e.type] + ([e.value_yuan] if with_values else []) for e in ents.get(p.index, [])],
        })
    return out
