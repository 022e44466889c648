"""Stated numbers with their precision and place: the values every audit check reads.

A number in a report is a claim about a rounded quantity: 「96.8%」 stands for anything in
[96.75, 96.85), 「8,460万元」 for [8459.5, 8460.5) 万元. :class:`Stated` keeps the value as
written, its unit, the half unit of its last stated digit (:attr:`Stated.half`) and where it
stands (paragraph, start, end), so every finding can quote its evidence and derive its
tolerance from the precision the report itself used.

>>> s = stated_from_text("预算执行率96.8%", 0)[0]
>>> s.value, s.unit, s.half, (s.start, s.end)
(Decimal('96.8'), '%', Decimal('0.05'), (5, 10))
>>> stated_from_text("共安排资金8,460万元", 3)[0].yuan
Decimal('84600000')
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jixiao.normalize import CURRENCY_MULTIPLIER, parse_number

#: A number as written (thousands separators allowed), not glued to a preceding digit or letter.
NUMBER_RE = re.compile(r"(?<![\d.A-Za-z])-?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])"
                       r"|(?<![\d.A-Za-z ])-?\d{1,3}(?: \d{3})+(?:\.\d+)?(?![\d])"
                       r"|(?<![\d.A-Za-z])-?\d+(?:\.\d+)?(?![\d.])")
#: Where a sentence ends: Chinese stops and semicolons, or an ASCII full stop not inside a number.
SENTENCE_END_RE = re.compile(r"[。；;！？]|\.(?!\d)")
#: Units the audit reads after a number, longest first (a space may stand between).
UNIT_RE = re.compile(r"\s?(万亿元|亿元|千万元|百万元|万元|千元|元|个百分点|%|％|万人次|人次|万人|人|万户|户|分(?![钟之别配类析解期项批布成担摊级]))")
#: Scale of a counting unit written with 万 (「40.28万人」 is 402800 人).
COUNT_SCALE = {"万人次": ("人次", Decimal(10000)), "万人": ("人", Decimal(10000)), "万户": ("户", Decimal(10000))}
MONEY_UNITS = frozenset(CURRENCY_MULTIPLIER) | {"千万元", "百万元"}
_EXTRA_MULT = {"千万元": Decimal(10000000), "百万元": Decimal(1000000)}


def half_unit(text: str) -> Decimal:
    """Half a unit of the last digit written: the rounding a stated number carries.

    >>> half_unit("96.8"), half_unit("12,846.30"), half_unit("8460")
    (Decimal('0.05'), Decimal('0.005'), Decimal('0.5'))
    """
    t = text.replace(",", "").replace(" ", "")
    decimals = len(t.split(".", 1)[1]) if "." in t else 0
    return Decimal(5).scaleb(-(decimals + 1))


@dataclass(frozen=True)
class Stated:
    """One number of the report as written: value, unit, precision and place."""

    value: Decimal
    text: str
    unit: str | None
    paragraph: int
    start: int
    end: int

    @property
    def half(self) -> Decimal:
        """Half a unit of the last stated digit (in the stated unit)."""
        return half_unit(self.text)

    @property
    def is_money(self) -> bool:
        return self.unit in MONEY_UNITS

    @property
    def is_percent(self) -> bool:
        return self.unit in ("%", "％")

    @property
    def multiplier(self) -> Decimal:
        """Factor to the base unit (元 for money, 人 for 万人, 1 otherwise)."""
        if self.unit in CURRENCY_MULTIPLIER:
            return CURRENCY_MULTIPLIER[self.unit]
        if self.unit in _EXTRA_MULT:
            return _EXTRA_MULT[self.unit]
        if self.unit in COUNT_SCALE:
            return COUNT_SCALE[self.unit][1]
        return Decimal(1)

    @property
    def base_unit(self) -> str | None:
        """元 for money, 人/人次/户 for counts, else the unit."""
        if self.is_money:
            return "元"
        if self.unit in COUNT_SCALE:
            return COUNT_SCALE[self.unit][0]
        return "%" if self.is_percent else self.unit

    @property
    def base(self) -> Decimal:
        """The value in the base unit."""
        return self.value * self.multiplier

    @property
    def base_half(self) -> Decimal:
        """The rounding half unit in the base unit."""
        return self.half * self.multiplier

    @property
    def yuan(self) -> Decimal | None:
        """Money in 元, else None."""
        return self.base if self.is_money else None

    def with_unit(self, unit: str | None) -> "Stated":
        """The same number read in another unit (a header unit of its table)."""
        return Stated(self.value, self.text, unit, self.paragraph, self.start, self.end)

    def evidence(self, role: str, paragraph_text: str | None = None) -> dict[str, Any]:
        """The evidence record of a finding: role, value, unit, paragraph and offsets."""
        out = {"role": role, "value": format(self.value, "f"), "unit": self.unit,
               "paragraph": self.paragraph, "start": self.start, "end": self.end, "text": self.text}
        if paragraph_text is not None:
            out["text"] = paragraph_text[self.start:self.end]
        return out


def parse_stated(text: str, paragraph: int = -1, offset: int = 0) -> Stated | None:
    """A whole cell or value text as one stated number (unit optional), else None.

    >>> parse_stated("12,846.30").value, parse_stated(" 9.52分").unit, parse_stated("—")
    (Decimal('12846.30'), '分', None)
    """
    m = NUMBER_RE.search(text)
    if not m:
        return None
    rest = text[m.end():]
    um = UNIT_RE.match(rest)
    unit = um.group(1) if um else None
    tail = rest[um.end():] if um else rest
    if text[:m.start()].strip() or tail.strip():
        return None
    value = parse_number(m.group(0))
    if value is None:
        return None
    unit = "%" if unit == "％" else unit
    return Stated(value, m.group(0), unit, paragraph, offset + m.start(), offset + m.end() + (um.end() if um else 0))


def stated_from_text(text: str, paragraph: int, offset: int = 0) -> list[Stated]:
    """Every number followed by a unit in a stretch of prose, with offsets.

    Numbers without a unit (years, list markers, codes) are left out; so are dates
    (「2021年」 has no audit unit) and numbers inside names.

    >>> [(s.value, s.unit) for s in stated_from_text("实际发放81.9万元，执行率96.8%，2023年", 0)]
    [(Decimal('81.9'), '万元'), (Decimal('96.8'), '%')]
    >>> [str(s.value) for s in stated_from_text("预算31 250万元，参保8.62 万人", 0)]
    ['31250', '8.62']
    """
    out = []
    for m in NUMBER_RE.finditer(text):
        um = UNIT_RE.match(text, m.end())
        if not um:
            continue
        if text.startswith("/", um.end()):  # 「640元/人」 is a per-head standard, not an amount
            continue
        value = parse_number(m.group(0))
        if value is None:
            continue
        unit = "%" if um.group(1) == "％" else um.group(1)
        out.append(Stated(value, m.group(0), unit, paragraph, offset + m.start(), offset + um.end()))
    return out


__all__ = ["COUNT_SCALE", "MONEY_UNITS", "NUMBER_RE", "SENTENCE_END_RE", "Stated", "UNIT_RE", "half_unit", "parse_stated",
           "stated_from_text"]
