"""Point 8: `jixiao labels import` refuses what it cannot place, and says so with exit 1."""
from __future__ import annotations

import json

from faultkit import ROOT

TEXT = "预算资金8684万元，" + "一" * 80 + "另有8684万元。"


def _ls(tmp_path, start, end, para=0, text=TEXT, span="8684万元"):
    task = {"id": 1, "data": {"text": text, "doc_id": "d", "para": para},
            "annotations": [{"id": 11, "completed_by": 1, "result": [
                {"id": "r1", "from_name": "entities", "to_name": "text", "type": "labels",
                 "value": {"start": start, "end": end, "text": span, "labels": ["AMOUNT"]}}]}]}
    path = tmp_path / "ls.json"
    path.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    return path


def _import(cli, tmp_path, path, fmt="labelstudio"):
    out = tmp_path / "gold.jsonl"
    return cli("labels", "import", path, "--from", fmt, "-o", out), out


def test_absurd_offsets_are_not_reanchored(cli, tmp_path):
    r, out = _import(cli, tmp_path, _ls(tmp_path, 10**12, 10**12 + 6))
    assert r.code == 1 and "E321" in r.err, r
    if out.exists():
        for line in out.read_text("utf-8").splitlines():
            assert json.loads(line)["entities"] == []


def test_near_offsets_are_still_reanchored(cli, tmp_path):
    r, out = _import(cli, tmp_path, _ls(tmp_path, 5, 11))
    assert r.code == 0 and "E322" in r.err, r  # re-anchored, with a warning
    (rec,) = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    assert rec["entities"] == [[4, 10, "AMOUNT"]]


def test_doccano_label_string_is_an_error(cli, tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"text": TEXT, "label": "AMOUNT", "meta": {"doc_id": "d", "para": 0}},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    r, _ = _import(cli, tmp_path, path, "doccano")
    assert r.code == 1 and "E320" in r.err and "'label' is \"AMOUNT\"" in r.err, r


def test_doccano_single_category_string_is_accepted(cli, tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"text": TEXT, "label": "建议", "meta": {"doc_id": "d", "para": 0}},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    r, out = _import(cli, tmp_path, path, "doccano")
    assert r.code == 0, r
    assert json.loads(out.read_text("utf-8"))["labels"] == ["建议"]


def test_negative_para_is_not_written(cli, tmp_path):
    r, out = _import(cli, tmp_path, _ls(tmp_path, 4, 10, para=-1))
    assert r.code == 1 and "para must be a paragraph index" in r.err, r
    assert not out.exists() or all(json.loads(x)["para"] >= 0 for x in out.read_text("utf-8").splitlines())


def test_deep_nesting_is_a_clear_error(cli, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    r, _ = _import(cli, tmp_path, path)
    assert r.code == 1 and "E330" in r.err and "nested too deeply" in r.err, r
    assert not isinstance(r.exception, RecursionError)
    path.write_text("[" * 100_000 + "]" * 100_000 + "\n" + "{}")  # JSON lines, too
    r, _ = _import(cli, tmp_path, path, "doccano")
    assert r.code == 1 and "E330" in r.err, r


def test_empty_export_is_an_error(cli, tmp_path):
    for content in ("", "  \n", "[]"):
        path = tmp_path / "empty.json"
        path.write_text(content)
        r, out = _import(cli, tmp_path, path)
        assert r.code == 1 and "E330" in r.err and "wrote 0" not in r.err, (content, r)
        assert not out.exists()


def test_a_clean_round_trip_still_exits_0(cli, tmp_path):
    tool = tmp_path / "tool.jsonl"
    assert cli("labels", "export", ROOT / "tests" / "fixtures" / "labels_sample.jsonl", "--to", "doccano",
               "-o", tool).code == 0
    r, out = _import(cli, tmp_path, tool, "doccano")
    assert r.code == 0, r
