"""JSONL output (durable, resumable, atomic), the error log, and the flat tables."""
from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.errors import InputError, JixiaoError, UsageError
from jixiao.io import COLUMNS, ErrorLog, JsonlWriter, parse_formats, write_tables


def _doc(n: int, **extra) -> dict:
    """A small output-contract document with Chinese text and exact money."""
    doc = {
        "schema_version": 1,
        "doc_id": f"00{n}_报告",
        "source": f"corpus/raw/00{n}_报告.txt",
        "sha256": f"{n:064x}",
        "meta": {"title": "2020年城乡居民医疗保险基金绩效评价报告", "region": "巴州和硕县", "region_code": "652828",
                 "province": "新疆维吾尔自治区", "prefecture": "巴音郭楞蒙古自治州", "county": "和硕县", "year": 2020,
                 "fund": "城乡居民医疗保险基金", "unit": "和硕县医疗保障局", "report_date": "2021-05-10",
                 "score": "89.15", "grade": "良"},
        "paragraphs": [
            {"index": 0, "section": [], "kind": "heading", "heading_level": 1, "table": None,
             "text": "一、项目概况", "labels": [], "label_scores": {}, "sentences": []},
            {"index": 1, "section": ["一、项目概况"], "kind": "text", "heading_level": None, "table": None,
             "text": "本项目预算资金8684万元，执行率96.4%。", "labels": ["经验做法", "建议"],
             "label_scores": {"经验做法": 0.81, "建议": 0.55},
             "sentences": [{"start": 0, "end": 20, "role": "措施"}]},
            {"index": 2, "section": ["一、项目概况"], "kind": "text", "heading_level": None, "table": None,
             "text": "=SUM(A1:A2) 不是公式", "labels": [], "label_scores": {}, "sentences": []},
        ],
        "entities": [
            {"paragraph": 1, "start": 7, "end": 11, "type": "AMOUNT", "text": "8684", "value": "8684",
             "unit": "万元", "value_yuan": "86840000", "comparator": None, "upper": None, "source": "rules"},
            {"paragraph": 1, "start": 15, "end": 19, "type": "AMOUNT", "text": "96.4", "value": "96.4",
             "unit": "%", "value_yuan": None, "comparator": None, "upper": None, "source": "rules"},
            {"paragraph": 1, "start": 0, "end": 4, "type": "AMOUNT", "text": "x", "value": None,
             "unit": "亿元", "value_yuan": "12345678901234567890.1234", "comparator": None, "upper": None,
             "source": "rules"},
        ],
        "indicators": [
            {"paragraph": 1, "level1": "产出指标", "level2": "数量指标", "name": "参保人数", "target": "≥12732人",
             "actual": "13701人", "weight": "5", "score": "4.91", "note": None},
        ],
    }
    doc.update(extra)
    return doc


# ------------------------------------------------------------------------------------------
# JSONL


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_jsonl_writes_one_document_per_line_with_exact_decimals(tmp_path: Path) -> None:
    out = tmp_path / "out" / "extract.jsonl"
    with JsonlWriter(out) as w:
        w.write(_doc(1, extra_money=Decimal("8.684E+7")))
        w.write(_doc(2))
        assert _doc(1)["sha256"] in w and w.written == 2
    docs = _lines(out)
    assert [d["doc_id"] for d in docs] == ["001_报告", "002_报告"]
    assert docs[0]["extra_money"] == "86840000"  # plain notation, not 8.684E+7
    assert "巴州和硕县" in out.read_text(encoding="utf-8")  # not \\u-escaped


def test_resume_skips_seen_sha256_and_appends(tmp_path: Path) -> None:
    out = tmp_path / "extract.jsonl"
    with JsonlWriter(out) as w:
        w.write(_doc(1))
    with JsonlWriter(out, resume=True) as w:
        assert w.seen_sha256() == {_doc(1)["sha256"]}
        for n in (1, 2):
            if _doc(n)["sha256"] not in w:
                w.write(_doc(n))
    assert [d["doc_id"] for d in _lines(out)] == ["001_报告", "002_报告"]


