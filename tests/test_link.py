"""Prose indicator records (jixiao.link): entities of one clause/paragraph linked into a record."""
from decimal import Decimal

from jixiao.doc import Document, Indicator, Paragraph
from jixiao.link import link_indicators
from jixiao.rules.entities import annotate_document


def _doc(*texts, indicators=()):
    doc = Document("d", "-", "0", paragraphs=[Paragraph(i, t) for i, t in enumerate(texts)])
    doc.indicators.extend(indicators)
    return link_indicators(annotate_document(doc))


def test_one_paragraph_two_sentences_fill_one_record():
    doc = _doc("“参保人数（人）”指标，预期指标值为 ≥ 41 万人。“参保人数（人）”实际完成值为 40.28 万人，分值 5 分，得分 4.91 分。")
    (rec,) = doc.indicators
    assert (rec.name, rec.target, rec.actual, rec.weight, rec.score, rec.source) == (
        "参保人数", "≥ 41 万人", "40.28 万人", Decimal("5"), Decimal("4.91"), "prose")


def test_amounts_alone_make_no_record():
    assert _doc("其中保费收入5617.38万元，利息收入2.94万元。").indicators == []


def test_same_name_in_two_paragraphs_stays_two_records():
    # one report may evaluate two projects with the same indicator names
    doc = _doc("(1) 立项依据充分性：依据充分，该指标得 2 分。", "(1) 立项依据充分性：依据不足，该指标得 1.5 分。")
    assert [(r.paragraph, r.name, r.score) for r in doc.indicators] == [
        (0, "立项依据充分性", Decimal("2")), (1, "立项依据充分性", Decimal("1.5"))]


def test_restated_table_row_completes_it_and_is_kept_as_a_repeat():
    row = Indicator(paragraph=9, name="参保人数", target=">=41万人", actual=None)
    doc = _doc("“参保人数（人）”指标，预期指标值为 ≥ 41 万人，分值 5 分。", indicators=[row])
    assert doc.indicators[0] is row and row.weight == Decimal("5")
    assert len(doc.indicators) == 2 and doc.indicators[1].repeats == 0 and doc.indicators[1].paragraph == 0
    other = Indicator(paragraph=9, name="参保人数", target=">=30万人")
    doc = _doc("“参保人数（人）”指标，预期指标值为 ≥ 41 万人。", indicators=[other])
    assert len(doc.indicators) == 2  # a different target: another project's indicator


def test_narrative_cells_of_a_table_row_give_records_cell_by_cell():
    from jixiao.structure import document_from_paragraphs, extract_indicators

    doc = document_from_paragraphs("d", [
        "年度总体目标\t预期目标\t实际完成情况",
        "\t全年城镇新增就业人数目标任务3,100人，城镇登记失业率控制在4%以内。"
        "\t全年城镇新增就业实际完成3,264人，城镇登记失业率实际为3.5%。"])
    doc = link_indicators(annotate_document(extract_indicators(doc)))
    got = {(r.name, r.target, r.actual) for r in doc.indicators}
    assert ("城镇新增就业人数", "3,100人", None) in got and ("城镇登记失业率", "4%以内", None) in got
    assert ("城镇登记失业率", None, "3.5%") in got  # the achieved cell is its own statement


def test_a_row_the_table_reading_missed_gives_a_record_from_its_entities():
    from jixiao.structure import document_from_paragraphs, extract_indicators

    doc = document_from_paragraphs("d", ["评价内容\t分值\t评价得分", "项目决策\t20.00\t18.50", "资金到位率\t5\t4.5"])
    doc = link_indicators(annotate_document(extract_indicators(doc)))
    assert [(r.name, r.score) for r in doc.indicators] == [("资金到位率", Decimal("4.5"))]  # 项目决策: a category
