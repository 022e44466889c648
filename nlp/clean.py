"""Cleaning: from raw report text to paragraphs (ANNOTATION.md §1), keeping a source map.

Every paragraph is a :class:`~jixiao.text.MappedText`, so any offset in the cleaned paragraph can be
traced back to the raw text. The steps, in order:

1. per line: remove conversion debris, turn LaTeX remnants into plain text, full-width
   digits/letters to half-width, drop zero-width characters;
2. rebuild tables whose cells stand one per line (seeds 000, 001) into tab-separated rows;
3. rejoin sentences that a page break split across lines (seed 002: ``完成预算5.87`` / blank /
   ``亿元的 99.66%``) without joining headings, list items or table rows;
4. split huge lines (pasted without newlines) at sentence ends.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from jixiao.text import MappedText, fold_fullwidth  # (the one-for-one full-width folds, shared with evaluation)

# Word/pdf conversion debris: "[bookmark: _Toc15396600]"
DEBRIS = re.compile(r"\[bookmark:[^\]\n]*\]")
# Zero-width and BOM characters that carry no text.
INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
# A LaTeX inline formula left by a converter: "$105\% \leq \geq 95\%$", "$=100\%$"
LATEX_INLINE = re.compile(r"\$([^$\n]{1,200})\$")
# A LaTeX command outside "$": "\geq", "\%"
LATEX_COMMAND = re.compile(r"\\(leq|geq|le|ge|neq|times|sim|pm|cdot|lt|gt|%)(?![A-Za-z])")
LATEX_SYMBOLS = {
    "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠", "times": "×", "sim": "~",
    "pm": "±", "cdot": "·", "lt": "<", "gt": ">", "%": "%",
}

# A line that is one table cell of a table written one cell per line: " \t项目名称"
CELL_LINE = re.compile(r"^[ \u3000]*\t[^\t]*$")
# Sentence-final punctuation: a line ending in it is not a page-break split.
LINE_END_PUNCT = "。！？；：:!?;…”’」』）)"
# Markers that start a new paragraph: headings, list items, 一是/二是 clauses.
PARAGRAPH_START = re.compile(
    r"^\s*(?:第[一二三四五六七八九十\d]+部分|[一二三四五六七八九十]+[、．.]|[（(][一二三四五六七八九十\d]{1,3}[）)]"
    r"|\d{1,2}\s*(?:、|[．.](?!\d))|[①-⑳]|[一二三四五六七八九十]是|附件|附表|注[:：])"
)
# A form field on its own line: "实 施 单 位：喀什地区社会保险服务中心", "填报时间：2022年2月20日"
FORM_FIELD = re.compile(r"^\s*[\u4e00-\u9fff][\u4e00-\u9fff ]{1,14}(?:（[^）]{1,8}）)?\s*[:：]")
# A table or figure caption: 「表1 巡察反馈问题整改进度统计」, 「附表2：…」, 「表3-1 …」
TABLE_CAPTION = re.compile(r"^(?:附?表|图)\s*\d{1,2}(?:[-—.．]\d{1,2})?(?:\s|[:：]|(?=[\u4e00-\u9fff]))")
MAX_LINE = 4000  # characters; longer lines are split at sentence ends
SENTENCE_END = re.compile(r"[。！？；!?;]")


@dataclass
class Line:
    text: MappedText
    blank_before: int = 0  # blank lines between this line and the previous non-blank one
    table: bool = False


def clean_line(line: MappedText) -> MappedText:
    """Remove debris, LaTeX and full-width forms from one raw line (map kept).

    >>> clean_line(MappedText.from_source("预期指标值为 $105\\\\% \\\\leq \\\\geq 95\\\\%$ 。")).text
    '预期指标值为 105%≤≥95% 。'
    >>> clean_line(MappedText.from_source("目标任务为１２．９万人．")).text
    '目标任务为12.9万人．'
    """
    t = line.sub(DEBRIS, "").sub(INVISIBLE, "")
    t = t.sub(LATEX_INLINE, lambda m: re.sub(r"\s+", "", LATEX_COMMAND.sub(lambda c: LATEX_SYMBOLS[c.group(1)], m.group(1))))
    t = t.sub(LATEX_COMMAND, lambda c: LATEX_SYMBOLS[c.group(1)])
    return fold_fullwidth(t)


def _raw_lines(text: str) -> list[MappedText]:
    lines, pos = [], 0
    for raw in text.split("\n"):
        mt = MappedText.from_source(raw.rstrip("\r"), pos)
        pos += len(raw) + 1
        lines.append(clean_line(mt))
    return lines


def _is_blank(t: MappedText) -> bool:
    return not t.text.strip(" \t\u3000")


def _collect_cell_table(lines: list[MappedText], i: int) -> tuple[list[tuple[list[MappedText], int]], int]:
    """Read a table written one cell per line, from line ``i``. Returns rows (cells, blanks before)."""
    rows: list[tuple[list[MappedText], int]] = []
    cells: list[MappedText] = []
    blanks = 0
    prev_blank = False
    while i < len(lines):
        t = lines[i]
        if _is_blank(t) and "\t" not in t.text:
            blanks += 1
            prev_blank = True
            i += 1
            continue
        if CELL_LINE.match(t.text):
            if prev_blank and cells:
                rows.append((cells, row_blanks))
                cells = []
            if not cells:
                row_blanks = blanks
            tab = t.text.index("\t")
            cells.append(t.slice(tab + 1, len(t)).strip(" \u3000"))
        elif not prev_blank and cells and not _starts_paragraph(t.text):
            cells[-1] = cells[-1] + t.strip(" \u3000")  # a cell's text continued on the next line
        else:
            break  # text after a blank line: the table has ended
        blanks = 0
        prev_blank = False
        i += 1
    if cells:
        rows.append((cells, row_blanks))
    return rows, i


def _starts_paragraph(line: str) -> bool:
    """A heading or list item after a table's last cell ends the table (seed 001: "（二）绩效分析")."""
    from jixiao.structure import heading_level

    t = line.strip(" \u3000")
    return bool(PARAGRAPH_START.match(t)) or heading_level(t) is not None


