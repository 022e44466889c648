"""Evaluation against gold labels (ANNOTATION.md): entities, money values, paragraph labels, roles.

Everything here is a pure function over plain records, so training code, the CLI and tests share it.

* Gold: ``corpus/gold/<doc_id>.jsonl``, one ANNOTATION.md §6 paragraph record a line.
* Predictions: output-contract documents (``jixiao extract``) or ANNOTATION-format records; both
  become paragraph records whose entities are ``[start, end, type, value_yuan]``.
* Paragraphs are aligned per document by exact text, then by text with whitespace removed (offsets
  are mapped through that alignment). Unaligned gold items are false negatives, unaligned
  predicted items false positives.
* Spans (entities, roles) are scored as exact ``(start, end, type)`` matches with ``seqeval`` over
  character-level IOB2 tags; labels with scikit-learn on binarised label matrices.

Edge whitespace is trimmed from every span (gold and predicted) before scoring, so a sentence that
ends ``。 `` and one that ends ``。`` count as the same span.

Example::

    >>> gold = {"d": [{"doc_id": "d", "para": 0, "text": "收入8684万元", "labels": [],
    ...                "roles": [], "entities": [[2, 6, "AMOUNT"], [6, 8, "UNIT"]]}]}
    >>> evaluate(gold, gold).entities.micro.f1
    1.0
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
import warnings
from bisect import bisect_left
from collections import defaultdict, deque
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from jixiao.errors import JixiaoError, UsageError
from jixiao.schema import CURRENCY_MULTIPLIERS, ENTITY_TYPES, PARAGRAPH_LABELS, ROLES  # noqa: F401  (re-exported)
from jixiao.units import header_units, normalise_text, table_unit_context  # noqa: F401  (re-exported)

GOLD_KEYS = ("doc_id", "para", "text", "labels", "roles", "entities")

# A bare number as written in a money cell or span: 「8684」, 「355,212」, 「-1913」, 「8183.32」
PLAIN_NUMBER_RE = re.compile(r"[+-]?\d+(?:\.\d+)?")


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Para:
    """One paragraph, normalised: spans are ``(start, end, type, value_yuan)`` tuples."""

    doc_id: str
    para: int
    text: str
    labels: tuple[str, ...]
    roles: tuple[tuple[int, int, str, Any], ...]
    entities: tuple[tuple[int, int, str, Any], ...]


def _to_decimal(value: Any) -> Decimal | None:
    """Decimal from a JSON value (str, int, Decimal, float via its repr); None when absent/invalid."""
    if value is None or isinstance(value, bool):
        return None
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


def _span(item: Any) -> tuple[int, int, str, Any]:
    """A span from ``[s, e, type]``, ``[s, e, type, value]`` or ``{"start", "end", "type"|"role"}``."""
    if isinstance(item, Mapping):
        kind = item.get("type", item.get("role"))
        return int(item["start"]), int(item["end"]), str(kind), _to_decimal(item.get("value_yuan"))
    if isinstance(item, (list, tuple)) and len(item) in (3, 4):
        value = _to_decimal(item[3]) if len(item) == 4 else None
        return int(item[0]), int(item[1]), str(item[2]), value
    raise ValueError(f"a span must be [start, end, type], got {item!r}")


def _para_from_record(record: Mapping[str, Any], doc_id: str | None = None) -> _Para:
    """Normalise an ANNOTATION-format record (raises KeyError/ValueError/TypeError when malformed)."""
    text = record["text"]
    if not isinstance(text, str):
        raise TypeError("'text' must be a string")
    labels = record.get("labels") or []
    if not isinstance(labels, list):
        raise TypeError("'labels' must be a list")
    return _Para(
        doc_id=str(record.get("doc_id", doc_id)),
        para=int(record.get("para", 0)),
        text=text,
        labels=tuple(str(label) for label in labels),
        roles=tuple(_span(item) for item in record.get("roles") or []),
        entities=tuple(_span(item) for item in record.get("entities") or []),
    )


def _record_from_para(para: _Para, *, with_values: bool = True) -> dict[str, Any]:
    """The ANNOTATION-format dict of a paragraph; entities carry value_yuan as a fourth item."""
    return {
        "doc_id": para.doc_id, "para": para.para, "text": para.text, "labels": list(para.labels),
        "roles": [[s, e, kind] for s, e, kind, _ in para.roles],
        "entities": [[s, e, kind, value] if with_values else [s, e, kind]
                     for s, e, kind, value in para.entities],
    }


def _check_gold_para(para: _Para) -> str | None:
    """What is wrong with a gold paragraph (offsets, overlaps, unknown names), or None."""
    for label in para.labels:
        if label not in PARAGRAPH_LABELS:
            return f"unknown paragraph label {label!r} (known: {', '.join(PARAGRAPH_LABELS)})"
    for layer, known in (("roles", ROLES), ("entities", ENTITY_TYPES)):
        spans = sorted(getattr(para, layer))
        for s, e, kind, _ in spans:
            if kind not in known:
                return f"unknown {layer[:-1] if layer == 'roles' else 'entity'} type {kind!r}"
            if not 0 <= s < e <= len(para.text):
                return f"{layer} span [{s}, {e}] is outside the text (length {len(para.text)})"
            if not para.text[s:e].strip():
                return f"{layer} span [{s}, {e}] holds only whitespace"
        for (s1, e1, *_), (s2, e2, *_) in zip(spans, spans[1:]):
            if s2 < e1:
                return f"{layer} spans [{s1}, {e1}] and [{s2}, {e2}] overlap"
    return None


# --------------------------------------------------------------------------------------------
# Reading gold and predictions
# --------------------------------------------------------------------------------------------

def _expand_paths(source: str | Path | Iterable[str | Path], code: str, what: str) -> list[Path]:
    """Files named by a path, a directory (its ``*.jsonl``, sorted) or a list of those."""
    sources = [source] if isinstance(source, (str, Path)) else list(source)
    files: list[Path] = []
    for item in sources:
        path = Path(item)
        if path.is_dir():
            found = sorted(path.glob("*.jsonl"))
            if not found:
                raise JixiaoError(code, f"no *.jsonl {what} files in this directory", path=str(path))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise JixiaoError(code, f"{what} file or directory not found", path=str(path))
    if not files:
        raise JixiaoError(code, f"no {what} files given")
    return files


def _read_jsonl(path: Path, code: str) -> Iterator[tuple[int, Any]]:
    """``(line number, object)`` for each non-blank line; numbers with a point become Decimal."""
    with path.open(encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line, parse_float=Decimal)
            except json.JSONDecodeError as exc:
                raise JixiaoError(code, f"line {number} is not valid JSON ({exc.msg}); fix or remove it",
                                  path=str(path)) from exc


def load_gold(dir_or_files: str | Path | Iterable[str | Path]) -> dict[str, list[dict[str, Any]]]:
    """Read gold paragraph records (ANNOTATION.md §6) grouped by document, sorted by ``para``.

    Example::

        gold = load_gold("corpus/gold")          # {"000_3ae7e199f53c681b": [{"para": 0, ...}, ...]}
    """
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    seen: dict[tuple[str, int], str] = {}
    for path in _expand_paths(dir_or_files, "E350", "gold"):
        for number, obj in _read_jsonl(path, "E351"):
            where = f"{path}:{number}"
            if not isinstance(obj, dict) or any(key not in obj for key in GOLD_KEYS):
                missing = [k for k in GOLD_KEYS if not isinstance(obj, dict) or k not in obj]
                raise JixiaoError("E352", f"line {number} lacks {', '.join(missing)}; every gold line "
                                  "needs " + ", ".join(GOLD_KEYS) + " (ANNOTATION.md §6)", path=str(path))
            try:
                para = _para_from_record(obj)
            except (KeyError, ValueError, TypeError) as exc:
                raise JixiaoError("E352", f"line {number}: {exc}; see ANNOTATION.md §6",
                                  path=str(path)) from exc
            problem = _check_gold_para(para)
            if problem:
                raise JixiaoError("E353", f"line {number}: {problem}; correct the gold record",
                                  path=str(path))
            key = (para.doc_id, para.para)
            if key in seen:
                raise JixiaoError("E354", f"line {number}: paragraph {para.para} of {para.doc_id} "
                                  f"already given at {seen[key]}; remove the duplicate", path=str(path))
            seen[key] = where
            grouped[para.doc_id].append(_record_from_para(para, with_values=False))
    return {doc_id: sorted(records, key=lambda r: r["para"]) for doc_id, records in sorted(grouped.items())}


def _is_output_document(obj: Any) -> bool:
    return isinstance(obj, Mapping) and "paragraphs" in obj and "doc_id" in obj


def _is_paragraph_record(obj: Any) -> bool:
    return isinstance(obj, Mapping) and "text" in obj and "para" in obj and "paragraphs" not in obj


def _document_to_paras(doc: Mapping[str, Any]) -> list[_Para]:
    """Paragraph records of one output-contract document (roles from sentences with a role)."""
    doc_id = str(doc["doc_id"])
    entities_by_para: dict[int, list[tuple[int, int, str, Any]]] = defaultdict(list)
    for entity in doc.get("entities") or []:
        entities_by_para[int(entity["paragraph"])].append(_span(entity))
    paras = []
    for paragraph in doc["paragraphs"]:
        index = int(paragraph["index"])
        roles = tuple(
            (int(s["start"]), int(s["end"]), str(s["role"]), None)
            for s in paragraph.get("sentences") or [] if s.get("role") is not None
        )
        paras.append(_Para(doc_id, index, paragraph["text"], tuple(paragraph.get("labels") or []),
                           roles, tuple(entities_by_para.get(index, ()))))
    return paras


def _collect_paras(items: Iterable[Any], default_doc_id: str | None = None) -> dict[str, list[_Para]]:
    """Group output documents and/or paragraph records into paragraphs per document."""
    grouped: dict[str, list[_Para]] = defaultdict(list)
    documents_seen: set[str] = set()
    for position, obj in enumerate(items):
        try:
            if _is_output_document(obj):
                doc_id = str(obj["doc_id"])
                if doc_id in documents_seen:
                    raise JixiaoError("E363", f"document {doc_id} appears twice in the predictions; "
                                      "keep one (re-run extract with --resume)")
                documents_seen.add(doc_id)
                grouped[doc_id].extend(_document_to_paras(obj))
            elif _is_paragraph_record(obj):
                para = _para_from_record(obj, default_doc_id)
                grouped[para.doc_id].append(para)
            else:
                raise JixiaoError("E357", f"prediction item {position} is neither an output document "
                                  "(doc_id, paragraphs) nor a paragraph record (doc_id, para, text)")
        except (KeyError, ValueError, TypeError) as exc:
            raise JixiaoError("E362", f"prediction item {position} is malformed ({exc!r}); see the "
                              "output contract (issue 2) or ANNOTATION.md §6") from exc
    result = {}
    for doc_id, paras in grouped.items():
        numbers = [p.para for p in paras]
        if len(set(numbers)) != len(numbers):
            raise JixiaoError("E363", f"document {doc_id} has a paragraph number twice in the "
                              "predictions; keep one record per paragraph")
        result[doc_id] = sorted(paras, key=lambda p: p.para)
    return result


def predictions_from_output(docs: Iterable[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Paragraph records (ANNOTATION format) per document from extractor output.

    Accepts output-contract documents (``paragraphs`` with ``sentences``, document-level
    ``entities`` with ``paragraph``) and records already in ANNOTATION format. Entities become
    ``[start, end, type, value_yuan]`` (``value_yuan`` a Decimal or None).

    Example::

        >>> doc = {"doc_id": "d", "paragraphs": [{"index": 0, "text": "收入8684万元", "labels": [],
        ...        "sentences": [{"start": 0, "end": 8, "role": None}]}],
        ...        "entities": [{"paragraph": 0, "start": 2, "end": 6, "type": "AMOUNT",
        ...                      "value_yuan": "86840000"}]}
        >>> predictions_from_output([doc])["d"][0]["entities"]
        [[2, 6, 'AMOUNT', Decimal('86840000')]]
    """
    return {doc_id: [_record_from_para(p) for p in paras] for doc_id, paras in _collect_paras(docs).items()}


