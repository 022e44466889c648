"""Value normalisation (ANNOTATION.md §5): numbers, money in 元, percentages, comparators.

Money is ``Decimal`` end to end. Known failures of the common Chinese money parser (JioNLP) that
this module must not repeat are regression tests: a number glued after the unit
(``3541.07万元2.3``), more than four decimals, full-width digits, units that stand in a header.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

CURRENCY_MULTIPLIER = {
    "元": Decimal(1),
    "千元": Decimal(1000),
    "万元": Decimal(10000),
    "亿元": Decimal(100000000),
    "万亿元": Decimal(1000000000000),
}
_FULLWIDTH_DIGITS = {c: chr(c - 0xFEE0) for c in range(0xFF10, 0xFF1A)}
_FULLWIDTH_DIGITS.update({0xFF0E: ".", 0xFF0C: ",", 0xFF05: "%", 0xFF0D: "-", 0xFF0B: "+"})

# A number as written in the reports: "8684", "5617.38", "355,212", "1 290 505", "-1913"
NUMBER_TEXT = re.compile(r"[-+]?\d{1,3}(?:[,，]\d{3})+(?:\.\d+)?|[-+]?\d+(?:\.\d+)?")
# Comparator symbols as written, folded to ≥ ≤ > < = (NFKC already turns ＞ ＜ ＝ into > < =).
SYMBOLS = {">=": "≥", "≧": "≥", "⩾": "≥", "<=": "≤", "≦": "≤", "⩽": "≤", "==": "="}
# Word comparators before the number, longest first: "不低于95%" → ≥
PREFIX_WORDS = (
    ("大于等于", "≥"), ("大于或等于", "≥"), ("小于等于", "≤"), ("小于或等于", "≤"),
    ("不低于", "≥"), ("不少于", "≥"), ("不小于", "≥"), ("至少", "≥"), ("达到", "≥"),
    ("不高于", "≤"), ("不超过", "≤"), ("不大于", "≤"), ("不多于", "≤"), ("最多", "≤"),
    ("大于", ">"), ("高于", ">"), ("超过", ">"), ("多于", ">"),
    ("小于", "<"), ("低于", "<"), ("少于", "<"), ("等于", "="),
)
# Word comparators after the number: "95%以上" → ≥, "0.1%以内" "30日内" → ≤
SUFFIX_WORDS = (("及以上", "≥"), ("以上", "≥"), ("及以下", "≤"), ("以下", "≤"), ("以内", "≤"),
                ("内", "≤"))
# Multipliers that may prefix a counting unit or money: "41万人" = 410000 人, "3千万元" = 30000000 元
SCALES = (("万亿", Decimal(1000000000000)), ("亿", Decimal(100000000)), ("千万", Decimal(10000000)),
          ("百万", Decimal(1000000)), ("万", Decimal(10000)), ("千", Decimal(1000)))
# Units a multiplier may prefix ("" for a bare "41万"), optionally per person / month / year
COUNTING_UNIT = re.compile(r"(?:元|人次|人|名|户|家|个|项|件|次|笔|所|分|台|套|份|例|册|张|条)?"
                           r"(?:/人|/月|/年)?")
# Grammar of a value expression once normalised (NFKC, no spaces, comparators folded):
#   a unit is "%", "‰" or one to five letters ("万人次", "元/人", "个工作日"); longer text is prose
_NUM = NUMBER_TEXT.pattern
_UNIT = r"(?:[%‰]|[A-Za-z\u4e00-\u9fff/·]{1,5})?"
_CMP = r"[<>≤≥]"
# "95%-105%", "95~105%", "95%至105%"
RANGE_DASH = re.compile(rf"^(?P<a>{_NUM})(?P<ua>{_UNIT})(?:-|~|–|—|至|到)(?P<b>{_NUM})(?P<ub>{_UNIT})$")
# "105%≤≥95%" (seed LaTeX after clean-up), "95%≤x≤105%", "95%≤执行率<105%", "≥95%≤105%"
RANGE_CMP = re.compile(rf"^{_CMP}?(?P<a>{_NUM})(?P<ua>{_UNIT})(?P<ca>{_CMP})"
                       rf"(?:[^\d<>≤≥=]{{0,8}}(?P<cb>{_CMP}))?(?P<b>{_NUM})(?P<ub>{_UNIT})$")
# "≥41万人", "=640元/人", "12732人", "95%" (suffix and prefix words already taken off)
SINGLE = re.compile(rf"^(?P<cmp>{_CMP}|=)?(?P<num>{_NUM})(?P<unit>{_UNIT})$")
# "90日内完成审核拨付": one number inside a phrase (a comparator, but no value)
NUMBER_IN_PHRASE = re.compile(rf"^(?P<cmp>{_CMP}|=)?{_NUM}[^\d<>≤≥=]*$")

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
    """A TARGET/ACTUAL/SCORE value: the fields the extraction output carries (``doc.Entity``).

    ``lower_open`` / ``upper_open`` say that a range excludes a bound (``95%≤x<105%``); they are
    not part of the output and stay out of the repr.
    """

    comparator: str | None
    value: Decimal | None
    unit: str | None
    upper: Decimal | None = None
    value_yuan: Decimal | None = None
    lower_open: bool = field(default=False, repr=False)
    upper_open: bool = field(default=False, repr=False)


def normalise_value_text(text: str) -> str:
    """NFKC (full-width digits and signs), no spaces, ASCII comparators folded to ≥ ≤.

    >>> normalise_value_text(" >= 719.81 万人次"), normalise_value_text("１０５％")
    ('≥719.81万人次', '105%')
    """
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    for old, new in SYMBOLS.items():  # two-character spellings only: order does not matter
        s = s.replace(old, new)
    return s


def scale_unit(number: Decimal, unit: str) -> tuple[Decimal, str | None, bool]:
    """``(value, base unit, is money)``: 万/亿 prefixes are expanded, money is in 元.

    The number stays as written when there is nothing to scale (``105.30%`` keeps its zero).

    >>> scale_unit(Decimal("40.28"), "万人次"), scale_unit(Decimal("8684"), "万元")
    ((Decimal('402800'), '人次', False), (Decimal('86840000'), '元', True))
    >>> scale_unit(Decimal("3000"), "千克"), scale_unit(Decimal("41"), "万")
    ((Decimal('3000'), '千克', False), (Decimal('410000'), None, False))
    """
    if unit in CURRENCY_MULTIPLIER:
        return to_yuan(number, unit), "元", True  # type: ignore[return-value]
    for prefix, factor in SCALES:
        rest = unit[len(prefix):]
        if unit.startswith(prefix) and COUNTING_UNIT.fullmatch(rest):
            return _tidy(number * factor), rest or None, rest == "元"
    return number, unit or None, False


def _range(m: re.Match[str], a_open: bool, b_open: bool) -> ParsedValue:
    ua, ub = m["ua"] or m["ub"], m["ub"] or m["ua"]
    va, unit, _ = scale_unit(parse_number(m["a"]), ua)  # type: ignore[arg-type]
    vb, unit_b, _ = scale_unit(parse_number(m["b"]), ub)  # type: ignore[arg-type]
    if unit != unit_b:  # "95%-3人": not one quantity
        return ParsedValue(None, None, None)
    if va > vb:
        va, vb, a_open, b_open = vb, va, b_open, a_open
    return ParsedValue("range", va, unit, vb, lower_open=a_open, upper_open=b_open)


def parse_value(text: Any) -> ParsedValue:
    """Parse a TARGET/ACTUAL/SCORE expression into comparator, number and unit.

    The one parser of value expressions: entities (``rules.entities``) and the indicator
    tables of ``jixiao summarize`` (through :func:`value_interval`) both read values with it.

    Counts scaled by 万/亿 are expanded (``≥41万人`` → ≥, 410000, 人); money gives ``value_yuan``
    and unit 元; word comparators before or after the number count (``不低于90%``, ``95%以上``,
    ``30日以内``). A range — ``105%≤≥95%``, ``95%-105%``, ``95%至105%``, ``95%≤x<105%`` — gives
    comparator ``range`` with ``value`` the lower and ``upper`` the upper bound. Text without a
    number ("按时报送") or with a number inside prose ("90日内完成审核拨付") gives no value.

    >>> parse_value("≥ 41 万人")
    ParsedValue(comparator='≥', value=Decimal('410000'), unit='人', upper=None, value_yuan=None)
    >>> parse_value("105%≤≥95%").comparator, parse_value("105%≤≥95%").value, parse_value("105%≤≥95%").upper
    ('range', Decimal('95'), Decimal('105'))
    >>> pv = parse_value("95%至105%"); pv.comparator, pv.value, pv.upper, pv.unit
    ('range', Decimal('95'), Decimal('105'), '%')
    >>> parse_value("90日内完成审核拨付").value is None
    True
    """
    if text is None or isinstance(text, bool):
        return ParsedValue(None, None, None)
    s = normalise_value_text(str(text))
    m = RANGE_DASH.match(s)
    if m:
        return _range(m, False, False)
    m = RANGE_CMP.match(s)
    if m:
        return _range(m, m["ca"] in "<>", (m["cb"] or m["ca"]) in "<>")
    cmp_ = None
    for word, sym in PREFIX_WORDS:
        if s.startswith(word):
            cmp_, s = sym, s[len(word):]
            break
    for word, sym in SUFFIX_WORDS:
        if s.endswith(word):
            cmp_, s = cmp_ or sym, s[: -len(word)]
            break
    m = SINGLE.match(s)
    if not m:
        phrase = NUMBER_IN_PHRASE.match(s)
        return ParsedValue((phrase["cmp"] or cmp_) if phrase else None, None, None)
    cmp_ = m["cmp"] or cmp_
    value, unit, money = scale_unit(parse_number(m["num"]), m["unit"])  # type: ignore[arg-type]
    return ParsedValue(cmp_, value, unit, value_yuan=value if money else None)


# --------------------------------------------------------------------------------------------
# Values as intervals: was a target met?


def decimal_text(d: Decimal) -> str:
    """Plain decimal text without exponent or trailing zeros.

    >>> decimal_text(Decimal("4.1E+5")), decimal_text(Decimal("40.280"))
    ('410000', '40.28')
    """
    return format(d.normalize(), "f")


@dataclass(frozen=True)
class Interval:
    """A value as an interval ``lo..hi`` in its base unit (``None`` = unbounded).

    ``implicit`` marks a target written without comparator (「12732人」), read as ``≥``.
    """

    lo: Decimal | None
    hi: Decimal | None
    lo_incl: bool
    hi_incl: bool
    unit: str
    comparator: str
    implicit: bool = False

    def describe(self) -> str:
        """``[95, 105] %`` style text for tables.

        >>> value_interval("≥41万人").describe(), value_interval("=640元/人").describe()
        ('[410000, ∞) 人', '640元/人')
        """
        lo = "-∞" if self.lo is None else decimal_text(self.lo)
        hi = "∞" if self.hi is None else decimal_text(self.hi)
        if self.lo is not None and self.lo == self.hi:
            return f"{lo}{self.unit}"
        left = "[" if self.lo_incl and self.lo is not None else "("
        right = "]" if self.hi_incl and self.hi is not None else ")"
        return f"{left}{lo}, {hi}{right}{' ' + self.unit if self.unit else ''}"


def value_interval(value: ParsedValue | Any, *, role: str = "target") -> Interval | None:
    """The interval a parsed value (or a text, parsed first) stands for; ``None`` without a number.

    A target without comparator reads as ``≥`` (the usual meaning of 「12732人」 in a 预期指标值
    column, flagged ``implicit``); an actual without comparator is a point.

    >>> value_interval("105%≤≥95%").describe(), value_interval("95%≤x<105%").describe()
    ('[95, 105] %', '[95, 105) %')
    >>> value_interval("12732人").implicit, value_interval("13701人", role="actual").describe()
    (True, '13701人')
    >>> value_interval("按时拨付") is None
    True
    """
    pv = value if isinstance(value, ParsedValue) else parse_value(value)
    if pv.value is None:
        return None
    v, unit, cmp_ = pv.value, pv.unit or "", pv.comparator
    if cmp_ == "range":
        return Interval(v, pv.upper, not pv.lower_open, not pv.upper_open, unit, "range")
    if cmp_ is None:
        if role == "target":
            return Interval(v, None, True, False, unit, "≥", implicit=True)
        cmp_ = "="
    if cmp_ == "≥":
        return Interval(v, None, True, False, unit, cmp_)
    if cmp_ == ">":
        return Interval(v, None, False, False, unit, cmp_)
    if cmp_ == "≤":
        return Interval(None, v, False, True, unit, cmp_)
    if cmp_ == "<":
        return Interval(None, v, False, False, unit, cmp_)
    return Interval(v, v, True, True, unit, "=")


def _below_hi(v: Decimal, incl: bool, hi: Decimal | None, hi_incl: bool) -> bool:
    """``v`` (with its own inclusivity) does not pass the upper bound ``hi``."""
    if hi is None:
        return True
    return v < hi or (v == hi and (hi_incl or not incl))


def _above_lo(v: Decimal, incl: bool, lo: Decimal | None, lo_incl: bool) -> bool:
    if lo is None:
        return True
    return v > lo or (v == lo and (lo_incl or not incl))


def judge(target: Interval | None, actual: Interval | None) -> tuple[bool | None, str]:
    """Met (True), missed (False) or unknown (None), with a reason code.

    The actual is an interval too (「>95%」 from a survey): met when it lies inside the target,
    missed when the two do not overlap, unknown when they partly overlap.

    >>> judge(value_interval("≥41万人"), value_interval("40.28万人", role="actual"))
    (False, 'not_met')
    >>> judge(value_interval("95%-105%"), value_interval("97.75%", role="actual"))
    (True, 'met')
    """
    if target is None:
        return None, "non_numeric_target"
    if actual is None:
        return None, "non_numeric_actual"
    if target.unit and actual.unit and target.unit != actual.unit:
        return None, "unit_mismatch"
    inside = (
        (actual.lo is not None or target.lo is None)
        and (actual.lo is None or _above_lo(actual.lo, actual.lo_incl, target.lo, target.lo_incl))
        and (actual.hi is not None or target.hi is None)
        and (actual.hi is None or _below_hi(actual.hi, actual.hi_incl, target.hi, target.hi_incl))
    )
    if inside:
        return True, "met"
    # disjoint when the actual ends below the target's start or starts above its end
    below = (actual.hi is not None and target.lo is not None
             and not _above_lo(actual.hi, actual.hi_incl, target.lo, target.lo_incl))
    above = (actual.lo is not None and target.hi is not None
             and not _below_hi(actual.lo, actual.lo_incl, target.hi, target.hi_incl))
    if below or above:
        return False, "not_met"
    return None, "partial_overlap"


def is_met(target: ParsedValue, actual: ParsedValue) -> bool | None:
    """Did ``actual`` reach ``target``? None when either side has no number, units differ, or
    an actual given as a bound only partly overlaps the target (see :func:`judge`).

    >>> is_met(parse_value("≥41万人"), parse_value("40.28万人"))
    False
    """
    return judge(value_interval(target), value_interval(actual, role="actual"))[0]


# --------------------------------------------------------------------------------------------
# Typed values of indicator records


@dataclass(frozen=True)
class TypedValue:
    """A target/actual/weight/score as a typed value: the text, its number, unit, comparator and interval.

    ``low``/``high`` bound the value where the text states a bound (``≥95%`` → low 95; ``95%-105%`` →
    95..105; a plain ``100%`` → 100..100); qualitative values (有效减轻, 满意, 是) keep only ``text``.
    Counts and money are in their base unit (``≥41万人`` → 410000 人; ``20万元`` → 200000 元).
    """

    text: str
    number: Decimal | None = None
    unit: str | None = None
    comparator: str | None = None
    low: Decimal | None = None
    high: Decimal | None = None

    @property
    def qualitative(self) -> bool:
        return self.number is None

    def to_dict(self) -> dict[str, Any]:
        """JSON form: decimals as strings (``"410000"``)."""
        def s(d: Decimal | None) -> str | None:
            return None if d is None else decimal_text(d)

        return {"text": self.text, "number": s(self.number), "unit": self.unit, "comparator": self.comparator,
                "low": s(self.low), "high": s(self.high)}


def typed_value(text: Any, *, role: str = "target", default_unit: str | None = None) -> TypedValue | None:
    """The typed value of a record field (a string, or a Decimal weight/score); None for no value.

    ``default_unit`` is the unit a table header gives bare numbers (「参保人数（万人）」 → 万人).

    >>> typed_value("≥95%")
    TypedValue(text='≥95%', number=Decimal('95'), unit='%', comparator='≥', low=Decimal('95'), high=None)
    >>> tv = typed_value("≥62.5", default_unit="万人"); tv.number, tv.unit
    (Decimal('625000'), '人')
    >>> typed_value("95%-105%").high, typed_value("明显改善").qualitative
    (Decimal('105'), True)
    >>> typed_value("2024年6月底前").comparator, typed_value("2024年6月底前").number is None
    ('≤', True)
    """
    if text is None:
        return None
    raw = decimal_text(text) if isinstance(text, Decimal) else str(text).strip()
    if not raw or raw in ("—", "-", "/", "--", "——"):
        return None
    pv = parse_value(raw)
    if pv.value is not None and pv.unit is None and default_unit:
        unit_pv = parse_value(raw + default_unit)
        if unit_pv.value is not None:
            pv = unit_pv
    if pv.value is None:
        cmp_ = "≤" if re.search(r"(?:前|以前|之前)$", raw) and re.search(r"\d", raw) else None
        return TypedValue(raw, comparator=cmp_)
    if pv.unit is None and role in ("weight", "score") and default_unit:
        pv = ParsedValue(pv.comparator, pv.value, default_unit, pv.upper)
    cmp_ = pv.comparator
    low = high = None
    if cmp_ == "range":
        low, high = pv.value, pv.upper
    elif cmp_ in ("≥", ">"):
        low = pv.value
    elif cmp_ in ("≤", "<"):
        high = pv.value
    else:
        low = high = pv.value
    return TypedValue(raw, pv.value, pv.unit, cmp_, low, high)


def met(target: TypedValue | None, actual: TypedValue | None) -> bool | None:
    """Does the actual satisfy the target? None where they are not comparable (no number, other unit).

    Two qualitative values that say the same (「有所减轻」/「有所减轻」) count as met.

    >>> met(typed_value("≥95%"), typed_value("98.06%", role="actual")), met(typed_value("100%"), typed_value("92%"))
    (True, False)
    >>> met(typed_value("有效减轻"), typed_value("有效减轻")), met(typed_value("≥90%"), typed_value("满意"))
    (True, None)
    """
    if target is None or actual is None:
        return None
    if target.number is None or actual.number is None:
        if target.number is None and actual.number is None and target.comparator is None:
            same = re.sub(r"\s", "", target.text) == re.sub(r"\s", "", actual.text)
            return True if same else None
        return None
    return judge(_interval_of(target, "target"), _interval_of(actual, "actual"))[0]


def _interval_of(tv: TypedValue, role: str) -> Interval | None:
    pv = ParsedValue(tv.comparator, tv.number, tv.unit, tv.high if tv.comparator == "range" else None)
    return value_interval(pv, role=role)
