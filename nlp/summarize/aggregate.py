"""Long tables from extraction output: sentence rows, experience rows, indicator rows.

Reads the JSON Lines of ``jixiao extract`` (issue 2 output contract, one document per line) and
flattens it into rows an analyst can filter:

- one :class:`SentenceRow` per sentence whose role is 问题, 原因 or 措施 and one per paragraph
  labelled 经验做法 (``label="经验做法"``, the whole paragraph as ``text``);
- one :class:`IndicatorRow` per indicator record, with target and actual parsed into intervals
  (``≥41万人`` → [410000, ∞) 人) and ``met`` = True / False / None (unknown); the values are
  read by :func:`jixiao.normalize.parse_value` and compared by :func:`jixiao.normalize.judge`.

>>> rows = sentence_rows({"doc_id": "d", "meta": {"region": "喀什地区", "year": 2022},
...     "paragraphs": [{"index": 3, "section": "存在问题", "text": "预算编制不准确。受疫情影响。",
...                     "labels": ["存在问题"], "sentences": [
...                         {"start": 0, "end": 8, "role": "问题"},
...                         {"start": 8, "end": 14, "role": "原因"}]}]})
>>> [(r.label, r.text) for r in rows]
[('问题', '预算编制不准确。'), ('原因', '受疫情影响。')]
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from jixiao.errors import InputError, UsageError
from jixiao.normalize import decimal_text, judge, parse_value, value_interval

from jixiao.schema import ROLES  # noqa: E402
EXPERIENCE = "经验做法"
LABELS = ROLES + (EXPERIENCE,)
UNKNOWN = "未知"
SUPPORTED_SCHEMA = 1


# --------------------------------------------------------------------------------------------
# Reading


@dataclass
class LoadResult:
    """Documents read from JSONL files, plus warnings for lines that were skipped."""

    documents: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    duplicates: int = 0


def expand_inputs(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, and ``*.jsonl`` under directories (recursive), sorted and de-duplicated.

    >>> expand_inputs([])  # doctest: +SKIP
    Traceback (most recent call last):
    jixiao.errors.UsageError: E603: no input files ...
    """
    files: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files.extend(sorted(q for q in p.rglob("*.jsonl") if q.is_file()))
        elif p.is_file():
            files.append(p)
        else:
            raise InputError("E600", "input file not found; pass an extraction output "
                                     "(.jsonl) written by `jixiao extract`", path=str(p))
    seen: set[str] = set()
    unique = []
    for f in files:
        key = str(f.resolve())
        if key not in seen:
            seen.add(key)
            unique.append(f)
    if not unique:
        raise UsageError("E603", "no input files: pass one or more .jsonl files (or folders "
                                 "holding them) written by `jixiao extract`")
    return unique


