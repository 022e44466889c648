"""``write_tables``: flatten the output JSONL into the tables, in the formats asked for."""
from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from jixiao.errors import E_OUTPUT_CONTRACT, E_TABLE_FORMAT, UsageError
from jixiao.io.durable import fsync_dir, write_error
from jixiao.io.jsonl import iter_json_lines
from jixiao.io.tables.columns import DEFAULT_LANG, TABLE_NAMES, check_lang
from jixiao.io.tables.rows import document_rows
from jixiao.io.tables.sinks import CsvSink, ParquetSink, Sink, XlsxSink


class TableFormat(str, Enum):
    """Formats ``write_tables`` can produce."""

    parquet = "parquet"
    xlsx = "xlsx"
    csv = "csv"


@dataclass
class TablesResult:
    """What ``write_tables`` wrote: file paths and row counts per table."""

    paths: list[Path] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=lambda: {t: 0 for t in TABLE_NAMES})


def parse_formats(values: Iterable[str]) -> set[TableFormat]:
    """Formats from user strings (comma lists allowed); UsageError E141 lists the valid ones.

    >>> sorted(f.value for f in parse_formats(["xlsx,parquet"]))
    ['parquet', 'xlsx']
    """
    out: set[TableFormat] = set()
    for value in values:
        for part in str(value).split(","):
            part = part.strip().lower()
            if not part or part == "jsonl":
                continue
            try:
                out.add(TableFormat(part))
            except ValueError:
                valid = ", ".join(f.value for f in TableFormat)
                raise UsageError(E_TABLE_FORMAT, f"unknown table format '{part}'; choose from: jsonl, {valid}") from None
    return out


def write_tables(
    jsonl_path: str | os.PathLike[str], out_dir: str | os.PathLike[str], formats: Iterable[str | TableFormat],
    lang: str = DEFAULT_LANG,
) -> TablesResult:
    """Flatten the output JSONL into documents/paragraphs/entities/indicators/sentences tables.

    Every row of every table repeats the document's region, province, region_code, year and fund; paragraph label
    scores are one column per label; sentences with a role (问题/原因/措施) are their own table. ``lang`` names the
    Excel sheets and the Excel/CSV headers in Chinese (``zh``, the default) or English (``en``); Parquet columns and
    file names stay English.

    ``parquet`` → ``out_dir/<table>.parquet``; ``xlsx`` → ``out_dir/extract.xlsx`` (four sheets,
    bold frozen header with autofilter); ``csv`` → ``out_dir/<table>.csv`` (UTF-8 with BOM so Excel
    shows Chinese). Lists are joined with ``|`` in CSV/Excel and kept as lists in Parquet. One pass
    over the JSONL; every file is written to a temporary name and renamed into place only when all
    of them succeeded.

    >>> write_tables("out/extract.jsonl", "out", {"xlsx", "csv"}).rows["documents"]  # doctest: +SKIP
    5
    """
    fmts = parse_formats(f.value if isinstance(f, TableFormat) else f for f in formats)
    check_lang(lang)
    jsonl = Path(jsonl_path)
    out = Path(out_dir)
    result = TablesResult()
    if not fmts:
        return result
    if not jsonl.exists():
        raise UsageError(E_OUTPUT_CONTRACT, "the JSONL output to tabulate does not exist; run extract first", path=str(jsonl))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_error(out, exc) from None

    sinks: list[Sink] = []
    try:
        if TableFormat.parquet in fmts:
            sinks.append(ParquetSink(out))
        if TableFormat.csv in fmts:
            sinks.append(CsvSink(out, lang))
        if TableFormat.xlsx in fmts:
            sinks.append(XlsxSink(out, lang))
        for number, doc in iter_json_lines(jsonl):
            rows = document_rows(doc, where=f"{jsonl}:{number}")
            for table in TABLE_NAMES:
                if rows[table]:
                    result.rows[table] += len(rows[table])
                    for sink in sinks:
                        sink.add(table, rows[table])
        for sink in sinks:
            sink.finish()
        for sink in sinks:
            result.paths.extend(sink.commit())
    except OSError as exc:
        for sink in sinks:
            sink.discard()
        raise write_error(out, exc) from None
    except BaseException:
        for sink in sinks:
            sink.discard()
        raise
    fsync_dir(out)
    return result
