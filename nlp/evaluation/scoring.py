"""Evaluation: align each document's paragraphs and score entities, money values, labels and roles."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from jixiao.errors import E_GOLD_SPAN, E_NO_PIPELINE, JixiaoError
from jixiao.evaluation.align import align_paragraphs, clean_pred_spans, map_span, trim
from jixiao.evaluation.money import gold_money
from jixiao.evaluation.predictions import as_paras, predictions_from_output
from jixiao.evaluation.records import Para, check_gold_para
from jixiao.evaluation.scores import AlignmentReport, EvalReport, MoneyReport, label_scores, span_scores, spans_to_bio
from jixiao.schema import ENTITY_TYPES, ROLES
from jixiao.units import table_unit_context

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


def _pred_spans_on_gold(p: Para, g: Para, how: str, tally: _Tally, layer: str,
                        known: Sequence[str]) -> list[tuple[int, int, str, Any]]:
    """A predicted paragraph's valid spans of one layer, in gold offsets."""
    kept, dropped = clean_pred_spans(p.text, getattr(p, layer), known)
    tally.counts["dropped"] += dropped
    spans = []
    for s, e, kind, value in kept:
        mapped = (s, e) if how == "exact" else map_span(p.text, g.text, s, e)
        if mapped is None:
            tally.counts["dropped"] += 1
        else:
            spans.append((*mapped, kind, value))
    return spans


def _score_money(doc_id: str, g: Para, context: tuple[str | None, frozenset[int]],
                 pred_entities: list[tuple[int, int, str, Any]], tally: _Tally) -> None:
    """Compare predicted value_yuan with the gold value of each currency AMOUNT of ``g``."""
    record = {"text": g.text, "entities": [list(x[:3]) for x in g.entities]}
    by_span = {(s, e): value for s, e, _, value in pred_entities}
    for entity in g.entities:
        has_currency, value = gold_money(record, entity, *context)
        if not has_currency:
            continue
        if value is None:
            tally.money_unparsed += 1
            continue
        tally.money_total += 1
        span = trim(g.text, entity[0], entity[1])
        predicted = by_span.get(span)
        if predicted is not None and predicted == value:
            tally.money_correct += 1
        else:
            tally.mismatches.append({"doc_id": doc_id, "para": g.para, "start": span[0], "end": span[1],
                                     "text": g.text[span[0]:span[1]], "gold": value, "pred": predicted})


def _score_document(doc_id: str, golds: list[Para], preds: list[Para], tally: _Tally) -> None:
    """Align one document's paragraphs and add every gold and predicted item to the tally."""
    pairs = align_paragraphs([g.text for g in golds], [p.text for p in preds])
    pred_for_gold = {g: (p, how) for g, p, how in pairs}
    contexts = table_unit_context([{"text": g.text} for g in golds])
    for gi, g in enumerate(golds):
        gold_entities = [(*trim(g.text, s, e), kind, v) for s, e, kind, v in g.entities]
        gold_roles = [(*trim(g.text, s, e), kind, v) for s, e, kind, v in g.roles]
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
        entities, dropped_e = clean_pred_spans(p.text, p.entities, ENTITY_TYPES)
        roles, dropped_r = clean_pred_spans(p.text, p.roles, ROLES)
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
    gold_paras = as_paras(gold)
    pred_paras = as_paras(pred)
    for paras in gold_paras.values():
        for para in paras:
            problem = check_gold_para(para)
            if problem:
                raise JixiaoError(E_GOLD_SPAN, f"gold paragraph {para.para} of {para.doc_id}: {problem}")
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
        raise JixiaoError(E_NO_PIPELINE, f"the pipeline cannot be run: jixiao.pipeline.extract_paragraph_records "
                          f"is not importable ({exc}); install the package fully or evaluate a file "
                          "with --pred") from exc
    out = {}
    for doc_id, records in gold.items():
        texts = [record["text"] for record in records]
        out[doc_id] = extract_paragraph_records(doc_id, texts, pipeline)
    return predictions_from_output([{"doc_id": d, **r} if "doc_id" not in r else r
                                    for d, records in out.items() for r in records])
