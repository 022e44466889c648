from decimal import Decimal

from jixiao.rules.entities import extract_entities


def spans(text):
    return [(text[s:e], t) for s, e, t in extract_entities(text)]


def test_amount_unit_and_indicator_in_prose():
    assert spans("其中保费收入5617.38万元，利息收入2.94万元") == [
        ("保费收入", "INDICATOR"), ("5617.38", "AMOUNT"), ("万元", "UNIT"),
        ("利息收入", "INDICATOR"), ("2.94", "AMOUNT"), ("万元", "UNIT"),
    ]


def test_space_between_number_and_unit():
    assert ("355,212", "AMOUNT") in spans("2019 年基本医疗保险收入 355,212 万元")
    assert ("万元", "UNIT") in spans("2019 年基本医疗保险收入 355,212 万元")


def test_not_amounts_years_dates_ordinals_document_numbers_phones():
    got = spans("2018年2月15日，连续第7次调整，根据巴政发【2000】126号文件，联系电话：18909981228，30日内办结")
    assert not any(t == "AMOUNT" for _, t in got), got


def test_list_markers_are_not_amounts():
    assert spans("2、2018年该项目资金实行专款专用。") == []
    assert spans("⇥1. 《预算法》； 2. 《社会保险法》".replace("⇥", "\t")) == []


def test_target_actual_score_cover_the_whole_expression():
    t = "“参保人数（人）”指标，预期指标值为 ≥ 41 万人。"
    assert spans(t) == [("参保人数", "INDICATOR"), ("≥ 41 万人", "TARGET")]
    t = "“参保人数（人）”实际完成值为 40.28 万人，分值 5 分，得分 4.91 分。"
    got = spans(t)
    assert ("40.28 万人", "ACTUAL") in got and ("4.91 分", "SCORE") in got
    assert ("5", "AMOUNT") in got and ("分", "UNIT") in got  # a weight is AMOUNT + UNIT


def test_change_words_are_not_indicators():
    assert not any(t == "INDICATOR" for _, t in spans("与上年同期相比增支358.57万元，增幅为13.43%"))


def test_table_row_columns(seed_docs):
    doc = seed_docs["002"]
    p = next(p for p in doc.paragraphs if p.text.endswith("≥41万人\t40.28万人\t5\t4.91\t偏差原因：受疫情影响，部分员工") or "\t参保人数\t≥41万人\t40.28万人" in p.text)
    ents = {(e.text, e.type) for e in doc.entities if e.paragraph == p.index}
    assert {("参保人数", "INDICATOR"), ("≥41万人", "TARGET"), ("40.28万人", "ACTUAL"), ("4.91", "SCORE")} <= ents
    target = next(e for e in doc.entities if e.paragraph == p.index and e.type == "TARGET")
    assert (target.comparator, target.value, target.unit) == ("≥", Decimal("410000"), "人")


def test_money_values_in_seed_000(seed_docs):
    doc = seed_docs["000"]
    e = next(e for e in doc.entities if e.type == "AMOUNT" and e.text == "8684")
    assert e.value_yuan == Decimal("86840000") and e.unit == "万元"
    pct = next(e for e in doc.entities if e.type == "AMOUNT" and e.text == "13.43")
    assert pct.value == Decimal("13.43") and pct.unit == "%" and pct.value_yuan is None


def test_numbers_after_a_full_width_comma_and_measure_words():
    # "，14人次" used to be read as the tail of a thousands-separated number and dropped
    got = spans("国内公务接待1批次，14人次（不包括陪同人员），共计支出0.14万元。")
    assert [x for x in got if x[1] in ("AMOUNT", "UNIT")][:4] == [
        ("1", "AMOUNT"), ("批次", "UNIT"), ("14", "AMOUNT"), ("人次", "UNIT")]
    assert ("355,212", "AMOUNT") in spans("收入 355,212 万元")  # the separator itself still works
    assert ("元/人/年", "UNIT") in spans("个人缴费标准为 360 元/人/年；")
    assert ("辆", "UNIT") in spans("共有车辆1辆。")


def test_indicator_does_not_start_with_a_unit():
    assert ("万名", "UNIT") in spans("保障 2.58 万名死亡人员丧葬费 0.34 亿元。")


def test_score_breakdown_and_scored_items():
    t = "该项目最终评分96.18分，具体得分情况为：项目决策9.21分、项目产出46.97分、项目效益40分。"
    assert [x for x in spans(t) if x[1] == "SCORE"] == [
        ("96.18分", "SCORE"), ("9.21分", "SCORE"), ("46.97分", "SCORE"), ("40分", "SCORE")]
    t = "(1) 立项依据充分性：项目立项符合规定，根据评分标准，该指标得 2 分。"
    assert spans(t) == [("立项依据充分性", "INDICATOR"), ("2 分", "SCORE")]


def test_target_cues_need_a_value():
    assert spans("全年预算支出执行目标95%至105%，按时足额发放") == [("95%至105%", "TARGET")]
    assert spans("可以准确衡量，并设定目标值的考核指标。") == []
    assert spans("一是对各项指标和指标值要进一步优化、完善") == []


def test_fee_items_drop_the_verb():
    assert ("公务接待费", "INDICATOR") in spans("3.公务接待费支出0.14万元，完成预算的14%。")
