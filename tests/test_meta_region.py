"""Region (with the gazetteer's division) and year evaluated, on short written fixtures; the province roll-up and
the --region no-match of `jixiao summarize`.

The fixtures are written here, in the shape of the failures seen on real reports: a region glued to a year
(「2022年度省本级」 once read as 「度省」), a county under its prefecture, 「我县」 with the county in a form field,
a title without a region but a unit name, and a 填报日期 in the year after the one evaluated.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jixiao.clean import clean_text
from jixiao.doc import Document
from jixiao.gazetteer import find_mentions, gazetteer
from jixiao.meta import evaluated_year, extract_meta
from jixiao.structure import build_paragraphs


def meta_of(text: str) -> dict:
    doc = Document(doc_id="t", source="t.txt", sha256="0" * 64, text=text)
    return extract_meta(build_paragraphs(doc, clean_text(text, rejoin=True))).meta


def place(m: dict) -> tuple:
    return m["region"], m["region_code"], m["province"], m["prefecture"], m["county"]


# ------------------------------------------------------------------------------------ gazetteer


def test_gazetteer_codes_and_levels():
    g = gazetteer()
    hs = g.by_code["652828"]
    assert (hs.name, hs.level, hs.prefecture_code, hs.province_code) == ("和硕县", "county", "652800", "650000")
    assert g.by_code["650000"].level == "province" and g.by_code["650000"].province == "新疆维吾尔自治区"
    assert (g.by_code["110105"].prefecture, g.by_code["110105"].province) == (None, "北京市")  # a municipality's district
    assert {d.province for d in g.lookup("朝阳区")} == {"北京市", "吉林省"}
    assert g.lookup("互助县", 2023)[0].code == "630223"  # customary short form of 互助土族自治县, code of that year


def test_two_character_names_need_a_word_edge():
    assert [m.text for m in find_mentions("涉县审计局")] == ["涉县"]
    assert [m.text for m in find_mentions("省、市和县三级财政")] == []  # 和县 is a county, not here


# ------------------------------------------------------------------------------------ region


def test_region_glued_to_a_year_province_level():
    m = meta_of("2022年度省本级城乡居民基本养老保险基金绩效评价报告\n"
                "项目名称：城乡居民基本养老保险基金\n实施单位：河北省人力资源和社会保障厅\n"
                "填报日期：2023年3月10日\n一、基本情况\n全省参保人数稳定增长。\n")
    assert place(m) == ("河北省本级", "130000", "河北省", None, None)
    assert m["year"] == 2022


def test_county_with_its_prefecture():
    m = meta_of("阜新市彰武县2021年度耕地地力保护补贴资金绩效自评报告\n一、项目概况\n补贴资金按时发放到户。\n")
    assert place(m) == ("阜新市彰武县", "210922", "辽宁省", "阜新市", "彰武县")


def test_ambiguous_county_resolved_by_the_prefecture_named_elsewhere():
    m = meta_of("朝阳区2020年度就业补助资金绩效自评报告\n主管部门：长春市人力资源和社会保障局\n"
                "一、基本情况\n资金按进度拨付。\n")
    assert (m["region_code"], m["province"], m["prefecture"]) == ("220104", "吉林省", "长春市")


def test_wo_xian_with_the_county_in_a_field():
    m = meta_of("城乡居民基本医疗保险财政补助资金绩效自评报告\n（2021年度）\n"
                "项目名称：城乡居民基本医疗保险财政补助\n实施单位：平遥县医疗保障局\n"
                "一、项目概况\n我县城乡居民参保人数达到45万人，资金全部拨付到位。\n")
    assert place(m) == ("平遥县", "140728", "山西省", "晋中市", "平遥县")
    assert m["year"] == 2021


def test_wo_xian_with_the_county_only_in_the_text():
    m = meta_of("临时救助资金绩效运行监控报告\n一、基本情况\n2023年1-8月，我县共实施临时救助312人次。"
                "岷县民政局按月审核发放。\n二、存在问题\n部分乡镇台账不全。\n")
    assert place(m)[1:] == ("621126", "甘肃省", "定西市", "岷县")
    assert m["year"] == 2023


def test_title_without_region_but_a_unit_name():
    m = meta_of("2019年度部门整体支出绩效自评报告\n宁都县医疗保障局\n一、部门概况\n本局内设三个股室。\n")
    assert place(m) == ("宁都县", "360730", "江西省", "赣州市", "宁都县")


def test_town_after_the_county_is_kept_in_the_wording():
    m = meta_of("正定县新城铺镇2020年临时救助资金绩效运行监控情况报告\n一、基本情况\n新城铺镇共救助98人次。\n")
    assert place(m) == ("正定县新城铺镇", "130123", "河北省", "石家庄市", "正定县")


def test_a_town_government_as_the_unit_names_the_town():
    m = meta_of("项目支出绩效自评表\n(2021年度)\n实施单位：丙中洛镇人民政府\n主管部门：贡山独龙族怒族自治县人力资源和社会保障局\n"
                "一、项目概况\n丙中洛镇基层平台全年服务群众1 200人次。\n")
    assert place(m) == ("贡山独龙族怒族自治县丙中洛镇", "533324", "云南省", "怒江傈僳族自治州", "贡山独龙族怒族自治县")


def test_autonomous_region_own_budget_named_in_the_text():
    m = meta_of("自治区本级医疗保险支出 绩效评价报告\n(2019 年度)\n实施单位：自治区医疗保障局\n"
                "一、基本概况\n促进新疆社会稳定和长治久安。\n")
    assert place(m) == ("新疆自治区本级", "650000", "新疆维吾尔自治区", None, None)


def test_no_region_named_leaves_the_fields_none():
    m = meta_of("2022年度项目支出绩效自评报告\n一、项目概况\n资金按进度拨付。\n")
    assert place(m) == (None, None, None, None, None)


# ------------------------------------------------------------------------------------ year


@pytest.mark.parametrize("title, year", [
    ("某县2022年度城乡居民养老保险绩效自评报告", 2022),
    ("上海市失业保险基金2021年1月1日至12月31日预算执行绩效情况报告", 2021),
    ("2023年城乡居民基本医疗保险项目绩效自评报告", 2023),
    ("莒县城乡居民基本养老保险基金2023年1-8月绩效运行监控报告", 2023),
    ("高州市审计局审计结果公告(2021年第3号)", 2020),  # the announcement number's year is not evaluated
])
def test_year_from_the_title_and_period_not_the_filing_date(title, year):
    paras = [title, "高州市2020年度养老服务资金审计结果", "填报日期：2024年2月20日", "一、基本情况"]
    assert evaluated_year(paras, [t for t in paras[:2]], {}) == year


def test_year_not_from_a_filing_date_of_the_next_year():
    m = meta_of("宁都县城乡居民基本养老保险绩效自评报告\n填报日期：2023年2月15日\n一、基本情况\n"
                "2022年全县发放养老金3.2亿元。\n")
    assert m["year"] == 2022


# ------------------------------------------------------------------------------------ summarize


def _docs(tmp: Path) -> Path:
    rows = [("a", "喀什地区", "新疆维吾尔自治区"), ("b", "和田地区", "新疆维吾尔自治区"), ("c", "张掖市", "甘肃省"),
            ("d", "巴州和硕县", None)]  # d: written before provinces were extracted
    path = tmp / "extract.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for doc_id, region, province in rows:
            meta = {"region": region, "year": 2022, "fund": "医疗保险"}
            if province:
                meta["province"] = province
            fh.write(json.dumps({"schema_version": 1, "doc_id": doc_id, "sha256": doc_id * 8, "meta": meta,
                                 "paragraphs": [], "entities": [],
                                 "indicators": [{"name": "参保率", "target": "≥95%", "actual": "96%"}]},
                                ensure_ascii=False) + "\n")
    return path


def test_province_roll_up(tmp_path):
    from jixiao.summarize.aggregate import Filters, aggregate, load_documents
    from jixiao.summarize.report import indicators_by_region

    docs = load_documents([_docs(tmp_path)]).documents
    agg = aggregate(docs, Filters(by="province"))
    assert sorted(d.region for d in agg.documents) == ["新疆维吾尔自治区"] * 3 + ["甘肃省"]
    table = indicators_by_region([r.as_dict() for r in agg.indicators])
    assert [(r["region"], r["indicators"], r["met"]) for r in table] == [("新疆维吾尔自治区", 3, 3), ("甘肃省", 1, 1)]
    assert {d.doc_id for d in aggregate(docs, Filters(region="新疆")).documents} == {"a", "b"}  # by province name


def test_summarize_region_without_match_exits_2_listing_regions(tmp_path):
    from jixiao.cli import app

    res = CliRunner().invoke(app, ["summarize", str(_docs(tmp_path)), "-o", str(tmp_path / "r"), "--region", "北京"])
    assert res.exit_code == 2
    assert "E606" in res.output and "喀什地区 (1)" in res.output and "新疆维吾尔自治区 (2)" in res.output
    assert not (tmp_path / "r").exists()
