"""A .docx report goes through the whole pipeline: table rows → indicator records, labels, metadata."""
import docx

from jixiao.io.readers import read_document
from jixiao.pipeline import document_from_raw, load_pipeline


def test_docx_report_end_to_end(tmp_path):
    d = docx.Document()
    d.add_paragraph("张掖市 2023 年职工基本医疗保险项目绩效评价报告")
    d.add_paragraph("一、绩效目标完成情况")
    rows = [["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "得分"],
            ["产出指标", "数量指标", "参保人数", "≥41万人", "40.28万人", "4.91"],
            ["", "", "享受待遇人次", "≥132万人次", "479.45万人次", "3"]]
    table = d.add_table(rows=3, cols=6)
    for row, values in zip(table.rows, rows):
        for cell, v in zip(row.cells, values):
            cell.text = v
    d.add_paragraph("五、存在问题")
    d.add_paragraph("1. 预算编制不准确，执行工作重视不够。")
    path = tmp_path / "report.docx"
    d.save(path)

    doc = load_pipeline()(document_from_raw(read_document(path)))
    assert (doc.meta["region"], doc.meta["year"]) == ("张掖市", 2023)
    recs = [(r.level1, r.level2, r.name, r.target, r.actual, str(r.score)) for r in doc.indicators]
    assert recs == [("产出指标", "数量指标", "参保人数", "≥41万人", "40.28万人", "4.91"),
                    ("产出指标", "数量指标", "享受待遇人次", "≥132万人次", "479.45万人次", "3")]
    target = next(e for e in doc.entities if e.type == "TARGET")
    assert (target.comparator, str(target.value), target.unit) == ("≥", "410000", "人")
    assert doc.paragraphs[-1].labels == ["存在问题"]
