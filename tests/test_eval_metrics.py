"""Evaluation metrics on a hand-computed two-document fixture, alignment and seqeval's mode."""
from __future__ import annotations

import random
from decimal import Decimal

import pytest

from jixiao.evaluation import (
    align_paragraphs,
    evaluate,
    label_scores,
    map_span,
    normalise_text,
    predictions_from_output,
    span_scores,
    spans_to_bio,
)


def sp(text: str, sub: str, kind: str, value=None, nth: int = 0) -> list:
    """[start, end, kind] of the nth occurrence of ``sub`` in ``text`` (value_yuan appended if given)."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(sub, start + 1)
    span = [start, start + len(sub), kind]
    return span + [value] if value is not None else span


def rec(doc_id: str, para: int, text: str, labels=(), roles=(), entities=()) -> dict:
    return {"doc_id": doc_id, "para": para, "text": text, "labels": list(labels),
            "roles": list(roles), "entities": list(entities)}


A1 = "项目资金8684万元，执行率96.4%。"
A2 = "存在问题：预算编制不准确。主要原因是人员不足。"
A3 = "建议加强预算管理。"
B0 = "收入 355,212 万元，参保12732人。"
B0_PRED = normalise_text(B0)  # whitespace lost by a different cleaning
B1 = "一是健全内控制度。"
EXTRA = "附件1：评分表"

GOLD = {
    "A": [
        rec("A", 0, "一、项目概况"),
        rec("A", 1, A1, entities=[sp(A1, "8684", "AMOUNT"), sp(A1, "万元", "UNIT"), sp(A1, "执行率", "INDICATOR"),
                                  sp(A1, "96.4", "AMOUNT"), sp(A1, "%", "UNIT")]),
        rec("A", 2, A2, labels=["存在问题"], roles=[sp(A2, "存在问题：预算编制不准确。", "问题"),
                                                  sp(A2, "主要原因是人员不足。", "原因")]),
        rec("A", 3, A3, labels=["建议"], roles=[sp(A3, A3, "措施")]),
    ],
    "B": [
        rec("B", 0, B0, entities=[sp(B0, "355,212", "AMOUNT"), sp(B0, "万元", "UNIT"),
                                  sp(B0, "12732", "AMOUNT"), sp(B0, "人", "UNIT", nth=0)]),
        rec("B", 1, B1, labels=["经验做法"]),
    ],
}


def entity(para: int, text: str, sub: str, kind: str, value=None) -> dict:
    start = text.index(sub)
    return {"paragraph": para, "start": start, "end": start + len(sub), "type": kind, "text": sub,
            "value": None, "unit": None, "value_yuan": value, "comparator": None}


# Document A as `jixiao extract` writes it (output contract); paragraph 3 is missing, "附件" is extra.
PRED_DOC_A = {
    "schema_version": 1, "doc_id": "A", "source": "a.txt", "sha256": "0" * 64, "meta": {},
    "paragraphs": [
        {"index": 0, "section": [], "text": "一、项目概况", "labels": ["建议"], "label_scores": {},
         "sentences": [{"start": 0, "end": 6, "role": None}]},
        {"index": 1, "section": [], "text": A1, "labels": [], "label_scores": {},
         "sentences": [{"start": 0, "end": len(A1), "role": None}]},
        {"index": 2, "section": [], "text": A2, "labels": ["存在问题", "建议"], "label_scores": {},
         "sentences": [{"start": 0, "end": 13, "role": "问题"},
                       {"start": A2.index("原因是"), "end": len(A2), "role": "原因"}]},
        {"index": 3, "section": [], "text": EXTRA, "labels": ["经验做法"], "label_scores": {},
         "sentences": []},
    ],
    "entities": [
        entity(1, A1, "8684", "AMOUNT", "8684"),          # value without its unit: wrong
        entity(1, A1, "万元", "UNIT"),
        entity(1, A1, "执行", "INDICATOR"),                # span one character short: FP + FN
        entity(1, A1, "96.4", "AMOUNT"),                  # the % UNIT is missed
        entity(3, EXTRA, "1", "AMOUNT"),                  # in an unmatched paragraph: FP
    ],
    "indicators": [],
}
# Document B in ANNOTATION format, paragraph 0 with its spaces removed.
PRED_RECORDS_B = [
    rec("B", 0, B0_PRED, entities=[sp(B0_PRED, "355,212", "AMOUNT", "3552120000"), sp(B0_PRED, "万元", "UNIT"),
                                   sp(B0_PRED, "12732", "AMOUNT"), sp(B0_PRED, "人", "UNIT")]),
    rec("B", 1, B1, labels=["经验做法"]),
]


@pytest.fixture(scope="module")
def report():
    return evaluate(GOLD, predictions_from_output([PRED_DOC_A, *PRED_RECORDS_B]))


def test_predictions_from_output_converts_contract_documents():
    pred = predictions_from_output([PRED_DOC_A])["A"]
    assert [r["para"] for r in pred] == [0, 1, 2, 3]
    assert pred[2]["roles"] == [[0, 13, "问题"], [A2.index("原因是"), len(A2), "原因"]]
    assert pred[1]["entities"][0] == [4, 8, "AMOUNT", Decimal("8684")]
    assert pred[3]["entities"] == [[2, 3, "AMOUNT", None]]


def test_alignment_counts(report):
    a = report.alignment
    assert (a.gold_paragraphs, a.pred_paragraphs) == (6, 6)
    assert (a.matched_exact, a.matched_normalised, a.unmatched_gold, a.unmatched_pred) == (4, 1, 1, 1)
    assert a.match_rate == pytest.approx(5 / 6)


def test_entity_scores_per_type(report):
    e = report.entities.per_type
    # AMOUNT: 4 gold, 5 predicted (one in the unmatched paragraph), 4 right
    assert (e["AMOUNT"].precision, e["AMOUNT"].recall, e["AMOUNT"].support) == (pytest.approx(0.8), 1.0, 4)
    assert e["AMOUNT"].f1 == pytest.approx(8 / 9)
    # UNIT: 4 gold, 3 predicted, all right (two of them through the whitespace alignment)
    assert (e["UNIT"].precision, e["UNIT"].recall) == (1.0, 0.75)
    assert e["UNIT"].f1 == pytest.approx(6 / 7)
    assert (e["INDICATOR"].f1, e["INDICATOR"].support) == (0.0, 1)
    assert set(e) == {"AMOUNT", "UNIT", "INDICATOR"}


def test_entity_micro_and_macro(report):
    micro, macro = report.entities.micro, report.entities.macro
    assert (micro.precision, micro.recall, micro.f1) == pytest.approx((7 / 9, 7 / 9, 7 / 9))
    assert macro.f1 == pytest.approx((8 / 9 + 6 / 7 + 0) / 3)


def test_label_scores(report):
    per = report.labels.per_class
    assert (per["经验做法"].precision, per["经验做法"].recall) == (0.5, 1.0)
    assert per["经验做法"].f1 == pytest.approx(2 / 3)
    assert (per["存在问题"].precision, per["存在问题"].recall, per["存在问题"].f1) == (1.0, 1.0, 1.0)
    # 建议: predicted on the heading and on A2, missed on the unmatched A3
    assert (per["建议"].precision, per["建议"].recall, per["建议"].support) == (0.0, 0.0, 1)
    assert report.labels.macro.f1 == pytest.approx(5 / 9)
    assert (report.labels.micro.precision, report.labels.micro.recall, report.labels.micro.f1) == \
        pytest.approx((2 / 5, 2 / 3, 0.5))


def test_role_scores(report):
    per = report.roles.per_type
    assert per["问题"].f1 == 1.0
    assert (per["原因"].f1, per["措施"].f1, per["措施"].support) == (0.0, 0.0, 1)
    assert (report.roles.micro.precision, report.roles.micro.recall, report.roles.micro.f1) == \
        pytest.approx((0.5, 1 / 3, 0.4))
    assert report.roles.macro.f1 == pytest.approx(1 / 3)


def test_money_accuracy(report):
    money = report.money
    assert (money.gold_amounts, money.correct, money.accuracy) == (2, 1, 0.5)
    assert money.mismatches[0]["text"] == "8684"
    assert money.mismatches[0]["gold"] == Decimal("86840000")


def test_perfect_prediction_scores_one():
    r = evaluate(GOLD, GOLD)
    assert r.entities.micro.f1 == r.labels.macro.f1 == r.roles.micro.f1 == 1.0
    assert r.alignment.match_rate == 1.0
    # gold carries no values, so money accuracy is 0 of 2: the check needs predicted values
    assert (r.money.gold_amounts, r.money.correct) == (2, 0)


def test_to_dict_is_json_serialisable(report):
    import json

    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    assert data["entities"]["per_type"]["AMOUNT"]["support"] == 4
    assert data["money"]["mismatches"][0]["gold"] == "86840000"


def test_missing_document_counts_as_fully_missed():
    r = evaluate(GOLD, predictions_from_output([PRED_DOC_A]))
    assert r.alignment.docs_without_pred == ["B"]
    assert r.entities.per_type["AMOUNT"].recall == 0.5          # B's two amounts are missed
    assert r.labels.per_class["经验做法"].recall == 0.0


def test_predicted_documents_outside_gold_are_ignored():
    other = rec("Z", 0, "8684万元", entities=[[0, 4, "AMOUNT"]])
    r = evaluate({"B": GOLD["B"]}, {"B": PRED_RECORDS_B, "Z": [other]})
    assert r.alignment.pred_docs_not_in_gold == ["Z"]
    assert r.entities.micro.f1 == 1.0


def test_align_paragraphs_exact_first_then_normalised_in_order():
    gold = ["合计\t5", "甲 乙", "合计\t5", "丙"]
    pred = ["甲乙", "合计\t5", "合计 \t5", "合计\t5", "丁"]
    assert align_paragraphs(gold, pred) == [(0, 1, "exact"), (1, 0, "normalised"), (2, 3, "exact")]


def test_map_span_through_whitespace():
    assert map_span(B0_PRED, B0, *sp(B0_PRED, "355,212", "AMOUNT")[:2]) == tuple(sp(B0, "355,212", "AMOUNT")[:2])
    assert map_span(B0_PRED, B0, *sp(B0_PRED, "万元", "UNIT")[:2]) == tuple(sp(B0, "万元", "UNIT")[:2])
    # a span covering the amount and unit keeps the inner space of the gold text
    assert map_span("收入355,212万元", "收入 355,212 万元", 2, 11) == (3, 13)
    assert map_span("a b", "ab", 1, 2) is None


def test_invalid_and_overlapping_predicted_spans_are_dropped():
    gold = {"d": [rec("d", 0, "8684万元", entities=[[0, 4, "AMOUNT"], [4, 6, "UNIT"]])]}
    pred = {"d": [rec("d", 0, "8684万元", entities=[[0, 4, "AMOUNT"], [2, 6, "UNIT"], [5, 99, "UNIT"],
                                                  [0, 1, "MONEY"]])]}
    r = evaluate(gold, pred)
    assert r.alignment.pred_spans_dropped == 3
    assert (r.entities.micro.precision, r.entities.micro.recall) == (1.0, 0.5)


def test_edge_whitespace_does_not_break_span_match():
    gold = {"d": [rec("d", 0, "存储空间不够。 原因是经费少。", labels=["存在问题"], roles=[[0, 7, "问题"]])]}
    pred = {"d": [rec("d", 0, "存储空间不够。 原因是经费少。", labels=["存在问题"], roles=[[0, 8, "问题"]])]}
    assert evaluate(gold, pred).roles.micro.f1 == 1.0


def test_spans_to_bio_rejects_overlap():
    with pytest.raises(ValueError):
        spans_to_bio(4, [(0, 2, "A"), (1, 3, "B")])


def test_label_scores_ignore_unknown_labels():
    r = label_scores([["建议"], ["存在问题"]], [["建议", "其他"], []])
    assert r.unknown_pred_labels == 1
    assert r.per_class["建议"].f1 == 1.0 and r.per_class["存在问题"].recall == 0.0
    assert r.per_class["经验做法"].support == 0


def _random_spans(rng: random.Random, length: int) -> list[tuple[int, int, str]]:
    spans, position = [], 0
    while position < length:
        position += rng.randint(0, 3)
        end = position + rng.randint(1, 4)
        if end > length:
            break
        spans.append((position, end, rng.choice("AB")))
        position = end
    return spans


def test_seqeval_strict_equals_exact_span_counting_and_default_mode():
    """Character IOB2 + seqeval strict is exact span matching; the default mode agrees on our tags."""
    from seqeval.metrics import classification_report

    rng = random.Random(7)
    gold_tags, pred_tags, gold_sets, pred_sets = [], [], set(), set()
    for i in range(150):
        length = rng.randint(1, 20)
        g, p = _random_spans(rng, length), _random_spans(rng, length)
        if rng.random() < 0.4:
            p = list(g)
        gold_tags.append(spans_to_bio(length, g))
        pred_tags.append(spans_to_bio(length, p))
        gold_sets |= {(i, *s) for s in g}
        pred_sets |= {(i, *s) for s in p}
    ours = span_scores(gold_tags, pred_tags)
    for kind in "AB":
        tp = len({s for s in gold_sets & pred_sets if s[3] == kind})
        n_gold = len({s for s in gold_sets if s[3] == kind})
        n_pred = len({s for s in pred_sets if s[3] == kind})
        assert ours.per_type[kind].support == n_gold
        assert ours.per_type[kind].precision == pytest.approx(tp / n_pred)
        assert ours.per_type[kind].recall == pytest.approx(tp / n_gold)
    default = classification_report(gold_tags, pred_tags, output_dict=True)
    assert ours.micro.f1 == pytest.approx(float(default["micro avg"]["f1-score"]))


def test_span_scores_with_no_spans_at_all():
    r = span_scores([["O", "O"]], [["O", "O"]])
    assert r.per_type == {} and r.micro.f1 == 0.0 and r.macro.f1 == 0.0


def test_docstring_examples():
    import doctest

    import jixiao.evaluation

    result = doctest.testmod(jixiao.evaluation)
    assert result.attempted >= 10 and result.failed == 0