def test_resume_repairs_a_truncated_trailing_line(tmp_path: Path) -> None:
    out = tmp_path / "extract.jsonl"
    with JsonlWriter(out) as w:
        w.write(_doc(1))
    with open(out, "ab") as fh:  # a crash in the middle of writing document 2
        fh.write(json.dumps(_doc(2), ensure_ascii=False).encode("utf-8")[:57])
    with JsonlWriter(out, resume=True) as w:
        assert w.repaired_bytes == 57
        assert _doc(2)["sha256"] not in w  # so it is extracted again
        w.write(_doc(2))
    assert [d["doc_id"] for d in _lines(out)] == ["001_报告", "002_报告"]


def test_resume_on_a_file_that_is_only_a_partial_line(tmp_path: Path) -> None:
    out = tmp_path / "extract.jsonl"
    out.write_bytes(b'{"doc_id": "00')
    with JsonlWriter(out, resume=True) as w:
        assert w.seen_sha256() == set()
    assert out.read_bytes() == b""


def test_resume_refuses_a_file_that_is_not_jsonl(tmp_path: Path) -> None:
    out = tmp_path / "notes.jsonl"
    out.write_text("hello\nworld\n", encoding="utf-8")
    with pytest.raises(UsageError) as err:
        JsonlWriter(out, resume=True).open()
    assert err.value.code == "E140" and "line 1" in str(err.value) and "notes.jsonl" in str(err.value)


def test_overwrite_is_atomic_and_an_interrupted_run_can_be_resumed(tmp_path: Path) -> None:
    out = tmp_path / "extract.jsonl"
    with JsonlWriter(out) as w:
        w.write(_doc(9))
    old = out.read_bytes()

    with pytest.raises(KeyboardInterrupt):
        with JsonlWriter(out) as w:  # overwrite run, interrupted after one document
            w.write(_doc(1))
            assert out.read_bytes() == old  # readers still see the old complete file
            raise KeyboardInterrupt
    assert out.read_bytes() == old
    partial = tmp_path / ".extract.jsonl.partial"
    assert [d["doc_id"] for d in _lines(partial)] == ["001_报告"]

    with JsonlWriter(out, resume=True) as w:  # continues the interrupted overwrite
        assert _doc(1)["sha256"] in w and _doc(9)["sha256"] not in w
        w.write(_doc(2))
    assert [d["doc_id"] for d in _lines(out)] == ["001_报告", "002_报告"]
    assert not partial.exists()


