"""Report outputs: deterministic JSON, self-contained HTML, Excel sheets, CLI, screenshot."""
from __future__ import annotations

import json
import re
import shutil
import struct
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from jixiao.cli import app as jixiao_app
from jixiao.summarize.aggregate import Filters, LoadResult
from jixiao.summarize.report import (
    SHEETS,
    build_summary,
    find_chromium,
    render_html,
    screenshot,
    summarize_files,
    summary_json,
    write_report,
)
from jixiao.summarize.themes import ThemeConfig

FIXTURE = Path(__file__).parent / "fixtures" / "summarize_docs.jsonl"


@pytest.fixture(scope="module")
def summary():
    return summarize_files([FIXTURE])


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory, summary):
    out = tmp_path_factory.mktemp("report")
    write_report(summary, out)
    return out


def test_json_is_byte_identical_for_the_same_input(summary, tmp_path):
    again = summarize_files([FIXTURE])
    assert summary_json(again) == summary_json(summary)
    a, b = tmp_path / "a", tmp_path / "b"
    write_report(summary, a)
    write_report(again, b)
    assert (a / "summary.json").read_bytes() == (b / "summary.json").read_bytes()
    assert (a / "summary.html").read_bytes() == (b / "summary.html").read_bytes()


def test_summary_counts_and_contents(summary):
    c = summary["counts"]
    assert c["documents"] == 8 and c["regions"] == 6
    assert c["years"] == ["2018", "2019", "2021", "2022", "2023"]
    assert c["themed_sentences"] + c["outliers"] == c["subject_sentences"] > 20
    assert c["indicators_not_met"] == 5
    assert c["single_document_themes"] >= 1
    assert {r["region"] for r in summary["indicators_by_region"]} >= {"喀什地区", "和田地区"}
    kashi = next(r for r in summary["indicators_by_region"] if r["region"] == "喀什地区")
    assert kashi["not_met"] == 3
    labels = {r["label"] for r in summary["rows"]}
    assert labels == {"问题", "原因", "措施", "经验做法"}
    json.loads(summary_json(summary))


def test_filters_reach_the_summary():
    s = summarize_files([FIXTURE], Filters(region="喀什地区"), ThemeConfig(min_theme_size=1))
    assert {d["region"] for d in s["documents"]} == {"喀什地区"}
    assert {r["region"] for r in s["theme_region_year"]} == {"喀什地区"}
    assert s["outliers"]["sentences"] == 0
    assert s["filters"]["region"] == "喀什地区"


def test_html_is_self_contained(report_dir, summary):
    page = (report_dir / "summary.html").read_text(encoding="utf-8")
    assert not re.search(r"https?://", page)
    assert not re.search(r"<(script|link|img|iframe)\b", page)
    assert not re.search(r"(src|href)\s*=", page)
    assert "@import" not in page and "url(" not in page
    assert page.count("<svg") == 4       # bars, heat map, year trend, indicator misses
    for heading in ("主题一览", "主题频次", "地区 × 主题", "年度趋势", "指标目标与实际", "其他/outliers"):
        assert heading in page
    first = summary["themes"][0]
    assert first["quotes"][0]["file"] in page and first["id"] in page


def test_html_without_year_spread_has_no_trend_and_empty_input_renders():
    one_year = summarize_files([FIXTURE], Filters(year=2022))
    assert "年度趋势" not in render_html(one_year)
    empty = render_html(build_summary(LoadResult(documents=[])))
    assert "没有可聚类的问题句" in empty and "http" not in empty


def test_excel_has_the_tables(report_dir, summary):
    import openpyxl

    wb = openpyxl.load_workbook(report_dir / "summary.xlsx", read_only=True)
    assert tuple(wb.sheetnames) == SHEETS
    themes = list(wb["themes"].iter_rows(values_only=True))
    assert themes[0][:4] == ("theme", "name", "keywords", "sentences")
    assert len(themes) == len(summary["themes"]) + 2          # header + themes + outliers
    inds = list(wb["indicators"].iter_rows(values_only=True))
    met_col = inds[0].index("met")
    assert sum(1 for r in inds[1:] if r[met_col] is False) == 5
    assert len(list(wb["theme_region_year"].iter_rows())) == len(summary["theme_region_year"]) + 1


def test_cli_writes_the_three_files_and_prints_the_table(tmp_path):
    app = jixiao_app
    out = tmp_path / "report"
    res = CliRunner().invoke(app, ["summarize", str(FIXTURE), "-o", str(out), "--year", "2022",
                                   "--min-theme-size", "2", "--threshold", "0.8"])
    assert res.exit_code == 0, res.output
    assert {p.name for p in out.iterdir()} == {"summary.html", "summary.xlsx", "summary.json"}
    assert "主题" in res.output and "T01" in res.output
    data = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert data["filters"]["year"] == 2022 and data["config"]["threshold"] == 0.8
    bad = CliRunner().invoke(app, ["summarize", str(FIXTURE), "--label", "建议"])
    assert bad.exit_code == 2


@pytest.mark.skipif(find_chromium() is None,
                    reason="chromium not installed (apt-get install -y chromium)")
def test_screenshot_in_headless_chromium(report_dir, tmp_path):
    png = screenshot(report_dir / "summary.html", tmp_path / "summary.png", height=1600)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 1600)
    assert len(data) > 50_000      # a blank page compresses to a few KB


@pytest.mark.skipif(shutil.which("bash") is None or find_chromium() is None,
                    reason="chromium not installed (apt-get install -y chromium)")
def test_screenshot_script(report_dir, tmp_path):
    import subprocess

    script = Path(__file__).resolve().parents[1] / "scripts" / "screenshot_report.sh"
    png = tmp_path / "s.png"
    proc = subprocess.run(["bash", str(script), str(report_dir / "summary.html"), str(png),
                           "1280,900"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert png.stat().st_size > 20_000
