"""Structure: headings with levels, section paths, tables and indicator-table records."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from jixiao.doc import Document, Indicator, Paragraph
from jixiao.text import MappedText

# Heading markers, by level. 第一部分 → 1, 一、 → 2, （一） → 3, 1、/1. → 4, （1） → 5, ① → 6.
HEADING_MARKERS: list[tuple[int, re.Pattern]] = [
    (1, re.compile(r"^(?:第[一二三四五六七八九十\d]+部分|附件\s*\d*[:：]?$)")),
    (2, re.compile(r"^[一二三四五六七八九十]{1,3}\s*[、．.]")),
    (3, re.compile(r"^[（(]\s*[一二三四五六七八九十]{1,3}\s*[）)]")),
    (4, re.compile(r"^\d{1,2}\s*(?:、|[．.](?!\d))")),
    (5, re.compile(r"^[（(]\s*\d{1,2}\s*[）)]")),
    (6, re.compile(r"^[①-⑳]")),
]
MAX_HEADING_BODY = {1: 40, 2: 80, 3: 80, 4: 40, 5: 40, 6: 40}


def heading_level(text: str) -> int | None:
    """Level of a heading line, or None for body text.

    >>> heading_level("一、社会保险基金收支余总体情况"), heading_level("（二）存在问题和建议")
    (2, 3)
    >>> heading_level("1. 基金扩面征缴难度大。一是受当前经济下行压力的影响,社会保险扩面征缴难度增加。") is None
    True
    """
    t = text.strip()
    if not t or "\t" in t:
        return None
    for level, pat in HEADING_MARKERS:
        m = pat.match(t)
        if not m:
            continue
        body = t[m.end():].strip()
        if len(body) > MAX_HEADING_BODY[level]:
            return None
        inner = body[:-1] if body.endswith("。") else body
        if "。" in inner or "！" in inner:
            return None
        if level >= 4 and re.search(r"[：:].{6,}", body):  # "1.财政拨款收入：指单位……" is a definition
            return None
        return level
    return None


def section_paths(texts: list[str]) -> list[list[str]]:
    """Heading path above each paragraph (a heading's own path excludes itself).

    >>> section_paths(["一、概况", "正文", "（一）问题", "1. 不全面。"])[3]
    ['一、概况', '（一）问题']
    """
    stack: list[tuple[int, str]] = []
    out: list[list[str]] = []
    for t in texts:
        lvl = heading_level(t)
        if lvl is not None:
            while stack and stack[-1][0] >= lvl:
                stack.pop()
        out.append([h for _, h in stack])
        if lvl is not None:
            stack.append((lvl, t.strip()))
    return out


def build_paragraphs(doc: Document, cleaned: list[MappedText]) -> Document:
    """Fill ``doc.paragraphs`` with kinds, heading levels, section paths and table numbers."""
    texts = [m.text for m in cleaned]
    sections = section_paths(texts)
    table_no = -1
    prev_table = False
    for i, (m, sec) in enumerate(zip(cleaned, sections)):
        lvl = heading_level(m.text)
        is_row = "\t" in m.text
        if is_row and not prev_table:
            table_no += 1
        kind = "table_row" if is_row else ("heading" if lvl is not None else "text")
        doc.paragraphs.append(
            Paragraph(
                index=i, text=m.text, kind=kind, heading_level=lvl, section=sec,
                table=table_no if is_row else None, source_span=m.source_span(), mapped=m,
            )
        )
        prev_table = is_row
    return doc


# ---------------------------------------------------------------------------------------------
# Indicator tables
# ---------------------------------------------------------------------------------------------

# Header cells of an indicator table, by column role.
HEADER_ROLES: list[tuple[str, re.Pattern]] = [
    ("level1", re.compile(r"^一级指标")),
    ("level2", re.compile(r"^二级指标")),
    ("name", re.compile(r"^三级指标")),
    ("target", re.compile(r"(预期|年度)指标值|^目标值|^预期目标值|^指标值")),
    ("actual", re.compile(r"实际完成(指标)?值|^实际完成$|^完成值|^实际值")),
    ("weight", re.compile(r"^分值|^权重")),
    ("score", re.compile(r"得分$|^得分|^自评得分|^评分")),
    ("note", re.compile(r"偏差原因|^备注|原因分析|未完成原因")),
    ("explain", re.compile(r"^指标解释|^计分标准|^评分标准|^评价标准")),
]
NUMBER = re.compile(r"^[-+]?\d+(?:\.\d+)?$")
# Category names that are headers of a group, not indicators (ANNOTATION §4 INDICATOR).
WEIGHT_IN_NAME = re.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[）)]")  # "报送时效（2分）"


def header_map(cells: list[str]) -> dict[str, int] | None:
    roles: dict[str, int] = {}
    for j, c in enumerate(cells):
        c = re.sub(r"\s+", "", c)
        for role, pat in HEADER_ROLES:
            if role not in roles and pat.search(c):
                roles[role] = j
                break
    if "name" in roles and ("target" in roles or "actual" in roles or "score" in roles):
        return roles
    return None


def _dec(text: str | None) -> Decimal | None:
    if not text:
        return None
    t = text.strip().rstrip("分").strip()
    if not NUMBER.match(t):
        return None
    try:
        return Decimal(t)
    except InvalidOperation:
        return None


def _clean_name(name: str) -> tuple[str, Decimal | None]:
    weight = None
    m = WEIGHT_IN_NAME.search(name)
    if m:
        weight = Decimal(m.group(1))
        name = WEIGHT_IN_NAME.sub("", name)
    return re.sub(r"\s+", "", name).strip(), weight


# A cell holding a value: "≥41万人", "100%", "12732人", "9.21"
VALUE_LIKE = re.compile(r"^(?:[<>≥≤=]=?\s*)?[-+]?\d[\d,.]*\s*(?:%|[万亿千]?[元人]|人次|万人次|户|家|个|分)?(?:[≤≥<>]=?\s*\d.*)?$")
CATEGORY = re.compile(r"(指标|效益|满意度)$")


def _cell(header: dict[str, int], cells: list[str], role: str, shift: int) -> str | None:
    j = header.get(role)
    if j is None:
        return None
    k = j - shift
    if 0 <= k < len(cells):
        return cells[k].strip() or None
    return None


def best_shift(header: dict[str, int], cells: list[str], width: int) -> int:
    """How far a row is shifted against its header (merged cells drop out, trailing empties too).

    Tries a few shifts and keeps the one whose cells look most like name/target/actual/weight/score.
    """
    def looks_value(v: str | None) -> bool:
        return bool(v) and bool(VALUE_LIKE.match(v.replace(" ", "")))

    best, best_score = 0, None
    for shift in (0, 1, -1, 2, 3):
        name = _cell(header, cells, "name", shift)
        score = 0
        if name and not looks_value(name):
            score += 2
            if CATEGORY.search(name) and len(name) <= 8:
                score -= 2
        elif name:
            score -= 2
        for role in ("target", "actual"):
            if _cell(header, cells, role, shift):
                score += 1
        for role in ("weight", "score"):
            if role in header:
                v = _cell(header, cells, role, shift)
                score += 1 if v and _dec(v) is not None else 0
        for role in ("level1", "level2"):
            if looks_value(_cell(header, cells, role, shift)):
                score -= 1
        if best_score is None or score > best_score:
            best, best_score = shift, score
    return best


def _transposed_indicators(doc: Document, p: Paragraph, nxt: list[Paragraph]) -> None:
    """A table with indicators across one row: "指标⇥决策⇥过程" / "得分率⇥86.67%⇥99.65%" (seed 004)."""
    cells = [c.strip() for c in p.cells]
    try:
        k = cells.index("指标")
    except ValueError:
        return
    names = cells[k + 1 :]
    rows = {}
    for q in nxt:
        qc = [c.strip() for c in q.cells]
        label = next((c for c in qc if c), "")
        vals = qc[qc.index(label) + 1 :] if label else []
        rows[label] = vals
    for j, name in enumerate(names):
        if not name:
            continue
        rec = Indicator(paragraph=p.index, name=name)
        for label, vals in rows.items():
            v = vals[j] if j < len(vals) else None
            if not v:
                continue
            if label in ("得分", "评分", "自评得分"):
                rec.score = _dec(v)
            elif label in ("分值", "权重"):
                rec.weight = _dec(v)
            else:
                rec.actual = v
                rec.note = label
        if rec.actual or rec.score is not None:
            doc.indicators.append(rec)


def extract_indicators(doc: Document) -> Document:
    """Turn indicator tables (一级/二级/三级指标, 指标值, 实际完成值, 分值, 得分) into records.

    Column positions come from the header row; rows with fewer cells are right-aligned to the
    header (merged level-1/level-2 cells are left out of the row, as in seed 002), and empty
    level-1/level-2 cells inherit the value of the row above.
    """
    header: dict[str, int] | None = None
    width = 0
    current_table = None
    carry: dict[str, str | None] = {}
    for p in doc.paragraphs:
        if p.kind != "table_row":
            if p.kind == "heading":
                header = None
            continue
        if p.table != current_table:
            header, current_table, carry = None, p.table, {}
        cells = p.cells
        if "指标" in [c.strip() for c in cells] and header_map(cells) is None:
            rows_after = [q for q in doc.paragraphs[p.index + 1 : p.index + 4] if q.table == p.table]
            _transposed_indicators(doc, p, rows_after)
            continue
        hm = header_map(cells)
        if hm is not None:
            header, width, carry = hm, len(cells), {}
            continue
        if header is None:
            continue
        if len(cells) < 3 or re.sub(r"\s", "", cells[0]) in ("总分", "合计"):
            continue
        shift = best_shift(header, cells, width)

        def cell(role: str) -> str | None:
            return _cell(header, cells, role, shift)

        name = cell("name")
        if not name or header_map([name]) is not None:
            continue
        name, weight_in_name = _clean_name(name)
        if not name:
            continue
        lv1 = cell("level1") or carry.get("level1")
        lv2 = cell("level2") or carry.get("level2")
        if cell("level1"):
            carry["level1"] = cell("level1")
            if not cell("level2"):
                lv2 = None
        if lv2:
            carry["level2"] = lv2
        weight = _dec(cell("weight")) if cell("weight") else weight_in_name
        record = Indicator(
            paragraph=p.index,
            level1=_clean_name(lv1)[0] if lv1 else None,
            level2=_clean_name(lv2)[0] if lv2 else None,
            name=name,
            target=cell("target"),
            actual=cell("actual"),
            weight=weight,
            score=_dec(cell("score")),
            note=cell("note"),
        )
        if record.target or record.actual or record.score is not None:
            doc.indicators.append(record)
    return doc


def document_from_paragraphs(doc_id: str, texts: list[str]) -> Document:
    """A ``Document`` whose paragraphs are given (gold texts): no cleaning, same structure rules."""
    from jixiao.text import MappedText

    doc = Document(doc_id=doc_id, source=f"gold:{doc_id}", sha256="", text="\n".join(texts))
    return build_paragraphs(doc, [MappedText.from_source(t) for t in texts])
