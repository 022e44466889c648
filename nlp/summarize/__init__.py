"""Aggregate extraction output across documents and summarise recurring problems.

Three layers, each usable on its own:

- :mod:`jixiao.summarize.aggregate` reads ``jixiao extract`` JSON Lines into long tables
  (one row per 问题/原因/措施 sentence and per 经验做法 paragraph; one row per indicator with a
  parsed met / not met, values read by :func:`jixiao.normalize.parse_value`) and filters them.
- :mod:`jixiao.summarize.themes` groups 问题 sentences into themes (jieba + TF-IDF + agglomerative
  clustering with a cosine threshold), names them with class-based TF-IDF keywords and attaches
  causes and measures.
- :mod:`jixiao.summarize.report` writes the summary as JSON, an Excel workbook and a self-contained
  HTML page with inline SVG charts.

>>> from jixiao.summarize import summarize_files  # doctest: +SKIP
>>> summary = summarize_files(["out/extract.jsonl"])  # doctest: +SKIP
"""
from __future__ import annotations

from jixiao.normalize import parse_value, value_interval
from jixiao.summarize.aggregate import (
    Filters,
    IndicatorRow,
    SentenceRow,
    aggregate,
    load_documents,
)
from jixiao.summarize.report import build_summary, summarize_files, write_report
from jixiao.summarize.themes import ThemeConfig, build_themes

__all__ = [
    "Filters",
    "IndicatorRow",
    "SentenceRow",
    "ThemeConfig",
    "aggregate",
    "build_summary",
    "build_themes",
    "load_documents",
    "parse_value",
    "summarize_files",
    "value_interval",
    "write_report",
]
