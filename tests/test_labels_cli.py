"""`jixiao labels ...` through a tiny typer app that only has the labels group registered."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from jixiao.cli import app as jixiao_app
from jixiao.labels.convert import to_labelstudio
from jixiao.labels.schema import read_label_file, write_label_file

SAMPLE = Path(__file__).parent / "fixtures" / "labels_sample.jsonl"


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    return jixiao_app


@pytest.fixture()
def run(app):
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, ["labels", *map(str, args)])
    return invoke


@pytest.fixture()
def sample(tmp_path) -> Path:
    path = tmp_path / "gold.jsonl"
    shutil.copy(SAMPLE, path)
    return path


def test_validate_clean_file(run, sample):
    result = run("validate", sample)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "0 error(s), 0 warning(s)" in result.stderr


def test_validate_reports_each_problem_and_fails(run, tmp_path, sample):
    records = read_label_file(sample)
    records[1]["entities"] = [[0, 3, "AMOUNT"], [2, 4, "UNIT"]]
    records[3]["labels"] = ["其他"]
    records[4]["roles"] = [[0, 2, "问题"]]                     # warning: no 存在问题/建议
    bad = tmp_path / "bad.jsonl"
    write_label_file(records, bad)
    bad.write_text(bad.read_text(encoding="utf-8") + "{broken\n", encoding="utf-8")
    result = run("validate", bad)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert [line.split(" ")[:2] for line in lines] == [
        [f"{bad}:2:", "E309"], [f"{bad}:4:", "E305"], [f"{bad}:5:", "E313"],
        [f"{bad}:7:", "E300"]]
    assert "3 error(s), 1 warning(s)" in result.stderr


def test_validate_warnings_only_exit_zero(run, tmp_path, sample):
    records = read_label_file(sample)
    records[0]["note"] = "checked twice"
    path = tmp_path / "w.jsonl"
    write_label_file(records, path)
    result = run("validate", path)
    assert result.exit_code == 0 and "E315 warning:" in result.stdout


def test_stats_json_and_table(run, sample):
    result = run("stats", sample, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["total"]["paragraphs"] == 6
    assert data["documents"]["000_seed"]["labels"] == {"经验做法": 1, "存在问题": 1, "建议": 1,
                                                      "其他": 2}
    assert data["documents"]["001_seed"]["entities"]["SCORE"] == 1
    assert data["total"]["roles"] == {"问题": 1, "原因": 2, "措施": 2}
    table = run("stats", sample)
    assert table.exit_code == 0 and "000_seed" in table.stdout and "INDICATOR" in table.stdout


@pytest.mark.parametrize("fmt", ["doccano", "labelstudio", "labelstudio-min"])
def test_export_import_round_trip(run, tmp_path, sample, fmt):
    exported, back = tmp_path / "tool.json", tmp_path / "back.jsonl"
    # --as-annotations: reviewed labels round-trip as annotations (a draft would go out as predictions)
    result = run("export", sample, "--to", fmt, "-o", exported, "--as-annotations")
    assert result.exit_code == 0, result.output
    result = run("import", exported, "--from", fmt, "-o", back)
    assert result.exit_code == 0, result.output
    assert read_label_file(back) == read_label_file(sample)
    assert back.read_text(encoding="utf-8") == sample.read_text(encoding="utf-8")


def test_export_refuses_invalid_input(run, tmp_path, sample):
    records = read_label_file(sample)
    records[0]["entities"].append([0, 999, "AMOUNT"])
    bad = tmp_path / "bad.jsonl"
    write_label_file(records, bad)
    out = tmp_path / "tasks.json"
    result = run("export", bad, "--to", "labelstudio", "-o", out)
    assert result.exit_code == 1 and "E308" in result.stderr and "E331" in result.stderr
    assert not out.exists()


def test_import_several_annotators_writes_side_file(run, tmp_path, sample):
    record = read_label_file(sample)[2]
    task = to_labelstudio([record])[0]
    second = json.loads(json.dumps(task["annotations"][0]))
    second["result"] = [r for r in second["result"] if r["type"] == "choices"]
    task["annotations"][0].update(completed_by={"id": 1, "email": "li@example.cn"},
                                  updated_at="2024-03-01T00:00:00Z")
    second.update(completed_by={"id": 2, "email": "wang@example.cn"},
                  updated_at="2024-03-02T00:00:00Z")
    task["annotations"].append(second)
    export = tmp_path / "project.json"
    export.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")

    out = tmp_path / "corrected.jsonl"
    result = run("import", export, "--from", "labelstudio", "-o", out)
    assert result.exit_code == 0, result.output
    assert read_label_file(out)[0]["roles"] == []                      # wang: latest
    assert "imported wang@example.cn" in result.stderr
    side = [json.loads(x) for x in (tmp_path / "corrected.annotators.jsonl")
            .read_text(encoding="utf-8").splitlines()]
    assert [(s["annotator"], s["imported"]) for s in side] == [("li@example.cn", False),
                                                               ("wang@example.cn", True)]
    result = run("import", export, "--from", "labelstudio", "-o", out,
                 "--annotator", "li@example.cn")
    assert result.exit_code == 0 and read_label_file(out) == [record]


def test_import_with_dropped_span_fails_but_writes(run, tmp_path):
    task = {"id": 9, "data": {"text": "考核指标有待完善。", "doc_id": "d", "para": 0},
            "annotations": [{"result": [{"from_name": "entity", "to_name": "text",
                                         "type": "labels", "value": {"start": 0, "end": 3,
                                                                     "text": "得分率",
                                                                     "labels": ["INDICATOR"]}}]}]}
    export = tmp_path / "p.json"
    export.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "o.jsonl"
    result = run("import", export, "--from", "labelstudio", "-o", out)
    assert result.exit_code == 1
    assert f"{export}: task 9: E321 span '得分率'" in result.stderr
    assert read_label_file(out)[0]["entities"] == []


def test_import_unparsable_file_is_one_line(run, tmp_path):
    export = tmp_path / "p.json"
    export.write_text("[{oops", encoding="utf-8")
    result = run("import", export, "--from", "labelstudio", "-o", tmp_path / "o.jsonl")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"E330: {export}: line 1 is not JSON")
    assert "Traceback" not in result.output


def test_config(run, tmp_path):
    result = run("config", "--to", "labelstudio")
    assert result.exit_code == 0 and result.stdout.startswith("<View>")
    out = tmp_path / "labels.json"
    result = run("config", "--to", "doccano", "-o", out)
    assert result.exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))[0]["text"] == "AMOUNT"


def test_bad_option_value_lists_choices(run, sample, tmp_path):
    result = run("export", sample, "--to", "brat", "-o", tmp_path / "x")
    assert result.exit_code == 2
    assert "doccano" in result.output and "labelstudio" in result.output
