"""The audit checks: rules over the stated numbers of one document (see :mod:`jixiao.audit.view`).

Tolerances come from the precision the report itself uses, never from one fixed number:

* a **measured** value (money, people, a rate) stated with *d* decimals stands for anything within
  half a unit of its last digit (``half``); a computed rate gets its own half unit plus the
  propagated rounding of its inputs (``100·(h_n/D + N·h_d/D²)``), a sum of parts the halves of the
  parts plus the half of the total;
* **points** (分值, 得分) are assigned, not measured: a score written 8.5 is 8.5 points, so a score
  total only gets the half unit of its own stated precision (88.6 → ±0.05); 得分 above 分值 has no
  tolerance at all (rounding never lifts a score over its weight);
* a grade is wrong only if every score within the rounding of the stated score falls outside its band.

>>> from jixiao.audit.view import DocView
>>> v = DocView.from_dict({"doc_id": "x", "paragraphs": [{"index": 0, "text":
...     "资金预算86.4万元，实际发放81.9万元，预算执行率96.8%。"}]})
>>> [(f.kind, f.stated, f.computed) for f in rate_in_prose(v, AuditContext())]
[('rate', '96.8', '94.791667')]
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Iterable, Iterator

from jixiao.audit.registry import AuditContext, Finding, dec, register_check
from jixiao.audit.values import Stated, parse_stated
from jixiao.audit.view import TOTAL_RE, Cell, DocView, ProseNumber, Row, Table, sentence_index
from jixiao.normalize import judge, parse_value, value_interval

HUNDRED = Decimal(100)

# --------------------------------------------------------------------------------------------
# words

#: A stated rate that is 执行数 / 预算数 (or income over its budget).
EXEC_RATE_RE = re.compile(r"执行率|支出进度|支出率|使用率|拨付率|到位率|完成预算|预算完成率|执行进度")
#: A money label that names the planned side (budget, allocation).
BUDGET_RE = re.compile(r"预算|下达|安排|批复|到位|收到|分配|核定|筹集|计划|投资")
#: A money label that names the executed side.
SPENT_RE = re.compile(r"执行|支出|发放|使用|决算|拨付|实际|完成")
#: Labels of numbers that are not parts of a breakdown (changes, comparisons, shares).
NOT_PART_RE = re.compile(r"增|减|较|同比|上年|预算|完成|占|超过|超出|结余|结转|累计|人均|平均|达到")
#: A rate clause that states a goal, a threshold or a sub-item, not the document's own rate.
GOAL_RE = re.compile(r"力争|确保|要求|目标|考核|低于|高于|不低于|不足|未达到|超过|以上|以下|分别|仅|只有|应|需|月")
#: The document's own execution rate, stated without its inputs (「全年预算执行率为96.50%」).
OWN_RATE_RE = re.compile(r"^(?:[(（][一二三四五六七八九十\d]+[)）][^，,。；.．:：]{0,8}[.．:：])?"
                         r"(?:全年|年度|本年|当年|项目|资金|整体|总体|全市|全县|全省)*(?:预算执行率|支出进度)"
                         r"(?:为|是|达|达到|[:：])?$")
#: A stated overall score.
TOTAL_SCORE_RE = re.compile(r"(?:综合得分|总得分|自评得分|评价得分|最终评分|最终得分|综合评分|总分|评分结果|得分)"
                            r"(?:为|是|[:：])?\s*(\d+(?:\.\d+)?)\s*分")
#: The overall score only (not 总分 = full marks, not a dimension's 得分).
OVERALL_SCORE_RE = re.compile(r"(?:综合得分|总得分|最终评分|最终得分|综合评分|评价总分|自评总分)"
                              r"(?:为|是|[:：])?\s*(\d+(?:\.\d+)?)\s*分")
#: Status words of an indicator table.
MET_WORDS = ("已完成", "完成", "是", "达标", "已达标", "√", "✓", "\\checkmark", "全部完成", "已实现", "实现")
MISSED_WORDS = ("未完成", "否", "未达标", "×", "✗", "部分完成", "未实现", "基本完成", "\\times")
NO_DEVIATION = re.compile(r"^(?:无|/|—|-|－|无偏差|不存在|未发生偏差)?$")


def _label_kind(label: str) -> str | None:
    """``budget``, ``spent`` or None for the clause label of a money amount.

    >>> [_label_kind(w) for w in ("年初预算安排数为", "全年预算实际执行数为", "完成年度支出预算", "实际发放", "中央资金")]
    ['budget', 'spent', 'budget', 'spent', None]
    """
    if re.search(r"预算(?!执行|实际)", label) and not re.search(r"执行数|实际", label):
        return "budget"
    if SPENT_RE.search(label):
        return "spent"
    if BUDGET_RE.search(label):
        return "budget"
    return None


def _points(m: re.Match[str], group: int, paragraph: int) -> Stated:
    """The points number of a regex match (「88.4 分」: the span covers the number only)."""
    return Stated(Decimal(m.group(group)), m.group(group), "分", paragraph, m.start(group), m.end(group))


def _ev(s: Stated, role: str, view: DocView) -> dict:
    return s.evidence(role, view.texts.get(s.paragraph))


# --------------------------------------------------------------------------------------------
# tolerance arithmetic


def ratio(num: Stated, den: Stated, *, exact: bool = False) -> tuple[Decimal, Decimal]:
    """``100·num/den`` and the rounding it inherits from its inputs (in percentage points).

    >>> r, t = ratio(Stated(Decimal("81.9"), "81.9", "万元", 0, 0, 0), Stated(Decimal("86.4"), "86.4", "万元", 0, 0, 0))
    >>> dec(r, 2), dec(t, 4)
    ('94.79', '0.1127')
    """
    n, d = num.base, den.base
    c = HUNDRED * n / d
    if exact:                 # points (得分/分值) are exact as written
        return c, Decimal(0)
    prop = HUNDRED * (num.base_half / d + abs(n) * den.base_half / (d * d))
    return c, prop


def _rate_finding(check: str, rate: Stated, pairs: list[tuple[Stated, Stated, str]], view: DocView,
                  what: str, *, exact: bool = False) -> Finding | None:
    """A finding when no (numerator, denominator) pair gives the stated rate within tolerance."""
    best = None
    for num, den, how in pairs:
        if den.base == 0 or num is den:
            continue
        c, prop = ratio(num, den, exact=exact)
        tol = rate.half + prop
        diff = rate.value - c
        if abs(diff) <= tol:
            return None
        if best is None:
            best = (num, den, how, c, tol, diff)
    if best is None:
        return None
    num, den, how, c, tol, diff = best
    return Finding(
        "rate", check, "error",
        f"{what} {dec(rate.value)}% 与其分子分母不符：{num.text}{num.unit or ''} ÷ {den.text}{den.unit or ''} "
        f"= {dec(c, 2)}%（{how}）",
        stated=dec(rate.value), computed=dec(c), difference=dec(diff, 4), tolerance=dec(tol, 4),
        tolerance_rule="half unit of the stated rate + propagated half units of numerator and denominator",
        unit="%", evidence=[_ev(rate, "stated", view), _ev(num, "numerator", view), _ev(den, "denominator", view)])


# --------------------------------------------------------------------------------------------
# rate: 执行数 / 预算数


def _money_before(nums: list[ProseNumber], stop: int) -> list[ProseNumber]:
    return [n for n in nums[:stop] if n.number.is_money]


def _table_partner(view: DocView, spent: Stated) -> list[Stated]:
    """Budget cells of table rows that state the same executed amount."""
    out = []
    for t in view.tables:
        for r in t.rows:
            hit = [c for c in r.cells if c.number is not None and c.number.is_money
                   and c.number.base == spent.base and c.role in ("spent", "amount", None)]
            if hit:
                out += [c.number for c in r.by_role("budget") if c.number.is_money]
    return out


def _doc_side(view: DocView, before: int, side: str) -> list[Stated]:
    """Money of one side (budget/spent) stated in prose before paragraph ``before``: the first two
    of the document (its fund overview) and the nearest one.

    Parts of a 其中 breakdown are skipped: 「其中市级安排800万元」 is not the budget.
    """
    found = [n.number for i in sorted(k for k in view.prose if k < before) for n in view.prose[i]
             if n.number.is_money and not n.in_breakdown and _label_kind(n.label) == side]
    out = found[:2] + found[-1:]
    return [s for k, s in enumerate(out) if s not in out[:k]]


@register_check("rate_in_prose", kind="rate",
                description="a stated 执行率/支出进度/完成预算% equals 执行数 ÷ 预算数 (same sentence, its table row, or the document)")
def rate_in_prose(view: DocView, ctx: AuditContext) -> Iterator[Finding]:
    for p, nums in view.prose.items():
        text = view.texts[p]
        for k, n in enumerate(nums):
            s = n.number
            if not s.is_percent or not (Decimal(0) < s.value <= Decimal(200)):
                continue
            clause = _clause_before(text, s.start)
            if not EXEC_RATE_RE.search(clause) or re.search(r"得分率|增长|增幅|下降|占", clause):
                continue
            if GOAL_RE.search(clause):
                continue
            money = [m for m in _money_before(nums, k) if m.sentence == n.sentence and not m.in_breakdown]
            earlier = [m for m in _money_before(nums, k) if m.sentence < n.sentence and not m.in_breakdown]
            income = bool(re.search(r"完成预算|预算完成率", clause))
            own = bool(OWN_RATE_RE.match(clause))
            budgets = [m.number for m in reversed(money) if _label_kind(m.label) == "budget"]
            spents = [m.number for m in reversed(money) if _label_kind(m.label) == "spent"]
            if income:
                spents = [m.number for m in reversed(money) if m.number not in budgets] + spents
            if own and not spents and not budgets:       # the inputs stand earlier in the paragraph
                budgets = [m.number for m in reversed(earlier) if _label_kind(m.label) == "budget"][:1]
                spents = [m.number for m in reversed(earlier) if _label_kind(m.label) == "spent"][:1]
            elif own and spents and not budgets:
                budgets = [m.number for m in reversed(earlier) if _label_kind(m.label) == "budget"][:1]
            pairs: list[tuple[Stated, Stated, str]] = []
            for sp in spents[:2]:
                pairs += [(sp, b, "同段") for b in budgets]
                pairs += [(sp, b, "表中同一行") for b in _table_partner(view, sp)]
                if own:       # also the document's own budget (first stated), the primary pair if none above
                    pairs += [(sp, b, "前文预算数") for b in _doc_side(view, p, "budget")]
            if not spents and not budgets and own:
                sp_doc = _doc_side(view, p + 1, "spent")
                bd_doc = _doc_side(view, p + 1, "budget")
                pairs += [(a, b, "前文执行数与预算数") for a in sp_doc for b in bd_doc]
            if not pairs:
                continue
            f = _rate_finding("rate_in_prose", s, pairs, view, clause[-12:] or "比率")
            if f:
                yield f


def _clause_before(text: str, start: int) -> str:
    """The clause before a number, numbers included (「完成预算360240万元的」)."""
    j = start
    while j > 0 and text[j - 1] not in "，。；;,！？":
        j -= 1
    return re.sub(r"\s+", "", text[j:start])


@register_check("rate_in_table", kind="rate",
                description="a 执行率/支出进度 cell equals the row's 执行数 ÷ 预算数")
def rate_in_table(view: DocView, ctx: AuditContext) -> Iterator[Finding]:
    for t in view.tables:
        for r in t.rows:
            for c in r.by_role("rate"):
                if not re.search(r"执行率|进度|支出率|使用率|拨付率|完成率", c.header) or \
                        re.search(r"得分率|增长|增幅|占比", c.header):
                    continue
                rate = c.number if c.number.unit == "%" else c.number.with_unit("%")
                pairs = [(sp.number, bd.number, "同一行") for sp in r.by_role("spent") for bd in r.by_role("budget")]
                if not pairs:
                    continue
                f = _rate_finding("rate_in_table", rate, pairs, view, f"{r.label()}·{c.header}")
                if f:
                    yield f


@register_check("score_rate", kind="rate",
                description="a stated 得分率 equals 得分 ÷ 分值(权重) of the same sentence")
def score_rate(view: DocView, ctx: AuditContext) -> Iterator[Finding]:
    for p, nums in view.prose.items():
        text = view.texts[p]
        for k, n in enumerate(nums):
            if not n.number.is_percent or "得分率" not in _clause_before(text, n.number.start):
                continue
            pts = [m for m in nums[:k] if m.sentence == n.sentence and m.number.unit == "分"]
            weights = [m.number for m in pts if re.search(r"权重|分值|满分", m.label)]
            scores = [m.number for m in pts if "得分" in m.label]
            if weights and scores:
                f = _rate_finding("score_rate", n.number, [(scores[-1], weights[-1], "同句")], view, "得分率",
                                  exact=True)
                if f:
                    yield f


# --------------------------------------------------------------------------------------------
# sum: parts and totals


def _sum_tolerance(parts: list[Stated], total: Stated) -> Decimal:
    return sum((p.base_half for p in parts), Decimal(0)) + total.base_half


def _unit_slip(parts: list[Stated], total: Stated, tol: Decimal) -> Stated | None:
    """The part that would make the sum right if its unit were 10 000 times larger or smaller."""
    s = sum((p.base for p in parts), Decimal(0))
    for p in parts:
        for f in (Decimal(10000), Decimal("0.0001")):
            if abs(s - p.base + p.base * f - total.base) <= tol * 2:
                return p
    return None


def _sum_finding(check: str, kind: str, parts: list[Stated], total: Stated, view: DocView, what: str,
                 *, points: bool = False) -> Finding | None:
    s = sum((p.base for p in parts), Decimal(0))
    if points:
        tol = total.base_half
        rule = "points are exact as written; half unit of the stated total"
    else:
        tol = _sum_tolerance(parts, total)
        rule = "half units of every part + half unit of the total (each rounded to its stated precision)"
    diff = total.base - s
    if abs(diff) <= tol:
        return None
    slip = None if points else _unit_slip(parts, total, tol)
    unit = total.base_unit
    mult = total.multiplier
    msg = (f"{what}：分项之和 {dec(s / mult)}{total.unit or ''} ≠ 合计 {total.text}{total.unit or ''}"
           f"（相差 {dec(diff / mult)}）")
    if slip is not None:
        msg += f"；疑似单位错误：{slip.text}{slip.unit or ''}"
    return Finding(kind, check, "error", msg, stated=dec(total.base), computed=dec(s), difference=dec(diff),
                   tolerance=dec(tol), tolerance_rule=rule, unit=unit,
                   evidence=[_ev(total, "total", view)] + [_ev(p, "part", view) for p in parts])


def _scope_end(text: str, q: int) -> int:
    """Where a 其中 breakdown starting at ``q`` ends: the closing bracket or the sentence end."""
    opened = q > 0 and text[q - 1] in "（("
    depth = 0
    for j in range(q, len(text)):
        ch = text[j]
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            if depth == 0:
                return j
            depth -= 1
        elif depth == 0 and not opened and (ch in "。；;！？" or (ch == "." and not text[j + 1:j + 2].isdigit())):
            return j
    return len(text)


def _depth_map(text: str) -> list[int]:
    depth, out = 0, []
    for ch in text:
        if ch in "（(":
            depth += 1
        out.append(depth)
        if ch in "）)":
            depth = max(0, depth - 1)
    return out


PARTITION_RE = re.compile(r"中央|省|市|县|区|个人|单位|财政|基本支出|项目支出|统筹|账户")


@register_check("breakdown_sum", kind="sum",
                description="a total followed by 其中 A、B、C: the parts add up to the total (units in 元/人)")
def breakdown_sum(view: DocView, ctx: AuditContext) -> Iterator[Finding]:
    for p, nums in view.prose.items():
        text = view.texts[p]
        depth = _depth_map(text)
        for m in re.finditer(r"其中", text):
            q = m.start()
            before = [n for n in nums if n.number.end <= q]
            if not before:
                continue
            total = before[-1]
            if total.sentence != sentence_index(text, q) or re.search(r"\d", text[total.number.end:q]):
                continue
            if total.number.base_unit not in ("元", "人", "人次", "户") or re.search(r"增|减|较|同比", total.label):
                continue
            end = _scope_end(text, m.end())
            d0 = depth[m.end()] if m.end() < len(text) else 0
            parts = [n for n in nums if m.end() <= n.number.start < end and depth[n.number.start] == d0
                     and n.number.base_unit == total.number.base_unit and not NOT_PART_RE.search(n.label)]
            kept: list[ProseNumber] = []
            for n in parts:                 # a number larger than the total is not one of its parts
                if n.number.base > total.number.base and len(kept) >= 2:
                    break
                kept.append(n)
            parts = kept
            if len(parts) < 2:
                continue
            if any(abs(sum((n.number.base for n in parts[:j]), Decimal(0)) - total.number.base)
                   <= _sum_tolerance([n.number for n in parts[:j]], total.number) for j in range(2, len(parts))):
                continue                    # the breakdown closes early; later numbers belong elsewhere
            s = sum((n.number.base for n in parts), Decimal(0))
            exhaustive = len(parts) >= 3 or all(PARTITION_RE.search(n.label) for n in parts)
            if s < total.number.base and not exhaustive:
                continue
            f = _sum_finding("breakdown_sum", "sum", [n.number for n in parts], total.number, view,
                             f"{total.label or '合计'}（其中）")
            if f:
                yield f


def _column_cells(rows: list[Row], col: int) -> list[tuple[Row, Cell]]:
    out = []
    for r in rows:
        for c in r.cells:
            if c.column == col and c.number is not None:
                out.append((r, c))
    return out


def _is_total_for(r: Row, c: Cell) -> bool:
    return bool(TOTAL_RE.match(r.label(c.start)))


def _alternatives(parts: list[tuple[Row, Cell]], tol_of) -> list[list[tuple[Row, Cell]]]:
    """All parts; without 其中 rows; and without the children of rows that equal the sum of the rows below."""
    alts = [parts]
    no_sub = [(r, c) for r, c in parts if not r.label().startswith("其中")]
    if len(no_sub) != len(parts):
        alts.append(no_sub)
    top, i = [], 0
    while i < len(parts):
        r, c = parts[i]
        top.append((r, c))
        acc, j = Decimal(0), i + 1
        while j < len(parts):
            acc += parts[j][1].number.base
            j += 1
            if j - i >= 3 and abs(acc - c.number.base) <= tol_of(parts[i + 1:j], c.number):
                i = j - 1
                break
        i += 1
    if len(top) != len(parts):
        alts.append(top)
    return alts


def _groups(view: DocView, t: Table, roles: set[str], points: bool) -> Iterator[tuple[str, list[tuple[Row, Cell]]]]:
    """Cells of one column in row order: per (segment, column) for money; per role across the table for points
    (a self-evaluation form scores 预算执行率 in its fund block and the indicators below, one 总分 for both)."""
    if points:
        for role in sorted(roles):
            cells = [(r, c) for r in t.rows for c in r.cells if c.role == role and c.number is not None]
            if cells:
                yield role, cells
        return
    for header, rows in t.segments():
        cols = sorted({c.column for r in rows for c in r.cells if c.role in roles and c.number is not None})
        for col in cols:
            yield (header[col] if col < len(header) else ""), _column_cells(rows, col)


def _table_sums(view: DocView, t: Table, roles: set[str], kind: str, check: str,
                points: bool) -> Iterator[Finding]:
    if points:
        def tol_of(ps, tot):
            return tot.base_half
    else:
        def tol_of(ps, tot):
            return _sum_tolerance([c.number for _, c in ps], tot)

    def clean(ps):
        return [(r, c) for r, c in ps if not c.number.is_percent
                and (points or not re.match(r"增长|增幅|增加|增减|减少|下降|较|同比|比上年|执行预算|结余", r.label(c.start)))]

    for head, cells in _groups(view, t, roles, points):
        idx_tot = [k for k, (r, c) in enumerate(cells) if _is_total_for(r, c)]
        total_first = bool(idx_tot) and idx_tot[0] == 0
        for n, k in enumerate(idx_tot):
            total_row, total = cells[k]
            if total.number.is_percent:
                continue
            prev = idx_tot[n - 1] if n else -1
            nxt = idx_tot[n + 1] if n + 1 < len(idx_tot) else len(cells)
            above, below = clean(cells[prev + 1:k]), clean(cells[k + 1:nxt])
            groups = [g for g in ((below,) if total_first else (above,)) if len(g) >= 2]
            if not groups:
                continue
            ok = any(abs(sum((c.number.base for _, c in a), Decimal(0)) - total.number.base) <= tol_of(a, total.number)
                     for g in groups for a in _alternatives(g, tol_of))
            if ok:
                continue
            parts = groups[0]
            f = _sum_finding(check, kind, [c.number for _, c in parts], total.number, view,
                             f"表{t.index + 1}「{head}」列{total_row.label(total.start)}", points=points)
            if f:
                yield f


@register_check("table_sum", kind="sum",
                description="a 合计/小计 row of a money or count column equals the sum of the rows it closes")
def table_sum(view: DocView, ctx: AuditContext) -> Iterator[Finding]:
    for t in view.tables:
        yield from _table_sums(view, t, {"budget", "spent", "amount"}, "sum", "table_sum", points=False)


@register_check("score_table_sum", kind="score_sum",
                description="the 合计/总分 row of a scoring table equals the sum of the 得分 above it")
def score_table_sum(view: DocView, ctx: AuditContext) -> Iterator[Finding]:
    for t in view.tables:
        yield from _table_sums(view, t, {"score"}, "score_sum", "score_table_sum", points=True)


@register_check("weight_sum", kind="weight_sum",
                description="the 分值 of a scoring table add up to its 合计 row and to 100")
def weight_sum(view: DocView, ctx: AuditContext) -> Iterator[Finding]:
    for t in view.tables:
        found = list(_table_sums(view, t, {"weight"}, "weight_sum", "weight_sum", points=True))
        yield from found
        if found:
            continue
        for header, rows in t.segments():
            for r in rows:
                if not r.is_total:
                    continue
                for c in r.by_role("weight"):
                    if c.number.value != HUNDRED and r.by_role("score"):
                        yield Finding("weight_sum", "weight_sum", "warning",
                                      f"表{t.index + 1} 合计行的分值为 {c.number.text}，满分应为 100",
                                      stated=dec(c.number.value), computed="100", difference=dec(c.number.value - HUNDRED),
                                      tolerance="0", tolerance_rule="full marks are exactly 100", unit="分",
                                      evidence=[_ev(c.number, "total", view)])


def _table_total_scores(view: DocView) -> list[tuple[Table, Stated]]:
    out = []
    for t in view.tables:
        for r in t.rows:
            if r.is_total:
                out += [(t, c.number) for c in r.by_role("score")]
    return out


@register_check("score_total_repeat", kind="score_sum",
                description="the overall score stated in the text equals the total row of the scoring table")
def score_total_repeat(view: DocView, ctx: AuditContext) -> Iterator[Finding]:
    totals = _table_total_scores(view)
    if len(totals) != 1:
        return
    t, total = totals[0]
    for p, text in view.texts.items():
        if p not in view.prose:
            continue
        for m in OVERALL_SCORE_RE.finditer(text):
            if re.search(r"指标|类|权重|分值|方面|维度", text[max(0, m.start() - 12):m.start()]):
                continue
            s = _points(m, 1, p)
            if s is None:
                continue
            tol = max(s.half, total.half)
            if abs(s.value - total.value) > tol:
                yield Finding("score_sum", "score_total_repeat", "error",
                              f"正文总分 {s.text} 分与评分表合计 {total.text} 分不一致",
                              stated=dec(s.value), computed=dec(total.value), difference=dec(s.value - total.value),
                              tolerance=dec(tol), tolerance_rule="half unit of the finer of the two stated scores",
                              unit="分", evidence=[_ev(s, "stated", view), _ev(total, "table_total", view)])


# --------------------------------------------------------------------------------------------
# scores, grades, indicators


@register_check("score_over_weight", kind="score_over", description="an indicator's 得分 is not above its 分值")
def score_over_weight(view: DocView, ctx: AuditContext) -> Iterator[Finding]:
    for t in view.tables:
        for r in t.rows:
            ws, ss = r.by_role("weight"), r.by_role("score")
            if len(ws) != 1 or len(ss) != 1:
                continue
            w, s = ws[0].number, ss[0].number
            if s.value > w.value:
                yield Finding("score_over", "score_over_weight", "error",
                              f"「{r.label()}」得分 {s.text} 高于分值 {w.text}", stated=dec(s.value),
                              computed=dec(w.value), difference=dec(s.value - w.value), tolerance="0",
                              tolerance_rule="none: rounding never lifts a score above its weight", unit="分",
                              evidence=[_ev(s, "score", view), _ev(w, "weight", view)])


GRADE_RE_TMPL = r"(?:等级|评级|级别|评价结果|结果)(?:为|是|[:：]|评定为|确定为|评为|定为)?\s*[“\"「『]?({words})"


@register_check("grade_band", kind="grade",
                description="a grade stated next to a score matches the band of configs/grades.yaml (90 分及以上 = 优)")
def grade_band(view: DocView, ctx: AuditContext) -> Iterator[Finding]:
    grade_re = re.compile(GRADE_RE_TMPL.format(words="|".join(map(re.escape, ctx.grades.words()))))
    for p, text in view.texts.items():
        if p not in view.prose:
            continue
        scores = list(TOTAL_SCORE_RE.finditer(text))
        grades = list(grade_re.finditer(text))
        if not scores or not grades:
            continue
        for g in grades:
            sm = [m for m in scores if m.end() <= g.start()] or scores
            m = sm[-1]
            s = _points(m, 1, p)
            word = g.group(1)
            stated = ctx.grades.canonical(word)
            if s is None or stated is None:
                continue
            allowed = ctx.grades.grades_within(s.value, s.half)
            if stated in allowed:
                continue
            expected = ctx.grades.grade_for(s.value)
            gs, ge = g.start(1), g.end(1)
            yield Finding("grade", "grade_band", "error",
                          f"得分 {s.text} 分应为「{expected}」，报告写作「{word}」", stated=word, computed=expected,
                          tolerance=dec(s.half), tolerance_rule="half unit of the stated score at the band edges",
                          evidence=[_ev(s, "score", view),
                                    {"role": "grade", "value": word, "unit": None, "paragraph": p,
                                     "start": gs, "end": ge, "text": text[gs:ge]}])


def _status(text: str) -> bool | None:
    t = text.strip().replace(" ", "")
    if not t:
        return None
    if t in MISSED_WORDS or t.startswith("未"):
        return False
    if t in MET_WORDS:
        return True
    return None


def _reached(target_text: str, actual: Stated | None, actual_text: str) -> bool | None:
    """True when the actual meets the target for every value within its rounding, False when for none."""
    iv = value_interval(target_text)
    pv = parse_value(actual_text)
    if iv is None or pv.value is None or pv.comparator not in (None, "="):
        return None
    if iv.unit and pv.unit and iv.unit != pv.unit:
        return None
    h = actual.half * (pv.value / actual.value) if actual is not None and actual.value else Decimal(0)
    lo_a, hi_a = pv.value - h, pv.value + h

    def inside(v: Decimal) -> bool:
        ok_lo = iv.lo is None or v > iv.lo or (v == iv.lo and iv.lo_incl)
        ok_hi = iv.hi is None or v < iv.hi or (v == iv.hi and iv.hi_incl)
        return ok_lo and ok_hi

    if inside(lo_a) and inside(hi_a) and inside(pv.value):
        return True
    if not inside(lo_a) and not inside(hi_a) and not inside(pv.value):
        if (iv.lo is not None and hi_a < iv.lo) or (iv.hi is not None and lo_a > iv.hi):
            return False
    return None


@register_check("status_vs_values", kind="met",
                description="an indicator marked 完成/达标 reaches its target (and one marked 未完成 does not); "
                            "no deviation is explained where there is none")
def status_vs_values(view: DocView, ctx: AuditContext) -> Iterator[Finding]:
    for t in view.tables:
        for r in t.rows:
            tg = [c for c in r.cells if c.role == "target" and c.text.strip()]
            ac = [c for c in r.cells if c.role == "actual" and c.text.strip()]
            if len(tg) != 1 or len(ac) != 1:
                continue
            target, actual = tg[0], ac[0]
            a_num = parse_stated(actual.text.replace("≥", "").replace("≤", ""), actual.paragraph, actual.start)
            reached = _reached(target.text, a_num, actual.text)
            as_stated = judge(value_interval(target.text), value_interval(actual.text, role="actual"))[0]
            if reached is None and as_stated is not True:
                continue
            names = [c.text.strip() for c in r.cells if c.role is None and c.number is None and c.text.strip()
                     and "偏差" not in c.header]
            name = names[-1] if names else r.label()
            ev = [{"role": "target", "value": target.text.strip(), "unit": None, "paragraph": r.paragraph,
                   "start": target.start, "end": target.end, "text": target.text},
                  {"role": "actual", "value": actual.text.strip(), "unit": None, "paragraph": r.paragraph,
                   "start": actual.start, "end": actual.end, "text": actual.text}]
            for c in r.cells:
                if c.role != "status":
                    continue
                claimed = _status(c.text)
                if claimed is None or reached is None or claimed == reached:
                    continue
                sev = "error" if claimed else "warning"
                say = "标为完成，但实际值未达到目标" if claimed else "标为未完成，但实际值已达到目标"
                yield Finding("met", "status_vs_values", sev, f"「{name}」{say}（目标 {target.text.strip()}，实际 "
                              f"{actual.text.strip()}）", stated=c.text.strip(), computed="达标" if reached else "未达标",
                              tolerance=dec(a_num.half) if a_num else None,
                              tolerance_rule="half unit of the stated actual value", evidence=ev + [
                                  {"role": "status", "value": c.text.strip(), "unit": None, "paragraph": r.paragraph,
                                   "start": c.start, "end": c.end, "text": c.text}])
            ws, ss = r.by_role("weight"), r.by_role("score")
            dev = [c for c in r.cells if "偏差" in c.header and c.text.strip()]
            if as_stated and dev and not NO_DEVIATION.match(dev[0].text.strip()) and ws and ss and \
                    ss[0].number.value == ws[0].number.value:
                c = dev[0]
                yield Finding("met", "status_vs_values", "warning",
                              f"「{name}」已达到目标且得满分，却写有偏差原因", stated=c.text.strip()[:40],
                              computed="无偏差", tolerance=dec(a_num.half) if a_num else None,
                              tolerance_rule="half unit of the stated actual value", evidence=ev + [
                                  {"role": "deviation", "value": c.text.strip()[:40], "unit": None,
                                   "paragraph": r.paragraph, "start": c.start, "end": c.end, "text": c.text}])


# --------------------------------------------------------------------------------------------
# the same figure stated twice

_NAME_STRIP = re.compile(r"[“”\"'「」《》（）()%\s]|指标")


def _norm_name(name: str) -> str:
    return _NAME_STRIP.sub("", re.sub(r"[（(][^）)]*[）)]", "", name or ""))


@register_check("indicator_repeat", kind="duplicate",
                description="an indicator's 分值/得分 in the text equals the same indicator's row of the scoring table")
def indicator_repeat(view: DocView, ctx: AuditContext) -> Iterator[Finding]:
    table_rows: dict[str, list[tuple[Row, Cell | None, Cell | None]]] = {}
    for t in view.tables:
        for r in t.rows:
            ws, ss = r.by_role("weight"), r.by_role("score")
            if len(ws) > 1 or len(ss) > 1 or not (ws or ss):
                continue
            labels = [c.text for c in r.cells if c.role is None and c.number is None and c.text.strip()]
            if labels:
                table_rows.setdefault(_norm_name(labels[-1]), []).append((r, ws[0] if ws else None,
                                                                          ss[0] if ss else None))
    if not table_rows:
        return
    name_re = re.compile(r"[“\"]([^”\"]{2,40})[”\"]")
    pts_re = re.compile(r"(分值|得分)\s*(\d+(?:\.\d+)?)\s*分")
    for p, text in view.texts.items():
        if p not in view.prose:
            continue
        nm = name_re.search(text)
        if not nm:
            continue
        key = _norm_name(nm.group(1))
        match = table_rows.get(key)
        if not match or len(match) != 1:
            continue
        r, w, s = match[0]
        for m in pts_re.finditer(text):
            cell = w if m.group(1) == "分值" else s
            if cell is None:
                continue
            st = _points(m, 2, p)
            if st is None:
                continue
            tol = max(st.half, cell.number.half) if m.group(1) == "得分" else Decimal(0)
            if abs(st.value - cell.number.value) > tol:
                yield Finding("duplicate", "indicator_repeat", "warning",
                              f"「{nm.group(1)}」的{m.group(1)}在正文为 {st.text}，评分表为 {cell.number.text}",
                              stated=dec(st.value), computed=dec(cell.number.value),
                              difference=dec(st.value - cell.number.value), tolerance=dec(tol),
                              tolerance_rule="half unit of the finer stated score (weights exact)", unit="分",
                              evidence=[_ev(st, "text", view), _ev(cell.number, "table", view)])


__all__ = ["breakdown_sum", "grade_band", "indicator_repeat", "rate_in_prose", "rate_in_table", "ratio",
           "score_over_weight", "score_rate", "score_table_sum", "score_total_repeat", "status_vs_values",
           "table_sum", "weight_sum"]