def iter_jsonl(path: Path, warnings: list[str]) -> Iterator[dict[str, Any]]:
    """Documents of one JSONL file; unreadable lines become warnings (E601/E602), not a crash."""
    try:
        handle = path.open(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError("E600", f"cannot read the file ({exc.strerror}); check its "
                                 "permissions", path=str(path)) from exc
    with handle:
        for lineno, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
            except json.JSONDecodeError as exc:
                warnings.append(f"E601: {path}:{lineno}: not valid JSON ({exc.msg}); line skipped "
                                "— re-run `jixiao extract` for this document")
                continue
            problem = check_document(doc)
            if problem:
                warnings.append(f"E602: {path}:{lineno}: {problem}; line skipped")
                continue
            doc.setdefault("source", str(path))
            doc["_file"] = str(path)
            yield doc


def check_document(doc: Any) -> str | None:
    """Why ``doc`` breaks the output contract, or ``None`` when it is usable.

    >>> check_document({"doc_id": "a", "paragraphs": []}) is None
    True
    >>> check_document([1, 2])
    'a document must be a JSON object, got list'
    """
    if not isinstance(doc, dict):
        return f"a document must be a JSON object, got {type(doc).__name__}"
    version = doc.get("schema_version", SUPPORTED_SCHEMA)
    if isinstance(version, int) and version > SUPPORTED_SCHEMA:
        return (f"schema_version {version} is newer than this summarizer understands "
                f"({SUPPORTED_SCHEMA}); upgrade jixiao")
    if not isinstance(doc.get("doc_id"), str) or not doc["doc_id"]:
        return "missing 'doc_id'"
    for key in ("paragraphs", "indicators", "entities"):
        if key in doc and doc[key] is not None and not isinstance(doc[key], list):
            return f"'{key}' must be a list"
    if doc.get("meta") is not None and not isinstance(doc["meta"], dict):
        return "'meta' must be an object"
    return None


def load_documents(paths: Iterable[str | Path]) -> LoadResult:
    """Read every document of the given JSONL files, sorted by (doc_id, source).

    A document seen twice (same ``sha256``, or same ``doc_id`` when there is no hash) is kept
    once, so re-running an extraction into a second file does not double-count it.

    >>> res = load_documents(["tests/fixtures/summarize_docs.jsonl"])  # doctest: +SKIP
    >>> len(res.documents)  # doctest: +SKIP
    8
    """
    files = expand_inputs(paths)
    result = LoadResult(documents=[], inputs=[str(f) for f in files])
    seen: set[str] = set()
    docs = [d for f in files for d in iter_jsonl(f, result.warnings)]
    docs.sort(key=lambda d: (d["doc_id"], str(d.get("source") or ""), d["_file"]))
    for doc in docs:
        key = doc.get("sha256") or doc["doc_id"]
        if key in seen:
            result.duplicates += 1
            continue
        seen.add(key)
        result.documents.append(doc)
    return result


# --------------------------------------------------------------------------------------------
# Metadata and filters


@dataclass(frozen=True)
class DocMeta:
    doc_id: str
    source: str
    title: str | None
    region: str
    year: int | None
    fund: str | None
    unit: str | None
    score: str | None
    grade: str | None


# 「2018年度」「2019」: the first four-digit year in a string
YEAR_RE = re.compile(r"(19|20)\d{2}")


def _year(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    m = YEAR_RE.search(str(value))
    return int(m.group(0)) if m else None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s or None


def doc_meta(doc: dict[str, Any]) -> DocMeta:
    """Normalised metadata of one document (missing region → 「未知」, year as int).

    >>> doc_meta({"doc_id": "a", "meta": {"region": " 张掖市 ", "year": "2023年度"}}).year
    2023
    """
    meta = doc.get("meta") or {}
    score = meta.get("score")
    return DocMeta(
        doc_id=doc["doc_id"],
        source=str(doc.get("source") or ""),
        title=_text(meta.get("title")),
        region=_text(meta.get("region")) or UNKNOWN,
        year=_year(meta.get("year")),
        fund=_text(meta.get("fund")),
        unit=_text(meta.get("unit")),
        score=None if score is None else str(score),
        grade=_text(meta.get("grade")),
    )


@dataclass(frozen=True)
class Filters:
    """Row filters; ``None`` keeps everything. Region and fund match as substrings.

    >>> Filters(region="喀什").keeps_doc(doc_meta({"doc_id": "a", "meta": {"region": "喀什地区"}}))
    True
    """

    region: str | None = None
    year: int | None = None
    fund: str | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        if self.label is not None and self.label not in LABELS:
            raise UsageError("E604", f"unknown label {self.label!r}; use one of "
                                     f"{', '.join(LABELS)}")

    def keeps_doc(self, meta: DocMeta) -> bool:
        if self.region and self.region not in meta.region:
            return False
        if self.year is not None and meta.year != self.year:
            return False
        if self.fund and self.fund not in (meta.fund or "") and self.fund not in (meta.title or ""):
            return False
        return True

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --------------------------------------------------------------------------------------------
# Sentence rows


@dataclass(frozen=True)
class SentenceRow:
    """One 问题/原因/措施 sentence, or one 经验做法 paragraph (then start=0, end=len)."""

    row_id: str
    doc_id: str
    source: str
    region: str
    year: int | None
    fund: str | None
    section: str | None
    paragraph: int
    sentence: int
    start: int
    end: int
    label: str
    text: str
    paragraph_labels: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["paragraph_labels"] = list(self.paragraph_labels)
        return d


def _section(value: Any) -> str | None:
    if isinstance(value, (list, tuple)):
        parts = [str(v).strip() for v in value if str(v).strip()]
        return " > ".join(parts) or None
    return _text(value)


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def sentence_rows(doc: dict[str, Any]) -> list[SentenceRow]:
    """Rows for one document: role sentences and 经验做法 paragraphs, in reading order.

    Example: see the module docstring.
    """
    meta = doc_meta(doc)
    rows: list[SentenceRow] = []
    for pos, para in enumerate(doc.get("paragraphs") or []):
        if not isinstance(para, dict):
            continue
        text = str(para.get("text") or "")
        index = _int(para.get("index"), pos)
        labels = tuple(sorted(str(x) for x in (para.get("labels") or [])))
        section = _section(para.get("section"))

        def row(label: str, n: int, start: int, end: int, body: str,
                index: int = index, section: str | None = section,
                labels: tuple[str, ...] = labels) -> SentenceRow:
            return SentenceRow(
                row_id=f"{meta.doc_id}:{index}:{start}", doc_id=meta.doc_id, source=meta.source,
                region=meta.region, year=meta.year, fund=meta.fund, section=section,
                paragraph=index, sentence=n, start=start, end=end, label=label, text=body,
                paragraph_labels=labels)

        if EXPERIENCE in labels and text.strip():
            rows.append(row(EXPERIENCE, -1, 0, len(text), text.strip()))
        sentences = [s for s in (para.get("sentences") or []) if isinstance(s, dict)]
        sentences.sort(key=lambda s: (_int(s.get("start"), 0), _int(s.get("end"), 0)))
        for n, sent in enumerate(sentences):
            role = sent.get("role")
            if role not in ROLES:
                continue
            start, end = _int(sent.get("start"), 0), _int(sent.get("end"), len(text))
            body = text[max(start, 0):min(end, len(text))].strip()
            if body:
                rows.append(row(role, n, start, end, body))
    return rows


# --------------------------------------------------------------------------------------------
# Indicator rows


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator record with the parsed target/actual and whether the target was met."""

    doc_id: str
    source: str
    region: str
    year: int | None
    fund: str | None
    paragraph: int | None
    level1: str | None
    level2: str | None
    name: str | None
    target: str | None
    actual: str | None
    unit: str | None
    target_range: str | None
    actual_value: str | None
    met: bool | None
    met_reason: str
    weight: str | None
    score: str | None
    note: str | None
    origin: str | None = None  # the record's source in extract.jsonl: table (a table row) or prose

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_score(value: Any) -> str | None:
    """Score or weight as a plain decimal string, or the raw text when it is not a number.

    >>> parse_score("4.91分"), parse_score(5), parse_score(None), parse_score("≥4分")
    ('4.91', '5', None, '≥4分')
    """
    if value is None or isinstance(value, bool):
        return None
    pv = parse_value(value)
    if pv.value is None or pv.comparator is not None or pv.unit not in (None, "分"):
        return _text(unicodedata.normalize("NFKC", str(value)))
    return decimal_text(pv.value)


def indicator_rows(doc: dict[str, Any]) -> list[IndicatorRow]:
    """Indicator rows of one document, with ``met`` from the parsed comparators.

    >>> rows = indicator_rows({"doc_id": "d", "indicators": [
    ...     {"name": "参保人数", "target": "≥41万人", "actual": "40.28万人"}]})
    >>> rows[0].met, rows[0].target_range, rows[0].actual_value
    (False, '[410000, ∞) 人', '402800人')
    """
    meta = doc_meta(doc)
    rows = []
    for rec in doc.get("indicators") or []:
        if not isinstance(rec, dict):
            continue
        target, actual = _text(rec.get("target")), _text(rec.get("actual"))
        t = value_interval(target, role="target")
        a = value_interval(actual, role="actual")
        met, reason = judge(t, a)
        para = rec.get("paragraph")
        rows.append(IndicatorRow(
            doc_id=meta.doc_id, source=meta.source, region=meta.region, year=meta.year,
            fund=meta.fund, paragraph=None if para is None else _int(para, -1),
            level1=_text(rec.get("level1")), level2=_text(rec.get("level2")),
            name=_text(rec.get("name")), target=target, actual=actual,
            unit=(t.unit if t else None) or (a.unit if a else None) or None,
            target_range=t.describe() if t else None,
            actual_value=a.describe() if a else None,
            met=met, met_reason=reason, weight=parse_score(rec.get("weight")),
            score=parse_score(rec.get("score")), note=_text(rec.get("note")),
            origin=_text(rec.get("source"))))
    return rows


# --------------------------------------------------------------------------------------------
# Aggregation


@dataclass
class Aggregate:
    """The long tables for a set of documents after filtering."""

    documents: list[DocMeta]
    rows: list[SentenceRow]          # label-filtered rows: the table users see
    context_rows: list[SentenceRow]  # all role rows of kept documents (for cause/measure links)
    indicators: list[IndicatorRow]
    filters: Filters


def aggregate(documents: Iterable[dict[str, Any]], filters: Filters | None = None) -> Aggregate:
    """Filter documents by region/year/fund and build the long tables.

    ``filters.label`` narrows the sentence table only; causes and measures stay available as
    context for linking them to problems.

    >>> agg = aggregate([{"doc_id": "a", "meta": {"region": "张掖市", "year": 2023},
    ...     "paragraphs": [{"index": 0, "text": "预算编制不准确。", "labels": ["存在问题"],
    ...                     "sentences": [{"start": 0, "end": 8, "role": "问题"}]}]}],
    ...     Filters(year=2022))
    >>> len(agg.rows), len(agg.documents)
    (0, 0)
    """
    filters = filters or Filters()
    kept_meta: list[DocMeta] = []
    context: list[SentenceRow] = []
    indicators: list[IndicatorRow] = []
    for doc in documents:
        meta = doc_meta(doc)
        if not filters.keeps_doc(meta):
            continue
        kept_meta.append(meta)
        context.extend(sentence_rows(doc))
        indicators.extend(indicator_rows(doc))
    rows = [r for r in context if filters.label is None or r.label == filters.label]
    return Aggregate(kept_meta, rows, context, indicators, filters)


__all__ = [
    "Aggregate", "DocMeta", "Filters", "IndicatorRow", "LoadResult", "SentenceRow", "aggregate",
    "check_document", "doc_meta", "expand_inputs", "indicator_rows", "load_documents",
    "parse_score", "sentence_rows",
]
