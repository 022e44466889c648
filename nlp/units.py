"""Which unit a bare table number is in: the header unit in force at each paragraph of a document.

Shared by the runtime (entity values in :mod:`jixiao.models.ner`) and the scorer
(:mod:`jixiao.evaluation`), so both read 「单位：万元」 tables alike.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from jixiao.schema import HEADER_UNIT_RE, NEW_TABLE_HEADER_RE, NON_MONEY_COLUMN_RE

#: Prose longer than this (whitespace removed) ends the reach of a table header unit.
PROSE_MIN_CHARS = 10


def normalise_text(text: str) -> str:
    """The text with all whitespace removed, the key of the second alignment pass.

    >>> normalise_text("收入 355,212\\u3000万元")
    '收入355,212万元'
    """
    return "".join(ch for ch in text if not ch.isspace())


def table_unit_context(records: Sequence[Mapping[str, Any]]) -> list[tuple[str | None, frozenset[int]]]:
    """Per paragraph of one document: the header unit in force and the table columns it skips.

    A paragraph matching ``HEADER_UNIT_RE`` (「单位：万元」, 「(万元)」, 「资金情况 (万元)\\t…」) sets the
    unit, for itself and the following paragraphs. It lapses at prose (a paragraph without a tab of
    at least 10 non-space characters) or at a row opening an indicator/scoring table
    (``NEW_TABLE_HEADER_RE``), whose bare numbers are weights and scores, not money. When the header
    is itself a table row, its columns named like 「分值」「得分」「执行率」 (``NON_MONEY_COLUMN_RE``) are
    skipped: seed 002's 「项目资金 (万元)\\t…\\t分值\\t执行率\\t得分」 puts the weight 10 under 万元.

    >>> table_unit_context([{"text": "资金 (万元)\\t预算数\\t分值"}, {"text": "合计\\t100\\t10"}])
    [('万元', frozenset({2})), ('万元', frozenset({2}))]
    """
    current: tuple[str | None, frozenset[int]] = (None, frozenset())
    context: list[tuple[str | None, frozenset[int]]] = []
    for record in records:
        text = record["text"]
        match = HEADER_UNIT_RE.search(text)
        if match:
            cells = text.split("\t")
            skipped = frozenset(i for i, cell in enumerate(cells) if NON_MONEY_COLUMN_RE.search(cell)
                                and not HEADER_UNIT_RE.search(cell)) if len(cells) > 1 else frozenset()
            current = (match.group(1) or match.group(2), skipped)
        elif "\t" in text:
            if NEW_TABLE_HEADER_RE.search(text):
                current = (None, frozenset())
        elif len(normalise_text(text)) >= PROSE_MIN_CHARS:
            current = (None, frozenset())
        context.append(current)
    return context


def header_units(records: Sequence[Mapping[str, Any]]) -> list[str | None]:
    """The table header unit in force at each paragraph of one document (see ``table_unit_context``).

    >>> header_units([{"text": "单位：万元"}, {"text": "预算数\t335412"},
    ...               {"text": "三、绩效目标完成情况分析如下所述。"}, {"text": "合计\t5"}])
    ['万元', '万元', None, None]
    """
    return [unit for unit, _ in table_unit_context(records)]
