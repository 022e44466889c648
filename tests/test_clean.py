from jixiao.clean import clean_line, clean_text
from jixiao.text import MappedText


def texts(raw: str) -> list[str]:
    return [p.text for p in clean_text(raw)]


def test_bookmark_debris_removed_and_map_points_into_source():
    raw = "[bookmark: _Toc15396600][bookmark: _Toc15377197]一、基本职能及主要工作"
    (p,) = clean_text(raw)
    assert p.text == "一、基本职能及主要工作"
    assert raw[p.origin[0]] == "一"
    assert raw[p.origin[-1]] == "作"


def test_latex_remnants_become_plain_text():
    assert clean_line(MappedText.from_source("预期指标值为 $105\\% \\leq \\geq 95\\%$ 。")).text == "预期指标值为 105%≤≥95% 。"
    assert clean_line(MappedText.from_source("$\\geq 85\\%$")).text == "≥85%"
    assert clean_line(MappedText.from_source("指标 \\geq 90")).text == "指标 ≥ 90"


def test_fullwidth_digits_and_letters_become_halfwidth_but_chinese_punctuation_stays():
    # a full-width full stop between digits is a decimal point (PDF conversions: 「１２．９万人」); elsewhere it stays
    assert texts("收入１２３４．５万元，ＡＢ％（注）．") == ["收入1234.5万元，AB%（注）．"]


def test_page_break_split_sentence_is_rejoined():
    raw = "基金总支出6.45亿元,其中：基础养老金支出5.85亿元，与上年同期相比增加0.19亿元，完成预算5.87\n\n亿元的 99.66%，每月按时发放。\n"
    assert texts(raw) == ["基金总支出6.45亿元,其中：基础养老金支出5.85亿元，与上年同期相比增加0.19亿元，完成预算5.87亿元的 99.66%，每月按时发放。"]


def test_headings_list_items_and_short_lines_are_not_joined():
    raw = "一、基本概况\n\n自治区医疗保障局是直属事业单位，承担参保登记等工作\n\n（1）继续加大完善智能监控。\n项目名称：职工基本医疗保险基金\n实施单位：和硕县社会保险管理局"
    assert texts(raw) == [
        "一、基本概况",
        "自治区医疗保障局是直属事业单位，承担参保登记等工作",
        "（1）继续加大完善智能监控。",
        "项目名称：职工基本医疗保险基金",
        "实施单位：和硕县社会保险管理局",
    ]


def test_table_rows_are_never_joined():
    raw = "绩效目标完成情况\t项目完成指标\t数量指标\t平均参保缴费人数\t≥171230人\t170886人\n\t\t\t保障退休待遇人数\t≥44604人\t43975"
    assert len(texts(raw)) == 2


def test_one_cell_per_line_table_becomes_tab_separated_rows():
    raw = (" \t项目名称\n\t职工基本医疗保险基金\n\n\t预算\n执行\n情况\n（万元）\n\t 预算数：\n\t8183.32\n\n"
           "\t一级指标\n\t二级指标\n\t三级指标\n\t预期指标值\n\t实际完成指标值\n\n"
           "\t\n\t项目效果指标\n\t社会效益\n指标\n\t减轻参保人员就医经济负担\n\n\n\t全年持续实施\n\t全年持续实施\n\n"
           "\t\n\t\n\t\n\t缴费人数\n\t12732人\n\t13701人\n")
    assert texts(raw) == [
        "项目名称\t职工基本医疗保险基金",
        "预算执行情况（万元）\t预算数：\t8183.32",
        "一级指标\t二级指标\t三级指标\t预期指标值\t实际完成指标值",
        "\t项目效果指标\t社会效益指标\t减轻参保人员就医经济负担\t全年持续实施\t全年持续实施",
        "\t\t\t缴费人数\t12732人\t13701人",
    ]


def test_huge_line_is_split_at_sentence_ends():
    raw = ("基金运行平稳。" * 2000)
    parts = texts(raw)
    assert len(parts) > 1
    assert all(len(p) <= 4000 for p in parts)
    assert "".join(parts) == raw