# The end of a report title on its own line: 「绩效评价报告」, 「发现问题整改情况的报告」, 「项目支出绩效自评表」
TITLE_TAIL = re.compile(r"[\u4e00-\u9fff（）()、]{0,24}(?:报告|自评表|目标表|评价表|公告|说明)")
# The first cell of a row's remainder after a page break: a number, a share, a dash or a date
SPLIT_ROW_REST = re.compile(r"^(?:[-+≥≤<>=]?\s*\d[\d,.\s]*(?:%|分|万元|元|人|万人)?|[—–-]{1,2}|\d{4}\s*年.*)$")


def _merge_split_rows(rows: list[tuple[list[MappedText], int]]) -> list[list[MappedText]]:
    """Rejoin a row that a multi-line cell broke in two (two or more blank lines inside the row)."""
    widths = [len(c) for c, _ in rows if len(c) >= 3]
    width = max(widths) if widths else 0
    out: list[list[MappedText]] = []
    for cells, blanks in rows:
        if out and blanks >= 2 and len(out[-1]) < width and len(out[-1]) + len(cells) <= width:
            out[-1] = out[-1] + cells
        elif (out and len(out[-1]) < width and len(out[-1]) + len(cells) <= width and len(out[-1]) >= 2
              and SPLIT_ROW_REST.match(cells[0].text.strip()) and not SPLIT_ROW_REST.match(out[-1][0].text.strip())):
            # a page break between two cells of one row (「利息收入⇥3,150.00」 + 「3,842.16⇥121.97」): the rest of a
            # row starts with a value, a row of its own starts with its label
            out[-1] = out[-1] + cells
        else:
            out.append(list(cells))
    return out


def _row_text(cells: list[MappedText]) -> MappedText:
    if len(cells) == 1:
        return cells[0]
    out = cells[0]
    for c in cells[1:]:
        anchor = c.origin[0] - 1 if c.origin else (out.origin[-1] + 1 if out.origin else 0)
        out = out + MappedText("\t", [anchor]) + c
    return out


