"""Round trips through doccano and Label Studio: lossless, UTF-16 offsets, several annotators."""
from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from jixiao.errors import LabelFileError
from jixiao.labels.convert import (
    OffsetUnit, ToolFormat, doccano_label_config, export_records, from_doccano, from_labelstudio,
    import_file, labelstudio_config, resolve_span, to_doccano, to_labelstudio, write_versions,
)
from jixiao.labels.schema import ENTITY_TYPES, PARAGRAPH_LABELS, ROLES, read_label_file

SAMPLE = Path(__file__).parent / "fixtures" / "labels_sample.jsonl"


@pytest.fixture()
def records() -> list[dict]:
    return read_label_file(SAMPLE)


def through_json(value):
    """What a file written and read back gives (tuples become lists, ints stay ints)."""
    return json.loads(json.dumps(value, ensure_ascii=False))


def messages_with(result, code):
    return [m for m in result.messages if m.code == code]


# ---------------------------------------------------------------- doccano
@pytest.mark.parametrize("unit", list(OffsetUnit))
def test_doccano_round_trip_is_exact(records, unit):
    rows = through_json(to_doccano(records, unit=unit))
    result = from_doccano(rows, "dc.jsonl", unit=unit)
    assert result.records == records
    assert result.messages == []


def test_doccano_writes_utf16_offsets(records):
    row = to_doccano(records)[2]            # 😀 sits inside the 原因 role
    text = row["text"]
    units = text.encode("utf-16-le")
    for start, end, _ in row["label"]:
        assert units[2 * start:2 * end].decode("utf-16-le") in text
    原因 = next(span for span in row["label"] if span[2] == "原因")
    assert 原因[1] == records[2]["roles"][1][1] + 1      # one emoji: one extra code unit
    assert row["cats"] == ["存在问题", "建议"]
    assert (row["doc_id"], row["para"]) == ("000_seed", 2)


def test_doccano_accepts_documented_variants():
    rows = [
        # older export: "labels" key, doccano's own id, metadata in "meta"
        {"id": 7, "text": "预算执行率96.4%", "labels": [[5, 9, "AMOUNT"], [9, 10, "UNIT"]],
         "meta": {"doc_id": "d", "para": 3}, "annotation_approver": None, "Comments": []},
        # "data" as text key, spans as objects (relation projects), cats as categories
        {"data": "建议加强管理", "entities": [{"id": 1, "label": "措施", "start_offset": 0,
                                            "end_offset": 6}],
         "cats": ["建议"], "doc_id": "d", "para": 4},
        # a text-classification export: "label" holds category names
        {"text": "一是健全制度。", "label": ["经验做法"], "doc_id": "d", "para": 5},
        # a paragraph label marked as a span in a sequence-labelling project
        {"text": "存储空间不够。", "label": [[0, 2, "存在问题"], [0, 7, "问题"]],
         "doc_id": "d", "para": 6},
    ]
    result = from_doccano(rows, "dc.jsonl")
    assert result.messages == []
    assert result.records == [
        {"doc_id": "d", "para": 3, "text": "预算执行率96.4%", "labels": [], "roles": [],
         "entities": [[5, 9, "AMOUNT"], [9, 10, "UNIT"]]},
        {"doc_id": "d", "para": 4, "text": "建议加强管理", "labels": ["建议"],
         "roles": [[0, 6, "措施"]], "entities": []},
        {"doc_id": "d", "para": 5, "text": "一是健全制度。", "labels": ["经验做法"], "roles": [],
         "entities": []},
        {"doc_id": "d", "para": 6, "text": "存储空间不够。", "labels": ["存在问题"],
         "roles": [[0, 7, "问题"]], "entities": []},
    ]


def test_doccano_refuses_bad_spans_and_goes_on():
    rows = [{"text": "😀万元", "label": [[1, 3, "UNIT"], [2, 4, "UNIT"], [0, 9, "AMOUNT"],
                                        [2, 4, "MONEY"]], "doc_id": "d", "para": 0},
            {"doc_id": "d", "para": 1}]
    result = from_doccano(rows, "dc.jsonl", line_numbers=[4, 5])
    # [2, 4] in UTF-16 is 万元; [1, 3] starts inside the emoji; [0, 9] is past the end
    assert result.records[0]["entities"] == [[1, 3, "UNIT"]]
    refused = messages_with(result, "E321")
    assert len(refused) == 2 and all(str(m).startswith("dc.jsonl: line 4: E321") for m in refused)
    assert messages_with(result, "E323")[0].where == "line 4"           # MONEY unknown
    assert messages_with(result, "E327")[0].where == "line 5"           # no text
    assert result.has_errors


