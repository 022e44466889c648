"""Document metadata: title, region (with its division code, province, prefecture, county), year evaluated,
fund/project, unit, report date, score, grade.

The region is looked up in the gazetteer of China's administrative divisions (``jixiao.gazetteer``, official codes);
``region`` keeps the report's own wording ("巴州和硕县", "新疆自治区本级"), ``region_code``/``province``/``prefecture``/
``county`` give the official division (None where the level does not apply or nothing is named).
"""
from __future__ import annotations

import re
from decimal import Decimal

from jixiao.doc import Document

# Year evaluated: "（ 2018年度）", "(2019 年度)", "2023 年度"
YEAR_PAREN = re.compile(r"[（(]\s*(\d{4})\s*年度?\s*[）)]")
YEAR_ANY = re.compile(r"(20\d{2}|19\d{2})\s*年度?")
# "项目名称：职工基本医疗保险基金", "项 目 名 称：社会保险基金支出", "项目名称⇥张掖市…"
FIELD = re.compile(r"^\s*(?P<key>[\u4e00-\u9fff ]{2,16}?)\s*(?:（[^）]*）|\([^)]*\))?\s*[:：\t]\s*(?P<val>[^\t]+)")
# "填报时间： 2019年 2月15日"
DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
# Total score and grade: "评价得分⇥89.15分", "总分 … 96.18", "评价等级⇥良", "等级为“优”"
TOTAL_SCORE = re.compile(r"(?:评价得分|综合得分|自评得分|最终评分|最终得分|总得分|综合评分)\s*(?:为|是|[:：\t])?\s*(\d{1,3}(?:\.\d+)?)\s*分?")
GRADE = re.compile(r"(?:评价等级|绩效等级|等级|评级)\s*(?:为|是|[:：\t])?\s*[“\"「]?\s*(优秀|优|良好|良|中|差)")
TITLE_WORDS = re.compile(r"绩效评价报告|绩效评价结论表|绩效自评报告|绩效评价|自评报告|决算")
FUND = re.compile(r"(?:[\u4e00-\u9fff]{0,12}(?:保险|基金|项目|救助|经费|补助))")


def extract_meta(doc: Document) -> Document:
    """Fill ``doc.meta`` from the first page, form fields and score statements.

    Fields that the report does not state stay None.
    """
    paras = [p.text for p in doc.paragraphs]
    meta = doc.meta
    meta["title"] = _title(paras)
    fields = _fields(paras[:40])
    title = meta["title"] or ""
    heads = _head_lines(paras, title)
    meta["year"] = evaluated_year(paras, heads, fields)
    place = find_region(doc, heads, fields, meta["year"])
    meta.update(place)
    fund = fields.get("项目名称")
    if fund:
        fund = re.sub(r"绩效评价(报告)?$", "", fund).strip()
        fund = re.sub(r"^.*?\d{4}\s*年(度)?", "", fund).strip() or fund
    elif title:
        f = _strip_region(title.replace(" ", ""))
        f = re.sub(r"\d{4}年(度)?", "", f)
        f = TITLE_WORDS.sub("", f).strip()
        fund = f or None
    meta["fund"] = fund
    for key in ("实施单位", "项目单位", "评价对象名称", "评价对象", "预算单位", "单位名称"):
        if key in fields:
            meta["unit"] = fields[key].strip()
            break
    if meta["unit"] is None:
        unit = next((t.strip() for t in paras if re.fullmatch(r"[\u4e00-\u9fff]{4,30}(局|中心|所|处|委员会|办公室)", t.strip())), None)
        meta["unit"] = unit
    for key in ("填报时间", "填报日期", "报告日期", "日期"):
        if key in fields:
            d = DATE.search(fields[key])
            if d:
                meta["report_date"] = f"{int(d.group(1)):04d}-{int(d.group(2)):02d}-{int(d.group(3)):02d}"
                break
    score = None
    for t in paras:
        s = TOTAL_SCORE.search(t)
        if s:
            score = Decimal(s.group(1))
            break
    if score is None:
        for t in paras:
            cells = [c.strip() for c in t.split("\t")]
            if cells and cells[0] in ("总分", "合计") and len(cells) > 2:
                nums = [c for c in cells[1:] if re.fullmatch(r"\d{1,3}(?:\.\d+)?", c)]
                if nums:
                    score = Decimal(nums[-1])
                    break
    meta["score"] = score
    for t in paras:
        g = GRADE.search(t)
        if g:
            meta["grade"] = {"优秀": "优", "良好": "良"}.get(g.group(1), g.group(1))
            break
    return doc


