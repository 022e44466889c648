"""Aggregation of extraction output: rows, filters, comparators and met / not met."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from jixiao.errors import JixiaoError, UsageError
from jixiao.summarize.aggregate import (
    Filters,
    aggregate,
    indicator_rows,
    load_documents,
    parse_score,
    sentence_rows,
)

FIXTURE = Path(__file__).parent / "fixtures" / "summarize_docs.jsonl"


def _doc(doc_id="d1", region="喀什地区", year=2022, fund="职工基本医疗保险", paragraphs=(),
         indicators=()):
    return {"schema_version": 1, "doc_id": doc_id, "source": f"corpus/raw/{doc_id}.txt",
            "meta": {"region": region, "year": year, "fund": fund},
            "paragraphs": list(paragraphs), "indicators": list(indicators), "entities": []}


PARA = {
    "index": 107, "section": ["四、其他需要说明的问题", "(二) 存在问题和建议"],
    "text": "1. 基金扩面征缴难度大。一是受当前经济下行压力的影响,企业欠费的情况依然严重。下一步要推进全民参保。",
    "labels": ["存在问题", "建议"],
    "sentences": [{"start": 0, "end": 13, "role": "问题"}, {"start": 13, "end": 40, "role": "原因"},
                  {"start": 40, "end": 52, "role": "措施"}],
}
EXPERIENCE = {"index": 97, "section": "（一）主要经验及做法",
              "text": "一是健全综合内控制度。从组织机构、业务运行等方面制定内控制度。",
              "labels": ["经验做法"], "sentences": [{"start": 0, "end": 11, "role": None}]}


# ---------------------------------------------------------------------------------- rows


def test_sentence_rows_one_per_role_sentence_and_experience_paragraph():
    rows = sentence_rows(_doc(paragraphs=[PARA, EXPERIENCE]))
    assert [r.label for r in rows] == ["问题", "原因", "措施", "经验做法"]
    problem = rows[0]
    assert problem.text == "1. 基金扩面征缴难度大。"
    assert (problem.region, problem.year, problem.fund) == ("喀什地区", 2022, "职工基本医疗保险")
    assert problem.section == "四、其他需要说明的问题 > (二) 存在问题和建议"
    assert problem.paragraph == 107 and problem.source == "corpus/raw/d1.txt"
    assert rows[3].text == EXPERIENCE["text"] and rows[3].paragraph == 97


def test_sentence_rows_tolerate_missing_fields_and_bad_offsets():
    para = {"text": "预算编制不准确。", "sentences": [{"start": 0, "end": 99, "role": "问题"},
                                                  {"start": 3, "end": 3, "role": "原因"}]}
    rows = sentence_rows({"doc_id": "x", "paragraphs": [para]})
    assert [(r.text, r.region, r.year, r.paragraph) for r in rows] == \
        [("预算编制不准确。", "未知", None, 0)]


def test_filters_region_year_fund_label():
    docs = [_doc("a", "喀什地区", 2022, paragraphs=[PARA]),
            _doc("b", "张掖市", 2023, "城乡居民医疗保险", paragraphs=[PARA, EXPERIENCE])]
    assert {r.doc_id for r in aggregate(docs, Filters(region="喀什")).rows} == {"a"}
    assert {r.doc_id for r in aggregate(docs, Filters(year=2023)).rows} == {"b"}
    assert {r.doc_id for r in aggregate(docs, Filters(fund="城乡居民")).rows} == {"b"}
    only_measures = aggregate(docs, Filters(label="措施"))
    assert {r.label for r in only_measures.rows} == {"措施"}
    # the label filter narrows the table, not the context used to link causes and measures
    assert {r.label for r in only_measures.context_rows} == {"问题", "原因", "措施", "经验做法"}
    assert aggregate(docs, Filters(region="和田")).rows == []


def test_unknown_label_is_a_usage_error():
    with pytest.raises(UsageError) as err:
        Filters(label="建议")
    assert err.value.code == "E604" and "问题" in err.value.message


# ---------------------------------------------------------------------------------- values
# Parsing and judging target/actual values: tests/test_value_parse.py (jixiao.normalize).


def test_indicator_rows_carry_metadata_and_scores():
    doc = _doc(indicators=[{"paragraph": 193, "level1": "产出指标", "level2": "数量指标",
                            "name": "参保人数", "target": "≥41万人", "actual": "40.28万人",
                            "weight": "5", "score": "4.91分", "note": "偏差原因：受疫情影响"}])
    (row,) = indicator_rows(doc)
    assert row.met is False and row.met_reason == "not_met"
    assert (row.region, row.year, row.name, row.unit) == ("喀什地区", 2022, "参保人数", "人")
    assert row.target_range == "[410000, ∞) 人" and row.actual_value == "402800人"
    assert (row.weight, row.score) == ("5", "4.91")


def test_parse_score():
    assert parse_score("89.15分") == "89.15"
    assert parse_score(4.5) == "4.5"
    assert parse_score("良") == "良"


# ---------------------------------------------------------------------------------- reading


def test_load_fixture_sorted_and_deduplicated(tmp_path):
    copy = tmp_path / "again.jsonl"
    copy.write_text(FIXTURE.read_text(encoding="utf-8"), encoding="utf-8")
    res = load_documents([copy, FIXTURE])
    ids = [d["doc_id"] for d in res.documents]
    assert ids == sorted(ids) and len(ids) == 8
    assert res.duplicates == 8


def test_bad_lines_become_warnings(tmp_path):
    f = tmp_path / "x.jsonl"
    good = json.dumps(_doc(paragraphs=[PARA]), ensure_ascii=False)
    f.write_text(good + "\n{not json\n[1, 2]\n" + json.dumps({"schema_version": 9, "doc_id": "z"})
                 + "\n\n", encoding="utf-8")
    res = load_documents([f])
    assert len(res.documents) == 1
    codes = [w.split(":")[0] for w in res.warnings]
    assert codes == ["E601", "E602", "E602"]
    assert "x.jsonl:2" in res.warnings[0] and "schema_version 9" in res.warnings[2]


def test_directory_input_and_missing_file(tmp_path):
    sub = tmp_path / "runs" / "a"
    sub.mkdir(parents=True)
    (sub / "extract.jsonl").write_text(json.dumps(_doc()) + "\n", encoding="utf-8")
    assert [d["doc_id"] for d in load_documents([tmp_path]).documents] == ["d1"]
    with pytest.raises(JixiaoError) as err:
        load_documents([tmp_path / "nope.jsonl"])
    assert err.value.code == "E600"
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(UsageError) as err:
        load_documents([empty])
    assert err.value.code == "E603"
