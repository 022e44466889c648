"""Indicator records from prose: INDICATOR + TARGET/ACTUAL/SCORE entities linked per clause.

Table rows give indicator records in :mod:`jixiao.structure`; reports also state indicators in running
text ("“参保人数（人）”指标，预期指标值为 ≥ 41 万人。“参保人数（人）”实际完成值为 40.28 万人，分值 5 分，
得分 4.91 分。"). This stage reads the entities layer (rules or model, whichever wrote it) and links,
within each sentence of a text paragraph, an INDICATOR to the TARGET/ACTUAL/SCORE entities after it
(up to the next INDICATOR); the weight comes from 「分值 N 分」 in the same clause. Sentences of one
paragraph that name the same indicator fill one record. Records never merge across paragraphs by
name alone (one report may evaluate two projects with the same indicator names); a prose record
that repeats a record already in the document (same name, same target and actual where both state
them, e.g. the narrative re-stating a table row) completes that record's weight/score and is kept
with ``repeats`` = that record's index: every statement is a record, and aggregates
(``jixiao summarize``) count each indicator once.

>>> from jixiao.doc import Document, Paragraph, Entity
>>> t = "“参保人数（人）”实际完成值为 40.28 万人，分值 5 分，得分 4.91 分。"
>>> d = Document("d", "-", "0", paragraphs=[Paragraph(0, t)], entities=[
...     Entity(0, 1, 5, "INDICATOR", "参保人数"), Entity(0, 16, 24, "ACTUAL", "40.28 万人"),
...     Entity(0, 35, 41, "SCORE", "4.91 分", value=Decimal("4.91"))])
>>> r = link_indicators(d).indicators[0]
>>> r.name, r.actual, r.weight, r.score, r.source
('参保人数', '40.28 万人', Decimal('5'), Decimal('4.91'), 'prose')
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from decimal import Decimal

from jixiao.doc import Document, Entity, Indicator, Paragraph
from jixiao.normalize import parse_value
from jixiao.rules.entities import cells_with_offsets
from jixiao.structure import type_values

VALUE_TYPES = ("TARGET", "ACTUAL", "SCORE")
WEIGHT = re.compile(r"分值\s*(?:为|是)?\s*(\d+(?:\.\d+)?)\s*分")
_FIELD = {"TARGET": "target", "ACTUAL": "actual"}


def _key(text: str) -> str:
    """Comparable form of a name or value: no spaces, quotes, brackets or %, one comparator spelling."""
    text = unicodedata.normalize("NFKC", text).replace(">=", "≥").replace("<=", "≤")
    return re.sub(r"[\s“”\"'()%=]", "", text)


def _sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentences, not 一是/二是 clauses: a sentence may name the indicator once for several values."""
    end = len(text) if end is None else end
    cuts = [start] + [start + m.end() for m in re.finditer(r"[。！？；;]", text[start:end])] + [end]
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def link_indicators(doc: Document) -> Document:
    """Add prose indicator records to ``doc.indicators`` (see the module docstring)."""
    by_para: dict[int, list[Entity]] = defaultdict(list)
    for e in doc.entities:
        by_para[e.paragraph].append(e)
    by_name: dict[str, list[Indicator]] = defaultdict(list)  # name key -> records, in document order
    position = {id(r): i for i, r in enumerate(doc.indicators)}  # record -> its index (``repeats``)
    for r in doc.indicators:                                  # (a scan per record was quadratic in large reports)
        if r.name:
            by_name[_key(r.name)].append(r)
    rows_with_records = {r.paragraph for r in doc.indicators}
    for p in doc.paragraphs:
        if p.index not in by_para:
            continue
        ents = sorted(by_para[p.index], key=lambda e: e.start)
        if not any(e.type in VALUE_TYPES for e in ents):
            continue
        if p.kind == "text" and "\t" not in p.text:
            blocks = [(0, len(p.text))]
        elif p.kind == "table_row":  # narrative cells (「年度总体目标⇥……目标任务2,300人，……」) read as prose, one by one
            blocks = [(a, b) for a, b in cells_with_offsets(p.text) if _narrative(p.text[a:b])
                      and any(a <= x.start < b and x.type == "INDICATOR" for x in ents)]
            if not blocks and p.index not in rows_with_records and any(x.type in ("SCORE", "TARGET") for x in ents):
                # a row the table reading gave no record, naming an indicator with its value: 「资金到位率⇥5⇥5」 in a
                # 「评价内容⇥分值⇥评价得分」 table (the entities layer, rules or model, names it)
                blocks = [(0, len(p.text))]
        else:
            continue
        for block in blocks:
            _link_block(doc, p, ents, block, by_name, position)
    for rec in doc.indicators:
        if rec.source != "prose" and not (rec.target or rec.actual) and rec.paragraph in by_para \
                and doc.paragraphs[rec.paragraph].kind == "table_row":
            # a row record without a target/actual column: its note cell may state them (「计划1.85万人，实际为1.92万人」)
            row = by_para[rec.paragraph]
            rec.target = next((e.text for e in row if e.type == "TARGET"), None)
            rec.actual = next((e.text for e in row if e.type == "ACTUAL"), None)
        if rec.source == "prose" or rec.target_value is None and rec.actual_value is None:
            type_values(rec)
        elif rec.score_value is None or rec.weight_value is None:  # completed by prose
            rec.weight_value = rec.weight_value or (type_values(_copy(rec)).weight_value)
            rec.score_value = rec.score_value or (type_values(_copy(rec)).score_value)
    return doc