def test_overwrite_replaces_on_success(tmp_path: Path) -> None:
    out = tmp_path / "extract.jsonl"
    out.write_text(json.dumps(_doc(9)) + "\n", encoding="utf-8")
    with JsonlWriter(out) as w:
        w.write(_doc(1))
    assert [d["doc_id"] for d in _lines(out)] == ["001_报告"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["extract.jsonl"]


def test_write_accepts_objects_with_to_dict(tmp_path: Path) -> None:
    class Doc:
        def to_dict(self) -> dict:
            return _doc(3)

    out = tmp_path / "o.jsonl"
    with JsonlWriter(out) as w:
        w.write(Doc())
    assert _lines(out)[0]["doc_id"] == "003_报告"


# ------------------------------------------------------------------------------------------
# error log


def test_error_log_lines(tmp_path: Path) -> None:
    path = tmp_path / "errors.jsonl"
    path.write_text("stale\n", encoding="utf-8")
    with ErrorLog(path) as log:
        log.record_error("a/旧报告.doc", InputError("E100", "unsupported format '.doc'", path="a/旧报告.doc"))
        log.record_error("b.txt", ValueError("boom"))
        assert log.count == 2
    rows = _lines(path)
    assert [r["code"] for r in rows] == ["E100", "E149"]
    assert rows[0]["source"] == "a/旧报告.doc" and rows[0]["message"] == "unsupported format '.doc'"
    assert set(rows[0]) == {"source", "code", "message", "time"} and rows[0]["time"].endswith("+00:00")
    assert "ValueError" in rows[1]["message"]


# ------------------------------------------------------------------------------------------
# tables


@pytest.fixture()
def jsonl(tmp_path: Path) -> Path:
    path = tmp_path / "extract.jsonl"
    with JsonlWriter(path) as w:
        w.write(_doc(1))
        second = _doc(2)
        second["entities"] = second["entities"][:1]
        second["indicators"] = []
        w.write(second)
    return path


EXPECTED_ROWS = {"documents": 2, "paragraphs": 6, "entities": 4, "indicators": 1, "sentences": 2}


def test_parquet_tables(jsonl: Path, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / "tables"
    result = write_tables(jsonl, out, {"parquet"})
    assert result.rows == EXPECTED_ROWS
    for table, n in EXPECTED_ROWS.items():
        t = pq.read_table(out / f"{table}.parquet")
        assert t.num_rows == n
        assert t.column_names == [c for c, _ in COLUMNS[table]]
    ents = pq.read_table(out / "entities.parquet")
    assert ents.schema.field("value_yuan").type == pa.decimal128(38, 10)
    money = ents.column("value_yuan").to_pylist()
    assert money[0] == Decimal("86840000") and money[1] is None
    assert money[2] == Decimal("12345678901234567890.1234")  # exact, 24 digits
    paras = pq.read_table(out / "paragraphs.parquet")
    assert paras.schema.field("labels").type == pa.list_(pa.string())
    assert paras.column("labels").to_pylist()[1] == ["经验做法", "建议"]
    assert paras.column("roles").to_pylist()[1] == ["措施"]
    docs = pq.read_table(out / "documents.parquet").to_pylist()
    assert docs[0]["region"] == "巴州和硕县" and docs[0]["year"] == 2020 and docs[0]["score"] == 89.15
    assert docs[0]["n_entities"] == 3 and docs[1]["n_indicators"] == 0
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temp files left


def test_xlsx_workbook(jsonl: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "tables"
    write_tables(jsonl, out, {"xlsx"}, lang="en")
    wb = load_workbook(out / "extract.xlsx")
    assert wb.sheetnames == ["documents", "paragraphs", "entities", "indicators", "sentences"]
    for table, n in EXPECTED_ROWS.items():
        ws = wb[table]
        header = [c.value for c in ws[1]]
        assert header == [c for c, _ in COLUMNS[table]]
        assert ws.max_row == n + 1
        assert all(c.font.bold for c in ws[1])
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}{n + 1}"
        assert ws.column_dimensions["A"].width >= 8
    ents = wb["entities"]
    col = [c.value for c in ents[1]].index("value_yuan") + 1
    assert ents.cell(2, col).value == 86840000 and isinstance(ents.cell(2, col).value, (int, float))
    assert ents.cell(4, col).value == "12345678901234567890.1234"  # a double cannot hold it: text
    paras = wb["paragraphs"]
    text_col = [c.value for c in paras[1]].index("text") + 1
    labels_col = [c.value for c in paras[1]].index("labels") + 1
    assert paras.cell(3, labels_col).value == "经验做法|建议"
    formula_like = paras.cell(4, text_col)
    assert formula_like.value == "=SUM(A1:A2) 不是公式" and formula_like.data_type == "s"


def test_csv_tables(jsonl: Path, tmp_path: Path) -> None:
    out = tmp_path / "tables"
    write_tables(jsonl, out, ["csv"], lang="en")
    for table, n in EXPECTED_ROWS.items():
        raw = (out / f"{table}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # BOM for Excel
        rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
        assert rows[0] == [c for c, _ in COLUMNS[table]]
        assert len(rows) == n + 1
    ents = list(csv.DictReader((out / "entities.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert ents[0]["value_yuan"] == "86840000" and ents[2]["value_yuan"] == "12345678901234567890.1234"
    paras = list(csv.DictReader((out / "paragraphs.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert paras[1]["labels"] == "经验做法|建议" and paras[1]["section"] == "一、项目概况"


def test_all_formats_at_once(jsonl: Path, tmp_path: Path) -> None:
    out = tmp_path / "tables"
    result = write_tables(jsonl, out, "parquet,xlsx,csv".split(","))
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{t}.parquet" for t in EXPECTED_ROWS] + [f"{t}.csv" for t in EXPECTED_ROWS] + ["extract.xlsx"]
    )
    assert len(result.paths) == 11


@pytest.mark.parametrize("value_yuan", ["八千万", "0.00000000001", "NaN"])
def test_bad_value_writes_nothing(tmp_path: Path, value_yuan: str) -> None:
    path = tmp_path / "extract.jsonl"
    bad = _doc(1)
    bad["entities"][0]["value_yuan"] = value_yuan
    with JsonlWriter(path) as w:
        w.write(bad)
    out = tmp_path / "tables"
    with pytest.raises(JixiaoError) as err:
        write_tables(path, out, {"parquet", "csv", "xlsx"})
    assert err.value.code == "E143" and "value_yuan" in str(err.value) and ":1" in str(err.value)
    assert list(out.iterdir()) == []  # neither final nor temporary files


def test_parse_formats() -> None:
    assert {f.value for f in parse_formats(["parquet,xlsx", "csv", "jsonl"])} == {"parquet", "xlsx", "csv"}
    with pytest.raises(UsageError) as err:
        parse_formats(["xls"])
    assert err.value.code == "E141" and "parquet" in err.value.message and err.value.exit_code == 2


# ------------------------------------------------------------------------------------------
# analyst columns: the document's place, year and fund on every row; scores and roles as columns/rows


def test_every_table_carries_the_document_meta(jsonl: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "tables"
    write_tables(jsonl, out, {"parquet"})
    for table in EXPECTED_ROWS:
        rows = pq.read_table(out / f"{table}.parquet").to_pylist()
        assert rows, table
        for r in rows:
            assert (r["region"], r["province"], r["region_code"], r["year"], r["fund"]) == (
                "巴州和硕县", "新疆维吾尔自治区", "652828", 2020, "城乡居民医疗保险基金"), table
    docs = pq.read_table(out / "documents.parquet").to_pylist()
    assert (docs[0]["prefecture"], docs[0]["county"], docs[0]["n_sentences"]) == ("巴音郭楞蒙古自治州", "和硕县", 1)


def test_label_scores_are_columns_and_role_sentences_a_table(jsonl: Path, tmp_path: Path) -> None:
    out = tmp_path / "tables"
    write_tables(jsonl, out, ["csv"], lang="en")
    paras = list(csv.DictReader((out / "paragraphs.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert "label_scores" not in paras[0] and "sentences" not in paras[0]
    assert (paras[1]["score_经验做法"], paras[1]["score_建议"], paras[1]["score_存在问题"]) == ("0.81", "0.55", "")
    sents = list(csv.DictReader((out / "sentences.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert [(s["doc_id"], s["paragraph"], s["role"], s["province"]) for s in sents] == [
        ("001_报告", "1", "措施", "新疆维吾尔自治区"), ("002_报告", "1", "措施", "新疆维吾尔自治区")]
    assert sents[0]["text"] == "本项目预算资金8684万元，执行率96.4%。"[0:20]  # cut from the paragraph by start/end


def test_chinese_headers_by_default_and_english_on_request(jsonl: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from jixiao.io.writers import check_lang, header

    write_tables(jsonl, tmp_path / "zh", ["csv", "xlsx"])
    wb = load_workbook(tmp_path / "zh" / "extract.xlsx")
    assert wb.sheetnames == ["文档", "段落", "实体", "指标", "角色句"]
    head = [c.value for c in wb["指标"][1]]
    assert head[:6] == ["文档编号", "地区", "省份", "区划代码", "年度", "资金/项目"] and "指标名称" in head
    assert [c.value for c in wb["段落"][1]].count("经验做法_概率") == 1
    rows = list(csv.reader((tmp_path / "zh" / "documents.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][:2] == ["文档编号", "源文件"] and "评价得分" in rows[0]
    assert header("indicators", "a_new_column") == "a_new_column"  # no Chinese name yet: the English one
    with pytest.raises(UsageError) as err:
        check_lang("fr")
    assert err.value.code == "E146" and err.value.exit_code == 2
