"""`jixiao eval` through typer's CliRunner on a throw-away app."""
from __future__ import annotations

import json
import sys
import types

import pytest
import typer
from typer.testing import CliRunner


TEXT = "收入 355,212 万元，参保12732人。"
GOLD_RECORDS = [
    {"doc_id": "d", "para": 0, "text": "一、基本情况", "labels": [], "roles": [], "entities": []},
    {"doc_id": "d", "para": 1, "text": TEXT, "labels": [], "roles": [],
     "entities": [[3, 10, "AMOUNT"], [11, 13, "UNIT"], [17, 22, "AMOUNT"], [22, 23, "UNIT"]]},
    {"doc_id": "d", "para": 2, "text": "建议加强管理。", "labels": ["建议"], "roles": [[0, 7, "措施"]],
     "entities": []},
]
PRED_DOC = {
    "schema_version": 1, "doc_id": "d", "source": "d.txt", "sha256": "0" * 64, "meta": {},
    "paragraphs": [
        {"index": 0, "section": [], "text": "一、基本情况", "labels": [], "label_scores": {}, "sentences": []},
        {"index": 1, "section": [], "text": "收入355,212万元，参保12732人。", "labels": [], "label_scores": {},
         "sentences": []},
    ],
    "entities": [
        {"paragraph": 1, "start": 2, "end": 9, "type": "AMOUNT", "text": "355,212", "value": None,
         "unit": "万元", "value_yuan": "3552120000", "comparator": None},
        {"paragraph": 1, "start": 9, "end": 11, "type": "UNIT", "text": "万元", "value": None,
         "unit": None, "value_yuan": None, "comparator": None},
    ],
    "indicators": [],
}


@pytest.fixture()
def app():
    from jixiao.cli import app as application

    return application


@pytest.fixture()
def files(tmp_path):
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "d.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in GOLD_RECORDS),
                                  encoding="utf-8")
    pred = tmp_path / "out.jsonl"
    pred.write_text(json.dumps(PRED_DOC, ensure_ascii=False) + "\n", encoding="utf-8")
    return gold, pred


def test_eval_prints_tables(app, files):
    gold, pred = files
    result = CliRunner().invoke(app, ["eval", "--gold", str(gold), "--pred", str(pred)])
    assert result.exit_code == 0, result.output
    for needle in ("Entities (exact span)", "AMOUNT", "Paragraph labels", "建议", "措施", "value_yuan accuracy",
                   "1.000 (1/1 gold amounts)", "2/3"):
        assert needle in result.output


def test_eval_json(app, files):
    gold, pred = files
    result = CliRunner().invoke(app, ["eval", "--gold", str(gold), "--pred", str(pred), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["entities"]["per_type"]["AMOUNT"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3),
                                                      "support": 2}
    assert data["alignment"]["matched_normalised"] == 1 and data["alignment"]["unmatched_gold"] == 1
    assert data["money"]["accuracy"] == 1.0
    assert data["labels"]["per_class"]["建议"]["recall"] == 0.0


def test_eval_needs_exactly_one_source(app, files):
    gold, pred = files
    for args in (["eval", "--gold", str(gold)], ["eval", "--gold", str(gold), "--pred", str(pred), "--pipeline"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2
        assert "E358" in result.output


def test_eval_missing_gold_is_a_one_line_error(app, files, tmp_path):
    _, pred = files
    result = CliRunner().invoke(app, ["eval", "--gold", str(tmp_path / "none"), "--pred", str(pred)])
    assert result.exit_code == 1
    assert result.output.strip().startswith("E350") and "Traceback" not in result.output


def test_eval_pipeline_uses_nlp_pipeline(app, files, monkeypatch):
    gold, _ = files
    calls = []

    def extract_paragraph_records(doc_id, texts, pipeline=None):
        calls.append((doc_id, list(texts)))
        return [{"para": i, "text": t, "labels": ["建议"] if t.startswith("建议") else [], "roles": [],
                 "entities": []} for i, t in enumerate(texts)]

    monkeypatch.setitem(sys.modules, "jixiao.pipeline",
                        types.SimpleNamespace(extract_paragraph_records=extract_paragraph_records,
                                              load_pipeline=lambda path: types.SimpleNamespace(specs=[])))
    result = CliRunner().invoke(app, ["eval", "--gold", str(gold), "--pipeline", "--json"])
    assert result.exit_code == 0, result.output
    assert calls == [("d", [r["text"] for r in GOLD_RECORDS])]
    data = json.loads(result.stdout)
    assert data["alignment"]["match_rate"] == 1.0
    assert data["labels"]["per_class"]["建议"]["f1"] == 1.0


def test_eval_pipeline_missing_is_a_clear_error(app, files, monkeypatch):
    gold, _ = files
    monkeypatch.setitem(sys.modules, "jixiao.pipeline", None)       # makes the import fail
    result = CliRunner().invoke(app, ["eval", "--gold", str(gold), "--pipeline"])
    assert result.exit_code == 1
    assert "E359" in result.output and "--pred" in result.output