def _narrative(cell: str) -> bool:
    """A cell of running text, not a value: long, or with a clause break."""
    cell = cell.strip()
    return len(cell) > 40 or (len(cell) > 12 and bool(re.search(r"[。；;，,]", cell)))


def _link_block(doc: Document, p: Paragraph, ents: list[Entity], block: tuple[int, int], by_name: dict,
                position: dict) -> None:
    """Link the entities of one block of running text (a paragraph or a narrative cell) into records."""
    local: dict[str, Indicator] = {}
    for s, e in _sentences(p.text, *block):
        current: Indicator | None = None
        for ent in (x for x in ents if s <= x.start < e):
            if ent.type == "INDICATOR":
                k = _key(ent.text)
                current = local.get(k)
                if current is None:
                    current = Indicator(paragraph=p.index, name=ent.text, source="prose")
                    local[k] = current
                # the weight 「分值 5 分」 anywhere after the name in this sentence
                w = WEIGHT.search(p.text, ent.end, e) if current.weight is None else None
                if w:
                    current.weight = Decimal(w.group(1))
            elif ent.type in VALUE_TYPES and current is not None:
                if ent.type == "SCORE":
                    if current.score is None:
                        current.score = ent.value if ent.value is not None else parse_value(ent.text).value
                elif getattr(current, _FIELD[ent.type]) is None:
                    setattr(current, _FIELD[ent.type], ent.text)
    for rec in local.values():
        if not (rec.target or rec.actual or rec.score is not None):
            continue
        same = _same_record(by_name.get(_key(rec.name), []), rec)
        if same is None:
            position[id(rec)] = len(doc.indicators)
            doc.indicators.append(rec)
            if rec.name:
                by_name[_key(rec.name)].append(rec)
            continue
        same.weight = same.weight if same.weight is not None else rec.weight
        same.score = same.score if same.score is not None else rec.score
        rec.repeats = position[id(same)]
        doc.indicators.append(rec)  # every statement is a record; the repeat points at the first


def _copy(rec: Indicator) -> Indicator:
    return Indicator(rec.paragraph, name=rec.name, weight=rec.weight, score=rec.score)


def _same_record(records: list[Indicator], rec: Indicator) -> Indicator | None:
    """An existing record stating the same indicator: same name key, no conflicting target/actual."""
    def agree(a: str | None, b: str | None) -> bool:
        return a is None or b is None or _key(a) == _key(b)

    for r in records:
        if (r.name and _key(r.name) == _key(rec.name) and agree(r.target, rec.target)
                and agree(r.actual, rec.actual) and (r.target or r.actual) and (rec.target or rec.actual)):
            return r
    return None


__all__ = ["link_indicators"]
