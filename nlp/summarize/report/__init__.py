"""The summary as JSON, an Excel workbook and a self-contained HTML page (inline CSS and SVG).

The HTML opens from disk with no network: no scripts, no external stylesheets, fonts or
images; the charts are SVG written here. ``screenshot`` renders it in headless Chromium.

The modules: :mod:`~jixiao.summarize.report.build` (the summary dict), :mod:`~jixiao.summarize.report.files`
(the report folder), :mod:`~jixiao.summarize.report.tables` (tables shared by Excel and HTML),
:mod:`~jixiao.summarize.report.excel`, :mod:`~jixiao.summarize.report.page` (HTML and SVG) and
:mod:`~jixiao.summarize.report.console` (the console table, the screenshot). Import from the package.

>>> summary = build_summary(load_documents(["tests/fixtures/summarize_docs.jsonl"]))  # doctest: +SKIP
>>> write_report(summary, "report/")  # doctest: +SKIP
{'json': PosixPath('report/summary.json'), 'xlsx': ..., 'html': ...}
"""
from __future__ import annotations

from jixiao.summarize.report.build import SCHEMA_VERSION, build_summary, indicators_by_region, summarize_files  # noqa: F401
from jixiao.summarize.report.console import (  # noqa: F401  (CHROMIUM_*: re-exported)
    CHROMIUM_FLAGS, CHROMIUM_NAMES, find_chromium, print_theme_table, screenshot,
)
from jixiao.summarize.report.excel import SHEETS, write_excel
from jixiao.summarize.report.files import FILES, summary_json, write_report
from jixiao.summarize.report.page import (  # noqa: F401  (CSS, FONT, ...: re-exported)
    CSS, FONT, HTML_LIST_LIMIT, PALETTE, render_html, svg_heatmap, svg_indicator_bars, svg_theme_bars,
    svg_year_trend,
)
from jixiao.summarize.report.tables import link_rows, quote_rows, theme_region_matrix, theme_table

__all__ = [
    "FILES", "SHEETS", "build_summary", "find_chromium", "indicators_by_region", "link_rows",
    "print_theme_table", "quote_rows", "render_html", "screenshot", "summarize_files",
    "summary_json", "svg_heatmap", "svg_indicator_bars", "svg_theme_bars", "svg_year_trend",
    "theme_region_matrix", "theme_table", "write_excel", "write_report",
]
