"""Reading gold and prediction files: formats, grouping and the E35x errors."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from jixiao.errors import JixiaoError
from jixiao.evaluation import load_gold, load_predictions, predictions_from_output


def write_jsonl(path, rows) -> str:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def rec(doc_id, para, text, **extra):
    return {"doc_id": doc_id, "para": para, "text": text, "labels": [], "roles": [], "entities": [], **extra}


def test_load_gold_groups_and_sorts(tmp_path):
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    write_jsonl(gold_dir / "a.jsonl", [rec("a", 1, "乙", entities=[[0, 1, "AMOUNT"]]), rec("a", 0, "甲")])
    write_jsonl(gold_dir / "b.jsonl", [rec("b", 0, "丙", labels=["建议"])])
    gold = load_gold(gold_dir)
    assert list(gold) == ["a", "b"]
    assert [r["para"] for r in gold["a"]] == [0, 1]
    assert gold["a"][1]["entities"] == [[0, 1, "AMOUNT"]]
    assert load_gold([gold_dir / "b.jsonl"])["b"][0]["labels"] == ["建议"]


@pytest.mark.parametrize("line, code", [
    ("{not json", "E351"),
    (json.dumps({"doc_id": "a", "para": 0, "text": "甲"}), "E352"),
    (json.dumps(rec("a", 0, "甲乙", entities=[[0, 3, "AMOUNT"]])), "E353"),
    (json.dumps(rec("a", 0, "甲乙", entities=[[0, 2, "AMOUNT"], [1, 2, "UNIT"]])), "E353"),
    (json.dumps(rec("a", 0, "甲乙", entities=[[0, 1, "MONEY"]])), "E353"),
    (json.dumps(rec("a", 0, "甲乙", labels=["其他"])), "E353"),
    (json.dumps(rec("a", 0, "甲 乙", roles=[[1, 2, "问题"]])), "E353"),
])
def test_bad_gold_lines(tmp_path, line, code):
    path = tmp_path / "g.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(JixiaoError) as info:
        load_gold(path)
    assert info.value.code == code
    assert "g.jsonl" in str(info.value) and "line 1" in str(info.value)


def test_duplicate_gold_paragraph(tmp_path):
    path = write_jsonl(tmp_path / "g.jsonl", [rec("a", 0, "甲"), rec("a", 0, "甲")])
    with pytest.raises(JixiaoError, match="E354.*line 2"):
        load_gold(path)


def test_missing_gold_path(tmp_path):
    with pytest.raises(JixiaoError, match="E350"):
        load_gold(tmp_path / "nope")
    with pytest.raises(JixiaoError, match="E350"):
        load_gold(tmp_path)                       # a directory without *.jsonl


def test_load_predictions_reads_both_formats_and_decimal_values(tmp_path):
    doc = {"doc_id": "a", "paragraphs": [{"index": 0, "text": "收入0.1万元", "labels": [], "sentences": []}],
           "entities": [{"paragraph": 0, "start": 2, "end": 5, "type": "AMOUNT"}]}
    out = tmp_path / "out"
    out.mkdir()
    (out / "documents.jsonl").write_text(
        json.dumps(doc, ensure_ascii=False).replace('"AMOUNT"}', '"AMOUNT", "value_yuan": 1000.10}') + "\n",
        encoding="utf-8")
    write_jsonl(out / "errors.jsonl", [{"file": "x.pdf", "error": "E012"}])      # skipped in a directory
    write_jsonl(out / "records.jsonl", [rec("b", 0, "乙")])
    pred = load_predictions(out)
    assert pred["a"][0]["entities"] == [[2, 5, "AMOUNT", Decimal("1000.10")]]
    assert pred["b"][0]["text"] == "乙"
    with pytest.raises(JixiaoError, match="E357"):
        load_predictions(out / "errors.jsonl")


def test_duplicate_predicted_document():
    doc = {"doc_id": "a", "paragraphs": [], "entities": []}
    with pytest.raises(JixiaoError, match="E363"):
        predictions_from_output([doc, doc])


def test_malformed_prediction():
    with pytest.raises(JixiaoError, match="E362"):
        predictions_from_output([{"doc_id": "a", "paragraphs": [{"text": "甲"}]}])