def test_doccano_several_annotators_last_wins_or_chosen():
    a = {"doc_id": "d", "para": 0, "text": "存储空间不够。", "label": [[0, 7, "问题"]],
         "cats": ["存在问题"], "username": "alice"}
    b = {**a, "label": [], "cats": [], "username": "bob"}
    result = from_doccano([a, b], "dc.jsonl")
    assert [r["labels"] for r in result.records] == [[]]                # bob: last in file
    assert len(result.versions) == 2 and [v.imported for v in result.versions] == [False, True]
    note = messages_with(result, "E326")[0]
    assert "imported bob" in note.message and not note.is_error
    chosen = from_doccano([a, b], "dc.jsonl", annotator="alice")
    assert chosen.records[0]["roles"] == [[0, 7, "问题"]]


# ---------------------------------------------------------------- Label Studio
@pytest.mark.parametrize("minimal", [False, True])
def test_labelstudio_round_trip_is_exact(records, minimal):
    tasks = through_json(to_labelstudio(records, minimal=minimal))
    result = from_labelstudio(tasks, "ls.json")
    assert result.records == records
    assert result.messages == []


def test_labelstudio_writes_utf16_offsets_and_span_text(records):
    task = to_labelstudio([records[4]])[0]                  # starts with 𠀋 (CJK Ext. B)
    text = task["data"]["text"]
    units = text.encode("utf-16-le")
    spans = [r["value"] for r in task["annotations"][0]["result"]]
    assert spans and all(units[2 * v["start"]:2 * v["end"]].decode("utf-16-le") == v["text"]
                         for v in spans)
    assert spans[0]["start"] == records[4]["entities"][0][0] + 1
    assert {r["from_name"] for r in task["annotations"][0]["result"]} == {"entity"}


def test_labelstudio_export_shapes(records):
    full = to_labelstudio(records)[2]
    assert full["data"] == {"text": records[2]["text"], "doc_id": "000_seed", "para": 2}
    results = full["annotations"][0]["result"]
    assert results[0] == {"id": results[0]["id"], "from_name": "para_label", "to_name": "text",
                          "type": "choices", "value": {"choices": ["存在问题", "建议"]}}
    assert {r["type"] for r in results[1:]} == {"labels"}
    minimal = to_labelstudio(records, minimal=True)
    assert minimal[3]["para_label"] == "经验做法"                           # one choice: a string
    assert minimal[2]["para_label"] == {"choices": ["存在问题", "建议"]}     # several: an object
    assert "entity" not in minimal[1] and "para_label" not in minimal[1]
    assert to_labelstudio(records) == to_labelstudio(records)              # stable ids


def test_labelstudio_accepts_code_point_offsets():
    # a tool that counts code points: 万元 after the emoji is [1, 3], not UTF-16 [2, 4]
    item = {"id": 1, "text": "😀万元", "doc_id": "d", "para": 0,
            "entity": [{"start": 1, "end": 3, "text": "万元", "labels": ["UNIT"]}]}
    result = from_labelstudio([item], "ls.json")
    assert result.records[0]["entities"] == [[1, 3, "UNIT"]] and result.messages == []


def test_ambiguous_offsets_follow_the_unit_the_other_spans_show():
    text = "😀一一万元"      # code points: 一 1, 一 2, 万元 3-5; UTF-16: 一 2, 一 3, 万元 4-6
    ambiguous = {"start": 2, "end": 3, "text": "一", "labels": ["AMOUNT"]}  # both units fit

    def imported(unit_span):
        item = {"id": 1, "text": text, "doc_id": "d", "para": 0,
                "entity": [ambiguous, unit_span]}
        result = from_labelstudio([item], "ls.json")
        assert result.messages == []
        return result.records[0]["entities"]

    utf16 = imported({"start": 4, "end": 6, "text": "万元", "labels": ["UNIT"]})
    assert utf16 == [[1, 2, "AMOUNT"], [3, 5, "UNIT"]]
    code_points = imported({"start": 3, "end": 5, "text": "万元", "labels": ["UNIT"]})
    assert code_points == [[2, 3, "AMOUNT"], [3, 5, "UNIT"]]
    assert resolve_span("😀预算😀预算", 6, 8, "预算") == (4, 6, "utf16")