def load_predictions(dir_or_files: str | Path | Iterable[str | Path]) -> dict[str, list[dict[str, Any]]]:
    """Read predictions (``jixiao extract`` JSONL or ANNOTATION-format JSONL) into paragraph records.

    In a directory, ``*.jsonl`` files whose first line is neither format (an errors file) are
    skipped; a file named explicitly must be readable throughout.

    Example::

        pred = load_predictions("out/documents.jsonl")
    """
    sources = [dir_or_files] if isinstance(dir_or_files, (str, Path)) else list(dir_or_files)
    items: list[Any] = []
    for source in sources:
        from_dir = Path(source).is_dir()
        for path in _expand_paths(source, "E355", "prediction"):
            objects = [obj for _, obj in _read_jsonl(path, "E356")]
            if from_dir and objects and not (_is_output_document(objects[0]) or _is_paragraph_record(objects[0])):
                continue
            for number, obj in enumerate(objects, start=1):
                if not (_is_output_document(obj) or _is_paragraph_record(obj)):
                    raise JixiaoError("E357", f"line {number} is neither an output document (doc_id, "
                                      "paragraphs) nor a paragraph record (doc_id, para, text)",
                                      path=str(path))
            items.extend(objects)
    return predictions_from_output(items)


# --------------------------------------------------------------------------------------------
# Alignment
# --------------------------------------------------------------------------------------------

