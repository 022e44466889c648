"""Label records: reading, atomic writing, every validation problem with file and line."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.errors import LabelFileError
from jixiao.labels import schema
from jixiao.labels.offsets import from_utf16, has_astral, to_utf16, utf16_len
from jixiao.labels.schema import (
    Problem, find_overlaps, has_errors, read_label_file, validate_file, validate_files,
    validate_records, write_label_file,
)

SAMPLE = Path(__file__).parent / "fixtures" / "labels_sample.jsonl"


def rec(**changes) -> dict:
    """A valid record (存在问题 with a 问题 role and an AMOUNT + UNIT), changed as asked."""
    base = {"doc_id": "d", "para": 0, "text": "预算执行率96.4%，执行偏低。",
            "labels": ["存在问题"], "roles": [[0, 16, "问题"]],
            "entities": [[5, 9, "AMOUNT"], [9, 10, "UNIT"]]}
    base.update(changes)
    return base


def codes(problems: list[Problem]) -> list[str]:
    return [p.code for p in problems]


def test_sample_fixture_is_valid():
    assert validate_file(SAMPLE) == []
    assert len(read_label_file(SAMPLE)) == 6


def test_valid_record_has_no_problem():
    assert validate_records([rec()], "a.jsonl") == []


@pytest.mark.parametrize("changes, code", [
    ({"para": "3"}, "E303"),
    ({"para": -1}, "E303"),
    ({"para": True}, "E303"),
    ({"doc_id": 5}, "E303"),
    ({"doc_id": ""}, "E303"),
    ({"text": 12}, "E303"),
    ({"labels": "存在问题"}, "E303"),
    ({"roles": {"a": 1}}, "E303"),
    ({"entities": [[0, 2]]}, "E304"),
    ({"entities": [["0", 2, "UNIT"]]}, "E304"),
    ({"labels": ["问题分析"]}, "E305"),
    ({"labels": ["其他"]}, "E305"),
    ({"roles": [[0, 16, "结论"]]}, "E306"),
    ({"entities": [[5, 9, "MONEY"]]}, "E307"),
    ({"entities": [[5, 99, "AMOUNT"]]}, "E308"),
    ({"entities": [[5, 5, "AMOUNT"]]}, "E308"),
    ({"entities": [[-1, 2, "AMOUNT"]]}, "E308"),
    ({"entities": [[5, 9, "AMOUNT"], [8, 10, "UNIT"]]}, "E309"),
    ({"entities": [[5, 9, "AMOUNT"], [5, 9, "AMOUNT"]]}, "E309"),
    ({"roles": [[0, 10, "问题"], [9, 16, "原因"]]}, "E310"),
    ({"text": "  "}, "E316"),
])
def test_each_error_is_caught_with_file_and_line(changes, code):
    problems = validate_records([rec(), rec(para=1, text="另一段。", roles=[], entities=[]),
                                 rec(**{"para": 2, **changes})], "gold/d.jsonl", [1, 2, 7])
    assert code in codes(problems)
    found = next(p for p in problems if p.code == code)
    assert (found.file, found.line, found.is_error) == ("gold/d.jsonl", 7, True)
    assert str(found).startswith(f"gold/d.jsonl:7: {code} ")
    assert has_errors(problems)


def test_missing_keys_are_named():
    record = rec()
    del record["roles"], record["entities"]
    (problem,) = validate_records([record], "a.jsonl")
    assert problem.code == "E302" and "roles, entities" in problem.message


def test_not_an_object():
    assert codes(validate_records([["d", 0]], "a.jsonl")) == ["E301"]


@pytest.mark.parametrize("records, code", [
    ([rec(labels=[])], "E313"),                                   # roles outside 存在问题/建议
    ([rec(labels=["经验做法"])], "E313"),
    ([rec(labels=["存在问题", "存在问题"])], "E314"),
    ([rec(note="checked")], "E315"),
    ([rec(), rec(para=1)], "E312"),                               # same text, other para
])
def test_warnings_do_not_fail(records, code):
    problems = validate_records(records, "a.jsonl")
    assert codes(problems) == [code]
    assert not problems[0].is_error and not has_errors(problems)
    assert f": {code} warning: " in str(problems[0])


def test_duplicate_paragraph_points_at_first_line():
    problems = validate_records([rec(), rec(text="别的文字。", roles=[], entities=[])],
                                "a.jsonl", [3, 9])
    (problem,) = problems
    assert (problem.code, problem.line) == ("E311", 9) and "line 3" in problem.message


def test_adjacent_spans_do_not_overlap():
    assert find_overlaps([[0, 4, "AMOUNT"], [4, 6, "UNIT"], [6, 8, "AMOUNT"]]) == []
    assert len(find_overlaps([[0, 10, "问题"], [2, 3, "x"], [4, 5, "y"]])) == 2


def test_validate_file_reports_json_errors_with_line_numbers(tmp_path):
    path = tmp_path / "d.jsonl"
    good = json.dumps(rec(), ensure_ascii=False)
    path.write_text(f"{good}\n\n{{\"doc_id\": \n[1, 2]\n", encoding="utf-8")
    problems = validate_file(path)
    assert [(p.line, p.code) for p in problems] == [(3, "E300"), (4, "E301")]
    assert str(problems[0]).startswith(f"{path}:3: E300 not valid JSON")


def test_validate_file_not_utf8(tmp_path):
    path = tmp_path / "gbk.jsonl"
    path.write_bytes('{"text": "预算"}'.encode("gbk"))
    (problem,) = validate_file(path)
    assert problem.code == "E317" and "UTF-8" in problem.message


def test_duplicates_across_files(tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    write_label_file([rec()], a)
    write_label_file([rec(para=5, text="x。", roles=[], entities=[]), rec()], b)
    problems = validate_files([a, b])
    assert [(p.file, p.line, p.code) for p in problems] == [(str(b), 2, "E311")]
    assert str(a) in problems[0].message


def test_read_label_file_raises_with_line(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps(rec()) + "\nnot json\n", encoding="utf-8")
    with pytest.raises(LabelFileError) as info:
        read_label_file(path)
    assert info.value.code == "E300" and "line 2" in info.value.message
    with pytest.raises(LabelFileError) as info:
        read_label_file(tmp_path / "missing.jsonl")
    assert info.value.code == "E317"


def test_write_is_atomic_and_readable(tmp_path, monkeypatch):
    path = tmp_path / "d.jsonl"
    write_label_file([rec()], path)
    first = path.read_text(encoding="utf-8")
    assert first.startswith('{"doc_id": "d", "para": 0, "text": "预算执行率')  # readable Chinese
    assert read_label_file(path) == [rec()]

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(schema.os, "replace", broken_replace)
    with pytest.raises(LabelFileError) as info:
        write_label_file([rec(para=1)], path)
    assert info.value.code == "E318"
    assert path.read_text(encoding="utf-8") == first          # old file intact
    assert os.listdir(tmp_path) == ["d.jsonl"]                # no temporary file left


def test_write_keeps_contract_key_order(tmp_path):
    path = tmp_path / "d.jsonl"
    shuffled = dict(reversed(list(rec(note=1).items())))
    write_label_file([shuffled], path)
    assert list(json.loads(path.read_text(encoding="utf-8"))) == [*schema.RECORD_KEYS, "note"]


# ---------------------------------------------------------------- UTF-16 offsets
ASTRAL_TEXT = st.text(alphabet=st.sampled_from(list("预算万元a %") + ["😀", "𠀋", "🦠"]),
                      max_size=30)


@settings(max_examples=60, deadline=None)
@given(ASTRAL_TEXT)
def test_utf16_offsets_round_trip(text):
    for i in range(len(text) + 1):
        unit = to_utf16(text, i)
        assert from_utf16(text, unit) == i
        assert unit == len(text[:i].encode("utf-16-le")) // 2
    assert utf16_len(text) == len(text.encode("utf-16-le")) // 2


def test_utf16_inside_surrogate_pair_is_refused():
    text = "a😀b"
    assert has_astral(text) and from_utf16(text, 2) is None
    assert from_utf16(text, 5) is None and from_utf16("ab", 3) is None