def _split_huge(t: MappedText) -> list[MappedText]:
    if len(t) <= MAX_LINE:
        return [t]
    parts, start = [], 0
    while len(t) - start > MAX_LINE:
        window = t.text[start : start + MAX_LINE]
        ends = [m.end() for m in SENTENCE_END.finditer(window)]
        cut = start + (ends[-1] if ends and ends[-1] > MAX_LINE // 4 else MAX_LINE)
        parts.append(t.slice(start, cut))
        start = cut
    parts.append(t.slice(start, len(t)))
    return [p for p in parts if p.text.strip()]


def _should_join(a: MappedText, b: MappedText) -> bool:
    """Is ``b`` the rest of a sentence that a page break cut off at the end of ``a``?"""
    from jixiao.structure import heading_level

    at, bt = a.text.rstrip(), b.text.strip()
    if not at or not bt or "\t" in at or "\t" in bt:
        return False
    if TABLE_CAPTION.match(bt):
        return False  # 「…分项进度见表1.」 + 「表1 巡察反馈问题整改进度统计」: a caption opens its own line
    if re.fullmatch(r"[（(]?[一二三四五六七八九十\d]{1,3}[）)、.．]?", at) and not PARAGRAPH_START.match(bt):
        return True  # 「（二）」 alone: the list marker of the next line
    if at[-1] not in LINE_END_PUNCT and re.match(r"[，。、；：,;:）)％%]", bt) and not re.match(r"[（(]", bt):
        return True  # 「…分配责任」 + 「。市人社局…」: a line never starts with closing punctuation
    if re.search(r"\d$", at) and re.match(r"(?:万亿元|亿元|万元|千元|元|万人次|人次|万人|万户|个百分点|个月|%)", bt):
        return True  # 「基金支出38,914.7」 + 「万元，…」: a number cut from its unit
    if (TITLE_TAIL.fullmatch(bt) and re.search(r"年度|关于|绩效", at) and not re.search(r"[，。；：,;:]", at)
            and not at.endswith(("报告", "表", "公告", "说明")) and heading_level(at) is None):
        return True  # a long title cut in two: 「…城乡居民基本医疗保险基金」 + 「绩效评价报告」
    if at[-1] in LINE_END_PUNCT or (len(at) < 20 and not re.search(r"[，、。；,;]", at)):
        return False  # a short line without inner punctuation is a title or a label, not a cut sentence
    if at[-1] == "." and not at[-2:-1].isdigit():  # ASCII punctuation: 「…评价等级为"优".」 ends its sentence
        return False
    if re.fullmatch(r"(?:20|19)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日", bt):  # a date line under the text
        return False
    if not re.search(r"[，、。；：（,;:(]", at):  # a title or a label line, not running prose
        return False
    if FORM_FIELD.match(bt) or (FORM_FIELD.match(at) and not re.search(r"[，。；]", at)):
        return False  # "项目名称：…" / "负 责 人：…": one form field per line
    # a heading line stays alone, unless it already holds a sentence (「(二)康复服务送到村组.联合县人民医院组建上门」)
    heading_with_text = re.search(r"[。；;]|[\u4e00-\u9fff][.．](?!\d)", at)
    if (heading_level(at) is not None and not heading_with_text) or PARAGRAPH_START.match(bt) or heading_level(bt) is not None:
        return False
    if re.match(r"^[（(]\s*\d{4}", bt):  # "(2019 年度)" under a title
        return False
    return True


def clean_text(text: str, *, rejoin: bool = True) -> list[MappedText]:
    """Raw report text → cleaned paragraphs (non-empty lines), each with its source map.

    ``rejoin`` repairs lines that a page break or a PDF/txt conversion split mid-sentence (step 3);
    a .docx paragraph is the writer's own paragraph, so the docx reader's text is cleaned without it.

    >>> [p.text for p in clean_text("完成预算5.87，其中基础养老金支出5.85亿元，较上年增加0.19\\n\\n亿元的 99.66%。")]
    ['完成预算5.87，其中基础养老金支出5.85亿元，较上年增加0.19亿元的 99.66%。']
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    raw = _raw_lines(text)
    lines: list[Line] = []
    i, blanks = 0, 0
    while i < len(raw):
        t = raw[i]
        if _is_blank(t):
            blanks += 1
            i += 1
            continue
        if CELL_LINE.match(t.text) and not _is_blank(t):
            rows, i = _collect_cell_table(raw, i)
            for n, cells in enumerate(_merge_split_rows(rows)):
                row = _row_text(cells)
                if row.text.strip(" \t"):
                    lines.append(Line(_rstrip_tabs(row), blanks if n == 0 else 1, table="\t" in row.text))
            blanks = 0
            continue
        is_table = "\t" in t.text.strip(" \u3000\t")
        stripped = _rstrip_tabs(t.strip(" \u3000")) if is_table else t.strip(" \t\u3000")
        lines.append(Line(stripped, blanks, table=is_table))
        blanks = 0
        i += 1

    paragraphs: list[MappedText] = []
    for line in lines:
        if rejoin and paragraphs and not line.table and _should_join(paragraphs[-1], line.text):
            paragraphs[-1] = paragraphs[-1] + line.text
            continue
        paragraphs.append(line.text)
    out: list[MappedText] = []
    for p in paragraphs:
        out.extend(_split_huge(p))
    return out


def _rstrip_tabs(t: MappedText) -> MappedText:
    """Drop trailing empty cells and spaces but keep leading tabs (an empty first cell)."""
    end = len(t.text.rstrip(" \t\u3000"))
    start = len(t.text) - len(t.text.lstrip(" \u3000"))
    return t.slice(start, end)