def align_paragraphs(gold_texts: Sequence[str], pred_texts: Sequence[str]) -> list[tuple[int, int, str]]:
    """Pairs ``(gold index, pred index, "exact"|"normalised")`` matching predicted to gold paragraphs.

    First pass: exact text; second pass over what is left: text with whitespace removed. Each
    gold paragraph is used at most once; repeated texts pair up in document order.

    >>> align_paragraphs(["甲", "乙 丙", "甲"], ["甲", "乙丙", "丁"])
    [(0, 0, 'exact'), (1, 1, 'normalised')]
    """
    pairs: list[tuple[int, int, str]] = []
    free_pred = list(range(len(pred_texts)))
    free_gold = set(range(len(gold_texts)))
    for how, key in (("exact", lambda t: t), ("normalised", normalise_text)):
        queues: dict[str, deque[int]] = defaultdict(deque)
        for g in sorted(free_gold):
            queues[key(gold_texts[g])].append(g)
        still_free = []
        for p in free_pred:
            queue = queues.get(key(pred_texts[p]))
            if queue:
                g = queue.popleft()
                free_gold.discard(g)
                pairs.append((g, p, how))
            else:
                still_free.append(p)
        free_pred = still_free
    return sorted(pairs)


def map_span(pred_text: str, gold_text: str, start: int, end: int) -> tuple[int, int] | None:
    """Map ``[start, end)`` in ``pred_text`` onto ``gold_text`` when they differ only in whitespace.

    The span's first and last non-space characters are carried over; None when it holds none.

    >>> map_span("收入355,212万元", "收入 355,212 万元", 2, 9)
    (3, 10)
    """
    pred_pos = [i for i, ch in enumerate(pred_text) if not ch.isspace()]
    gold_pos = [i for i, ch in enumerate(gold_text) if not ch.isspace()]
    if len(pred_pos) != len(gold_pos):
        raise ValueError("texts differ in more than whitespace")
    first = bisect_left(pred_pos, start)
    last = bisect_left(pred_pos, end) - 1
    if last < first:
        return None
    return gold_pos[first], gold_pos[last] + 1


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without leading/trailing whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _clean_pred_spans(text: str, spans: Iterable[tuple[int, int, str, Any]],
                      known: Sequence[str]) -> tuple[list[tuple[int, int, str, Any]], int]:
    """Valid, trimmed, non-overlapping predicted spans (first by start wins) and how many were dropped."""
    kept: list[tuple[int, int, str, Any]] = []
    dropped = 0
    for s, e, kind, value in sorted(spans, key=lambda x: (x[0], -x[1])):
        if not (0 <= s < e <= len(text)) or kind not in known:
            dropped += 1
            continue
        s, e = _trim(text, s, e)
        if s >= e or (kept and s < kept[-1][1]):
            dropped += 1
            continue
        kept.append((s, e, kind, value))
    return kept, dropped


# --------------------------------------------------------------------------------------------
# Scores
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scores:
    """Precision, recall, F1 and support (number of gold items) of one class or average."""

    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class SpanReport:
    """Exact-span scores per type, micro and macro averaged (seqeval's definitions)."""

    per_type: dict[str, Scores]
    micro: Scores
    macro: Scores