def _fields(paras: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for t in paras:
        cells = [c.strip() for c in t.split("\t")]
        if len(cells) > 1:  # table row of key/value pairs: "项目名称⇥职工…⇥评价类型⇥财政评价"
            cells = [c for c in cells if c]
            for k, v in zip(cells, cells[1:]):
                key = re.sub(r"\s|（.*?）|\(.*?\)", "", k)
                if 2 <= len(key) <= 8 and key not in out and re.fullmatch(r"[\u4e00-\u9fff]+", key):
                    out[key] = v
            continue
        m = FIELD.match(t)
        if m:
            key = re.sub(r"\s", "", m.group("key"))
            out.setdefault(key, m.group("val").strip())
    return out


def _title(paras: list[str]) -> str | None:
    for words in (re.compile(r"绩效评价报告|绩效评价结论表|绩效自评报告"), TITLE_WORDS):
        t = _title_with(paras, words)
        if t:
            return t
    return None


def _title_with(paras: list[str], title_words: re.Pattern) -> str | None:
    for i, t in enumerate(paras[:300]):
        s = t.strip()
        if "\t" in s or len(s) > 60 or re.search(r"[，。；《》]", s):
            continue
        if title_words.search(s) and not re.match(r"^[（(]?[一二三四五六七八九十\d]+[、.）)]", s) and "：" not in s:
            prev = paras[i - 1].strip() if i > 0 else ""
            if prev and len(prev) <= 25 and "\t" not in prev and "：" not in prev and not TITLE_WORDS.search(prev) \
                    and not re.match(r"^(附件|[（(]?[一二三四五六七八九十\d]+[、.）)])", prev) and not prev.endswith("。"):
                s = prev + s
            return re.sub(r"\s+", " ", s).strip()
    return None


# --------------------------------------------------------------------------------------------
# year evaluated

# "2021年1月1日至12月31日", "2023年1-8月", "2025年1月至6月": a period of the evaluated year
PERIOD = re.compile(r"(20\d{2}|19\d{2})\s*年\s*1\s*月\s*(?:1\s*日\s*)?(?:至|到|[-—–~－])"
                    # 项目实施期：2022年…, 评价期间为2023年…, 执行期 2021年
                    r"|(?:实施|执行|评价|自评|监控|考核)(?:期|周期|期间|时段|区间|范围)\s*(?:为|是|[:：])?\s*(?:时间范围[:：])?\s*"
                    r"(20\d{2}|19\d{2})\s*年")
YEAR_DU = re.compile(r"(20\d{2}|19\d{2})\s*年度")
# "2023年城乡…", not an announcement number "2021年第3号" nor a date "2024年7月1日"
YEAR_PLAIN = re.compile(r"(20\d{2}|19\d{2})\s*年(?!\s*第\s*\d+\s*号)(?!\s*\d{1,2}\s*月\s*\d{1,2}\s*日)")
# a year-month date ("2024年3月完成调研"): the evaluation's own work, a publication, or an event of the year
YEAR_MONTH = re.compile(r"(20\d{2}|19\d{2})\s*年\s*\d{1,2}\s*月")
# any year for the count: "2022年", "2022年6月", "截至2022年8月31日", not "2021年第3号"
YEAR_ANY_DATE = re.compile(r"(20\d{2}|19\d{2})\s*年(?!\s*第\s*\d+\s*号)")
DATE_LINE = re.compile(r"填报|报送|日期|印发|发布|签发|^\s*[\d一二三四五六七八九〇○零OＯ]{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?\s*[.。]?\s*$"
                       # 「三明市民政局　2024年4月」 (the unit and the date under a title), 「（2024年5月公开）」
                       r"|^[^\d，。；,;]{2,30}?[ \t\u3000]+\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?\s*$"
                       r"|^\s*[（(]\s*\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?\s*(?:公开|发布|印发|编制|修订)?\s*[）)]\s*$")


def _date_line(t: str) -> bool:
    """A 填报/印发 date line or a date alone (the publication, never the year evaluated); a long paragraph that only
    mentions 印发 or 报送 (「并印发临时救助工作规程」) is prose."""
    return bool(DATE_LINE.search(t)) and (len(t.strip()) <= 40 or bool(re.search(r"(?:填报|报送|日期|印发|发布|签发)"
                                                                                    r"(?:时间|日期)?\s*[:：\t]", t)))
YEAR_FIELDS = ("评价年度", "项目年度", "所属年度", "预算年度", "资金年度", "实施年度", "绩效年度", "年度",
               "评价期间", "评价时段", "自评时段", "监控时段", "所属期间", "项目实施期", "实施期", "实施周期", "实施期限",
               "执行期限", "项目期限", "评价期限")
_Y = r"(20\d{2}|19\d{2})"
# the report saying which year it evaluates, in prose: 「评价年度为2022年」, 「对我县2022年度城乡居民医保资金开展绩效评价」,
# 「周市镇2014年度最低生活保障资金绩效自评得分95分」
YEAR_STATED = re.compile(
    r"(?:评价|自评|项目|资金|预算|所属|实施|考核|绩效|监控)年度\s*(?:为|是|[:：])?\s*" + _Y + r"\s*年?"
    r"|对\s*[^。；，,]{0,20}?" + _Y + r"\s*年度?[^。；]{0,40}?(?:开展|进行|实施|组织)了?[^。；]{0,12}?(?:评价|自评|评估|监控|审计)"
    r"|" + _Y + r"\s*年度?[^。；，,]{0,30}?(?:绩效(?:自评|评价)|自评|评价)(?:综合)?(?:得分|总分|等级|结论为)")
# A year that is not the one evaluated, judged from the words around it:
# - "start": a history ("自2011年起实行", "从2014年开始", "自2014年以来"; 「2022年以来」 alone is the current year's
#   progress), a comparison ("比2021年", "较2021年", "与2021年相比"), a law's revision ("2018年修正"), the far end of
#   a range ("2021—2025年"); 「至2018年底」 and 「截至2018年末」 are the evaluated year's end;
# - "later": a horizon, deadline or planned step ("到2025年", "2025年底前", "2020年7月底前", "计划于2023年第三季度",
#   "2024年将按上年实际缴费人数测算",
#   "将随2023年预算"),
#   often the next year in a rectification report, but the evaluated year itself in a target table, so kept as a
#   last resort.
_START_BEFORE = re.compile(r"(?:自|从|始于|早在|比|较|与|同比|相比|对比|(?<=[\d年])\s*(?:至|到|[-—–~－]))\s*$")
_START_AFTER = re.compile(r"^\s*度?\s*(?:起|开始|以前|之前|至今|相比|比较|修正|修订|颁布|制定|出台)")
_LATER_BEFORE = re.compile(r"(?:(?:下一步|力争|争取|计划|预计|拟|将)[于在到随]?|(?<![截止])到)\s*$")
_LATER_AFTER = re.compile(r"^\s*(?:度?\s*(?:前|底前|末前|年底前)|度?\s*(?:将|拟|计划|力争)|\d{1,2}\s*月\s*(?:\d{1,2}\s*日)?\s*(?:底|末)?\s*(?:前|以前|之前))")
_QUOTED = re.compile(r"《[^》]*》")


def _year_hits(rx: re.Pattern, t: str, quoted: bool = True) -> list[tuple[int, int, str]]:
    """(position, year, context) of the matches of ``rx`` in ``t``: context "ok", "start" or "later" (above).
    ``quoted=False`` leaves out the years inside a cited document's name (《…2021—2025年规划》)."""
    out = []
    if not quoted:
        t = _QUOTED.sub(lambda m: "\u3000" * len(m.group(0)), t)
    for m in rx.finditer(t):
        g = next(i for i in range(1, (m.lastindex or 1) + 1) if m.group(i))
        before, after = t[max(0, m.start(g) - 6):m.start(g)], t[t.index("年", m.end(g)) + 1:]
        ctx = ("start" if _START_BEFORE.search(before) or _START_AFTER.match(after)
               else "later" if _LATER_BEFORE.search(before) or _LATER_AFTER.match(after) else "ok")
        out.append((m.start(g), int(m.group(g)), ctx))
    return out


def evaluated_year(paras: list[str], heads: list[str], fields: dict[str, str]) -> int | None:
    """The year the report evaluates, never its publication or 填报 date (usually the next year).

    Order: a "(2018年度)" line near the top; the title lines ("2022年度", "2021年1月1日至12月31日", "2023年…项目");
    a 评价年度/预算年度/资金年度/项目实施期 field; the text stating it (「评价年度为2022年」, 「对2022年度…资金开展绩效评价」,
    「2022年度…绩效自评得分」); then, in the first paragraphs and then in all, a period phrase, 「XXXX年度」, the year
    named most often (a year-month date counts half, a full date a quarter). Left out throughout: date lines (填报,
    印发, a date alone on its line), start years and comparisons (「自2011年起」, 「较2021年」, 「到2025年」), and years in
    cited documents' names for the count; deadlines and planned steps (「2025年底前」, 「计划于2023年」) only count when
    nothing else names a year.

    >>> evaluated_year(["某县2022年度城乡居民养老保险绩效自评报告", "填报日期：2023年3月1日"], ["某县2022年度城乡居民养老保险绩效自评报告"], {})
    2022
    >>> evaluated_year(["高州市审计局审计结果公告(2021年第3号)", "高州市2020年度养老服务资金审计结果"],
    ...                ["高州市审计局审计结果公告(2021年第3号)", "高州市2020年度养老服务资金审计结果"], {})
    2020
    >>> evaluated_year(["一、基本情况", "本县自2019年起实行市级统筹。2022年全县参保12.3万人。"], [], {})
    2022
    """
    for t in paras[:15]:
        y = YEAR_PAREN.search(t)
        if y:
            return int(y.group(1))
    for t in heads:
        if _date_line(t):
            continue
        hits = [m for rx in (PERIOD, YEAR_DU, YEAR_PLAIN) for m in rx.finditer(t)]
        if hits:
            m = min(hits, key=lambda m: m.start())
            return int(next(g for g in m.groups() if g))
    for key in YEAR_FIELDS:
        y = YEAR_ANY.search(fields.get(key, "")) or re.match(r"\s*((?:20|19)\d{2})\s*[.．/-]\s*\d{1,2}", fields.get(key, ""))
        if y:  # (「实施期限⇥2023.01.01-2023.12.31」)
            return int(y.group(1))
    lines = [t for t in paras if not _date_line(t)]
    # no title: the text stating the evaluated year, anywhere
    stated = [h for t in lines for h in _year_hits(YEAR_STATED, t)[:1] if h[2] == "ok"]
    if stated:
        return stated[0][1]
    later: dict[int, float] = {}
    for scope in (lines[:30], lines[30:]):
        for rx in (PERIOD, YEAR_DU):
            y = next((h for t in scope for h in _year_hits(rx, t) if h[2] == "ok"), None)
            if y:
                return y[1]
        votes: dict[int, float] = {}
        first: dict[int, int] = {}
        for i, t in enumerate(scope):
            months = {pos for pos, _, _ in _year_hits(YEAR_MONTH, t)}
            for pos, year, ctx in _year_hits(YEAR_ANY_DATE, t, quoted=False):
                w = 0.25 if DATE.match(t, pos) else 0.5 if pos in months else 1.0
                box = votes if ctx == "ok" else later if ctx == "later" else None
                if box is not None:
                    box[year] = box.get(year, 0.0) + w
                    first.setdefault(year, i)
        if votes:
            return max(votes, key=lambda y: (votes[y], -first[y]))
    if later:
        return max(later, key=lambda y: later[y])
    # nothing else: a start year ("2016年起统一…") is still a year the text is about
    y = next((h for t in lines[:30] for h in _year_hits(YEAR_ANY_DATE, t)), None)
    return y[1] if y else None


def _head_lines(paras: list[str], title: str) -> list[str]:
    """The title and the short lines opening the document (a title split over lines, the unit above it).

    Addressee lines ("市财政局：") and numbered headings end the head.
    """
    out = [title] if title else []
    for t in paras[:8]:
        s = t.strip()
        if not s:
            continue
        if re.match(r"^[（(]?[一二三四五六七八九十\d]+[、.．）)]|^第[一二三四五六七八九十]+部分", s) or s.endswith(("：", ":")):
            break
        if "\t" in s or len(s) > 80 or re.search(r"[。；]", s):
            break
        if s not in out:
            out.append(s)
        if len(out) >= 5:
            break
    return out


# --------------------------------------------------------------------------------------------
# region

REGION_FIELDS = ("实施单位", "项目单位", "预算单位", "主管部门", "评价对象", "评价对象名称", "单位名称", "部门名称",
                 "部门", "项目名称")
UNIT_LINE = re.compile(r"[\u4e00-\u9fff（）()、 ]{3,60}?(?:局|厅|委员会|委|中心|政府|院|所|办公室|办|站|联合会|学校|队)"
                       r"(?:[（(]本级[）)])?")
# "省本级", "自治区本级", "市本级": the province's (or city's) own budget, named or not
SCOPE = re.compile(r"(自治区|省|市|区|县|旗|州)本级")
TOWN = re.compile(r"[\u4e00-\u9fff]{1,5}?(?:镇|乡|街道|苏木)")
_NOT_TOWN = re.compile(r"^[城乡各全本我该农集市县区村]|城乡|城镇|乡镇|村镇")
HINT = {"county": re.compile(r"[我本全该]县|[我本全]旗"), "prefecture": re.compile(r"[我本全]市|[我本全]州|全地区"),
        "province": re.compile(r"[我本全]省")}
_WEIGHTS = (8.0, 4.0, 3.0, 1.0)  # head lines, form fields, unit lines, body
_DEPTH = {"province": 0, "prefecture": 1, "county": 2}


def find_region(doc: Document, heads: list[str], fields: dict[str, str], year: int | None) -> dict:
    """Region as worded in the report, and its division from the gazetteer (code, province, prefecture, county).

    Sources, strongest first: the title and head lines, the form fields (实施单位, 项目单位, 预算单位, 主管部门,
    评价对象…), unit names standing on their own line (signatures), the first paragraphs. The anchor is the first
    division named in the strongest source; a more specific division inside it named in the title, fields or unit
    lines (or 「我县」 with a county named in the text) refines it. An ambiguous name (朝阳区) takes the reading that
    the other names in the document support. Fields stay None where the report names no division.
    """
    from jixiao.gazetteer import find_mentions, gazetteer

    out = {"region": None, "region_code": None, "province": None, "prefecture": None, "county": None}
    g = gazetteer()
    paras = [p for p in doc.paragraphs]
    units = [p.text.strip() for p in paras[:40] + paras[-8:] if p.kind != "table_row" and "\t" not in p.text
             and UNIT_LINE.fullmatch(p.text.strip().replace(" ", "").replace("\u3000", ""))]
    units += [u for p in paras[-4:] for u in re.split(r"\s+", p.text.strip()) if UNIT_LINE.fullmatch(u) and len(u) < 40]
    sources = [heads, [fields[k] for k in REGION_FIELDS if k in fields], list(dict.fromkeys(units)),
               [p.text for p in paras[:30]]]
    found = []  # (weight, source, string, mentions)
    for rank, strings in enumerate(sources):
        for s in strings:
            ms = find_mentions(s, g)
            if ms:
                found.append((_WEIGHTS[rank], rank, s, ms))
    if not found:
        return out

    def candidates(m):
        valid = [d for d in m.divisions if d.valid_in(None if year is None else min(year, g.last_year))]
        return valid or list(m.divisions)

    support: dict[str, float] = {}
    for w, _, _, ms in found:
        for m in ms:
            for code in {c for d in candidates(m) for c in d.chain}:
                support[code] = support.get(code, 0.0) + w * (1.0 if m.full else 0.5)

    def resolve(m):
        cs = candidates(m)
        if not cs:
            return None
        score = {d: sum(support.get(c, 0.0) for c in d.chain) for d in cs}
        best = max(cs, key=lambda d: (score[d], d.last_year, d.code))
        if any(score[d] == score[best] and d.province_code != best.province_code for d in cs if d is not best):
            return None  # 朝阳区 with nothing naming 北京 or 长春: better no code than a guess
        return best

    strong = [f for f in found if f[1] < 3]
    # a full name in the title, fields or unit lines; a province's short name there (甘肃…会计师事务所, the
    # evaluator) only when the body names no division in full either
    anchor_src = next((f for f in strong if any(m.divisions and m.full for m in f[3])), None)
    if anchor_src is None and not any(m.full for f in found if f[1] == 3 for m in f[3]):
        anchor_src = next((f for f in strong if any(m.divisions for m in f[3])), None)
    if anchor_src is None:
        return _from_body(doc, found, resolve, out)
    _, _, text, ms = anchor_src
    run = _runs(ms)[0] if _runs(ms) else ms[:1]
    chosen = _deepest([resolve(m) for m in run])
    wording, wording_src = _run_text(text, run), text
    if chosen is None:  # named, but which division is undecidable
        out["region"] = wording
        return out
    # refine: a more specific division inside the anchor named in the strong sources
    best = None
    for w, rank, s, mm in strong:
        for r in _runs(mm):
            d = _deepest([resolve(m) for m in r])
            if d and d.within(chosen) and _DEPTH[d.level] > _DEPTH[chosen.level]:
                if best is None or (_DEPTH[d.level], w) > (_DEPTH[best[0].level], best[1]):
                    best = (d, w, _run_text(s, r), s)
    if best:
        chosen, _, wording, wording_src = best
    elif chosen.level != "county" and HINT["county"].search(" ".join(p.text for p in paras[:30])):
        body = [resolve(m) for _, rank, _, mm in found if rank == 3 for m in mm]
        counties = [d for d in body if d and d.level == "county" and d.within(chosen)]
        if counties:
            top = max(set(counties), key=lambda d: (counties.count(d), d.code))
            chosen, wording = top, top.name
    scope = next((SCOPE.search(h) for h in heads if SCOPE.search(h)), None)
    if scope:
        target = {"自治区": "province", "省": "province", "市": "prefecture", "州": "prefecture"}.get(scope.group(1))
        if target == "prefecture" and chosen.prefecture_code is None and chosen.level != "prefecture":
            target = "province"  # 北京市市本级
        if target and _DEPTH[chosen.level] > _DEPTH[target]:
            chosen = g.by_code.get(chosen.prefecture_code if target == "prefecture" else chosen.province_code) or chosen
            wording = chosen.name
        if not wording.endswith("本级"):
            named = scope.start() > 0 and any(wording in h[:scope.start() + 1] for h in heads)
            wording = wording + "本级" if named or wording.endswith(scope.group(1)) else wording + scope.group(0)
    else:
        wording = _with_town(doc.text, [wording_src] + heads + list(sources[1]), wording, heads)
    out.update(region=wording, region_code=chosen.code, province=chosen.province)
    if chosen.level == "prefecture":
        out["prefecture"] = chosen.name
    elif chosen.level == "county":
        out.update(prefecture=chosen.prefecture, county=chosen.name)
    return out


def _from_body(doc: Document, found: list, resolve, out: dict) -> dict:
    """No division in the title, fields or unit lines: the one the first paragraphs name most, at the level that
    「我县」/「我市」/「全省」 points to."""
    body = [(resolve(m), m) for w, rank, s, mm in found for m in mm]
    body = [(d, m) for d, m in body if d]
    body = [x for x in body if x[1].full] or body  # a province's short name (北京君和…公司) only when nothing else
    if not body:
        return out
    text = " ".join(p.text for p in doc.paragraphs[:30])
    level = next((lv for lv, rx in HINT.items() if rx.search(text)), None)
    pool = [x for x in body if level is None or x[0].level == level] or body
    counts: dict[str, int] = {}
    for d, _ in pool:
        counts[d.code] = counts.get(d.code, 0) + 1
    d, m = max(pool, key=lambda x: (counts[x[0].code], _DEPTH[x[0].level]))
    wording = m.text
    scope = SCOPE.search(" ".join(_head_lines([p.text for p in doc.paragraphs], "")))
    if scope and d.level == "province":
        wording = wording + "本级" if wording.endswith(scope.group(1)) else wording + scope.group(0)
    out.update(region=wording, region_code=d.code, province=d.province)
    if d.level == "prefecture":
        out["prefecture"] = d.name
    elif d.level == "county":
        out.update(prefecture=d.prefecture, county=d.name)
    return out


def _runs(ms: list) -> list[list]:
    """Adjacent mentions as runs ("新疆维吾尔自治区|喀什地区"), keeping those that name a division."""
    runs: list[list] = []
    for m in ms:
        if runs and runs[-1][-1].end == m.start:
            runs[-1].append(m)
        else:
            runs.append([m])
    return [r for r in runs if any(m.divisions for m in r)]


def _run_text(text: str, run: list) -> str:
    return text[run[0].start:run[-1].end]


def _deepest(divs: list):
    """The most specific division of a run that lies inside the others' (和硕县 in 巴州|和硕县 when 巴州 is not)."""
    divs = [d for d in divs if d]
    if not divs:
        return None
    ordered = sorted(divs, key=lambda d: -_DEPTH[d.level])
    for d in ordered:
        if all(d.within(o) or o.within(d) for o in divs) or d is ordered[-1]:
            return d
    return ordered[0]


def _with_town(text: str, strings: list[str], wording: str, heads: list[str]) -> str:
    """Add a town named right after the county (彰武县哈尔套镇) or in the head (关于蒿坪镇…) and again in the text."""
    cands = []
    for src in strings:
        i = src.find(wording)
        m = TOWN.match(src, i + len(wording)) if i >= 0 else None
        if m:
            cands.append(m.group(0) + ("镇" if src[m.end():m.end() + 1] == "镇" else ""))
    for h in heads:
        for m in re.finditer(r"关于([\u4e00-\u9fff]{2,6}?(?:镇|乡|街道|苏木))", h):
            cands.append(m.group(1))
    for src in strings:  # the unit is the town's government: 「独龙江乡人民政府」, 「巴彦浩特镇人民政府」
        m = re.match(r"\s*([\u4e00-\u9fff]{2,6}?(?:镇|乡|街道|苏木))(?:人民政府|政府|办事处)", src)
        if m and m.group(1) not in wording:
            cands.append(m.group(1))
    for town in cands:
        if len(town) >= 3 and not _NOT_TOWN.search(town) and text.count(town) >= 2:
            return wording + town
    return wording


def _strip_region(title: str) -> str:
    """The title without its leading region and 本级 ("喀什地区社会保险…" → "社会保险…")."""
    from jixiao.gazetteer import find_mentions

    ms = [m for m in find_mentions(title) if m.start == 0] if title else []
    runs = _runs(find_mentions(title)) if ms else []
    if runs and runs[0][0].start == 0:
        title = title[runs[0][-1].end:]
    return re.sub(r"^(?:(?:自治区|省|市|区|县|旗|州)?本级)", "", title)
