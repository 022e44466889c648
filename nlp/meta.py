"""Document metadata: title, region, year evaluated, fund/project, unit, report date, score, grade."""
from __future__ import annotations

import re
from decimal import Decimal

from jixiao.doc import Document

# Region at the start of a title: "巴州和硕县", "达州市达川区", "喀什地区", "张掖市", "自治区本级"
REGION = re.compile(r"^(?:(?:[\u4e00-\u9fff]{1,7}?(?:自治区本级|自治区|地区|自治州|自治县|省|市|州|盟|县|区|旗))(?!\u7ea7))+")
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
    top = paras[:15]
    meta = doc.meta
    meta["title"] = _title(paras)
    fields = _fields(paras[:40])
    title = meta["title"] or ""
    region_src = re.sub(r"^\s*\d{4}\s*年", "", title)
    m = re.match(r"自治区本级", region_src) or REGION.match(region_src.replace(" ", ""))
    if not m:
        for key in ("实施单位", "项目单位", "评价对象名称", "预算单位", "主管部门"):
            if key in fields:
                m = REGION.match(fields[key].replace(" ", ""))
                if m:
                    break
    if m:
        region = m.group(0)
        if region.startswith("自治区") and any("新疆" in t for t in paras):
            region = "新疆" + region
        meta["region"] = region
    for t in top:
        y = YEAR_PAREN.search(t)
        if y:
            meta["year"] = int(y.group(1))
            break
    if meta["year"] is None:
        for key in ("评价年度",):
            if key in fields and YEAR_ANY.search(fields[key]):
                meta["year"] = int(YEAR_ANY.search(fields[key]).group(1))
    if meta["year"] is None:
        y = YEAR_ANY.search(title) or next((YEAR_ANY.search(t) for t in top if YEAR_ANY.search(t)), None)
        if y:
            meta["year"] = int(y.group(1))
    fund = fields.get("项目名称")
    if fund:
        fund = re.sub(r"绩效评价(报告)?$", "", fund).strip()
        fund = re.sub(r"^.*?\d{4}\s*年(度)?", "", fund).strip() or fund
    elif title:
        f = re.sub(r"^(?:%s)" % re.escape(meta["region"] or ""), "", title.replace(" ", ""))
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