@dataclass
class LabelReport:
    """Multi-label paragraph classification scores per class, micro and macro averaged."""

    per_class: dict[str, Scores]
    micro: Scores
    macro: Scores
    unknown_pred_labels: int = 0
    #: Classes left out of the macro average: no gold example and no prediction (nothing to score).
    macro_excluded: list[str] = field(default_factory=list)


@dataclass
class MoneyReport:
    """``value_yuan`` accuracy over gold AMOUNT spans that carry a currency unit."""

    gold_amounts: int
    correct: int
    accuracy: float | None
    unparsed_gold: int
    mismatches: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class AlignmentReport:
    """How predicted paragraphs lined up with gold paragraphs."""

    gold_paragraphs: int
    pred_paragraphs: int
    matched_exact: int
    matched_normalised: int
    unmatched_gold: int
    unmatched_pred: int
    match_rate: float
    docs_without_pred: list[str]
    pred_docs_not_in_gold: list[str]
    pred_spans_dropped: int


@dataclass
class EvalReport:
    """Every figure of one evaluation; ``to_dict()`` is JSON-serialisable."""

    documents: list[str]
    alignment: AlignmentReport
    entities: SpanReport
    money: MoneyReport
    labels: LabelReport
    roles: SpanReport

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


def _jsonable(obj: Any) -> Any:
    """Decimals as plain strings, NaN as None, containers recursively."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, Decimal):
        return _plain_decimal(obj)
    if isinstance(obj, float) and math.isnan(obj):
        return None
    return obj


def _plain_decimal(value: Decimal) -> str:
    """``Decimal('5.223E+9')`` → ``'5223000000'``."""
    text = format(value.normalize(), "f")
    return text


def _scores(entry: Mapping[str, Any]) -> Scores:
    """Scores from a seqeval/sklearn report entry (NaN becomes 0.0, numpy scalars become Python)."""
    def number(x: Any) -> float:
        x = float(x)
        return 0.0 if math.isnan(x) else x
    return Scores(number(entry["precision"]), number(entry["recall"]), number(entry["f1-score"]),
                  int(entry["support"]))


def spans_to_bio(length: int, spans: Iterable[tuple[int, int, str]]) -> list[str]:
    """Character-level IOB2 tags of flat, non-overlapping spans.

    >>> spans_to_bio(5, [(1, 3, "AMOUNT"), (3, 4, "UNIT")])
    ['O', 'B-AMOUNT', 'I-AMOUNT', 'B-UNIT', 'O']
    """
    tags = ["O"] * length
    for start, end, kind, *_ in spans:
        if any(tag != "O" for tag in tags[start:end]):
            raise ValueError(f"span [{start}, {end}] overlaps another span")
        tags[start] = f"B-{kind}"
        for i in range(start + 1, end):
            tags[i] = f"I-{kind}"
    return tags


def span_scores(gold_tags: list[list[str]], pred_tags: list[list[str]]) -> SpanReport:
    """Exact-span P/R/F1 per type with seqeval over IOB2 tag sequences.

    ``mode="strict", scheme=IOB2``: the tags come from spans, so every entity opens with ``B-``;
    strict mode counts a prediction only when start, end and type all match (exact span match)
    and never "repairs" a stray ``I-`` the way the default conlleval mode does. On well-formed
    tags both modes agree (tested); strict is also the faster of the two.

    >>> span_scores([["B-A", "I-A", "O"]], [["B-A", "O", "O"]]).micro.f1
    0.0
    """
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = classification_report(gold_tags, pred_tags, output_dict=True, mode="strict",
                                       scheme=IOB2, zero_division=0)
    averages = {"micro avg", "macro avg", "weighted avg"}
    per_type = {k: _scores(v) for k, v in sorted(report.items()) if k not in averages}
    empty = Scores(0.0, 0.0, 0.0, 0)
    micro = _scores(report["micro avg"]) if per_type else empty
    macro = _scores(report["macro avg"]) if per_type else empty
    return SpanReport(per_type, micro, macro)


def label_scores(gold_labels: list[Iterable[str]], pred_labels: list[Iterable[str]],
                 classes: Sequence[str] = PARAGRAPH_LABELS) -> LabelReport:
    """Multi-label P/R/F1 per class, micro and macro (sklearn on binarised matrices).

    Predicted labels outside ``classes`` are ignored and counted. The macro average runs over the
    classes with a gold example or a prediction; a class with neither has nothing to score and
    is listed in ``macro_excluded`` instead of counting as F1 0.

    >>> label_scores([["建议"], []], [["建议"], ["建议"]]).per_class["建议"].precision
    0.5
    >>> r = label_scores([["建议"], ["存在问题"]], [["建议"], ["存在问题"]])
    >>> r.macro.f1, r.macro_excluded
    (1.0, ['经验做法'])
    """
    import numpy as np
    from sklearn.metrics import precision_recall_fscore_support
    from sklearn.preprocessing import MultiLabelBinarizer

    unknown = sum(1 for labels in pred_labels for label in labels if label not in classes)
    pred_known = [[label for label in labels if label in classes] for labels in pred_labels]
    binarizer = MultiLabelBinarizer(classes=list(classes))
    y_true = binarizer.fit_transform([list(labels) for labels in gold_labels]) if gold_labels \
        else np.zeros((0, len(classes)), dtype=int)
    y_pred = binarizer.transform(pred_known) if pred_known else np.zeros((0, len(classes)), dtype=int)
    per_class: dict[str, Scores] = {}
    if len(y_true):
        p, r, f, s = precision_recall_fscore_support(y_true, y_pred, average=None, zero_division=0)
        for i, name in enumerate(classes):
            per_class[name] = Scores(float(p[i]), float(r[i]), float(f[i]), int(s[i]))
        support = int(y_true.sum())
        p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, average="micro", zero_division=0)
        averaged = {"micro": Scores(float(p), float(r), float(f), support)}
        scored = [i for i in range(len(classes)) if y_true[:, i].any() or y_pred[:, i].any()]
        excluded = [name for i, name in enumerate(classes) if i not in scored]
        if scored:
            averaged["macro"] = Scores(*(float(np.mean([getattr(per_class[classes[i]], k) for i in scored]))
                                         for k in ("precision", "recall", "f1")), support)
        else:
            averaged["macro"] = Scores(0.0, 0.0, 0.0, 0)
    else:
        per_class = {name: Scores(0.0, 0.0, 0.0, 0) for name in classes}
        averaged = {"micro": Scores(0.0, 0.0, 0.0, 0), "macro": Scores(0.0, 0.0, 0.0, 0)}
        excluded = list(classes)
    return LabelReport(per_class, averaged["micro"], averaged["macro"], unknown, excluded)


# --------------------------------------------------------------------------------------------
# Money values
# --------------------------------------------------------------------------------------------

def parse_amount(text: str) -> Decimal | None:
    """The number written in an AMOUNT span: thousands separators and spaces dropped, full-width
    digits made half-width; None when it is not a plain number.

    >>> parse_amount("３５５，２１２"), parse_amount("355,212"), parse_amount("约8千")
    (Decimal('355212'), Decimal('355212'), None)
    """
    cleaned = unicodedata.normalize("NFKC", text).replace("−", "-")
    cleaned = "".join(ch for ch in cleaned if not ch.isspace() and ch != ",")
    if not PLAIN_NUMBER_RE.fullmatch(cleaned):
        return None
    return Decimal(cleaned)


def _currency(unit_text: str) -> Decimal | None:
    """Multiplier of a currency unit text (``万元`` → 10000), None for other units."""
    return CURRENCY_MULTIPLIERS.get(normalise_text(unicodedata.normalize("NFKC", unit_text)))


def _cell_of(text: str, start: int, end: int) -> str:
    """The tab-separated cell that contains ``[start, end)``."""
    left = text.rfind("\t", 0, start) + 1
    right = text.find("\t", end)
    return text[left: right if right >= 0 else len(text)]


def _gold_money(record: Mapping[str, Any], entity: Sequence[Any], header_unit: str | None,
                skip_columns: frozenset[int] = frozenset()) -> tuple[bool, Decimal | None]:
    """(whether the AMOUNT has a currency unit, its value in 元 or None when unparsable)."""
    start, end, kind = int(entity[0]), int(entity[1]), str(entity[2])
    if kind != "AMOUNT":
        return False, None
    text = record["text"]
    following = [
        (int(u[0]), int(u[1])) for u in record["entities"]
        if u[2] == "UNIT" and int(u[0]) >= end and not text[end:int(u[0])].strip()
    ]
    multiplier: Decimal | None = None
    if following:
        unit_start, unit_end = min(following)
        multiplier = _currency(text[unit_start:unit_end])
    elif (header_unit and "\t" in text and text.count("\t", 0, start) not in skip_columns
          and _cell_of(text, start, end).strip() == text[start:end].strip()):
        multiplier = _currency(header_unit)
    if multiplier is None:
        return False, None
    number = parse_amount(text[start:end])
    return True, (number * multiplier if number is not None else None)


def gold_value_yuan(record: Mapping[str, Any], entity: Sequence[Any], header_unit: str | None = None,
                    skip_columns: frozenset[int] = frozenset()) -> Decimal | None:
    """``value_yuan`` of a gold AMOUNT from its text and unit; None when it has no currency unit.

    The unit is the UNIT span right after the amount (whitespace allowed between them) or, for a
    bare number in a table cell (the paragraph holds a tab) outside ``skip_columns`` (0-based cell
    positions), ``header_unit`` (both from ``table_unit_context``).

    >>> record = {"text": "收入 355,212 万元", "entities": [[3, 10, "AMOUNT"], [11, 13, "UNIT"]]}
    >>> gold_value_yuan(record, [3, 10, "AMOUNT"])
    Decimal('3552120000')
    """
    return _gold_money(record, entity, header_unit, skip_columns)[1]


# --------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------

def _as_paras(data: Mapping[str, Sequence[Any]] | Iterable[Any]) -> dict[str, list[_Para]]:
    """Normalise ``{doc_id: [records]}``, a list of records, or output documents, to paragraphs."""
    if isinstance(data, Mapping):
        items: list[Any] = []
        for doc_id, records in data.items():
            for record in records:
                if isinstance(record, _Para):
                    items.append(_record_from_para(record))
                elif _is_output_document(record):
                    items.append(record)
                else:
                    items.append({"doc_id": doc_id, **record})
        return _collect_paras(items)
    return _collect_paras(list(data))


@dataclass
class _Tally:
    """Everything gathered while walking the documents, before scoring."""

    entity_gold: list[list[str]] = field(default_factory=list)
    entity_pred: list[list[str]] = field(default_factory=list)
    role_gold: list[list[str]] = field(default_factory=list)
    role_pred: list[list[str]] = field(default_factory=list)
    label_gold: list[tuple[str, ...]] = field(default_factory=list)
    label_pred: list[tuple[str, ...]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("exact", "normalised", "unmatched_gold", "unmatched_pred", "dropped"), 0))
    money_total: int = 0
    money_correct: int = 0
    money_unparsed: int = 0
    mismatches: list[dict[str, Any]] = field(default_factory=list)

    def add_paragraph(self, length: int, labels: tuple[tuple[str, ...], tuple[str, ...]],
                      entities: tuple[list, list], roles: tuple[list, list]) -> None:
        """One scored unit: (gold, predicted) labels, entity spans and role spans over ``length`` chars."""
        self.label_gold.append(labels[0])
        self.label_pred.append(labels[1])
        self.entity_gold.append(spans_to_bio(length, entities[0]))
        self.entity_pred.append(spans_to_bio(length, entities[1]))
        self.role_gold.append(spans_to_bio(length, roles[0]))
        self.role_pred.append(spans_to_bio(length, roles[1]))


def _pred_spans_on_gold(p: _Para, g: _Para, how: str, tally: _Tally, layer: str,
                        known: Sequence[str]) -> list[tuple[int, int, str, Any]]:
    """A predicted paragraph's valid spans of one layer, in gold offsets."""
    kept, dropped = _clean_pred_spans(p.text, getattr(p, layer), known)
    tally.counts["dropped"] += dropped
    spans = []
    for s, e, kind, value in kept:
        mapped = (s, e) if how == "exact" else map_span(p.text, g.text, s, e)
        if mapped is None:
            tally.counts["dropped"] += 1
        else:
            spans.append((*mapped, kind, value))
    return spans


