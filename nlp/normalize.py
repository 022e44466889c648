"""Value normalisation (ANNOTATION.md §5): numbers, money in 元, percentages, comparators.

Money is ``Decimal`` end to end. Known failures of the common Chinese money parser (JioNLP) that
this module must not repeat are regression tests: a number glued after the unit
(``3541.07万元2.3``), more than four decimals, full-width digits, units that stand in a header.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

CURRENCY_MULTIPLIER = {
    "元": Decimal(1),
    "千元": Decimal(1000),
    "万元": Decimal(10000),
    "亿元": Decimal(100000000),
    "万亿元": Decimal(1000000000000),
}
# Scaled counts: "40.28万人" → 402800 人
COUNT_PREFIX = {"万": Decimal(10000), "亿": Decimal(100000000), "千": Decimal(1000)}
_FULLWIDTH_DIGITS = {c: chr(c - 0xFEE0) for c in range(0xFF10, 0xFF1A)}
_FULLWIDTH_DIGITS.update({0xFF0E: ".", 0xFF0C: ",", 0xFF05: "%", 0xFF0D: "-", 0xFF0B: "+"})

# A number as written in the reports: "8684", "5617.38", "355,212", "1 290 505", "-1913"
NUMBER_TEXT = re.compile(r"[-+]?\d{1,3}(?:[,，]\d{3})+(?:\.\d+)?|[-+]?\d+(?:\.\d+)?")
# A value expression: comparator(s), number, unit, optional second bound.
#   "≥ 41 万人", "105%≤≥95%", ">=407.62万人", "=640元/人", "≤228462万元", "90日内完成"
COMPARATOR = r"(?:>=|<=|≥|≤|>|<|=|＞|＜|不低于|不少于|不高于|不超过|大于|小于|达到|以上|以下)"
VALUE_EXPRESSION = re.compile(
    rf"^\s*(?P<cmp>{COMPARATOR})?\s*(?P<num>{NUMBER_TEXT.pattern})\s*(?P<unit>[^\d≥≤<>=＞＜]*)\s*"
    rf"(?P<cmp2>{COMPARATOR}{{1,2}})?\s*(?P<num2>{NUMBER_TEXT.pattern})?\s*(?P<unit2>[^\d≥≤<>=＞＜]*)\s*$"
)
# Units a value expression may end with: "万人", "人次", "%", "元/人", "分"
KNOWN_UNIT = re.compile(r"(?:万亿|亿|万|千)?(?:元|人次|人|名|户|家|个|项|件|次|笔|所|分)(?:/人|/月|/年)?|%|‰|个百分点")
COMPARATOR_CANON = {
    ">=": "≥", "<=": "≤", "＞": ">", "＜": "<", "不低于": "≥", "不少于": "≥", "达到": "≥",
    "以上": "≥", "不高于": "≤", "不超过": "≤", "以下": "≤", "大于": ">", "小于": "<",
}


def parse_number(text: str) -> Decimal | None:
    """Parse a written number exactly: thousands separators, inner spaces, full-width digits.

    >>> parse_number("355,212"), parse_number("１２.５"), parse_number("1 290 505")
    (Decimal('355212'), Decimal('12.5'), Decimal('1290505'))
    """
    t = text.translate(_FULLWIDTH_DIGITS).replace(",", "").replace(" ", "").replace("\u3000", "")
    if not re.fullmatch(r"[-+]?\d+(?:\.\d+)?", t):
        return None
    try:
        return Decimal(t)
    except InvalidOperation:  # pragma: no cover - the regex guards this
        return None


def to_yuan(number: Decimal, unit: str | None) -> Decimal | None:
    """Money in 元 for a currency unit, else None.

    >>> to_yuan(Decimal("8684"), "万元"), to_yuan(Decimal("52.23"), "亿元"), to_yuan(Decimal("5"), "%")
    (Decimal('86840000'), Decimal('5223000000'), None)
    """
    if unit is None:
        return None
    mult = CURRENCY_MULTIPLIER.get(unit.strip())
    if mult is None:
        return None
    return _tidy(number * mult)


def normalize_amount(text: str, unit: str | None) -> Decimal | None:
    """``normalize_amount("8684", "万元") == Decimal("86840000")``; None if not money."""
    n = parse_number(text)
    return None if n is None else to_yuan(n, unit)


def _tidy(d: Decimal) -> Decimal:
    """Drop trailing zeros of the fraction but never switch to exponent notation."""
    if d == d.to_integral_value():
        return d.quantize(Decimal(1))
    return d.normalize()


@dataclass(frozen=True)
class ParsedValue:
    comparator: str | None
    value: Decimal | None
    unit: str | None
    upper: Decimal | None = None
    value_yuan: Decimal | None = None


def parse_value(text: str) -> ParsedValue:
    """Parse a TARGET/ACTUAL/SCORE expression into comparator, number and unit.

    Counts scaled by 万/亿 are expanded (``≥41万人`` → ≥, 410000, 人); money gives ``value_yuan``
    and unit 元; a double comparator range such as ``105%≤≥95%`` gives comparator ``range`` with
    ``value`` the lower and ``upper`` the upper bound. Text without a number ("按时报送") gives
    only ``unit=None, value=None``.

    >>> parse_value("≥ 41 万人")
    ParsedValue(comparator='≥', value=Decimal('410000'), unit='人', upper=None, value_yuan=None)
    >>> parse_value("105%≤≥95%").comparator, parse_value("105%≤≥95%").value, parse_value("105%≤≥95%").upper
    ('range', Decimal('95'), Decimal('105'))
    """
    t = text.translate(_FULLWIDTH_DIGITS).strip()
    m = VALUE_EXPRESSION.match(t)
    if not m:
        return ParsedValue(None, None, None)
    cmp_ = m.group("cmp")
    num = parse_number(m.group("num"))
    unit = (m.group("unit") or "").strip() or None
    if m.group("num2") is not None and m.group("cmp2"):
        low, high = num, parse_number(m.group("num2"))
        unit = unit or (m.group("unit2") or "").strip() or None
        if low is not None and high is not None and low > high:
            low, high = high, low
        return ParsedValue("range", low, unit, high)
    if m.group("num2") is not None:  # two numbers without comparator: not a value expression
        return ParsedValue(None, None, None)
    if unit:
        m2 = re.search(r"(以上|以下|以内)$", unit)
        if m2:
            cmp_ = cmp_ or COMPARATOR_CANON.get(m2.group(1), "≤")
            unit = unit[: m2.start()].strip() or None
    if unit and not KNOWN_UNIT.fullmatch(unit):
        return ParsedValue(cmp_, None, None)  # "90日内完成审核拨付": a number inside a phrase
    cmp_ = COMPARATOR_CANON.get(cmp_, cmp_) if cmp_ else None
    if num is None:
        return ParsedValue(cmp_, None, unit)
    if unit in CURRENCY_MULTIPLIER:
        yuan = to_yuan(num, unit)
        return ParsedValue(cmp_, yuan, "元", value_yuan=yuan)
    if unit and len(unit) >= 2 and unit[0] in COUNT_PREFIX and not unit.startswith("万元"):
        return ParsedValue(cmp_, _tidy(num * COUNT_PREFIX[unit[0]]), unit[1:])
    return ParsedValue(cmp_, num, unit)


def is_met(target: ParsedValue, actual: ParsedValue) -> bool | None:
    """Did ``actual`` reach ``target``? None when either side has no number or units differ."""
    if target.value is None or actual.value is None:
        return None
    if target.unit and actual.unit and target.unit != actual.unit:
        return None
    a, t = actual.value, target.value
    cmp_ = target.comparator or "≥"
    if cmp_ == "range":
        return t <= a <= (target.upper if target.upper is not None else a)
    return {"≥": a >= t, ">": a > t, "≤": a <= t, "<": a < t, "=": a == t}.get(cmp_)
