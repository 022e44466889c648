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

from jixiao.errors import (
    E_SUMMARY_GROUPING, E_SUMMARY_INPUT, E_SUMMARY_JSON, E_SUMMARY_LABEL, E_SUMMARY_LINE, E_SUMMARY_NO_DOCS,
    E_SUMMARY_NO_INPUT, E_SUMMARY_REGION, InputError, UsageError,
)
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
            raise InputError(E_SUMMARY_INPUT, "input file not found; pass an extraction output "
                                     "(.jsonl) written by `jixiao extract`", path=str(p))
    seen: set[str] = set()
    unique = []
    for f in files:
        key = str(f.resolve())
        if key not in seen:
            seen.add(key)
            unique.append(f)
    if not unique:
        raise UsageError(E_SUMMARY_NO_INPUT, "no input files: pass one or more .jsonl files (or folders "
                                 "holding them) written by `jixiao extract`")
    return unique


def iter_jsonl(path: Path, warnings: list[str]) -> Iterator[dict[str, Any]]:
    """Documents of one JSONL file; unreadable lines become warnings (E601/E602), not a crash."""
    try:
        handle = path.open(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(E_SUMMARY_INPUT, f"cannot read the file ({exc.strerror}); check its "
                                 "permissions", path=str(path)) from exc
    with handle:
        lines = enumerate(handle, 1)
        while True:
            try:
                lineno, line = next(lines)
            except StopIteration:
                break
            except UnicodeDecodeError:  # binary, or text in another encoding: not an extraction output
                raise InputError(E_SUMMARY_INPUT, "not UTF-8 text, so not an extraction output; pass the "
                                         "extract.jsonl written by `jixiao extract`", path=str(path)) from None
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
            except RecursionError:
                warnings.append(f"{E_SUMMARY_JSON}: {path}:{lineno}: JSON nested too deeply; line skipped")
                continue
            except json.JSONDecodeError as exc:
                warnings.append(f"{E_SUMMARY_JSON}: {path}:{lineno}: not valid JSON ({exc.msg}); line skipped "
                                "— re-run `jixiao extract` for this document")
                continue
            problem = check_document(doc)
            if problem:
                warnings.append(f"{E_SUMMARY_LINE}: {path}:{lineno}: {problem}; line skipped")
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
    for i, para in enumerate(doc.get("paragraphs") or []):  # issue 18: `labels: 5` was a TypeError
        if not isinstance(para, dict):
            return f"paragraph {i} must be an object"
        for key in ("labels", "sentences"):
            if para.get(key) is not None and not isinstance(para[key], list):
                return f"paragraph {i}: '{key}' must be a list, got {type(para[key]).__name__}"
        if para.get("text") is not None and not isinstance(para["text"], str):
            return f"paragraph {i}: 'text' must be a string"
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
    if not docs:  # an empty, binary or foreign file must not give an empty report with exit 0
        why = f" ({len(result.warnings)} line(s) skipped; first: {result.warnings[0]})" if result.warnings else ""
        raise InputError(E_SUMMARY_NO_DOCS, "no jixiao documents in the input" + why + "; pass the extract.jsonl "
                                 "written by `jixiao extract`", path=", ".join(result.inputs))
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
    region: str  # the grouping key: the report's region wording, or its province with ``by="province"``
    year: int | None
    fund: str | None
    unit: str | None
    score: str | None
    grade: str | None
    province: str | None = None
    prefecture: str | None = None
    county: str | None = None
    region_code: str | None = None
    region_text: str | None = None  # the report's own wording, whatever the grouping

    @property
    def places(self) -> tuple[str, ...]:
        """Every name the document's place goes by (wording, province, prefecture, county)."""
        return tuple(p for p in (self.region_text, self.province, self.prefecture, self.county) if p)


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


GROUPINGS = ("region", "province")


def doc_meta(doc: dict[str, Any], by: str | None = None) -> DocMeta:
    """Normalised metadata of one document (missing region → 「未知」, year as int).

    ``by="province"`` makes the province the grouping key (``region``), so every regional table rolls up
    by province; output written before provinces were extracted gets its province from the gazetteer.

    >>> doc_meta({"doc_id": "a", "meta": {"region": " 张掖市 ", "year": "2023年度"}}).year
    2023
    >>> doc_meta({"doc_id": "a", "meta": {"region": "喀什地区", "province": "新疆维吾尔自治区"}}, by="province").region
    '新疆维吾尔自治区'
    """
    meta = doc.get("meta") or {}
    score = meta.get("score")
    region = _text(meta.get("region"))
    province = _text(meta.get("province"))
    if province is None and region and by == "province":
        province = province_of(region)
    return DocMeta(
        doc_id=doc["doc_id"],
        source=str(doc.get("source") or ""),
        title=_text(meta.get("title")),
        region=(province if by == "province" else region) or UNKNOWN,
        year=_year(meta.get("year")),
        fund=_text(meta.get("fund")),
        unit=_text(meta.get("unit")),
        score=None if score is None else str(score),
        grade=_text(meta.get("grade")),
        province=province,
        prefecture=_text(meta.get("prefecture")),
        county=_text(meta.get("county")),
        region_code=_text(meta.get("region_code")),
        region_text=region,
    )


def province_of(region: str) -> str | None:
    """The province a region wording names without doubt (all its divisions in one province), else None.

    >>> province_of("巴州和硕县"), province_of("朝阳区"), province_of("某地")
    ('新疆维吾尔自治区', None, None)
    """
    from jixiao.gazetteer import find_mentions

    provinces = {frozenset(d.province for d in m.divisions) for m in find_mentions(region) if m.divisions}
    common = frozenset.intersection(*provinces) if provinces else frozenset()
    return next(iter(common)) if len(common) == 1 else None


def region_choices(documents: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Documents per place name (region wording and province), most frequent first.

    >>> region_choices([{"doc_id": "a", "meta": {"region": "喀什地区", "province": "新疆维吾尔自治区"}}])
    {'喀什地区': 1, '新疆维吾尔自治区': 1}
    """
    counts: dict[str, int] = {}
    for doc in documents:
        m = doc_meta(doc)
        for name in dict.fromkeys((m.region_text or UNKNOWN, m.province) if m.province else (m.region_text or UNKNOWN,)):
            counts[name] = counts.get(name, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def check_region_filter(documents: list[dict[str, Any]], filters: Filters) -> None:
    """UsageError E606 when ``filters.region`` matches no document, listing the places the input has.

    >>> check_region_filter([{"doc_id": "a", "meta": {"region": "喀什地区"}}], Filters(region="北京"))
    Traceback (most recent call last):
    jixiao.errors.UsageError: E606: no document's region or province contains '北京'; the input has: 喀什地区 (1)
    """
    if not filters.region or any(filters.keeps_place(doc_meta(d)) for d in documents):
        return
    choices = region_choices(documents)
    listed = ", ".join(f"{k} ({v})" for k, v in list(choices.items())[:40])
    more = f" and {len(choices) - 40} more" if len(choices) > 40 else ""
    raise UsageError(E_SUMMARY_REGION, f"no document's region or province contains {filters.region!r}; "
                             f"the input has: {listed}{more}")


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
    by: str | None = None  # None or "region": group by the report's region; "province": roll up by province

    def __post_init__(self) -> None:
        if self.label is not None and self.label not in LABELS:
            raise UsageError(E_SUMMARY_LABEL, f"unknown label {self.label!r}; use one of "
                                     f"{', '.join(LABELS)}")
        if self.by is not None and self.by not in GROUPINGS:
            raise UsageError(E_SUMMARY_GROUPING, f"unknown grouping {self.by!r}; use one of {', '.join(GROUPINGS)}")

    def keeps_place(self, meta: DocMeta) -> bool:
        """The region filter: a substring of the region wording, province, prefecture or county."""
        return not self.region or any(self.region in p for p in meta.places + (meta.region,))

    def keeps_doc(self, meta: DocMeta) -> bool:
        if not self.keeps_place(meta):
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


def sentence_rows(doc: dict[str, Any], meta: DocMeta | None = None) -> list[SentenceRow]:
    """Rows for one document: role sentences and 经验做法 paragraphs, in reading order.

    Example: see the module docstring.
    """
    meta = meta or doc_meta(doc)
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
        if PROBLEM_LABEL in labels and not any(r.paragraph == index and r.label == "问题" for r in rows):
            span = fallback_problem_span(text)
            if span:
                # a 存在问题 paragraph whose problem no role unit states: its lead sentence stands for
                # it (sentence -2 marks the fallback), so every problem paragraph reaches the themes
                rows.append(row("问题", -2, span[0], span[1], text[span[0]:span[1]]))
    return rows


PROBLEM_LABEL = "存在问题"
_LEAD_MARKER = re.compile(r"^\s*(?:[一二三四五六七八九十]+是|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]"
                          r"|\d+\s*[、.．]|[①②③④⑤⑥⑦⑧⑨⑩])\s*")


def fallback_problem_span(text: str, max_chars: int = 80) -> tuple[int, int] | None:
    """The span of a problem paragraph that stands for its problem when no 问题 unit was marked:
    the first sentence after the list marker, cut to ``max_chars``.

    >>> t = "2. 资金拨付不及时。部分乡镇延迟两个月。"
    >>> a, b = fallback_problem_span(t); t[a:b]
    '资金拨付不及时。'
    """
    m = _LEAD_MARKER.match(text)
    start = m.end() if m else len(text) - len(text.lstrip())
    rest = text[start:]
    if not rest.strip():
        return None
    cut = re.search(r"[。！？；]", rest)
    end = start + (cut.end() if cut else len(rest))
    end = min(end, start + max_chars)
    return (start, end) if text[start:end].strip() else None


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


def indicator_rows(doc: dict[str, Any], meta: DocMeta | None = None) -> list[IndicatorRow]:
    """Indicator rows of one document, with ``met`` from the parsed comparators.

    >>> rows = indicator_rows({"doc_id": "d", "indicators": [
    ...     {"name": "参保人数", "target": "≥41万人", "actual": "40.28万人"}]})
    >>> rows[0].met, rows[0].target_range, rows[0].actual_value
    (False, '[410000, ∞) 人', '402800人')
    """
    meta = meta or doc_meta(doc)
    rows = []
    for rec in doc.get("indicators") or []:
        if not isinstance(rec, dict) or rec.get("repeats") is not None:
            continue  # a restatement of a record already counted
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
        meta = doc_meta(doc, by=filters.by)
        if not filters.keeps_doc(meta):
            continue
        kept_meta.append(meta)
        context.extend(sentence_rows(doc, meta))
        indicators.extend(indicator_rows(doc, meta))
    rows = [r for r in context if filters.label is None or r.label == filters.label]
    return Aggregate(kept_meta, rows, context, indicators, filters)


__all__ = [
    "Aggregate", "DocMeta", "Filters", "GROUPINGS", "IndicatorRow", "LoadResult", "SentenceRow", "aggregate",
    "check_document", "check_region_filter", "doc_meta", "expand_inputs", "indicator_rows", "load_documents",
    "parse_score", "province_of", "region_choices", "sentence_rows",
]