def _score_money(doc_id: str, g: _Para, context: tuple[str | None, frozenset[int]],
                 pred_entities: list[tuple[int, int, str, Any]], tally: _Tally) -> None:
    """Compare predicted value_yuan with the gold value of each currency AMOUNT of ``g``."""
    record = {"text": g.text, "entities": [list(x[:3]) for x in g.entities]}
    by_span = {(s, e): value for s, e, _, value in pred_entities}
    for entity in g.entities:
        has_currency, value = _gold_money(record, entity, *context)
        if not has_currency:
            continue
        if value is None:
            tally.money_unparsed += 1
            continue
        tally.money_total += 1
        span = _trim(g.text, entity[0], entity[1])
        predicted = by_span.get(span)
        if predicted is not None and predicted == value:
            tally.money_correct += 1
        else:
            tally.mismatches.append({"doc_id": doc_id, "para": g.para, "start": span[0], "end": span[1],
                                     "text": g.text[span[0]:span[1]], "gold": value, "pred": predicted})


def _score_document(doc_id: str, golds: list[_Para], preds: list[_Para], tally: _Tally) -> None:
    """Align one document's paragraphs and add every gold and predicted item to the tally."""
    pairs = align_paragraphs([g.text for g in golds], [p.text for p in preds])
    pred_for_gold = {g: (p, how) for g, p, how in pairs}
    contexts = table_unit_context([{"text": g.text} for g in golds])
    for gi, g in enumerate(golds):
        gold_entities = [(*_trim(g.text, s, e), kind, v) for s, e, kind, v in g.entities]
        gold_roles = [(*_trim(g.text, s, e), kind, v) for s, e, kind, v in g.roles]
        if gi in pred_for_gold:
            p_index, how = pred_for_gold[gi]
            p = preds[p_index]
            tally.counts[how] += 1
            labels = p.labels
            pred_entities = _pred_spans_on_gold(p, g, how, tally, "entities", ENTITY_TYPES)
            pred_roles = _pred_spans_on_gold(p, g, how, tally, "roles", ROLES)
        else:
            tally.counts["unmatched_gold"] += 1
            labels, pred_entities, pred_roles = (), [], []
        tally.add_paragraph(len(g.text), (g.labels, labels), (gold_entities, pred_entities),
                            (gold_roles, pred_roles))
        _score_money(doc_id, g, contexts[gi], pred_entities, tally)
    matched_pred = {p for _, p, _ in pairs}
    for pi, p in enumerate(preds):
        if pi in matched_pred:
            continue
        tally.counts["unmatched_pred"] += 1
        entities, dropped_e = _clean_pred_spans(p.text, p.entities, ENTITY_TYPES)
        roles, dropped_r = _clean_pred_spans(p.text, p.roles, ROLES)
        tally.counts["dropped"] += dropped_e + dropped_r
        tally.add_paragraph(len(p.text), ((), p.labels), ([], entities), ([], roles))


