"""Structure: headings with levels, section paths, tables and indicator-table records."""
from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from jixiao.doc import Document, Indicator, Paragraph
from jixiao.normalize import met, typed_value
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

# Column roles of indicator and scoring tables come from the words of their header cells: the
# synonym lexicon configs/table_headers.yaml first, then the header-cell classifier in
# models/headers/ (char n-grams, trained on the written corpus' header cells) where the lexicon has
# no answer. Indicator tables come in many layouts: one header row (三级指标 | 指标值 | 实际完成值 …),
# two header rows (绩效指标 | 年度指标值 … over 一级指标 | 二级指标 | 三级指标), indicator names across
# the first row (transposed), target-only tables (绩效目标表), units in header cells (参保人数（万人）).
NUMBER = re.compile(r"^[-+]?\d+(?:\.\d+)?$")
WEIGHT_IN_NAME = re.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[）)]")  # "报送时效（2分）"
# A unit in a header cell: 「参保人数（万人）」, 「完成预算（%）」, 「金额(单位:万元)」
UNIT_IN_CELL = re.compile(r"[（(]\s*(?:单位\s*[:：]\s*)?(?P<unit>万元|亿元|千元|元|万人次|人次|万人|人|户|家|个|%|‰|天|次|件|元/人|元/人/年|元/人/月)\s*[）)]")
# Bracketed notes dropped from a header cell before it is classified
BRACKETS = re.compile(r"[（(][^（）()]{0,12}[）)]")
# Role of a table column → entity type of its cells (rules.entities) and field of its records
VALUE_ROLES = ("target", "actual", "score")
COMPARATOR_WORDS = {"大于等于": "≥", "小于等于": "≤", "大于": ">", "小于": "<", "等于": "=", "＝": "="}
# First cells that open a transposed table: the indicator names stand across this row
TRANSPOSED_OPENERS = re.compile(r"^(?:指标|指标名称|绩效指标|考核指标|监控指标|监控项|项目|主要指标|评价指标)$")
_LEXICON: list[tuple[str, list[re.Pattern], list[re.Pattern]]] | None = None
_CLASSIFIER: Any = None


def header_lexicon() -> list[tuple[str, list[re.Pattern], list[re.Pattern]]]:
    """The synonym lexicon (``configs/table_headers.yaml``): ``(role, patterns, vetoes)`` in order."""
    global _LEXICON
    if _LEXICON is None:
        import yaml

        from jixiao.paths import config_path

        data = yaml.safe_load(config_path("table_headers.yaml").read_text(encoding="utf-8"))
        _LEXICON = [(r["role"], [re.compile(p) for p in r.get("patterns", [])],
                     [re.compile(p) for p in r.get("not", [])]) for r in data["roles"]]
    return _LEXICON


