"""Write results: the JSON Lines output contract, the error log, and flat tables for analysts.

Codes E140–E149. Money (``value_yuan``) stays exact end to end: a Decimal string in JSON, a
``decimal128(38, 10)`` column in Parquet, the same string in CSV, and an Excel number only where
the double holds it exactly (otherwise the exact text).

The writers live in their own modules; this one gathers their names under the old path:
:mod:`jixiao.io.durable` (file modes, fsync, E142), :mod:`jixiao.io.jsonl` (:class:`JsonlWriter`,
:func:`jsonl_records`), :mod:`jixiao.io.errorlog` (:class:`ErrorLog`) and :mod:`jixiao.io.tables`
(:func:`write_tables` and the table layout).
"""
from jixiao.errors import (  # noqa: F401  (re-exported: the names this module always had)
    E_EXCEL_ROWS, E_NOT_OUTPUT, E_OUTPUT_CONTRACT, E_OUTPUT_WRITE, E_TABLE_FORMAT, E_TABLE_LANG, E_UNEXPECTED,
    JixiaoError, UsageError,
)
from jixiao.io.durable import chmod_like_new_file, current_umask, fsync_dir, write_error  # noqa: F401
from jixiao.io.errorlog import ErrorLog
from jixiao.io.jsonl import JsonlWriter, dumps, iter_json_lines, jsonl_records  # noqa: F401
from jixiao.io.tables.columns import (  # noqa: F401
    COLUMNS, DEFAULT_LANG, HEADERS_ZH, LABEL_SCORE_COLUMNS, LIST_SEPARATOR, MONEY_SCALE, ROW_META, SHEET_NAMES_ZH,
    TABLE_LANGS, TABLE_NAMES, XLSX_NAME, check_lang, header, sheet_name,
)
from jixiao.io.tables.write import TableFormat, TablesResult, parse_formats, write_tables

__all__ = [
    "COLUMNS",
    "DEFAULT_LANG",
    "ErrorLog",
    "JsonlWriter",
    "MONEY_SCALE",
    "ROW_META",
    "TABLE_LANGS",
    "TABLE_NAMES",
    "TableFormat",
    "TablesResult",
    "check_lang",
    "header",
    "parse_formats",
    "sheet_name",
    "write_tables",
]