def test_every_offset_maps_back_to_the_same_character():
    raw = "[bookmark: _Toc1]2019 年区本级生育保险基金总收入 19065 万元，完成预算 18506\n\n万元的 103.02%。"
    for p in clean_text(raw):
        for ch, o in zip(p.text, p.origin):
            assert raw[o] == ch


def test_sentence_split_inside_a_word_is_rejoined_but_form_fields_are_not():
    raw = "全地区职工基本医疗保险基金收入 277755 万元（其中：统筹基\n\n金收入 173957 万元）。\n实 施 单 位：喀什地区社会保险服务中心\n\n负 责 人：李 磊"
    assert texts(raw) == ["全地区职工基本医疗保险基金收入 277755 万元（其中：统筹基金收入 173957 万元）。",
                          "实 施 单 位：喀什地区社会保险服务中心", "负 责 人：李 磊"]


def test_seed_segmentation_matches_the_gold_texts():
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for raw in sorted((root / "corpus" / "raw").glob("*.txt")):
        gold = [json.loads(l)["text"] for l in (root / "corpus" / "gold" / f"{raw.stem}.jsonl").read_text("utf-8").splitlines()]
        assert [p.text for p in clean_text(raw.read_text("utf-8"))] == gold, raw.name


def test_page_breaks_found_on_the_blind_dev_split_are_rejoined():
    """Lines cut by a page break (fixtures written for this test): a bare list marker, a line starting with closing
    punctuation, a number cut from its unit, a heading that already holds a sentence, a short prose line."""
    from jixiao.clean import clean_text

    joined = [p.text for p in clean_text(
        "（二）\n个人缴费收入未完成预算。\n"
        "（一）压实资金分配责任\n。市人社局按季度调度支出进度。\n"
        "失业保险基金支出38,914.7\n万元，其中失业保险金7,205.4万元。\n"
        "(二)康复服务送到村组.联合县医院组建上门\n服务小分队,全年上门服务1,236人次.\n"
        "纳入自评的项目共9个，涉及\n资金3,467.82万元。\n")]
    assert joined == ["（二）个人缴费收入未完成预算。", "（一）压实资金分配责任。市人社局按季度调度支出进度。",
                      "失业保险基金支出38,914.7万元，其中失业保险金7,205.4万元。",
                      "(二)康复服务送到村组.联合县医院组建上门服务小分队,全年上门服务1,236人次.",
                      "纳入自评的项目共9个，涉及资金3,467.82万元。"]
    # a heading without a sentence, a title and a date line stay alone
    kept = [p.text for p in clean_text("（一）基本情况\n全县参保12.3万人，较上年增加0.4万人。\n"
                                       "某县2022年度绩效自评报告\n2023年3月28日\n")]
    assert kept == ["（一）基本情况", "全县参保12.3万人，较上年增加0.4万人。", "某县2022年度绩效自评报告", "2023年3月28日"]


def test_a_page_break_inside_a_cell_per_line_row_and_a_split_title_are_rejoined():
    """bP-like layout (fixture written for this test): one cell a line, rows separated by a blank line."""
    from jixiao.clean import clean_text

    text = ("某州2022年度城乡居民基本医疗保险基金\n绩效评价报告\n"
            " \t项目\n \t预算数\n \t决算数\n \t完成率\n\n"
            " \t保费收入\n \t8,200.00\n \t8,356.40\n \t101.91%\n\n"
            " \t利息收入\n \t150.00\n\n \t162.30\n \t108.20%\n\n"
            " \t其他收入\n \t20.00\n \t18.50\n \t92.50%\n")
    got = [p.text for p in clean_text(text)]
    assert got[0] == "某州2022年度城乡居民基本医疗保险基金绩效评价报告"
    assert "利息收入\t150.00\t162.30\t108.20%" in got and "其他收入\t20.00\t18.50\t92.50%" in got


def test_a_table_caption_is_never_joined_to_the_sentence_above():
    out = texts("截至年底,12条整改措施已完成10条,持续推进2条,分项进度见表1.\n表1 巡察反馈问题整改进度统计\n序号\t问题\t进度")
    assert out[:2] == ["截至年底,12条整改措施已完成10条,持续推进2条,分项进度见表1.", "表1 巡察反馈问题整改进度统计"]
