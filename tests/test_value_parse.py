"""The one parser of TARGET/ACTUAL/SCORE values (jixiao.normalize): forms, intervals, met / not met.

Entities (``ParsedValue`` fields in the extraction output) and the indicator tables of
``jixiao summarize`` (``value_interval`` + ``judge``) read values with the same parser.
"""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.normalize import is_met, judge, parse_value, scale_unit, value_interval

# ---------------------------------------------------------------------------------- ParsedValue


# The forms table (ranges, word comparators, phrases) is in tests/test_normalize.py::test_parse_value.


@pytest.mark.parametrize("text,yuan", [
    ("≤228462万元", "2284620000"), ("355,212 万元", "3552120000"), ("342元", "342"),
    ("1.5亿元", "150000000"), ("≥-1913万元", "-19130000"), ("3千万元", "30000000"),
])
def test_money_gives_value_yuan(text, yuan):
    pv = parse_value(text)
    assert pv.unit == "元" and str(pv.value_yuan) == yuan == str(pv.value)


def test_counts_and_percentages_carry_no_value_yuan():
    assert parse_value("≥41万人").value_yuan is None
    assert parse_value("95%-105%").value_yuan is None


def test_range_bounds_may_be_open():
    pv = parse_value("95%≤执行率<105%")
    assert (pv.lower_open, pv.upper_open) == (False, True)
    assert value_interval(pv).describe() == "[95, 105) %"
    assert value_interval("105%>x≥95%").describe() == "[95, 105) %"


def test_open_flags_stay_out_of_the_repr():
    assert repr(parse_value("95%<x<105%")) == ("ParsedValue(comparator='range', value=Decimal('95'), "
                                                "unit='%', upper=Decimal('105'), value_yuan=None)")


def test_scale_unit():
    assert scale_unit(Decimal("41"), "万人") == (Decimal(410000), "人", False)
    assert scale_unit(Decimal("1"), "亿元") == (Decimal(100000000), "元", True)
    assert scale_unit(Decimal("3"), "千元/人") == (Decimal(3000), "元/人", False)
    assert scale_unit(Decimal("3"), "千克") == (Decimal(3), "千克", False)


# ---------------------------------------------------------------------------------- intervals


@pytest.mark.parametrize("text,lo,hi,unit,cmp", [
    ("≥41万人", "410000", None, "人", "≥"),
    ("≥ 41 万人", "410000", None, "人", "≥"),
    (">=719.81万人次", "7198100", None, "人次", "≥"),
    ("≤228462万元", None, "2284620000", "元", "≤"),
    ("=100%", "100", "100", "%", "="),
    (">90%", "90", None, "%", ">"),
    ("105%≤≥95%", "95", "105", "%", "range"),
    ("95%-105%", "95", "105", "%", "range"),
    ("95%至105%", "95", "105", "%", "range"),
    ("95%≤x≤105%", "95", "105", "%", "range"),
    ("95%以上", "95", None, "%", "≥"),
    ("不低于90%", "90", None, "%", "≥"),
    ("30日以内", None, "30", "日", "≤"),
    ("１２７３２人", "12732", None, "人", "≥"),
    ("355,212 万元", "3552120000", None, "元", "≥"),
    ("43975", "43975", None, "", "≥"),
])
def test_value_interval_targets(text, lo, hi, unit, cmp):
    v = value_interval(text)
    assert v is not None
    assert v.lo == (None if lo is None else Decimal(lo))
    assert v.hi == (None if hi is None else Decimal(hi))
    assert (v.unit, v.comparator) == (unit, cmp)


@pytest.mark.parametrize("text", ["按时拨付", "90日内完成审核拨付", "每月25日前", "全年持续实施", "", None])
def test_value_interval_non_numeric(text):
    assert value_interval(text) is None


def test_target_without_comparator_reads_as_at_least_actual_as_point():
    t = value_interval("12732人")
    assert t.implicit and t.comparator == "≥"
    a = value_interval("13701人", role="actual")
    assert a.lo == a.hi == Decimal(13701)


def test_value_interval_takes_text_or_parsed_value():
    assert value_interval(parse_value("≥41万人")) == value_interval("≥41万人")