def evaluate(gold: Mapping[str, Sequence[Mapping[str, Any]]],
             pred: Mapping[str, Sequence[Mapping[str, Any]]] | Iterable[Any]) -> EvalReport:
    """Score predictions against gold over the gold documents.

    ``gold`` is ``load_gold``'s result; ``pred`` records per document (``predictions_from_output``),
    a list of records, or output documents. Predicted documents absent from gold are ignored (and
    listed); gold documents without predictions count as fully missed.

    Example::

        report = evaluate(load_gold("corpus/gold"), load_predictions("out/documents.jsonl"))
        report.entities.per_type["AMOUNT"].f1
    """
    gold_paras = _as_paras(gold)
    pred_paras = _as_paras(pred)
    for paras in gold_paras.values():
        for para in paras:
            problem = _check_gold_para(para)
            if problem:
                raise JixiaoError("E353", f"gold paragraph {para.para} of {para.doc_id}: {problem}")
    tally = _Tally()
    for doc_id, golds in gold_paras.items():
        _score_document(doc_id, golds, pred_paras.get(doc_id, []), tally)

    counts = tally.counts
    gold_count = sum(len(v) for v in gold_paras.values())
    matched = counts["exact"] + counts["normalised"]
    alignment = AlignmentReport(
        gold_paragraphs=gold_count, pred_paragraphs=sum(len(pred_paras.get(d, [])) for d in gold_paras),
        matched_exact=counts["exact"], matched_normalised=counts["normalised"],
        unmatched_gold=counts["unmatched_gold"], unmatched_pred=counts["unmatched_pred"],
        match_rate=matched / gold_count if gold_count else 0.0,
        docs_without_pred=sorted(d for d in gold_paras if d not in pred_paras),
        pred_docs_not_in_gold=sorted(d for d in pred_paras if d not in gold_paras),
        pred_spans_dropped=counts["dropped"],
    )
    money = MoneyReport(tally.money_total, tally.money_correct,
                        tally.money_correct / tally.money_total if tally.money_total else None,
                        tally.money_unparsed, tally.mismatches)
    return EvalReport(
        documents=sorted(gold_paras), alignment=alignment,
        entities=span_scores(tally.entity_gold, tally.entity_pred), money=money,
        labels=label_scores(tally.label_gold, tally.label_pred),
        roles=span_scores(tally.role_gold, tally.role_pred),
    )