def test_labelstudio_reanchors_or_refuses_with_clear_messages():
    text = "绩效目标编制不全面，考核指标有待完善。"
    task = {"id": 42, "data": {"text": text, "doc_id": "d", "para": 9},
            "annotations": [{"id": 1, "result": [
                {"from_name": "entity", "to_name": "text", "type": "labels",
                 "value": {"start": 0, "end": 4, "text": "考核指标", "labels": ["INDICATOR"]}},
                {"from_name": "entity", "to_name": "text", "type": "labels",
                 "value": {"start": 3, "end": 6, "text": "得分率", "labels": ["INDICATOR"]}},
                {"from_name": "role", "to_name": "text", "type": "labels",
                 "value": {"start": 0, "end": 9, "text": "绩效目标编制不全面", "labels": ["问题"]}},
                {"from_name": "mood", "to_name": "text", "type": "rating", "value": {"rating": 3}},
            ]}]}
    result = from_labelstudio([task], "project-1.json")
    record = result.records[0]
    assert record["entities"] == [[10, 14, "INDICATOR"]]            # re-anchored
    assert record["roles"] == [[0, 9, "问题"]]
    moved, refused = messages_with(result, "E322")[0], messages_with(result, "E321")[0]
    assert not moved.is_error and "[10, 14]" in moved.message
    assert str(refused).startswith("project-1.json: task 42: E321 span '得分率' [3, 6]")
    assert messages_with(result, "E323")[0].severity == "warning"   # the rating is ignored


def test_labelstudio_several_annotators(records):
    record = records[2]
    other = copy.deepcopy(record)
    other["labels"], other["roles"] = ["存在问题"], other["roles"][:2]
    full = to_labelstudio([record])[0]
    older = to_labelstudio([other])[0]["annotations"][0]
    full["annotations"][0].update(id=11, completed_by={"id": 3, "email": "li@example.cn"},
                                  created_at="2024-05-01T08:00:00Z",
                                  updated_at="2024-05-03T09:30:00.123456Z")
    older.update(id=12, completed_by=5, created_at="2024-05-02T08:00:00Z",
                 updated_at="2024-05-02T10:00:00Z")
    cancelled = {"id": 13, "completed_by": 6, "was_cancelled": True, "result": [],
                 "updated_at": "2024-06-01T00:00:00Z"}
    full["annotations"] += [older, cancelled]
    tasks = through_json([full])

    latest = from_labelstudio(tasks, "ls.json")
    assert latest.records == [record]                                # updated last: li
    assert [(v.annotator, v.imported) for v in latest.versions] == [("li@example.cn", True),
                                                                     ("5", False)]
    assert latest.versions[1].record == other                        # the other one is kept
    note = messages_with(latest, "E326")[0]
    assert "2 annotations" in note.message and "imported li@example.cn" in note.message

    assert from_labelstudio(tasks, "ls.json", annotator="5").records == [other]
    assert from_labelstudio(tasks, "ls.json", annotator="3").records == [record]   # by user id
    nobody = from_labelstudio(tasks, "ls.json", annotator="6")       # only a cancelled one
    assert nobody.records == [] and messages_with(nobody, "E324")


def test_labelstudio_min_several_annotators(records):
    a, b = through_json(to_labelstudio([records[5]], minimal=True) * 2)
    b.pop("entity")
    a.update(annotator="wang@example.cn", annotation_id=1, created_at="2024-01-02T00:00:00Z")
    b.update(annotator="zhao@example.cn", annotation_id=2, created_at="2024-01-01T00:00:00Z")
    result = from_labelstudio([a, b], "min.json")
    assert result.records == [records[5]]
    assert list(result.multi_annotated()) == ["task 1"]
    assert from_labelstudio([a, b], "min.json",
                            annotator="zhao@example.cn").records[0]["entities"] == []


def test_labelstudio_skips_tasks_without_submitted_annotation(records):
    task = to_labelstudio([records[0]])[0]
    task["predictions"] = task.pop("annotations")
    result = from_labelstudio([task], "ls.json")
    assert result.records == []
    (note,) = messages_with(result, "E325")
    assert "only predictions" in note.message and not note.is_error


