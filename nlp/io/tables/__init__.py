"""Flat tables for analysts: documents, paragraphs, entities, indicators and role sentences, as Parquet,
CSV and Excel.

Money (``value_yuan``) stays exact end to end: a Decimal string in JSON, a ``decimal128(38, 10)``
column in Parquet, the same string in CSV, and an Excel number only where the double holds it
exactly (otherwise the exact text). Modules: columns (layout, headers), rows (a document's rows,
coerced), sinks (one writer per format), write (``write_tables``).
"""
from jixiao.io.tables.columns import (
    COLUMNS, DEFAULT_LANG, HEADERS_ZH, LABEL_SCORE_COLUMNS, LIST_SEPARATOR, META_COLUMNS, MONEY_SCALE, ROW_META,
    SHEET_NAMES_ZH, TABLE_LANGS, TABLE_NAMES, XLSX_NAME, check_lang, header, sheet_name,
)
from jixiao.io.tables.write import TableFormat, TablesResult, parse_formats, write_tables

__all__ = [
    "COLUMNS", "DEFAULT_LANG", "HEADERS_ZH", "LABEL_SCORE_COLUMNS", "LIST_SEPARATOR", "META_COLUMNS", "MONEY_SCALE",
    "ROW_META", "SHEET_NAMES_ZH", "TABLE_LANGS", "TABLE_NAMES", "TableFormat", "TablesResult", "XLSX_NAME",
    "check_lang", "header", "parse_formats", "sheet_name", "write_tables",
]