def run_pipeline_on_gold(gold: Mapping[str, Sequence[Mapping[str, Any]]],
                         pipeline: Any = None) -> dict[str, list[dict[str, Any]]]:
    """Run a pipeline (default: the default manifest) on the gold paragraph texts; predictions per document.

    Uses ``jixiao.pipeline.extract_paragraph_records(doc_id, paragraph_texts)``, imported here so that
    evaluation does not load the pipeline unless asked.

    Example::

        pred = run_pipeline_on_gold(load_gold("corpus/gold"))
    """
    try:
        from jixiao.pipeline import extract_paragraph_records
    except ImportError as exc:
        raise JixiaoError("E359", f"the pipeline cannot be run: jixiao.pipeline.extract_paragraph_records "
                          f"is not importable ({exc}); install the package fully or evaluate a file "
                          "with --pred") from exc
    out = {}
    for doc_id, records in gold.items():
        texts = [record["text"] for record in records]
        out[doc_id] = extract_paragraph_records(doc_id, texts, pipeline)
    return predictions_from_output([{"doc_id": d, **r} if "doc_id" not in r else r
                                    for d, records in out.items() for r in records])


# --------------------------------------------------------------------------------------------
# Leave-one-document-out cross-validation
# --------------------------------------------------------------------------------------------

def lodo_splits(doc_ids: Iterable[str]) -> list[tuple[list[str], str]]:
    """Leave-one-document-out folds ``(train ids, test id)``, sorted and deterministic.

    >>> lodo_splits(["b", "a", "c"])
    [(['b', 'c'], 'a'), (['a', 'c'], 'b'), (['a', 'b'], 'c')]
    """
    ids = sorted(set(doc_ids))
    if len(ids) < 2:
        raise UsageError("E360", f"leave-one-document-out needs at least 2 gold documents, got {len(ids)}")
    return [([d for d in ids if d != test], test) for test in ids]


@dataclass
class FoldReport:
    """One fold: the held-out document, the training documents and the evaluation."""

    test_id: str
    train_ids: list[str]
    report: EvalReport


@dataclass
class CVReport:
    """Per-fold reports and the pooled report over all folds' predictions together."""

    folds: list[FoldReport]
    pooled: EvalReport

    def to_dict(self) -> dict[str, Any]:
        return {
            "folds": [{"test_id": f.test_id, "train_ids": f.train_ids, "report": f.report.to_dict()}
                      for f in self.folds],
            "pooled": self.pooled.to_dict(),
        }


def cross_validate(gold: Mapping[str, Sequence[Mapping[str, Any]]],
                   fit_predict: Callable[[dict[str, list], dict[str, list]], Any],
                   splits: Sequence[tuple[Sequence[str], Sequence[str], str]] | None = None) -> CVReport:
    """Cross-validation: ``fit_predict(train_gold, test_gold)`` returns predictions for the
    held-out documents (records per document, a list of records, or output documents).

    ``splits`` lists ``(train ids, test ids, fold name)``; the default is leave-one-document-out
    over ``gold``. Pooled figures are computed over the concatenation of every fold's predictions
    (not the mean of fold figures), on the documents some fold tested.

    Example::

        cv = cross_validate(load_gold("corpus/gold"), lambda train, test: model.fit(train).predict(test))
        cv.pooled.entities.micro.f1
    """
    if splits is None:
        splits = [(train_ids, [test_id], test_id) for train_ids, test_id in lodo_splits(gold)]
    folds: list[FoldReport] = []
    pooled_pred: dict[str, list[dict[str, Any]]] = {}
    tested: list[str] = []
    for train_ids, test_ids, name in splits:
        missing = [d for d in list(train_ids) + list(test_ids) if d not in gold]
        if missing:
            raise UsageError("E360", f"fold {name}: no gold for {missing[:3]}")
        train_gold = {d: list(gold[d]) for d in train_ids}
        test_gold = {d: list(gold[d]) for d in test_ids}
        raw = fit_predict(train_gold, test_gold)
        default_id = test_ids[0] if len(test_ids) == 1 else None
        try:
            if isinstance(raw, Mapping):
                pred = {d: [_record_from_para(p) for p in paras] for d, paras in _as_paras(raw).items()}
            else:
                items = [r if "doc_id" in r or default_id is None else {"doc_id": default_id, **r} for r in raw]
                pred = predictions_from_output(items)
        except TypeError as exc:
            raise JixiaoError("E361", f"fit_predict returned {type(raw).__name__} for fold {name}; "
                              "return records per document or a list of records") from exc
        pred = {d: recs for d, recs in pred.items() if d in test_gold}
        folds.append(FoldReport(name, list(train_ids), evaluate(test_gold, pred)))
        pooled_pred.update(pred)
        tested.extend(d for d in test_ids if d not in tested)
    return CVReport(folds, evaluate({d: gold[d] for d in tested}, pooled_pred))