def test_labelstudio_unknown_choice_and_missing_meta():
    item = {"text": "加强预算绩效管理。", "para_label": {"choices": ["建议", "好评"]}}
    result = from_labelstudio([item], "tasks.json")
    assert result.records[0]["labels"] == ["建议"]
    assert result.records[0]["doc_id"] == "tasks" and result.records[0]["para"] == 0
    assert messages_with(result, "E323") and messages_with(result, "E328")


# ---------------------------------------------------------------- files and configs
@pytest.mark.parametrize("fmt", list(ToolFormat))
def test_file_round_trip(tmp_path, records, fmt):
    path = tmp_path / "out"
    assert export_records(records, fmt, path) == len(records)
    result = import_file(path, fmt)
    assert result.records == records and result.messages == []


def test_versions_side_file(tmp_path):
    a = {"doc_id": "d", "para": 0, "text": "存储空间不够。", "label": [], "username": "a"}
    result = from_doccano([a, {**a, "username": "b"}], "dc.jsonl")
    path = tmp_path / "side.jsonl"
    assert write_versions(result, path) == 2
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(x["annotator"], x["imported"]) for x in lines] == [("a", False), ("b", True)]
    assert lines[0]["record"]["text"] == "存储空间不够。"


def test_export_refuses_clashing_extra_keys(records):
    with pytest.raises(LabelFileError) as info:
        to_doccano([{**records[0], "cats": ["x"]}])
    assert info.value.code == "E329"
    assert to_doccano([{**records[0], "source": "seed"}])[0]["source"] == "seed"
    assert from_doccano(to_doccano([{**records[0], "source": "seed"}])).records[0]["source"] \
        == "seed"


def test_labelstudio_config_matches_export_names():
    root = ET.fromstring(labelstudio_config())
    controls = {el.get("name"): el for el in root if el.get("toName")}
    assert set(controls) == {"entity", "role", "para_label"}
    assert [l.get("value") for l in controls["entity"]] == list(ENTITY_TYPES)
    assert [l.get("value") for l in controls["role"]] == list(ROLES)
    assert [c.get("value") for c in controls["para_label"]] == list(PARAGRAPH_LABELS)
    assert controls["para_label"].get("choice") == "multiple"
    assert root.find("Text").get("value") == "$text"


def test_doccano_label_config_has_every_name():
    names = [d["text"] for d in doccano_label_config()]
    assert names == [*ENTITY_TYPES, *ROLES, *PARAGRAPH_LABELS]
    keys = [d["suffix_key"] for d in doccano_label_config()]
    assert len(set(keys)) == len(keys)


# ---------------------------------------------------------------- property: any valid record
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

TEXT = st.text(alphabet=st.sampled_from(list("预算执行率万元%。，12") + ["😀", "𠀋", "🦠", "\t", " "]),
               min_size=1, max_size=24)


@st.composite
def label_records(draw) -> dict:
    text = draw(TEXT)
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), max_size=6)))

    def flat_spans(names) -> list[list]:
        pairs = [(a, b) for a, b in zip(cuts, cuts[1:])]
        chosen = draw(st.lists(st.sampled_from(pairs), unique=True)) if pairs else []
        return [[a, b, draw(st.sampled_from(names))] for a, b in sorted(chosen)]

    return {"doc_id": draw(st.sampled_from(["000_a", "001_b"])), "para": draw(st.integers(0, 99)),
            "text": text, "labels": draw(st.lists(st.sampled_from(PARAGRAPH_LABELS), unique=True)),
            "roles": flat_spans(ROLES), "entities": flat_spans(ENTITY_TYPES)}


@settings(max_examples=60, deadline=None)
@given(st.lists(label_records(), min_size=1, max_size=3,
                unique_by=lambda r: (r["doc_id"], r["para"])))
def test_any_record_survives_every_format(records):
    records = through_json(records)
    assert from_doccano(through_json(to_doccano(records))).records == records
    for minimal in (False, True):
        result = from_labelstudio(through_json(to_labelstudio(records, minimal=minimal)))
        assert result.records == records
        assert not result.has_errors


@pytest.mark.parametrize("written, declared", [(ToolFormat.DOCCANO, ToolFormat.LABELSTUDIO),
                                               (ToolFormat.LABELSTUDIO, ToolFormat.DOCCANO)])
def test_import_names_the_right_format(tmp_path, records, written, declared):
    path = tmp_path / "export"
    export_records(records, written, path)
    with pytest.raises(LabelFileError) as info:
        import_file(path, declared)
    assert info.value.code == "E320" and f"--from {written.value}" in info.value.message
