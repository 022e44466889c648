from decimal import Decimal

import pytest

EXPECTED = {
    "000": dict(title="巴州和硕县社会保险支出绩效评价报告", region="巴州和硕县", year=2018, fund="职工基本医疗保险基金",
                unit="和硕县社会保险管理局", report_date="2019-02-15", score=None, grade=None),
    "001": dict(region="达州市达川区", year=2018, score=Decimal("93")),
    "002": dict(region="喀什地区", year=2022, fund="社会保险基金支出", unit="喀什地区社会保险服务中心",
                report_date="2022-02-20", score=Decimal("96.18")),
    "003": dict(region="新疆自治区本级", year=2019, fund="医疗保险基金支出", unit="自治区医疗保障局", report_date="2020-04-15"),
    "004": dict(region="张掖市", year=2023, fund="职工基本医疗保险项目", unit="张掖市医疗保障局",
                score=Decimal("89.15"), grade="良"),
}


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_metadata_of_every_seed(seed_docs, seed):
    meta = seed_docs[seed].meta
    for key, value in EXPECTED[seed].items():
        assert meta[key] == value, (key, meta[key])


# ------------------------------------------------------------------------------------ year without a title
# Written fixtures (our own words), one per phrasing of the evaluated year that a report without its title line
# still carries; each also names a year that is *not* the one evaluated (a start, a comparison, a plan year, the
# publication date), which the rule must pass over.

def _year_of(text: str):
    from jixiao.clean import clean_text
    from jixiao.doc import Document
    from jixiao.meta import extract_meta
    from jixiao.structure import build_paragraphs

    doc = Document(doc_id="t", source="t.txt", sha256="0" * 64, text=text)
    return extract_meta(build_paragraphs(doc, clean_text(text, rejoin=True))).meta["year"]


@pytest.mark.parametrize("text, year", [
    # a start year of the scheme before the fiscal year (「自2011年起」 was taken as the year evaluated)
    ("一、基本情况\n本市工伤保险自2011年起实行市级统筹。截至2013年末，全市参保15.2万人。\n二、基金收支\n"
     "2013年基金收入3.1亿元，支出2.6亿元。\n", 2013),
    ("一、项目背景\n区民政局从2015年开始发放居家养老补贴。2019年区财政安排补贴资金820万元，实际支出790万元。\n", 2019),
    # comparisons with the year before
    ("一、收支情况\n与2020年相比，基金收入增长6.2%。较2020年多支出410万元。2021年基金收入7020万元。\n", 2021),
    # the evaluated year stated in prose: 对X年度…资金开展绩效评价, 评价年度为…, X年度…绩效自评得分
    ("受县财政局委托，评价组对全县2022年度困难群众救助补助资金开展了绩效评价。\n评价组于2023年4月进场核查。\n"
     "2023年计划继续提高补助标准。\n", 2022),
    ("一、评价说明\n本次评价年度为2020年，评价范围为县本级及所辖乡镇。\n与2019年相比，资金规模扩大。\n", 2020),
    ("一、总体情况\n针对2015年度专项检查反馈的问题，镇里成立了整改小组。2016年全镇发放低保金412万元。\n"
     "二、评价结论\n经自评，本镇2016年度低保资金绩效自评得分94分，等级为优。\n", 2016),
    # form fields: 资金年度, 项目实施期
    ("资金年度：2024年\n主管部门：县卫生健康局\n一、基本情况\n自2018年起实施家庭医生签约服务。\n", 2024),
    ("项目实施期：2021年1月—2021年12月\n一、基本情况\n项目于2019年立项。\n", 2021),
    # a plan year and a deadline after the fiscal year, the publication date at the end
    ("一、基本情况\n2022年全县发放残疾人两项补贴1.86亿元。\n二、下一步工作\n到2025年，实现补贴申领全程网办。"
     "2023年6月底前完成系统对接。\n县残疾人联合会\n2023年3月\n", 2022),
    # a long paragraph that mentions 印发 is prose, not a date line
    ("一、整改情况\n2019年抽查档案中有14份缺少核查记录，我局对2019年以来的档案全面自查，并印发了临时救助工作规程，"
     "明确审批时限。\n二、目标修订\n2020年目标值已调整。\n2019年实际完成值偏低。\n", 2019),
    # a snapshot date is all the text gives
    ("二、预算执行情况（截至2021年8月31日）\n全年预算1200万元，已支出860万元。\n", 2021),
], ids=["start-zi-qi", "start-cong-kaishi", "comparison", "dui-niandu-pingjia", "pingjia-niandu-wei", "zipingdefen",
        "zijin-niandu-field", "shishiqi-field", "plan-and-publication", "yinfa-in-prose", "snapshot-date"])
def test_year_without_a_title(text, year):
    assert _year_of(text) == year


def test_a_planned_step_and_a_signature_date_do_not_decide_the_year():
    """bL03-like excerpt without its title (fixture written for this test)."""
    from jixiao.meta import evaluated_year

    paras = ["一、绩效目标分解下达情况", "(一)资金安排情况.2023年我旗城乡居民养老保险补助资金预算8,436.5万元.",
             "因缴费人数少于预算,缴费补贴支出相应减少.2024年将按上年实际缴费人数测算配套资金.",
             "经自评,综合自评得分97.6分,评价等级为\"优\".", "2024年3月28日"]
    assert evaluated_year(paras, [], {}) == 2023


def test_a_unit_and_date_line_under_a_cut_title_is_the_publication_date():
    from jixiao.meta import evaluated_year

    paras = ["三明市民政局　2024年4月", "一、项目基本情况", "2023年，全市下达困难群众救助补助资金12 846.5万元。"]
    assert evaluated_year(paras, paras[:1], {}) == 2023
    paras = ["（2024年5月公开）", "一、基金预算执行情况", "2023年全区职工基本医疗保险基金收入预算104.86亿元。"]
    assert evaluated_year(paras, paras[:1], {}) == 2023


def test_the_year_from_a_period_field_of_a_form():
    from jixiao.meta import evaluated_year

    paras = ["项目支出绩效自评表", "实施期限\t2023.01.01-2023.12.31", "填报日期:2024年3月12日"]
    assert evaluated_year(paras, paras[:1], {"实施期限": "2023.01.01-2023.12.31"}) == 2023
    assert evaluated_year(paras, paras[:1], {"自评时段": "2022年1月至12月"}) == 2022