@pytest.mark.parametrize("target,actual,met,reason", [
    ("≥41万人", "40.28万人", False, "not_met"),      # seed 002: 402800 < 410000
    ("105%≤≥95%", "97.75%", True, "met"),            # inside the 95..105 range
    ("105%≤≥95%", "92.1%", False, "not_met"),
    ("95%至105%", "105%", True, "met"),
    ("95%≤x<105%", "105%", False, "not_met"),        # open upper bound
    ("≥41万人", "410000人", True, "met"),            # same amount after unit scaling
    ("≥132万人次", "479.45万人次", True, "met"),
    ("≤228462万元", "210485万元", True, "met"),
    ("≥95%", "92.1%", False, "not_met"),
    ("=100%", "100", True, "met"),                   # bare actual takes the target's unit
    (">90%", ">95%", True, "met"),                   # survey result as a bound
    ("≤1%", "≤1%", True, "met"),
    (">95%", ">90%", None, "partial_overlap"),       # could be 93% or 99%
    ("12732人", "13701人", True, "met"),
    ("12732人", "12000人", False, "not_met"),
    ("≥41万人", "40.28万人次", None, "unit_mismatch"),
    ("按时报送", "按时报送", None, "non_numeric_target"),
    ("≥99%", "按时拨付", None, "non_numeric_actual"),
])
def test_judge(target, actual, met, reason):
    assert judge(value_interval(target), value_interval(actual, role="actual")) == (met, reason)
    assert is_met(parse_value(target), parse_value(actual)) is met


# ---------------------------------------------------------------------------------- properties

PERCENT = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False)
UNITS = {"%": ("%", 1), "人": ("人", 1), "万人": ("人", 10000), "人次": ("人次", 1),
         "万人次": ("人次", 10000), "万元": ("元", 10000), "亿元": ("元", 100000000), "分": ("分", 1)}
RANGE_SPELLINGS = ["{a}{u}-{b}{u}", "{a}{u}至{b}{u}", "{a}{u}到{b}{u}", "{a}~{b}{u}", "{a}{u}～{b}{u}",
                   "{b}{u}≤≥{a}{u}", "{a}{u}≤x≤{b}{u}", "{a}≤实际值≤{b}{u}", "{b}{u}≥x≥{a}{u}",
                   "≥{a}{u}≤{b}{u}", " {a} {u} - {b} {u} "]


@given(PERCENT, PERCENT, st.sampled_from(sorted(UNITS)), st.sampled_from(RANGE_SPELLINGS))
def test_every_range_spelling_gives_the_same_closed_interval(x, y, unit, spelling):
    a, b = min(x, y), max(x, y)
    pv = parse_value(spelling.format(a=format(a, "f"), b=format(b, "f"), u=unit))
    base, factor = UNITS[unit]
    assert pv.comparator == "range" and pv.unit == base
    assert (pv.value, pv.upper) == (a * factor, b * factor)
    assert not pv.lower_open and not pv.upper_open
    iv = value_interval(pv)
    assert (iv.lo, iv.hi, iv.lo_incl, iv.hi_incl) == (pv.value, pv.upper, True, True)


COMPARATOR_SPELLINGS = {
    "≥": ["≥{n}{u}", ">={n}{u}", "≧{n}{u}", "不低于{n}{u}", "不少于{n}{u}", "达到{n}{u}",
          "{n}{u}以上", "{n}{u}及以上", "至少{n}{u}"],
    "≤": ["≤{n}{u}", "<={n}{u}", "不高于{n}{u}", "不超过{n}{u}", "{n}{u}以下", "{n}{u}以内"],
    ">": [">{n}{u}", "＞{n}{u}", "大于{n}{u}", "高于{n}{u}", "超过{n}{u}"],
    "<": ["<{n}{u}", "＜{n}{u}", "小于{n}{u}", "低于{n}{u}"],
    "=": ["={n}{u}", "等于{n}{u}"],
}


@given(PERCENT, st.sampled_from(sorted(UNITS)),
       st.sampled_from([(c, s) for c, ss in COMPARATOR_SPELLINGS.items() for s in ss]))
def test_word_and_symbol_comparators_agree(n, unit, case):
    cmp_, spelling = case
    pv = parse_value(spelling.format(n=format(n, "f"), u=unit))
    base, factor = UNITS[unit]
    assert (pv.comparator, pv.unit) == (cmp_, base)
    assert pv.value == n * factor


@given(PERCENT, PERCENT, PERCENT)
def test_point_actual_meets_a_closed_range_iff_inside(x, y, actual):
    a, b = min(x, y), max(x, y)
    target = parse_value(f"{a}%至{b}%")
    met, reason = judge(value_interval(target), value_interval(f"{actual}%", role="actual"))
    assert met is (a <= actual <= b)
    assert reason == ("met" if met else "not_met")
    assert is_met(target, parse_value(f"{actual}%")) is met
