"""Score reports and the scorers: exact spans (seqeval) and multi-label paragraph labels (scikit-learn)."""
from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, Iterable, Mapping, Sequence

from jixiao.schema import PARAGRAPH_LABELS

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
