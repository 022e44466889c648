"""The audit's view of one extracted document: prose numbers with their labels, tables with typed columns.

The audit reads the output contract of ``jixiao extract`` (one JSON document): paragraphs with
their cleaned text, ``table`` index and offsets. Prose numbers come from the text with their
clause label (the words before the number: 「预算执行率」96.8%); table rows are split into
cells whose header column gets a role (budget, spent, rate, weight, score, target, actual,
status, amount). Every number keeps its paragraph and offsets, so findings quote evidence.

>>> doc = {"doc_id": "d", "paragraphs": [
...     {"index": 0, "text": "资金用途\\t预算数（万元）\\t已支出（万元）\\t执行率", "table": 0},
...     {"index": 1, "text": "合计\\t2856\\t2714.3\\t95.04%", "table": 0}]}
>>> v = DocView.from_dict(doc)
>>> row = v.tables[0].rows[0]
>>> [(c.role, str(c.number.base)) for c in row.cells if c.number]
[('budget', '28560000'), ('spent', '27143000.0'), ('rate', '95.04')]
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from jixiao.audit.values import SENTENCE_END_RE, Stated, parse_stated, stated_from_text
from jixiao.units import table_unit_context

#: Column roles, tested in this order on a header cell.
COLUMN_ROLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("status", re.compile(r"完成情况|是否完成|是否达标|达标情况|完成状态|是否实现")),
    ("rate", re.compile(r"率|进度|占比|比例|比重|%|％")),
    ("weight", re.compile(r"分值|权重|标准分|满分")),
    ("score", re.compile(r"得分|评分|自评分|评价分")),
    ("actual", re.compile(r"实际完|完成值|完成指标|实际值|^实际$|实际完成情况")),
    ("target", re.compile(r"目标|指标值|预期|计划值")),
    ("budget", re.compile(r"预算|下达|安排|批复|到位|收到|分配|计划")),
    ("spent", re.compile(r"支出|执行|发放|使用|决算|拨付|实际")),
    ("amount", re.compile(r"金额|资金|收入|合计|小计|万元|元|人数|数")),
)
NUMERIC_ROLES = frozenset({"rate", "weight", "score", "budget", "spent", "amount"})
#: Row labels of totals.
TOTAL_RE = re.compile(r"^(?:[^\d]{0,12}(?:合\s*计|总\s*计|总\s*分|小\s*计)|总得分|综合得分|总额|共计)[:：]?$")
HEADER_UNIT_CELL_RE = re.compile(r"[（(]\s*(千元|万元|亿元|元|万人|人|%)\s*[）)]|单位\s*[:：]\s*(千元|万元|亿元|元)")
#: Clause delimiters for prose labels.
_DELIMS = set("，。；;,:：、！？（）()“”\"")


def column_role(header: str) -> str | None:
    """The role of a header cell, or None for a label column.

    >>> [column_role(h) for h in ("项目", "预算数（万元）", "执行率", "实际完成值", "分值", "是否完成")]
    [None, 'budget', 'rate', 'actual', 'weight', 'status']
    """
    h = header.strip()
    if not h:
        return None
    for role, pattern in COLUMN_ROLES:
        if pattern.search(h):
            return role
    return None


@dataclass
class Cell:
    """One table cell: text, place, column role and name, and its number if it is one."""

    text: str
    paragraph: int
    start: int
    end: int
    column: int = -1
    role: str | None = None
    header: str = ""
    number: Stated | None = None


@dataclass
class Row:
    """A table row (one paragraph) with its cells mapped onto the header in force."""

    paragraph: int
    text: str
    cells: list[Cell]
    header: list[str] = field(default_factory=list)

    def label(self, upto: int | None = None) -> str:
        """The nearest non-numeric, non-empty cell left of ``upto`` (the whole row's first label if None)."""
        cells = self.cells if upto is None else [c for c in self.cells if c.start < upto]
        real = [c for c in cells if c.number is None and re.search(r"[\w\u4e00-\u9fff]", c.text)]
        if upto is None:
            return real[0].text.strip() if real else ""
        return real[-1].text.strip() if real else ""

    def by_role(self, role: str) -> list[Cell]:
        return [c for c in self.cells if c.role == role and c.number is not None]

    @property
    def is_total(self) -> bool:
        return any(TOTAL_RE.match(c.text.strip()) for c in self.cells if c.number is None and c.text.strip())


@dataclass
class Table:
    """Consecutive table-row paragraphs with the same ``table`` index; ``rows`` are data rows."""

    index: int
    rows: list[Row] = field(default_factory=list)
    headers: list[Row] = field(default_factory=list)

    def segments(self) -> list[tuple[list[str], list[Row]]]:
        """Data rows grouped by the header they sit under."""
        out: list[tuple[list[str], list[Row]]] = []
        for r in self.rows:
            if out and out[-1][0] is r.header:
                out[-1][1].append(r)
            else:
                out.append((r.header, [r]))
        return out


@dataclass
class ProseNumber:
    """A number of a prose paragraph with the clause words before it."""

    number: Stated
    label: str
    sentence: int
    in_breakdown: bool = False


@dataclass
class DocView:
    """What the checks read: paragraphs, prose numbers, tables, meta."""

    doc_id: str
    source: str | None
    meta: dict[str, Any]
    texts: dict[int, str]
    prose: dict[int, list[ProseNumber]]
    tables: list[Table]
    indicators: list[dict[str, Any]]

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> "DocView":
        paragraphs = list(doc.get("paragraphs") or [])
        texts = {int(p["index"]): p.get("text") or "" for p in paragraphs}
        units = table_unit_context([{"text": p.get("text") or ""} for p in paragraphs])
        prose: dict[int, list[ProseNumber]] = {}
        tables: dict[int, Table] = {}
        for k, p in enumerate(paragraphs):
            i, text = int(p["index"]), p.get("text") or ""
            if p.get("table") is not None and "\t" in text:
                t = tables.setdefault(int(p["table"]), Table(int(p["table"])))
                _add_row(t, i, text, units[k][0])
            else:
                prose[i] = prose_numbers(text, i)
        return cls(str(doc.get("doc_id")), doc.get("source"), dict(doc.get("meta") or {}), texts, prose,
                   [tables[k] for k in sorted(tables)], list(doc.get("indicators") or []))

    def all_cells(self) -> list[Cell]:
        return [c for t in self.tables for r in t.rows for c in r.cells]


def prose_numbers(text: str, paragraph: int) -> list[ProseNumber]:
    """Numbers with units in a prose paragraph, each with its clause label and sentence number.

    >>> [(n.label, str(n.number.value)) for n in prose_numbers("资金预算86.4万元，实际发放81.9万元，预算执行率96.8%。", 0)]
    [('资金预算', '86.4'), ('实际发放', '81.9'), ('预算执行率', '96.8')]
    """
    out = []
    prev_end = 0
    ends = [m.start() for m in SENTENCE_END_RE.finditer(text)]
    for s in stated_from_text(text, paragraph):
        j = s.start
        while j > prev_end and text[j - 1] not in _DELIMS and not (
                text[j - 1] == "." and not text[j - 2:j - 1].isdigit()):
            j -= 1
        label = re.sub(r"\s+", "", text[j:s.start])
        sentence = sum(1 for e in ends if e < s.start)
        start_of_sentence = max([e for e in ends if e < s.start], default=-1)
        breakdown = "其中" in text[start_of_sentence + 1:s.start]
        out.append(ProseNumber(s, label, sentence, breakdown))
        prev_end = s.end
    return out


def sentence_index(text: str, pos: int) -> int:
    """The number of the sentence ``pos`` falls in (counting from 0).

    >>> sentence_index("甲。乙.丙3.5", 6)
    2
    """
    return sum(1 for m in SENTENCE_END_RE.finditer(text) if m.start() < pos)


def _split_cells(text: str, paragraph: int) -> list[Cell]:
    cells, pos = [], 0
    for part in text.split("\t"):
        cells.append(Cell(part, paragraph, pos, pos + len(part)))
        pos += len(part) + 1
    return cells


def _is_header(cells: Sequence[Cell]) -> bool:
    filled = [c for c in cells if c.text.strip()]
    if len(filled) < 2:
        return False
    if any(parse_stated(c.text) is not None for c in filled):
        return False
    return any(column_role(c.text) in NUMERIC_ROLES | {"target", "actual", "status"} for c in filled)


def _add_row(table: Table, paragraph: int, text: str, header_unit: str | None) -> None:
    cells = _split_cells(text, paragraph)
    if _is_header(cells):
        new = [c.text.strip() for c in cells]
        last = table.headers[-1] if table.headers else None
        # a second header line of level names (一级指标 二级指标 三级指标) keeps the roles above it
        if last is not None and last.paragraph == paragraph - 1 and \
                not any(column_role(h) in NUMERIC_ROLES for h in new):
            return
        table.headers.append(Row(paragraph, text, cells, new))
        return
    header = table.headers[-1].header if table.headers else []
    row = Row(paragraph, text, cells, header)
    _map_cells(row, header, header_unit)
    table.rows.append(row)


def _col_unit(name: str, role: str | None, header_unit: str | None) -> str | None:
    m = HEADER_UNIT_CELL_RE.search(name)
    if m:
        return m.group(1) or m.group(2)
    if role in ("budget", "spent", "amount"):
        return header_unit
    return None


def _fit(cell: Cell, role: str | None) -> int:
    """How well a cell sits in a column of ``role`` (used to align rows that skip merged cells)."""
    n, text = cell.number, cell.text.strip()
    if not text or re.fullmatch(r"[—\-－/]+", text):
        return 0
    if n is None:
        return 1 if role in (None, "target", "actual", "status") else -1
    if n.unit is None:
        return 2 if role in ("weight", "score", "budget", "spent", "amount") else -1
    if n.is_percent:
        return 2 if role in ("rate", "actual", "target") else -1
    return 1 if role in ("actual", "target", "budget", "spent", "amount", "score", "weight") else 0


def _best_offset(cells: list[Cell], roles: list[str | None]) -> int:
    """The shift (column = cell index + shift) that puts numbers under number columns best."""
    n, m = len(cells), len(roles)
    best, best_score = 0, None
    for off in sorted(range(-(n - 1), m), key=abs):
        score = sum(_fit(c, roles[i + off]) for i, c in enumerate(cells) if 0 <= i + off < m)
        if best_score is None or score > best_score:
            best, best_score = off, score
    return best


def _map_cells(row: Row, header: list[str], header_unit: str | None) -> None:
    """Give each cell its column and parse its number.

    Rows often skip merged cells (the 一级/二级指标 of the row above) or split a column in two,
    so a row is laid onto its header at the shift that puts numbers under number columns best.
    """
    cells = row.cells
    for c in cells:
        c.number = parse_stated(c.text, c.paragraph, c.start)
    m = len(header)
    if m == 0:
        return
    roles = [column_role(h) for h in header]
    off = 0 if len(cells) == m else _best_offset(cells, roles)
    if len(cells) == m and sum(_fit(c, roles[i]) for i, c in enumerate(cells)) < \
            sum(_fit(c, roles[i + _best_offset(cells, roles)]) for i, c in enumerate(cells)
                if 0 <= i + _best_offset(cells, roles) < m):
        off = _best_offset(cells, roles)
    for i, c in enumerate(cells):
        j = i + off
        if not 0 <= j < m:
            continue
        c.column, c.header, c.role = j, header[j], roles[j]
        if c.number is not None and c.number.unit is None:
            unit = None if c.role == "rate" else _col_unit(header[j], c.role, header_unit)
            if unit:
                c.number = c.number.with_unit(unit)


__all__ = ["COLUMN_ROLES", "Cell", "DocView", "ProseNumber", "Row", "TOTAL_RE", "Table", "column_role",
           "prose_numbers", "sentence_index"]