class HeaderClassifier:
    """The learned header-cell classifier: TF-IDF over char n-grams + a linear layer, from JSON.

    ``models/headers/model.json`` holds the vocabulary, idf weights, coefficients and labels that
    ``jixiao train headers`` (training/headers.py, scikit-learn) wrote; inference is plain Python,
    so nothing is unpickled.
    """

    def __init__(self, data: dict[str, Any]):
        self.labels: list[str] = data["labels"]
        self.ngram = tuple(data["ngram_range"])
        self.vocab: dict[str, int] = data["vocabulary"]
        self.idf: list[float] = data["idf"]
        self.coef: list[list[float]] = data["coef"]
        self.intercept: list[float] = data["intercept"]
        self.min_proba: float = data.get("min_proba", 0.6)

    @classmethod
    def load(cls, path: Path | None = None) -> "HeaderClassifier | None":
        from jixiao.paths import model_path

        path = path or model_path("headers") / "model.json"
        if not path.is_file():
            return None
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def features(self, text: str) -> dict[int, float]:
        counts: dict[int, float] = {}
        lo, hi = self.ngram
        for n in range(lo, hi + 1):
            for i in range(len(text) - n + 1):
                j = self.vocab.get(text[i:i + n])
                if j is not None:
                    counts[j] = counts.get(j, 0.0) + 1.0
        vec = {j: c * self.idf[j] for j, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {j: v / norm for j, v in vec.items()}

    def predict(self, text: str) -> tuple[str | None, float]:
        """``(role, probability)`` of one header cell (``header_key`` form); None without known n-grams."""
        x = self.features(text)
        if not x:
            return None, 0.0
        proba = self._softmax(x)
        k = max(range(len(proba)), key=proba.__getitem__)
        return self.labels[k], proba[k]

    def probabilities(self, text: str) -> list[float]:
        """The probability of every label (``labels`` order); the intercepts' without known n-grams."""
        return self._softmax(self.features(text))

    def _softmax(self, x: dict[int, float]) -> list[float]:
        scores = [b + sum(w[j] * v for j, v in x.items()) for w, b in zip(self.coef, self.intercept)]
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return [e / total for e in exps]


def header_classifier() -> HeaderClassifier | None:
    global _CLASSIFIER
    if _CLASSIFIER is None:
        _CLASSIFIER = HeaderClassifier.load() or False
    return _CLASSIFIER or None


def header_key(cell: str) -> str:
    """A header cell without spaces, bracketed units/notes and trailing punctuation.

    >>> header_key("预算数（万元）"), header_key(" 三级 指标 "), header_key("完成预算%")
    ('预算数', '三级指标', '完成预算')
    """
    k = BRACKETS.sub("", re.sub(r"\s+", "", unicodedata.normalize("NFKC", cell)))
    return k.rstrip("%:：")


def cell_unit(cell: str) -> str | None:
    """The unit a header cell gives its column: 「参保人数（万人）」 → 万人.

    >>> cell_unit("参保人数（万人）"), cell_unit("金额(单位:万元)"), cell_unit("指标名称")
    ('万人', '万元', None)
    """
    m = UNIT_IN_CELL.search(cell)
    return m.group("unit") if m else None


def classify_header(cell: str, use_model: bool = True) -> str | None:
    """The role of one header cell: the lexicon's answer, else the classifier's (if confident).

    >>> classify_header("年度指标值"), classify_header("全年实际值"), classify_header("偏差原因分析及改进措施")
    ('target', 'actual', 'note')
    >>> classify_header("一级指标"), classify_header("评分"), classify_header("95%") is None
    ('level1', 'score', True)
    """
    k = header_key(cell)
    if not k or len(k) > 20 or re.search(r"\d[\d.,]*\s*(?:%|万|人|元|个)?$", k) and not re.search(r"月", k):
        return None
    for role, patterns, vetoes in header_lexicon():
        if any(p.search(k) for p in patterns) and not any(v.search(k) for v in vetoes):
            return role
    clf = header_classifier() if use_model else None
    if clf is not None and re.fullmatch(r"[\u4e00-\u9fff、/·]{2,10}", k):
        role, proba = clf.predict(k)
        if role and proba >= clf.min_proba:
            return role
    return None


def header_roles(cells: list[str]) -> list[str | None]:
    """Role of every cell of a header row (see ``classify_header``)."""
    return [classify_header(c) for c in cells]


# A cell holding a value: "≥41万人", "100%", "12732人", "9.21"
VALUE_LIKE = re.compile(r"^(?!(?:19|20)\d\d年)(?:[<>≥≤=]=?\s*)?[-+]?\d[\d,.]*\s*(?:%|‰|[万亿千]?[元人]|人次|万人次|户|家|个|分|[\u4e00-\u9fff]{1,4}(?:以上|以内|以下|左右)?)?"
                        r"(?:[≤≥<>]=?\s*\d.*)?$")
CATEGORY = re.compile(r"(指标|效益|满意度)$")
# a date or deadline value: 「2024年6月底前」, 「2023年12月31日前」, 「每月15日前」
DEADLINE_LIKE = re.compile(r"^(?:\d{4}年)?(?:\d{1,2}月|每月)(?:\d{1,2}日|底|末|中旬|上旬|下旬)?(?:前|以前|之前)?$")


def header_map(cells: list[str]) -> dict[str, int] | None:
    """Column of each role if ``cells`` is the header row of an indicator or scoring table, else None.

    A header row has short cells, no values, and at least one target/actual/score column. The name
    column is the last cell in the name role (「绩效指标⇥绩效指标⇥绩效指标」 spans three columns), else
    the first cell when it names rows without being a category (「项目名称⇥…⇥自评得分」).

    >>> header_map(["指标名称", "指标值", "全年实际值", "权重", "评分"])
    {'name': 0, 'target': 1, 'actual': 2, 'weight': 3, 'score': 4}
    >>> header_map(["项目", "预算数", "执行数", "执行率"]) is None
    True
    """
    texts = [c.strip() for c in cells]
    if len(texts) < 2 or any(t and (VALUE_LIKE.match(t.replace(" ", "")) or len(header_key(t)) > 20) for t in texts):
        return None
    lexical = [classify_header(c, use_model=False) for c in cells]
    if sum(r is not None for r in lexical) < 2 or "category" in lexical:
        return None  # the classifier completes a header, never makes one; categories stand in body rows
    roles = [r if r is not None else classify_header(c) for r, c in zip(lexical, cells)]
    filled = [r for t, r in zip(texts, roles) if t]
    if sum(r is not None for r in filled) < max(2, 0.75 * len(filled)):
        return None
    out: dict[str, int] = {}
    for j, r in enumerate(roles):
        if r == "name":
            out["name"] = j
        elif r is not None and r not in out:
            out[r] = j
    if not any(r in out for r in VALUE_ROLES):
        return None
    for role in ("target", "actual"):  # 「定量指标值⇥定性指标值」: a second value column, read when the first is empty
        alt = [j for j, r in enumerate(roles) if r == role and role in out and j != out[role]
               and re.search(r"(定量|定性)", header_key(texts[j])) and re.search(r"(定量|定性)", header_key(texts[out[role]]))]
        if alt:
            out[f"{role}_alt"] = alt[0]
    for j, t in enumerate(texts):  # 「年度指标值/实际完成值」: one column holds 「≥4500/4862」, the target before the slash
        parts = re.split(r"\s*[/／]\s*", t)
        if len(parts) == 2 and classify_header(parts[0], use_model=False) == "target" \
                and classify_header(parts[1], use_model=False) == "actual":
            out["target"] = out["actual"] = out["pair"] = j
    scores = [j for j, r in enumerate(roles) if r == "score"]
    if len(scores) == 2 and "score" in out:  # 「自评得分⇥复核得分」: both are points awarded
        out["score_alt"] = scores[1]
    if "name" not in out and "level1" not in out and "level2" not in out and roles[0] in (None, "other") and texts[0]:
        out["name"] = 0
    return dict(sorted(out.items(), key=lambda kv: kv[1]))


# The slash between a target and an actual value in one cell, not the slash of a unit (「元/人·年」, 「人/月」)
_PAIR_SLASH = re.compile(r"\s*[/／]\s*(?!(?:人|年|月|户|次|天|日|个|项|家|床|元|万元|人次|平方米)(?![\u4e00-\u9fff]))")


def split_pair(cell: str) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """(start, end) of the target and of the actual value in a pair cell, or None when it holds one value.

    >>> c = "≥350人/371人"; [c[a:b] for a, b in split_pair(c)]
    ['≥350人', '371人']
    >>> c = "≥640元/人·年/652元/人·年"; [c[a:b] for a, b in split_pair(c)]
    ['≥640元/人·年', '652元/人·年']
    >>> split_pair("640元/人·年") is None
    True
    """
    text = cell.rstrip()
    lead = len(text) - len(text.lstrip())
    for m in _PAIR_SLASH.finditer(text):
        if m.start() > lead and m.end() < len(text):
            return (lead, m.start()), (m.end(), len(text))
    return None


def _continues_header(cells: list[str]) -> bool:
    """A second header row: only header words, no values (「一级指标⇥二级指标⇥三级指标」, 「指标值⇥完成值」)."""
    texts = [c for c in cells if c.strip()]
    return bool(texts) and all(not VALUE_LIKE.match(c.strip().replace(" ", ""))
                               and (classify_header(c, use_model=False) is not None
                                    or QUANT_QUAL.fullmatch(c.strip()) or SUB_VALUE.fullmatch(c.strip())) for c in texts)


# 「定量⇥定性」 sub-columns under a merged value cell
QUANT_QUAL = re.compile(r"(?:定量|定性)(?:指标)?(?:值)?")
# a sub-column word under a merged value cell: 「年度指标值」 over 「比较符⇥数值⇥计量单位」
SUB_VALUE = re.compile(r"数值|数量|值|指标值")


def merge_headers(first: list[str], second: list[str]) -> list[str]:
    """One header row from two: the second row's cells refine the first's (merged cells repeat or stay empty).

    >>> merge_headers(["绩效指标", "年度指标值", "实际完成值"], ["一级指标", "二级指标", "三级指标"])
    ['一级指标', '二级指标', '三级指标', '年度指标值', '实际完成值']
    >>> merge_headers(["绩效指标", "", "", "年度指标值"], ["一级指标", "二级指标", "三级指标"])
    ['一级指标', '二级指标', '三级指标', '年度指标值']
    >>> merge_headers(["三级指标", "年度", "实际", "得分"], ["指标值", "完成值"])
    ['三级指标', '年度指标值', '实际完成值', '得分']
    """
    if any(c.strip() for c in second) and all(QUANT_QUAL.fullmatch(c.strip()) for c in second if c.strip()):
        # 「指标名称⇥年度目标值⇥⇥实际完成值⇥」 over 「⇥定量⇥定性⇥定量⇥定性」: each merged value cell over its sub-columns
        out = list(first) + [""] * max(0, len(second) - len(first))
        for j, c in enumerate(second):
            above = next((first[k].strip() for k in range(min(j, len(first) - 1), -1, -1) if first[k].strip()), "")
            if c.strip():
                out[j] = above + c.strip()
        return out
    if (len(second) < len(first) and second and classify_header(second[0]) in ("level1", "level2", "name")
            and any(classify_header(c) in VALUE_ROLES for c in second if c.strip())):
        # a second row that starts at the first column and lost its trailing empty cells in conversion:
        # 「绩效指标⇥⇥⇥指标值⇥⇥分值⇥得分⇥偏差…」 over 「一级指标⇥二级指标⇥三级指标⇥年度指标值⇥实际完成值」
        second = list(second) + [""] * (len(first) - len(second))
    roles = header_roles(first)
    second_roles = [classify_header(c) for c in second if c.strip()]
    levels_only = all(r in ("level1", "level2", "name") for r in second_roles)
    if len(second) >= len(first) and not (levels_only and any(r in VALUE_ROLES for r in roles)):
        def above(j: int) -> str:
            return next((first[k].strip() for k in range(min(j, len(first) - 1), -1, -1) if first[k].strip()), "")
        # a bare sub-column word takes the merged cell above it: 「年度指标值」 + 「数值」 → a target column
        return [(above(j) + b.strip() if SUB_VALUE.fullmatch(b.strip()) else b) if b.strip() else a
                for j, (a, b) in enumerate(zip(first, second))] + second[len(first):]
    i = roles.index("name") if "name" in roles else 0
    if levels_only:
        k = 1
        while i + k < len(first) and (not first[i + k].strip() or first[i + k].strip() == first[i].strip()):
            k += 1
        if k >= len(second):  # the first row left room for the level names
            return first[:i] + second + first[i + len(second):]
        return first[:i] + second + first[i + k:]
    out = list(first)
    if second and not second[0].strip():
        # sub-columns under a merged cell, in place: 「年度指标值⇥⇥实际完成值」 over 「⇥⇥定量指标⇥定性指标」
        for j, c in enumerate(second[:len(out)]):
            if c.strip():
                # a merged cell spans the empty cells after it: 「年度目标值⇥⇥实际完成值⇥」 over 「⇥定量⇥定性⇥定量⇥定性」
                above = next((first[k].strip() for k in range(j, -1, -1) if first[k].strip()), "")
                out[j] = c.strip() if classify_header(c, use_model=False) else above + c.strip()
        return out
    for j, c in enumerate(second):
        if i + 1 + j < len(out):
            out[i + 1 + j] = out[i + 1 + j].strip() + c.strip()
    return out


@dataclass
class TableContext:
    """What the rows of one table share: its header (role → column), width and column units."""

    header: dict[str, int] | None = None
    width: int = 0
    units: dict[int, str] = field(default_factory=dict)
    header_rows: set[int] = field(default_factory=set)
    transposed: bool = False


def table_contexts(doc: Document) -> dict[int, TableContext]:
    """Per table row paragraph: the header in force (two-row headers merged), or none.

    Header rows map to the context they open (and are listed in ``header_rows``).
    """
    out: dict[int, TableContext] = {}
    ctx: TableContext | None = None
    current_table = None
    prev_header: list[str] | None = None
    paras = doc.paragraphs
    for p in paras:
        if p.kind != "table_row":
            if p.kind == "heading":
                ctx = None
            prev_header = None
            continue
        if p.table != current_table:
            ctx, current_table, prev_header = None, p.table, None
        cells = p.cells
        if prev_header is not None and _continues_header(cells):
            merged = merge_headers(prev_header, cells)
            hm = header_map(merged)
            if hm is not None and ctx is not None:
                ctx.header, ctx.width = hm, len(merged)
                ctx.units.update({j: u for j, c in enumerate(merged) if (u := cell_unit(c))})
                ctx.header_rows.add(p.index)
                out[p.index] = ctx
                prev_header = None
                continue
            if ctx is not None and cells and not cells[0].strip():
                # 「项目⇥预算数⇥执行数⇥执行情况」 over 「⇥⇥⇥增减额⇥执行率」: the sub-columns make it a fund table
                ctx.header = None
                ctx.header_rows.add(p.index)
                out[p.index] = ctx
                prev_header = None
                continue
        hm = header_map(cells)
        if hm is not None:
            ctx = TableContext(header=hm, width=len(cells), header_rows={p.index},
                               units={j: u for j, c in enumerate(cells) if (u := cell_unit(c))})
            out[p.index] = ctx
            prev_header = cells
            continue
        prev_header = None
        nxt = paras[p.index + 1] if p.index + 1 < len(paras) else None
        if nxt is not None and nxt.kind == "table_row" and classify_header(next((c for c in nxt.cells if c.strip()), "")) == "unit":
            nxt = paras[p.index + 2] if p.index + 2 < len(paras) else None  # 「计量单位⇥万人⇥%」 before the value rows
        if _opens_transposed(cells, nxt):
            ctx = TableContext(header={"name": 0}, width=len(cells), header_rows={p.index}, transposed=True,
                               units={j: u for j, c in enumerate(cells) if (u := cell_unit(c))})
            out[p.index] = ctx
            continue
        if ctx is not None:
            out[p.index] = ctx
    return out


def _opens_transposed(cells: list[str], nxt: Paragraph | None) -> bool:
    """「指标⇥参保人数⇥…」 followed by 「目标值⇥≥41万人⇥…」: names across the first row."""
    first = header_key(cells[0]) if cells else ""
    if len(cells) < 2 or not TRANSPOSED_OPENERS.match(first) or nxt is None or nxt.kind != "table_row":
        return False
    label = next((c for c in nxt.cells if c.strip()), "")
    return classify_header(label) in ("target", "actual", "score", "weight")


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


# A numbering before a name cell: 「指标1：参保人数」, 「一、基金收入」, 「(2)利息收入」, 「1.参保率」
NAME_PREFIX = re.compile(r"^\s*(?:指标\s*\d{1,2}\s*[:：.、．]|\d{1,2}(?:\.\d{1,2}){1,3}\s+|[一二三四五六七八九十]{1,3}\s*[、.．]|[（(]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[）)]|\d{1,2}\s*[、.．](?!\d))\s*")


def _clean_name(name: str) -> tuple[str, Decimal | None]:
    name = NAME_PREFIX.sub("", name)
    weight = None
    m = WEIGHT_IN_NAME.search(name)
    if m:
        weight = Decimal(m.group(1))
        name = WEIGHT_IN_NAME.sub("", name)
    return re.sub(r"\s+", "", name).strip(), weight


def indicator_name(cell: str) -> str:
    """The shortest name of an indicator cell: no weight, bracketed unit or note, no spaces.

    >>> indicator_name("参保人数（万人）"), indicator_name("报送时效（2分）"), indicator_name("满意度 (%)")
    ('参保人数', '报送时效', '满意度')
    """
    name, _ = _clean_name(cell)
    return re.sub(r"[（(][^）)]*[）)]?$", "", name).strip() or name


def _cell(header: dict[str, int], cells: list[str], role: str, shift: int) -> str | None:
    j = header.get(role)
    if j is None:
        return None
    k = j - shift
    if 0 <= k < len(cells):
        return cells[k].strip() or None
    return None


EMPTY_VALUES = ("—", "-", "/", "--", "——", "无")


def _value(text: str | None) -> str | None:
    """A value cell, or None for an empty or dash cell."""
    return None if text is None or text in EMPTY_VALUES else text


def best_shift(header: dict[str, int], cells: list[str], width: int) -> int:
    """How far a row is shifted against its header (merged cells drop out, trailing empties too).

    Tries a few shifts and keeps the one whose cells look most like name/target/actual/weight/score.
    """
    def looks_value(v: str | None) -> bool:
        return bool(v) and bool(VALUE_LIKE.match(v.replace(" ", "")) or DEADLINE_LIKE.match(v.replace(" ", "")))

    if len(cells) == width and (cells[0].strip() or "name" not in header):
        return 0
    best, best_score = 0, None
    for shift in (0, 1, -1, 2, 3):
        name = _cell(header, cells, "name", shift)
        score = 0
        if name and not looks_value(name):
            score += 2
            if CATEGORY.search(name) and len(name) <= 8 and not re.search(r"[\u4e00-\u9fff]{3,}满意度$", name) \
                    or re.search(r"指标(?:[（(][^）)]*[）)])?$", name):
                score -= 2  # a category cell (数量指标, 满意度指标), not the indicator (服务对象满意度)
        elif name:
            score -= 2
        for role in ("target", "actual"):
            v = _cell(header, cells, role, shift)
            if v:
                score += 1 if looks_value(v) or len(v) <= 6 else 0.5
        for role in ("weight", "score"):
            if role in header:
                v = _cell(header, cells, role, shift)
                score += 1 if v and _dec(v) is not None else 0
        for role in ("level1", "level2"):
            if looks_value(_cell(header, cells, role, shift)):
                score -= 1
        if shift == 0 and len(cells) == width:
            score += 1  # as wide as its header: aligned unless the cells say otherwise (「审核通过后30日内」 is a target)
        if best_score is None or score > best_score:
            best, best_score = shift, score
    return best


def type_values(rec: Indicator, unit: str | None = None, units: dict[str, str] | None = None) -> Indicator:
    """Fill the typed fields of a record from its strings: ``target_value`` … and ``met``.

    ``unit`` is a unit the table gives bare numbers (「参保人数（万人）」); ``units`` per field.

    >>> r = type_values(Indicator(0, name="参保人数", target="≥62.5", actual="62.83"), unit="万人")
    >>> r.target_value.number, r.target_value.unit, r.target_value.comparator, r.met
    (Decimal('625000'), '人', '≥', True)
    """
    units = units or {}
    rec.target_value = typed_value(rec.target, role="target", default_unit=units.get("target", unit))
    rec.actual_value = typed_value(rec.actual, role="actual", default_unit=units.get("actual", unit))
    rec.weight_value = typed_value(rec.weight, role="weight", default_unit="分")
    rec.score_value = typed_value(rec.score, role="score", default_unit="分")
    rec.met = met(rec.target_value, rec.actual_value)
    return rec


def _row_unit(ctx: TableContext, role: str, shift: int) -> str | None:
    j = ctx.header.get(role) if ctx.header else None
    return ctx.units.get(j) if j is not None else None


def extract_indicators(doc: Document) -> Document:
    """Turn indicator tables into records with typed values (see ``table_contexts`` for the layouts).

    Column positions come from the header row; rows with fewer cells are right-aligned to the
    header (merged level-1/level-2 cells are left out of the row, as in seed 002), and empty
    level-1/level-2 cells inherit the value of the row above. A row needs a name and a target,
    actual or score to become a record.
    """
    contexts = table_contexts(doc)
    carry: dict[str, str | None] = {}
    last_ctx = None
    done_transposed: set[int] = set()
    for p in doc.paragraphs:
        ctx = contexts.get(p.index)
        if ctx is None or ctx.header is None:
            continue
        if ctx is not last_ctx:
            carry, last_ctx = {}, ctx
        if ctx.transposed:
            if id(ctx) not in done_transposed:
                done_transposed.add(id(ctx))
                _transposed_records(doc, p, ctx, contexts)
            continue
        if p.index in ctx.header_rows:
            continue
        header, cells = ctx.header, p.cells
        if "name" not in header or len(cells) < 2 or re.sub(r"\s", "", cells[0]) in ("总分", "合计", "总计"):
            continue
        shift = best_shift(header, cells, ctx.width)

        def cell(role: str) -> str | None:
            return _cell(header, cells, role, shift)

        name = cell("name")
        if not name or classify_header(name, use_model=False) in ("name", "level1", "level2", "category") or VALUE_LIKE.match(name.replace(" ", "")):
            continue
        unit_of_name = cell_unit(name)
        name, weight_in_name = _clean_name(name)
        name = indicator_name(name)
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
        weight = _dec(cell("weight")) if _value(cell("weight")) else weight_in_name
        record = Indicator(
            paragraph=p.index,
            level1=_clean_name(lv1)[0] if lv1 else None,
            level2=_clean_name(lv2)[0] if lv2 else None,
            name=name,
            target=_value(cell("target")) or _value(cell("target_alt")),
            actual=_value(cell("actual")) or _value(cell("actual_alt")),
            weight=weight,
            score=_dec(cell("score")),
            note=_value(cell("note")),
        )
        if "pair" in header and record.target:  # 「≥4500/4862」 under 「年度指标值/实际完成值」
            pair = split_pair(record.target)
            record.target, record.actual = (_value(record.target[a:b].strip()) for a, b in pair) if pair \
                else (record.target, None)
        comparator = (cell("comparator") or "").replace(" ", "")
        if record.target and re.fullmatch(r"[≥≤<>=＝]=?|大于等于|小于等于|大于|小于|等于", comparator) \
                and not re.match(r"[≥≤<>=＝]", record.target):
            record.target = COMPARATOR_WORDS.get(comparator, comparator) + record.target  # 「指标性质」 column
        if record.target or record.actual or record.score is not None:
            row_unit = dec_unit(cell("unit")) or unit_of_name
            type_values(record, unit=row_unit, units={r: u for r in ("target", "actual")
                                                      if (u := _row_unit(ctx, r, shift))})
            doc.indicators.append(record)
    return doc


def dec_unit(text: str | None) -> str | None:
    """A unit column's cell: 「万人」, 「%」 (a value-free short unit)."""
    if not text or len(text) > 6 or re.search(r"\d", text):
        return None
    return text.strip()


def transposed_rows(doc: Document, first: Paragraph, contexts: dict[int, TableContext]) -> list[tuple[Paragraph, str | None]]:
    """The rows of a transposed table after its name row, each with its label's role."""
    ctx = contexts[first.index]
    rows = []
    for q in doc.paragraphs[first.index + 1:]:
        if contexts.get(q.index) is not ctx:
            break
        label = next((c for c in q.cells if c.strip()), "")
        rows.append((q, classify_header(label)))
    return rows


def _transposed_records(doc: Document, p: Paragraph, ctx: TableContext, contexts: dict[int, TableContext]) -> None:
    """Indicators across one row: 「指标⇥参保人数（万人）⇥…」 / 「目标值⇥≥41⇥…」 / 「实际完成值⇥…」."""
    cells = p.cells
    rows = transposed_rows(doc, p, contexts)
    for j in range(1, len(cells)):
        raw = cells[j].strip()
        if not raw:
            continue
        rec = Indicator(paragraph=p.index, name=indicator_name(raw))
        unit = None
        for q, role in rows:
            qc = q.cells
            v = qc[j].strip() if j < len(qc) else ""
            if not v or v in ("—", "-", "/"):
                continue
            if role == "score":
                rec.score = _dec(v)
            elif role == "weight":
                rec.weight = _dec(v)
            elif role in ("target", "actual") and getattr(rec, role) is None:
                setattr(rec, role, v)
            elif role == "note" and rec.note is None:
                rec.note = v
            elif role == "unit" and not unit:
                unit = dec_unit(v)
        if rec.target or rec.actual or rec.score is not None:
            type_values(rec, unit=cell_unit(raw) or unit)
            doc.indicators.append(rec)


def document_from_paragraphs(doc_id: str, texts: list[str]) -> Document:
    """A ``Document`` whose paragraphs are given (gold texts): no cleaning but the one-for-one folding of full-width
    digits, letters and ％ (「１２．９万人」, as a PDF conversion leaves them; offsets unchanged), same structure rules."""
    from jixiao.text import MappedText, fold_fullwidth

    doc = Document(doc_id=doc_id, source=f"gold:{doc_id}", sha256="", text="\n".join(texts))
    mapped = [fold_fullwidth(MappedText.from_source(t)) for t in texts]
    # trailing empty cells (「一级指标⇥二级指标⇥三级指标⇥⇥⇥」), as cleaning drops them from a raw line: the same table
    # reading as end to end (they had shifted the header of blind bJ01: gold-text 0.748 vs end to end 0.947)
    mapped = [m.slice(0, len(m.text.rstrip("\t "))) if "\t" in m.text else m for m in mapped]
    return build_paragraphs(doc, mapped)
