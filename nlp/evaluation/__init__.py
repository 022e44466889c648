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

The modules: :mod:`~jixiao.evaluation.records` (the normalised paragraph, JSONL reading),
:mod:`~jixiao.evaluation.gold`, :mod:`~jixiao.evaluation.predictions`, :mod:`~jixiao.evaluation.align`,
:mod:`~jixiao.evaluation.scores` (reports and scorers), :mod:`~jixiao.evaluation.money`,
:mod:`~jixiao.evaluation.scoring` (:func:`evaluate`), :mod:`~jixiao.evaluation.cv` and
:mod:`~jixiao.evaluation.render`. Import from the package: ``from jixiao.evaluation import evaluate``.

Example::

    >>> gold = {"d": [{"doc_id": "d", "para": 0, "text": "收入8684万元", "labels": [],
    ...                "roles": [], "entities": [[2, 6, "AMOUNT"], [6, 8, "UNIT"]]}]}
    >>> evaluate(gold, gold).entities.micro.f1
    1.0
"""
from __future__ import annotations

from jixiao.evaluation.align import align_paragraphs, map_span
from jixiao.evaluation.cv import CVReport, FoldReport, cross_validate, lodo_splits
from jixiao.evaluation.gold import GOLD_KEYS, load_gold
from jixiao.evaluation.money import PLAIN_NUMBER_RE, gold_value_yuan, parse_amount
from jixiao.evaluation.predictions import load_predictions, predictions_from_output
from jixiao.evaluation.render import render_cv_report, render_report
from jixiao.evaluation.scores import (
    AlignmentReport, EvalReport, LabelReport, MoneyReport, Scores, SpanReport, label_scores, span_scores,
    spans_to_bio,
)
from jixiao.evaluation.scoring import evaluate, run_pipeline_on_gold
from jixiao.schema import CURRENCY_MULTIPLIERS, ENTITY_TYPES, PARAGRAPH_LABELS, ROLES  # noqa: F401  (re-exported)
from jixiao.units import header_units, normalise_text, table_unit_context  # noqa: F401  (re-exported)

__all__ = [
    "AlignmentReport", "CURRENCY_MULTIPLIERS", "CVReport", "ENTITY_TYPES", "EvalReport", "FoldReport", "GOLD_KEYS",
    "LabelReport", "MoneyReport", "PARAGRAPH_LABELS", "PLAIN_NUMBER_RE", "ROLES", "Scores", "SpanReport",
    "align_paragraphs", "cross_validate", "evaluate", "gold_value_yuan", "header_units", "label_scores", "load_gold",
    "load_predictions", "lodo_splits", "map_span", "normalise_text", "parse_amount", "predictions_from_output",
    "render_cv_report", "render_report", "run_pipeline_on_gold", "span_scores", "spans_to_bio",
    "table_unit_context",
]

#: The examples of the functions re-exported here run with the package's doctests too
#: (``doctest.testmod(jixiao.evaluation)``), as they did when the package was one module.
__test__ = {name: obj for name, obj in list(globals().items())
            if name in __all__ and callable(obj) and getattr(obj, "__module__", "").startswith(__name__ + ".")}
