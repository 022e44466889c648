from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.normalize import is_met, normalize_amount, parse_number, parse_value
from jixiao.rules.entities import extract_entities

MULT = {"元": 1, "千元": 1000, "万元": 10000, "亿元": 100000000}


@given(st.decimals(min_value=0, max_value=10**12, places=6, allow_nan=False, allow_infinity=False),
       st.sampled_from(sorted(MULT)))
def test_amount_times_unit_is_exact(number, unit):
    text = format(number, "f")
    assert normalize_amount(text, unit) == Decimal(text) * MULT[unit]


@given(st.integers(min_value=1000, max_value=10**12))
def test_thousands_separators_and_spaces_do_not_change_the_value(n):
    grouped = f"{n:,}"
    assert parse_number(grouped) == n
    assert parse_number(grouped.replace(",", "，")) == n


@given(st.integers(min_value=0, max_value=10**9))
def test_fullwidth_digits_parse_like_ascii(n):
    full = str(n).translate({c: chr(c + 0xFEE0) for c in range(0x30, 0x3A)})
    assert parse_number(full) == n


def test_seed_examples():
    assert normalize_amount("8684", "万元") == Decimal("86840000")
    assert normalize_amount("52.23", "亿元") == Decimal("5223000000")
    assert normalize_amount("355,212", "万元") == Decimal("3552120000")
    assert normalize_amount("13.43", "%") is None


# Known failures of JioNLP's money parser that must not come back.
def test_regression_number_glued_after_unit():
    t = "支出3541.07万元2.3"
    ents = extract_entities(t)
    assert (2, 9, "AMOUNT") in ents and (9, 11, "UNIT") in ents
    assert not any(s == 11 for s, _, _ in ents)  # "2.3" is not money of 万元


def test_regression_more_than_four_decimals():
    assert normalize_amount("0.123456", "万元") == Decimal("1234.56")
    assert normalize_amount("12.345678", "亿元") == Decimal("1234567800")


def test_regression_fullwidth_one():
    assert normalize_amount("１", "万元") == Decimal("10000")


def test_regression_unit_in_header_applies_to_bare_table_numbers(seed_docs):
    doc = seed_docs["004"]  # "资金情况 (万元)⇥预算安排资金⇥78876"
    e = next(e for e in doc.entities if e.type == "AMOUNT" and e.text == "78876")
    assert e.unit == "万元" and e.value_yuan == Decimal("788760000")


@pytest.mark.parametrize("text,cmp_,value,unit,upper", [
    ("≥ 41 万人", "≥", "410000", "人", None),
    ("105%≤≥95%", "range", "95", "%", "105"),
    (">=407.62万人", "≥", "4076200", "人", None),
    ("≤228462万元", "≤", "2284620000", "元", None),
    ("0.1%以内", "≤", "0.1", "%", None),
    ("按时报送", None, None, None, None),
    # forms the summarize indicator tables used to parse on their own (see tests/test_value_parse.py)
    # ranges in every spelling the reports use
    ("95%-105%", "range", "95", "%", "105"),
    ("95%至105%", "range", "95", "%", "105"),
    ("95%到105%", "range", "95", "%", "105"),
    ("95~105%", "range", "95", "%", "105"),
    ("95%～105%", "range", "95", "%", "105"),
    ("95%—105%", "range", "95", "%", "105"),
    ("95% - 105%", "range", "95", "%", "105"),
    ("95%≤x≤105%", "range", "95", "%", "105"),
    ("95%≤执行率≤105%", "range", "95", "%", "105"),
    ("105%≥x≥95%", "range", "95", "%", "105"),
    ("≥95%≤105%", "range", "95", "%", "105"),
    ("30万人-40万人", "range", "300000", "人", "400000"),   # both bounds scaled
    ("1-2万元", "range", "10000", "元", "20000"),         # the unit of the last bound applies to both
    # single values: symbols and words, before or after the number
    ("＞９０％", ">", "90", "%", None),
    ("不低于90%", "≥", "90", "%", None),
    ("大于等于95%", "≥", "95", "%", None),
    ("至少3次", "≥", "3", "次", None),
    ("95%以上", "≥", "95", "%", None),
    ("95%及以上", "≥", "95", "%", None),
    ("30日以内", "≤", "30", "日", None),
    ("≤5个工作日", "≤", "5", "个工作日", None),
    ("=640元/人", "=", "640", "元/人", None),
    ("12732人", None, "12732", "人", None),
    ("１２７３２人", None, "12732", "人", None),
    ("105.30%", None, "105.30", "%", None),               # as written: the output keeps the zero
    ("41万", None, "410000", None, None),
    ("3000千克", None, "3000", "千克", None),              # 千克 is a unit, not 千 × 克
    # no value
    ("90日内完成审核拨付", None, None, None, None),
    ("每月25日前", None, None, None, None),
    ("2018-12-31", None, None, None, None),
    ("95%-3人", None, None, None, None),                  # two quantities, not one range
    ("", None, None, None, None),
    (None, None, None, None, None),
])
def test_parse_value(text, cmp_, value, unit, upper):
    pv = parse_value(text)
    assert pv.comparator == cmp_
    assert (str(pv.value) if pv.value is not None else None) == value
    assert pv.unit == unit
    assert (str(pv.upper) if pv.upper is not None else None) == upper


def test_is_met():
    assert is_met(parse_value("≥41万人"), parse_value("40.28万人")) is False
    assert is_met(parse_value("105%≤≥95%"), parse_value("97.75%")) is True
    assert is_met(parse_value("按时报送"), parse_value("按时报送")) is None