# --------------------------------------------------------------------------------------------
# Rendering (rich)
# --------------------------------------------------------------------------------------------

def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def _scores_table(title: str, names: Sequence[str], per: Mapping[str, Scores], micro: Scores,
                  macro: Scores, first_column: str, excluded: Sequence[str] | None = None):
    from rich.table import Table

    table = Table(title=title)
    excluded = [n for n in names if n not in per] if excluded is None else list(excluded)
    if excluded:  # nothing to score (no gold example, no prediction): left out of the macro
        table.caption = f"macro over {len(names) - len(excluded)} of {len(names)}; not scored: {', '.join(excluded)}"
    table.add_column(first_column)
    for column in ("P", "R", "F1", "support"):
        table.add_column(column, justify="right")
    for name in names:
        s = per.get(name)
        if s is None or name in excluded:
            table.add_row(name, "–", "–", "–", "0")
        else:
            table.add_row(name, _fmt(s.precision), _fmt(s.recall), _fmt(s.f1), str(s.support))
    for name, s in (("micro", micro), ("macro", macro)):
        table.add_row(f"[bold]{name}[/bold]", _fmt(s.precision), _fmt(s.recall), _fmt(s.f1), str(s.support))
    return table


def _ordered(known: Sequence[str], present: Iterable[str]) -> list[str]:
    return list(known) + sorted(set(present) - set(known))


def render_report(report: EvalReport):
    """Rich tables of one evaluation (a ``rich.console.Group``; ``console.print`` it).

    Example::

        Console().print(render_report(evaluate(gold, pred)))
    """
    from rich.console import Group
    from rich.table import Table

    a = report.alignment
    summary = Table(title="Alignment and money values", show_header=False)
    summary.add_column("what")
    summary.add_column("value", justify="right")
    summary.add_row("documents", str(len(report.documents)))
    summary.add_row("gold paragraphs matched", f"{a.matched_exact + a.matched_normalised}/{a.gold_paragraphs} "
                    f"({a.match_rate:.1%}; {a.matched_normalised} after whitespace)")
    summary.add_row("predicted paragraphs unmatched", f"{a.unmatched_pred}/{a.pred_paragraphs}")
    if a.docs_without_pred:
        summary.add_row("gold documents without predictions", ", ".join(a.docs_without_pred))
    if a.pred_spans_dropped:
        summary.add_row("predicted spans dropped (invalid/overlapping)", str(a.pred_spans_dropped))
    m = report.money
    summary.add_row("value_yuan accuracy", f"{_fmt(m.accuracy)} ({m.correct}/{m.gold_amounts} gold amounts)")
    entities = _scores_table("Entities (exact span)", _ordered(ENTITY_TYPES, report.entities.per_type),
                             report.entities.per_type, report.entities.micro, report.entities.macro, "type")
    labels = _scores_table("Paragraph labels", PARAGRAPH_LABELS, report.labels.per_class,
                           report.labels.micro, report.labels.macro, "label", report.labels.macro_excluded)
    roles = _scores_table("Sentence roles (exact span)", _ordered(ROLES, report.roles.per_type),
                          report.roles.per_type, report.roles.micro, report.roles.macro, "role")
    return Group(summary, entities, labels, roles)


def render_cv_report(cv: CVReport):
    """Rich tables: one row per fold and a pooled row, F1 per entity type, per label and per role.

    Example::

        Console().print(render_cv_report(cross_validate(gold, fit_predict)))
    """
    from rich.console import Group
    from rich.table import Table

    rows = [(f.test_id, f.report) for f in cv.folds] + [("pooled", cv.pooled)]
    entity_types = _ordered(ENTITY_TYPES, (t for _, r in rows for t in r.entities.per_type))
    role_types = _ordered(ROLES, (t for _, r in rows for t in r.roles.per_type))

    def table(title: str, names: Sequence[str], pick) -> Table:
        t = Table(title=title)
        t.add_column("fold (test document)")
        for name in (*names, "micro", "macro"):
            t.add_column(name, justify="right")
        for label, report in rows:
            per, micro, macro = pick(report)
            cells = [_fmt(per[n].f1) if n in per else "–" for n in names]
            style = "bold" if label == "pooled" else None
            t.add_row(label, *cells, _fmt(micro.f1), _fmt(macro.f1), style=style)
        return t

    extra = Table(title="Alignment and money values per fold")
    for column in ("fold (test document)", "paragraph match rate", "value_yuan accuracy"):
        extra.add_column(column, justify="right")
    for label, report in rows:
        extra.add_row(label, _fmt(report.alignment.match_rate), _fmt(report.money.accuracy),
                      style="bold" if label == "pooled" else None)
    def spans(attribute: str):
        return lambda r: (getattr(r, attribute).per_type, getattr(r, attribute).micro, getattr(r, attribute).macro)

    return Group(
        table("Entity F1 per fold", entity_types, spans("entities")),
        table("Paragraph label F1 per fold", PARAGRAPH_LABELS,
              lambda r: (r.labels.per_class, r.labels.micro, r.labels.macro)),
        table("Role F1 per fold", role_types, spans("roles")),
        extra,
    )
