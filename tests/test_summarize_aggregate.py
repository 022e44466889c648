"""Aggregation of extraction output: rows, filters, comparators and met / not met."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from nlp.errors import JixiaoError, UsageError
from nlp.summarize.aggregate import (
    Filters,
    aggregate,
    indicator_rows,
    judge,
    load_documents,
    parse_score,
    parse_value,
    scale_unit,
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


@pytest.mark.parametrize("text,lo,hi,unit,cmp", [
    ("≥41万人", "410000", None, "人", "≥"),
    ("≥ 41 万人", "410000", None, "人", "≥"),
    (">=719.81万人次", "7198100", None, "人次", "≥"),
    ("≤228462万元", None, "2284620000", "元", "≤"),
    ("=100%", "100", "100", "%", "="),
    (">90%", "90", None, "%", ">"),
    ("105%≤≥95%", "95", "105", "%", "range"),
    ("95%-105%", "95", "105", "%", "range"),
    ("95%≤x≤105%", "95", "105", "%", "range"),
    ("95%以上", "95", None, "%", "≥"),
    ("不低于90%", "90", None, "%", "≥"),
    ("30日以内", None, "30", "日", "≤"),
    ("１２７３２人", "12732", None, "人", "≥"),
    ("355,212 万元", "3552120000", None, "元", "≥"),
])
def test_parse_value_targets(text, lo, hi, unit, cmp):
    v = parse_value(text)
    assert v is not None
    assert v.lo == (None if lo is None else Decimal(lo))
    assert v.hi == (None if hi is None else Decimal(hi))
    assert (v.unit, v.comparator) == (unit, cmp)


@pytest.mark.parametrize("text", ["按时拨付", "90日内完成审核拨付", "每月25日前", "全年持续实施", "", None])
def test_parse_value_non_numeric(text):
    assert parse_value(text) is None


def test_target_without_comparator_reads_as_at_least_actual_as_point():
    t = parse_value("12732人")
    assert t.implicit and t.comparator == "≥"
    a = parse_value("13701人", role="actual")
    assert a.lo == a.hi == Decimal(13701)


def test_scale_unit():
    assert scale_unit("万人") == ("人", Decimal(10000))
    assert scale_unit("亿元") == ("元", Decimal(100000000))
    assert scale_unit("千克") == ("千克", Decimal(1))  # not a counting unit: left alone


@pytest.mark.parametrize("target,actual,met,reason", [
    ("≥41万人", "40.28万人", False, "not_met"),      # seed 002: 402800 < 410000
    ("105%≤≥95%", "97.75%", True, "met"),            # inside the 95..105 range
    ("105%≤≥95%", "92.1%", False, "not_met"),
    ("≥41万人", "410000人", True, "met"),            # same amount after unit scaling
    ("≥132万人次", "479.45万人次", True, "met"),
    ("≤228462万元", "210485万元", True, "met"),
    ("≥95%", "92.1%", False, "not_met"),
    ("=100%", "100", True, "met"),                   # bare actual takes the target's unit
    (">90%", ">95%", True, "met"),                   # survey result as a bound
    ("≤1%", "≤1%", True, "met"),
    (">95%", ">90%", None, "partial_overlap"),       # could be 93% or 99%
    ("12732人", "13701人", True, "met"),
    ("12732人", "12000人", False, "not_met"),
    ("≥41万人", "40.28万人次", None, "unit_mismatch"),
    ("按时报送", "按时报送", None, "non_numeric_target"),
    ("≥99%", "按时拨付", None, "non_numeric_actual"),
])
def test_judge(target, actual, met, reason):
    assert judge(parse_value(target), parse_value(actual, role="actual")) == (met, reason)


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
