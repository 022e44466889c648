"""`jixiao audit`: every check fires on a written slip and stays quiet within rounding; the CLI end to end."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jixiao.audit import CHECKS, audit_document
from jixiao.audit.evaluate import evaluation_set, planted_metrics
from jixiao.audit.grades import parse_bands
from jixiao.cli import app

ROOT = Path(__file__).resolve().parent.parent


def doc(*paras, tables=()):
    """A document of the output contract: prose paragraphs, then tables (lists of tab-joined rows)."""
    out, i = [], 0
    for text in paras:
        out.append({"index": i, "text": text, "table": None})
        i += 1
    for t, rows in enumerate(tables):
        for text in rows:
            out.append({"index": i, "text": text, "table": t})
            i += 1
    return {"doc_id": "t", "source": "t.txt", "paragraphs": out, "meta": {}, "indicators": []}


def run(check, d):
    return [f for f in audit_document(d, checks=[check])]


SCORE_HEAD = "一级指标\t二级指标\t分值\t得分"


def test_every_registered_check_has_a_test_here():
    text = Path(__file__).read_text(encoding="utf-8")
    assert all(f'"{name}"' in text for name in CHECKS)


# -- rate ----------------------------------------------------------------------------------------

def test_rate_in_prose_fires_on_a_wrong_rate_and_quotes_three_numbers():
    text = "2023年资金预算86.4万元，实际发放81.9万元，预算执行率96.8%。"
    fs = run("rate_in_prose", doc(text))
    assert len(fs) == 1 and fs[0].kind == "rate" and fs[0].stated == "96.8"
    assert fs[0].computed.startswith("94.79")
    assert {e["role"] for e in fs[0].evidence} == {"stated", "numerator", "denominator"}
    e = fs[0].evidence[0]
    assert text[e["start"]:e["end"]] == e["text"] == "96.8%"


def test_rate_in_prose_accepts_rounding_of_the_stated_precision():
    # 81.9 / 86.4 = 94.7917 -> "94.8%" (±0.05 + propagated) is right, "94.79%" too
    assert run("rate_in_prose", doc("资金预算86.4万元，实际发放81.9万元，预算执行率94.8%。")) == []
    assert run("rate_in_prose", doc("资金预算86.4万元，实际发放81.9万元，预算执行率94.79%。")) == []


def test_rate_in_prose_reads_the_budget_from_the_table_row_and_skips_goals():
    d = doc("基金支出1,160,599.80万元，支出预算执行率为96.15%。", "确保全年支出执行率达到95%。", "单位：万元",
            tables=[["项目\t预算数\t决算数", "基金支出\t1,182,500.00\t1,160,599.80"]])
    fs = run("rate_in_prose", d)
    assert len(fs) == 1 and fs[0].computed.startswith("98.14")


def test_rate_in_table_fires_and_passes():
    rows = ["资金用途\t预算数（万元）\t已支出（万元）\t执行率", "合计\t2856\t2714.3\t96.04%"]
    assert len(run("rate_in_table", doc(tables=[rows]))) == 1
    rows[1] = "合计\t2856\t2714.3\t95.04%"
    assert run("rate_in_table", doc(tables=[rows])) == []


def test_score_rate_fires_on_a_misplaced_decimal():
    fs = run("score_rate", doc("决策类指标权重分为10分，实际得分9.21分，得分率为9.21%。"))
    assert len(fs) == 1 and fs[0].computed == "92.1"
    assert run("score_rate", doc("决策类指标权重分为10分，实际得分9.21分，得分率为92.1%。")) == []


# -- sum -----------------------------------------------------------------------------------------

def test_breakdown_sum_fires_and_passes():
    bad = "共安排就业专项资金3268万元，其中中央补助1960万元、省级补助820万元、县级安排498万元。"
    fs = run("breakdown_sum", doc(bad))
    assert len(fs) == 1 and fs[0].difference == "-100000" and fs[0].unit == "元"
    assert len([e for e in fs[0].evidence if e["role"] == "part"]) == 3
    assert run("breakdown_sum", doc(bad.replace("3268", "3278"))) == []


def test_breakdown_sum_tolerance_is_the_rounding_of_parts_and_total():
    # 2.14 + 6.18 + 0.09 = 8.41; a total of 8.42亿元 is within 4 × 0.005亿元
    assert run("breakdown_sum", doc("基金收入8.42亿元，其中个人缴费2.14亿元、财政补助6.18亿元、利息0.09亿元。")) == []
    assert len(run("breakdown_sum", doc("基金收入8.46亿元，其中个人缴费2.14亿元、财政补助6.18亿元、利息0.09亿元。"))) == 1


def test_breakdown_sum_names_a_unit_slip():
    fs = run("breakdown_sum", doc("共安排资金3268万元，其中中央补助1960万元、省级补助8200000万元、县级安排488万元。"))
    assert len(fs) == 1 and "单位" in fs[0].message


def test_breakdown_sum_stops_where_the_breakdown_closes():
    text = "享受住院人次数2597人次，其中在职职工1187人次，退休职工1410人次，享受门诊人次数76409人次。"
    assert run("breakdown_sum", doc(text)) == []


def test_table_sum_fires_on_a_wrong_total_row_and_passes_total_first_tables():
    rows = ["项目\t下达资金\t实际支出", "城乡低保\t6120\t6054.3", "临时救助\t420\t388.5", "合计\t6540\t6452.8"]
    assert len(run("table_sum", doc("单位：万元", tables=[rows]))) == 1
    rows[-1] = "合计\t6540\t6442.8"
    assert run("table_sum", doc("单位：万元", tables=[rows])) == []
    first = ["项目\t预算数\t决算数", "支出合计\t100\t90", "其中：基本支出\t60\t55", "项目支出\t40\t35"]
    assert run("table_sum", doc(tables=[first])) == []


# -- scores --------------------------------------------------------------------------------------

def test_score_table_sum_fires_and_passes():
    rows = [SCORE_HEAD, "决策\t项目立项\t50\t45", "产出\t产出数量\t50\t42.5", "合计\t\t100\t88.5"]
    fs = run("score_table_sum", doc(tables=[rows]))
    assert len(fs) == 1 and fs[0].kind == "score_sum" and fs[0].tolerance == "0.05"
    rows[-1] = "合计\t—\t100\t87.5"
    assert run("score_table_sum", doc(tables=[rows])) == []


def test_weight_sum_fires_when_weights_miss_100():
    rows = [SCORE_HEAD, "决策\t项目立项\t50\t45", "产出\t产出数量\t40\t40", "合计\t\t100\t85"]
    assert [f.kind for f in run("weight_sum", doc(tables=[rows]))] == ["weight_sum"]
    rows[2] = "产出\t产出数量\t50\t40"
    assert run("weight_sum", doc(tables=[rows])) == []


def test_score_total_repeat_fires_when_the_text_disagrees_with_the_table():
    rows = [SCORE_HEAD, "决策\t项目立项\t50\t45", "产出\t产出数量\t50\t42.5", "合计\t\t100\t87.5"]
    assert len(run("score_total_repeat", doc("该项目综合得分88.5分。", tables=[rows]))) == 1
    assert run("score_total_repeat", doc("该项目综合得分87.5分。", tables=[rows])) == []


def test_score_over_weight():
    rows = [SCORE_HEAD, "决策\t项目立项\t5\t5.5"]
    assert [f.kind for f in run("score_over_weight", doc(tables=[rows]))] == ["score_over"]
    rows[1] = "决策\t项目立项\t5\t5"
    assert run("score_over_weight", doc(tables=[rows])) == []


def test_grade_band_fires_and_respects_band_edges():
    fs = run("grade_band", doc("评价结论：本项目综合得分88.4分，评价等级为“优”。"))
    assert len(fs) == 1 and fs[0].computed == "良"
    assert run("grade_band", doc("本项目综合得分90分，评价等级为“优”。")) == []
    assert run("grade_band", doc("本项目综合得分88.4分，评价等级为“良好”。")) == []


def test_grade_bands_are_configurable():
    bands = parse_bands({"bands": [{"grade": "优", "min": 85}, {"grade": "良", "min": 0, "max": 85}]})
    d = doc("本项目综合得分88.4分，评价等级为“优”。")
    assert audit_document(d, checks=["grade_band"], grades=bands) == []


# -- indicators and repeats ----------------------------------------------------------------------

def test_status_vs_values_fires_on_complete_but_missed():
    rows = ["指标名称\t目标值\t实际完成值\t完成情况", "服务对象满意度\t≥95%\t92.1%\t已完成"]
    fs = run("status_vs_values", doc(tables=[rows]))
    assert len(fs) == 1 and fs[0].kind == "met" and fs[0].severity == "error"
    rows[1] = "服务对象满意度\t≥95%\t95.0%\t已完成"
    assert run("status_vs_values", doc(tables=[rows])) == []


def test_status_vs_values_flags_a_deviation_explained_where_there_is_none():
    head = "指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施"
    rows = [head, "资金拨付及时率\t100%\t100%\t5\t5\t受疫情影响，部分资金拨付滞后"]
    assert [f.severity for f in run("status_vs_values", doc(tables=[rows]))] == ["warning"]
    rows[1] = "资金拨付及时率\t100%\t100%\t5\t5\t无"
    assert run("status_vs_values", doc(tables=[rows])) == []


def test_indicator_repeat_fires_when_text_and_table_differ():
    head = "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分"
    rows = [head, "产出指标\t成本指标\t个人缴费标准\t=360元/人\t360元/人\t10\t10"]
    fs = run("indicator_repeat", doc("“个人缴费标准（元/人）”实际完成值为360元/人，分值5分，得分5分。", tables=[rows]))
    assert {f.kind for f in fs} == {"duplicate"} and len(fs) == 2
    same = doc("“个人缴费标准（元/人）”实际完成值为360元/人，分值10分，得分10分。", tables=[rows])
    assert run("indicator_repeat", same) == []


# -- CLI, summarize, evaluation -------------------------------------------------------------------

def test_cli_end_to_end_and_summarize_section(tmp_path):
    d = doc("一、基本情况", "2023年资金预算86.4万元，实际发放81.9万元，预算执行率96.8%。",
            "评价结论：本项目综合得分88.4分，评价等级为“优”。")
    src = tmp_path / "extract.jsonl"
    src.write_text(json.dumps(d, ensure_ascii=False) + "\n", encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(app, ["audit", str(src), "-o", str(tmp_path / "audit")])
    assert res.exit_code == 0, res.output
    lines = (tmp_path / "audit" / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    recs = [json.loads(x) for x in lines]
    assert sorted(r["kind"] for r in recs) == ["grade", "rate"]
    q = recs[0]["quotes"][0]
    assert all(q["text"][s:e] for s, e in q["spans"])
    import openpyxl
    assert openpyxl.load_workbook(tmp_path / "audit" / "audit.xlsx").sheetnames == ["findings", "evidence"]
    summary = json.loads((tmp_path / "audit" / "audit.json").read_text(encoding="utf-8"))
    assert summary["by_kind"] == {"grade": 1, "rate": 1}
    res = runner.invoke(app, ["summarize", str(src), "-o", str(tmp_path / "rep"), "--audit", str(tmp_path / "audit")])
    assert res.exit_code == 0, res.output
    page = (tmp_path / "rep" / "summary.html").read_text(encoding="utf-8")
    assert "数字核对" in page and "<mark>96.8%</mark>" in page


def test_cli_usage_errors(tmp_path):
    res = CliRunner().invoke(app, ["audit", str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "a")])
    assert res.exit_code == 2 and "E711" in res.output
    src = tmp_path / "x.jsonl"
    src.write_text(json.dumps(doc("甲")) + "\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["audit", str(src), "--check", "nope"])
    assert res.exit_code == 2 and "E711" in res.output


def test_evaluation_set_pairs_each_planted_document_with_a_consistent_one():
    docs = json.loads((ROOT / "corpus" / "written" / "documents.json").read_text(encoding="utf-8"))
    planted, consistent = evaluation_set(docs)
    assert len(planted) == len(consistent) == 21 and not set(planted) & set(consistent)
    m = planted_metrics({}, docs, planted + consistent)
    assert m["all_planted_kinds"]["planted"] == 21 and m["all_planted_kinds"]["recall"] == 0.0


@pytest.mark.slow
def test_planted_slips_meet_the_goals(tmp_path):
    out = tmp_path / "m.json"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "audit_eval.py"), "--eval-set-only", "--out", str(out)],
                   check=True, cwd=ROOT)
    m = json.loads(out.read_text(encoding="utf-8"))
    for kind, v in m["per_kind"].items():
        assert v["precision"] >= 0.95 and v["recall"] >= 0.80, (kind, v)
