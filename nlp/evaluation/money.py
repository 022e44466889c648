"""Money values: the number of an AMOUNT span and its ``value_yuan`` from the unit that follows it."""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Any, Mapping, Sequence

from jixiao.schema import CURRENCY_MULTIPLIERS
from jixiao.units import normalise_text

# A bare number as written in a money cell or span: 「8684」, 「355,212」, 「-1913」, 「8183.32」
PLAIN_NUMBER_RE = re.compile(r"[+-]?\d+(?:\.\d+)?")

def parse_amount(text: str) -> Decimal | None:
    """The number written in an AMOUNT span: thousands separators and spaces dropped, full-width
    digits made half-width; None when it is not a plain number.

    >>> parse_amount("３５５，２１２"), parse_amount("355,212"), parse_amount("约8千")
    (Decimal('355212'), Decimal('355212'), None)
    """
    cleaned = unicodedata.normalize("NFKC", text).replace("−", "-")
    cleaned = "".join(ch for ch in cleaned if not ch.isspace() and ch != ",")
    if not PLAIN_NUMBER_RE.fullmatch(cleaned):
        return None
    return Decimal(cleaned)


def _currency(unit_text: str) -> Decimal | None:
    """Multiplier of a currency unit text (``万元`` → 10000), None for other units."""
    return CURRENCY_MULTIPLIERS.get(normalise_text(unicodedata.normalize("NFKC", unit_text)))


def _cell_of(text: str, start: int, end: int) -> str:
    """The tab-separated cell that contains ``[start, end)``."""
    left = text.rfind("\t", 0, start) + 1
    right = text.find("\t", end)
    return text[left: right if right >= 0 else len(text)]


def gold_money(record: Mapping[str, Any], entity: Sequence[Any], header_unit: str | None,
                skip_columns: frozenset[int] = frozenset()) -> tuple[bool, Decimal | None]:
    """(whether the AMOUNT has a currency unit, its value in 元 or None when unparsable)."""
    start, end, kind = int(entity[0]), int(entity[1]), str(entity[2])
    if kind != "AMOUNT":
        return False, None
    text = record["text"]
    following = [
        (int(u[0]), int(u[1])) for u in record["entities"]
        if u[2] == "UNIT" and int(u[0]) >= end and not text[end:int(u[0])].strip()
    ]
    multiplier: Decimal | None = None
    if following:
        unit_start, unit_end = min(following)
        multiplier = _currency(text[unit_start:unit_end])
    elif (header_unit and "\t" in text and text.count("\t", 0, start) not in skip_columns
          and _cell_of(text, start, end).strip() == text[start:end].strip()):
        multiplier = _currency(header_unit)
    if multiplier is None:
        return False, None
    number = parse_amount(text[start:end])
    return True, (number * multiplier if number is not None else None)


def gold_value_yuan(record: Mapping[str, Any], entity: Sequence[Any], header_unit: str | None = None,
                    skip_columns: frozenset[int] = frozenset()) -> Decimal | None:
    """``value_yuan`` of a gold AMOUNT from its text and unit; None when it has no currency unit.

    The unit is the UNIT span right after the amount (whitespace allowed between them) or, for a
    bare number in a table cell (the paragraph holds a tab) outside ``skip_columns`` (0-based cell
    positions), ``header_unit`` (both from ``table_unit_context``).

    >>> record = {"text": "收入 355,212 万元", "entities": [[3, 10, "AMOUNT"], [11, 13, "UNIT"]]}
    >>> gold_value_yuan(record, [3, 10, "AMOUNT"])
    Decimal('3552120000')
    """
    return gold_money(record, entity, header_unit, skip_columns)[1]
