"""Gold value_yuan from span texts, adjacent and header units, and value accuracy."""
from __future__ import annotations

from decimal import Decimal

import pytest

from jixiao.evaluation import evaluate, gold_value_yuan, header_units, parse_amount


def sp(text: str, sub: str, kind: str, nth: int = 0) -> list:
    start = -1
    for _ in range(nth + 1):
        start = text.index(sub, start + 1)
    return [start, start + len(sub), kind]


def money_record(text: str, *pairs: tuple[str, str]) -> dict:
    """A record whose entities are AMOUNT + UNIT for each (amount, unit) pair, in order."""
    entities, position = [], 0
    for amount, unit in pairs:
        a = text.index(amount, position)
        u = text.index(unit, a + len(amount))
        entities += [[a, a + len(amount), "AMOUNT"], [u, u + len(unit), "UNIT"]]
        position = u + len(unit)
    return {"text": text, "entities": entities}


@pytest.mark.parametrize("text, amount, unit, expected", [
    ("收入 355,212 万元", "355,212", "万元", "3552120000"),
    ("总额8684万元", "8684", "万元", "86840000"),
    ("完成预算5.87亿元", "5.87", "亿元", "587000000"),
    ("资金52.23亿元", "52.23", "亿元", "5223000000"),
    ("经费８６８４千元", "８６８４", "千元", "8684000"),
    ("补助３，５００元", "３，５００", "元", "3500"),
    ("当年结余-1913 万元", "-1913", "万元", "-19130000"),
    ("3541.07万元2.3", "3541.07", "万元", "35410700"),
])
def test_gold_value_from_adjacent_unit(text, amount, unit, expected):
    record = money_record(text, (amount, unit))
    assert gold_value_yuan(record, record["entities"][0]) == Decimal(expected)


@pytest.mark.parametrize("text, amount, unit", [
    ("服务2597人次", "2597", "人次"),
    ("增长13.43%", "13.43", "%"),
    ("参保40.28万人", "40.28", "万人"),
])
def test_non_currency_units_have_no_value(text, amount, unit):
    record = money_record(text, (amount, unit))
    assert gold_value_yuan(record, record["entities"][0]) is None


def test_unit_must_follow_the_amount():
    text = "万元：8684"
    record = {"text": text, "entities": [sp(text, "万元", "UNIT"), sp(text, "8684", "AMOUNT")]}
    assert gold_value_yuan(record, record["entities"][1]) is None


def test_non_amount_entities_have_no_value():
    text = "得分89.15分"
    record = {"text": text, "entities": [sp(text, "89.15分", "SCORE")]}
    assert gold_value_yuan(record, record["entities"][0], "万元") is None


def test_header_unit_applies_to_bare_table_cells_only():
    text = "预算数：\t335412\t执行数：\t约289724"
    record = {"text": text, "entities": [sp(text, "335412", "AMOUNT"), sp(text, "289724", "AMOUNT")]}
    assert gold_value_yuan(record, record["entities"][0], "万元") == Decimal("3354120000")
    assert gold_value_yuan(record, record["entities"][1], "万元") is None          # not a bare cell
    prose = {"text": "共335412", "entities": [[1, 7, "AMOUNT"]]}
    assert gold_value_yuan(prose, prose["entities"][0], "万元") is None            # not a table row


def test_header_units_scope():
    texts = [
        "(2019年度)",                                    # short caption: nothing yet
        "单位：万元",                                      # sets 万元
        "预算执行情况\t预算数：\t335412",
        "执行",                                           # a cell fragment does not end the table
        "年度\t一级指标\t二级指标\t三级指标\t预期指标值",          # indicator table: bare numbers are not money
        "产出指标\t数量指标\t10",
        "资金情况 (万元)\t预算安排资金\t78876",                  # header in the row itself
        "实际支出资金\t76059",
        "三、评价基本情况：本次评价采用了因素分析法。",              # prose ends it
        "合计\t5",
    ]
    assert header_units([{"text": t} for t in texts]) == \
        [None, "万元", "万元", "万元", None, None, "万元", "万元", None, None]


def test_parse_amount():
    assert parse_amount("355,212") == Decimal("355212")
    assert parse_amount(" 8183.32 ") == Decimal("8183.32")
    assert parse_amount("１２．５") == Decimal("12.5")
    assert parse_amount("三千") is None
    assert parse_amount("1.2.3") is None


def test_value_accuracy_with_header_units_and_spaced_amount():
    header = "单位：万元"
    row = "预算数\t335412\t执行数\t289724"
    prose = "2019 年基本医疗保险收入 355,212 万元。"
    gold = {"d": [
        {"doc_id": "d", "para": 0, "text": header, "labels": [], "roles": [],
         "entities": [sp(header, "万元", "UNIT")]},
        {"doc_id": "d", "para": 1, "text": row, "labels": [], "roles": [],
         "entities": [sp(row, "335412", "AMOUNT"), sp(row, "289724", "AMOUNT")]},
        {"doc_id": "d", "para": 2, "text": prose, "labels": [], "roles": [],
         "entities": [sp(prose, "355,212", "AMOUNT"), sp(prose, "万元", "UNIT")]},
    ]}
    pred = {"d": [
        {**gold["d"][0]},
        {**gold["d"][1], "entities": [sp(row, "335412", "AMOUNT") + ["3.35412E+9"],   # Decimal-equal
                                      sp(row, "289724", "AMOUNT") + ["289724"]]},      # header unit missed
        {**gold["d"][2], "entities": [sp(prose, "355,212", "AMOUNT") + [Decimal("3552120000.00")],
                                      sp(prose, "万元", "UNIT") + [None]]},
    ]}
    money = evaluate(gold, pred).money
    assert (money.gold_amounts, money.correct) == (3, 2)
    assert money.accuracy == pytest.approx(2 / 3)
    assert [(m["text"], m["gold"], m["pred"]) for m in money.mismatches] == \
        [("289724", Decimal("2897240000"), Decimal("289724"))]


def test_value_needs_the_exact_span():
    text = "收入8684万元"
    gold = {"d": [{"doc_id": "d", "para": 0, "text": text, "labels": [], "roles": [],
                   "entities": [[2, 6, "AMOUNT"], [6, 8, "UNIT"]]}]}
    pred = {"d": [{**gold["d"][0], "entities": [[2, 8, "AMOUNT", "86840000"]]}]}
    assert evaluate(gold, pred).money.correct == 0


def test_weight_column_under_a_money_header_is_not_money():
    """Seed 002: the 分值 column of a 「项目资金 (万元)」 table holds the weight 10, not 10 万元."""
    from jixiao.evaluation import table_unit_context

    header = "项目资金 (万元)\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分\t"
    row = "\t年度资金总额\t432620.00\t432620.00\t367065.00\t10\t84.85%\t8.49分\t"
    context = table_unit_context([{"text": header}, {"text": row}])
    assert context[1] == ("万元", frozenset({5, 6, 7}))
    record = {"text": row, "entities": [sp(row, "367065.00", "AMOUNT"), sp(row, "10", "AMOUNT")]}
    assert gold_value_yuan(record, record["entities"][0], *context[1]) == Decimal("3670650000")
    assert gold_value_yuan(record, record["entities"][1], *context[1]) is None
