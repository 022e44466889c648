"""Write results: the JSON Lines output contract, the error log, and flat tables for analysts.

Codes E140–E149. Money (``value_yuan``) stays exact end to end: a Decimal string in JSON, a
``decimal128(38, 10)`` column in Parquet, the same string in CSV, and an Excel number only where
the double holds it exactly (otherwise the exact text).
"""
from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Context, Decimal, InvalidOperation
from enum import Enum
from pathlib import Path
from typing import IO, Any

from jixiao.errors import (
    E_EXCEL_ROWS, E_NOT_OUTPUT, E_OUTPUT_CONTRACT, E_OUTPUT_WRITE, E_TABLE_FORMAT, E_TABLE_LANG, E_UNEXPECTED,
    JixiaoError, UsageError,
)
from jixiao.schema import PARAGRAPH_LABELS

# --------------------------------------------------------------------------------------------
# helpers shared by the writers


def _json_default(value: Any) -> Any:
    """JSON for Decimal (plain notation, never ``8.684E+7``) and sets; anything else is a bug."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"non-finite Decimal {value!r} cannot go into the output")
        return format(value, "f")
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _dumps(obj: Any) -> str:
    """One compact JSON line, Chinese kept readable, NaN refused."""
    return json.dumps(obj, ensure_ascii=False, default=_json_default, allow_nan=False)


def current_umask() -> int:
    """The process umask (read without changing it where /proc allows; else set and restored).

    >>> 0 <= current_umask() <= 0o777
    True
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def chmod_like_new_file(path: str | os.PathLike[str]) -> None:
    """Give a temporary file (``tempfile.mkstemp``: always 0600) the mode ``open()`` would give a
    new file under the user's umask (0644 with umask 022), so the renamed output is not private."""
    try:
        os.chmod(path, 0o666 & ~current_umask())
    except OSError:
        pass


def _fsync_dir(directory: Path) -> None:
    """Make a rename durable; a no-op where directories cannot be opened (Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_error(path: Path, exc: OSError) -> JixiaoError:
    """E142 for an OS error while writing output."""
    return JixiaoError(
        E_OUTPUT_WRITE, f"cannot write output ({exc.strerror or exc}); check free space and permissions", path=str(path)
    )


def _repair_tail(path: Path) -> int:
    """Cut a trailing partial line (a crash mid-write) so the file ends with ``\\n``.

    Returns the number of bytes removed.
    """
    size = path.stat().st_size
    if size == 0:
        return 0
    with open(path, "r+b") as fh:
        pos = size
        chunk = 1 << 16
        while pos > 0:
            start = max(0, pos - chunk)
            fh.seek(start)
            block = fh.read(pos - start)
            if pos == size and block.endswith(b"\n"):
                return 0
            nl = block.rfind(b"\n")
            if nl >= 0:
                keep = start + nl + 1
                fh.truncate(keep)
                fh.flush()
                os.fsync(fh.fileno())
                return size - keep
            pos = start
        fh.truncate(0)
        fh.flush()
        os.fsync(fh.fileno())
        return size


def _iter_json_lines(path: Path, *, exact: bool = True) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-empty line; UsageError E140 for a line that is not JSON.

    ``exact`` parses JSON numbers with a fraction as Decimal (slower; not needed for sha256).
    """
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line, parse_float=Decimal) if exact else json.loads(line)
            except json.JSONDecodeError as exc:
                raise UsageError(
                    E_NOT_OUTPUT,
                    f"line {number} is not valid JSON ({exc.msg}); this is not a jixiao output "
                    "file or it was edited: move it away or choose another output",
                    path=str(path),
                ) from None
            if not isinstance(obj, dict) or "doc_id" not in obj:
                raise UsageError(
                    E_NOT_OUTPUT,
                    f"line {number} is not a jixiao document (no doc_id); move the file away or "
                    "choose another output",
                    path=str(path),
                )
            yield number, obj


# --------------------------------------------------------------------------------------------
# JSON Lines


def jsonl_records(path: str | os.PathLike[str]) -> Iterator[dict]:
    """The JSON objects of an output JSONL file, one per line; a torn or foreign line is skipped
    (what ``--resume`` reads back; a missing file yields nothing).

    >>> list(jsonl_records("/nonexistent/extract.jsonl"))
    []
    """
    target = Path(path)
    if not target.exists():
        return
    with open(target, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict):
                yield obj


class JsonlWriter:
    """Append output-contract documents to a JSON Lines file, one per line, durably.

    Use as a context manager::

        with JsonlWriter(Path("out/extract.jsonl"), resume=True) as w:
            for raw in inputs:
                if raw.sha256 in w:          # already extracted by an earlier run
                    continue
                w.write(doc.to_dict())

    How atomicity works:

    * Each document is written as one ``line + "\\n"`` and flushed and fsynced before ``write``
      returns, so a crash loses at most the document being written. That document can leave a
      partial last line; opening with ``resume=True`` cuts it off (the document is then extracted
      again because its sha256 is not in the file).
    * ``resume=False`` and the output does not exist: lines go straight into ``path``, which is
      therefore always a valid prefix of the run and can be resumed.
    * ``resume=False`` and the output exists: lines go to ``.<name>.partial`` in the same folder,
      and a clean ``close`` renames it over ``path`` with ``os.replace`` (atomic on POSIX and
      Windows), so readers see either the old file or the complete new one. If the run is
      interrupted the old ``path`` is untouched and the ``.partial`` file stays; ``resume=True``
      then continues that interrupted run and replaces ``path`` when it completes.
    * ``resume=True`` without a ``.partial`` file appends to ``path`` after repairing its tail.

    ``seen_sha256()`` is the set of sha256 values already in the file plus those written since.
    """

    def __init__(self, path: str | os.PathLike[str], resume: bool = False, *, fsync: bool = True):
        self.path = Path(path)
        self.resume = resume
        self.fsync = fsync
        self.partial_path = self.path.with_name(f".{self.path.name}.partial")
        self.repaired_bytes = 0
        self.written = 0
        self._seen: set[str] = set()
        self._fh: IO[bytes] | None = None
        self._target: Path = self.path
        self._replace_at_close = False

    # -- context manager -----------------------------------------------------------------
    def __enter__(self) -> JsonlWriter:
        self.open()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:  # noqa: ANN001
        self.close(commit=exc_type is None)

    def __contains__(self, sha256: object) -> bool:
        return sha256 in self._seen

    def open(self) -> None:
        """Choose the target file (see the class docstring), repair it and load seen sha256."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.resume:
                if self.partial_path.exists():
                    self._target, self._replace_at_close = self.partial_path, True
                else:
                    self._target, self._replace_at_close = self.path, False
                if self._target.exists():
                    self.repaired_bytes = _repair_tail(self._target)
                    self._seen = {str(o["sha256"]) for _, o in _iter_json_lines(self._target, exact=False) if o.get("sha256")}
                self._fh = open(self._target, "ab")
            else:
                if self.path.exists():
                    self._target, self._replace_at_close = self.partial_path, True
                else:
                    self._target, self._replace_at_close = self.path, False
                    if self.partial_path.exists():  # stale leftover of an abandoned run
                        self.partial_path.unlink()
                self._fh = open(self._target, "wb")
        except OSError as exc:
            raise _write_error(self._target, exc) from None

    def seen_sha256(self) -> set[str]:
        """sha256 values already in the output (read-only view; do not modify).

        >>> with JsonlWriter(Path(tmp) / "o.jsonl", resume=True) as w: "ab" in w.seen_sha256()  # doctest: +SKIP
        False
        """
        return self._seen

    def write(self, doc: Mapping[str, Any] | Any) -> None:
        """Append one document (a contract dict, or an object with ``to_dict()``) and make it durable."""
        if self._fh is None:
            raise RuntimeError("JsonlWriter is not open; use it as a context manager")
        data = doc.to_dict() if hasattr(doc, "to_dict") else doc
        if not isinstance(data, Mapping) or "sha256" not in data or "doc_id" not in data:
            raise ValueError("a document needs at least doc_id and sha256")
        line = (_dumps(data) + "\n").encode("utf-8")
        try:
            self._fh.write(line)
            self._fh.flush()
            if self.fsync:
                os.fsync(self._fh.fileno())
        except OSError as exc:
            raise _write_error(self._target, exc) from None
        self._seen.add(str(data["sha256"]))
        self.written += 1

    def close(self, commit: bool = True) -> None:
        """Close; with ``commit`` rename a ``.partial`` file over the output, else keep it for resume."""
        if self._fh is None:
            return
        fh, self._fh = self._fh, None
        try:
            fh.flush()
            os.fsync(fh.fileno())
        finally:
            fh.close()
        if commit and self._replace_at_close:
            try:
                os.replace(self._target, self.path)
            except OSError as exc:
                raise _write_error(self.path, exc) from None
            _fsync_dir(self.path.parent)


# --------------------------------------------------------------------------------------------
# error log


class ErrorLog:
    """One JSON line per failed file: ``{"source", "code", "message", "time"}``.

    The file is created (emptied) when opened, so after a run it lists exactly that run's
    failures; ``append=True`` keeps earlier lines.

    >>> with ErrorLog(Path(tmp) / "errors.jsonl") as log:                       # doctest: +SKIP
    ...     log.record_error("a.doc", InputError("E100", "unsupported format '.doc'"))
    """

    def __init__(self, path: str | os.PathLike[str], *, append: bool = False):
        self.path = Path(path)
        self.append = append
        self.count = 0
        self._fh: IO[str] | None = None

    def __enter__(self) -> ErrorLog:
        self.open()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:  # noqa: ANN001
        self.close()

    def open(self) -> None:
        """Create or empty the file (or open it for appending)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.path, "a" if self.append else "w", encoding="utf-8")
        except OSError as exc:
            raise _write_error(self.path, exc) from None

    def record(self, source: str, code: str, message: str) -> None:
        """Append one failure and flush it."""
        if self._fh is None:
            self.open()
        assert self._fh is not None
        entry = {
            "source": source,
            "code": code,
            "message": message,
            "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        self._fh.write(_dumps(entry) + "\n")
        self._fh.flush()
        self.count += 1

    def record_error(self, source: str, exc: BaseException) -> None:
        """Append a failure from an exception; unexpected ones get code E149 and their type."""
        if isinstance(exc, JixiaoError):
            self.record(source, exc.code, exc.message)
        else:
            self.record(source, E_UNEXPECTED, f"unexpected error {type(exc).__name__}: {exc}; please report it")

    def close(self) -> None:
        """Close the file."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None


# --------------------------------------------------------------------------------------------
# flat tables


class TableFormat(str, Enum):
    """Formats ``write_tables`` can produce."""

    parquet = "parquet"
    xlsx = "xlsx"
    csv = "csv"


TABLE_NAMES = ("documents", "paragraphs", "entities", "indicators", "sentences")
XLSX_NAME = "extract.xlsx"
LIST_SEPARATOR = "|"
MONEY_SCALE = 10  # decimal places of value_yuan in Parquet: decimal128(38, 10)
_XLSX_MAX_ROWS = 1_048_576
_XLSX_MAX_CELL = 32_767
_XLSX_WIDTH_SAMPLE = 200
_PARQUET_BATCH = 20_000

# The document's place, year and fund, repeated on every row of every table so that a sheet filters alone.
ROW_META: tuple[tuple[str, str], ...] = (
    ("region", "str"), ("province", "str"), ("region_code", "str"), ("year", "int"), ("fund", "str"),
)
# Paragraph label scores as one column each (``score_经验做法``), not JSON in a cell.
LABEL_SCORE_COLUMNS: tuple[tuple[str, str], ...] = tuple((f"score_{lab}", "num") for lab in PARAGRAPH_LABELS)

# Column kinds: str, int, num (Decimal → float64 in Parquet), money (Decimal → decimal128),
# list (list of str), json (any → JSON text).
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "documents": (
        ("doc_id", "str"), ("source", "str"), ("sha256", "str"), ("schema_version", "int"),
        ("title", "str"), ("region", "str"), ("province", "str"), ("prefecture", "str"), ("county", "str"),
        ("region_code", "str"), ("year", "int"), ("fund", "str"), ("unit", "str"),
        ("report_date", "str"), ("score", "num"), ("grade", "str"),
        ("n_paragraphs", "int"), ("n_entities", "int"), ("n_indicators", "int"), ("n_sentences", "int"),
    ),
    "paragraphs": (
        ("doc_id", "str"), *ROW_META, ("index", "int"), ("section", "list"), ("kind", "str"),
        ("heading_level", "int"), ("table", "int"), ("text", "str"), ("labels", "list"),
        *LABEL_SCORE_COLUMNS, ("roles", "list"),
    ),
    "entities": (
        ("doc_id", "str"), *ROW_META, ("paragraph", "int"), ("start", "int"), ("end", "int"), ("type", "str"),
        ("text", "str"), ("value", "num"), ("upper", "num"), ("unit", "str"),
        ("value_yuan", "money"), ("comparator", "str"), ("source", "str"),
    ),
    "indicators": (
        ("doc_id", "str"), *ROW_META, ("paragraph", "int"), ("level1", "str"), ("level2", "str"),
        ("name", "str"), ("target", "str"), ("actual", "str"),
        # typed target/actual (issue 13): number in its base unit (万人 → 人, 万元 → 元), unit, comparator
        ("target_number", "num"), ("target_unit", "str"), ("target_comparator", "str"),
        ("actual_number", "num"), ("actual_unit", "str"), ("actual_comparator", "str"), ("met", "str"),
        ("weight", "num"), ("score", "num"), ("note", "str"), ("source", "str"),
    ),
    # one row per sentence with a role (问题/原因/措施), its text cut from the paragraph
    "sentences": (
        ("doc_id", "str"), *ROW_META, ("paragraph", "int"), ("sentence", "int"), ("section", "list"),
        ("labels", "list"), ("role", "str"), ("start", "int"), ("end", "int"), ("text", "str"),
    ),
}
_META_COLUMNS = ("title", "region", "province", "prefecture", "county", "region_code", "year", "fund", "unit",
                 "report_date", "score", "grade")

# Header language of the Excel and CSV tables (Parquet keeps the English names: it is read by code).
TABLE_LANGS = ("zh", "en")
DEFAULT_LANG = "zh"  # the tables are opened in Excel by Chinese-speaking analysts
SHEET_NAMES_ZH = {"documents": "文档", "paragraphs": "段落", "entities": "实体", "indicators": "指标",
                  "sentences": "角色句"}
HEADERS_ZH: dict[str, str] = {
    "doc_id": "文档编号", "region": "地区", "province": "省份", "prefecture": "地市", "county": "区县",
    "region_code": "区划代码", "year": "年度", "fund": "资金/项目", "source": "来源", "sha256": "SHA256",
    "schema_version": "格式版本", "title": "标题", "unit": "单位", "report_date": "报告日期", "score": "得分",
    "grade": "等级", "n_paragraphs": "段落数", "n_entities": "实体数", "n_indicators": "指标数",
    "n_sentences": "角色句数", "index": "段落序号", "paragraph": "段落序号", "section": "所在章节",
    "kind": "段落类型", "heading_level": "标题级别", "table": "表格序号", "text": "文本", "labels": "段落标签",
    "roles": "句子角色", "start": "起始位置", "end": "结束位置", "type": "实体类型", "value": "数值",
    "upper": "上限值", "value_yuan": "金额（元）", "comparator": "比较符", "level1": "一级指标",
    "level2": "二级指标", "name": "指标名称", "target": "目标值", "actual": "实际完成值", "weight": "分值",
    "note": "备注", "sentence": "句序号", "role": "角色",
    **{f"score_{lab}": f"{lab}_概率" for lab in PARAGRAPH_LABELS},
}
# the same English name meaning something else in one table
_HEADERS_ZH_BY_TABLE = {("documents", "source"): "源文件", ("documents", "score"): "评价得分",
                        ("documents", "grade"): "评价等级", ("entities", "unit"): "计量单位",
                        ("entities", "text"): "实体文本", ("paragraphs", "text"): "段落文本",
                        ("sentences", "text"): "句子文本"}


def header(table: str, column: str, lang: str = DEFAULT_LANG) -> str:
    """The column's header in the tables' language; a column without a Chinese name keeps its English one.

    >>> header("documents", "score"), header("indicators", "score"), header("indicators", "score", "en")
    ('评价得分', '得分', 'score')
    """
    if lang == "en":
        return column
    return _HEADERS_ZH_BY_TABLE.get((table, column)) or HEADERS_ZH.get(column, column)


def sheet_name(table: str, lang: str = DEFAULT_LANG) -> str:
    """The Excel sheet name of a table ("指标" or "indicators")."""
    return table if lang == "en" else SHEET_NAMES_ZH.get(table, table)


def check_lang(lang: str) -> str:
    """``lang`` if it is a table language, else UsageError E146 naming them.

    >>> check_lang("en")
    'en'
    """
    if lang not in TABLE_LANGS:
        raise UsageError(E_TABLE_LANG, f"unknown table language '{lang}'; choose from: {', '.join(TABLE_LANGS)}")
    return lang


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
        raise _write_error(out, exc) from None

    sinks: list[_Sink] = []
    try:
        if TableFormat.parquet in fmts:
            sinks.append(_ParquetSink(out))
        if TableFormat.csv in fmts:
            sinks.append(_CsvSink(out, lang))
        if TableFormat.xlsx in fmts:
            sinks.append(_XlsxSink(out, lang))
        for number, doc in _iter_json_lines(jsonl):
            rows = _document_rows(doc, where=f"{jsonl}:{number}")
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
        raise _write_error(out, exc) from None
    except BaseException:
        for sink in sinks:
            sink.discard()
        raise
    _fsync_dir(out)
    return result


# -- rows -----------------------------------------------------------------------------------


def _document_rows(doc: Mapping[str, Any], where: str) -> dict[str, list[dict[str, Any]]]:
    """The rows one contract document contributes to each table, values already coerced."""
    doc_id = doc.get("doc_id")
    meta = doc.get("meta") or {}
    paragraphs = doc.get("paragraphs") or []
    entities = doc.get("entities") or []
    indicators = doc.get("indicators") or []
    base = {"doc_id": doc_id, "source": doc.get("source"), "sha256": doc.get("sha256"),
            "schema_version": doc.get("schema_version")}
    doc_row = dict(base)
    for key in _META_COLUMNS:
        doc_row[key] = meta.get(key)
    row_meta = {"doc_id": doc_id, **{name: meta.get(name) for name, _ in ROW_META}}

    para_rows, sent_rows = [], []
    for p in paragraphs:
        row = {k: p.get(k) for k in ("index", "section", "kind", "heading_level", "table", "text", "labels")}
        if isinstance(row["section"], str):
            row["section"] = [row["section"]]
        scores = p.get("label_scores") or {}
        if not isinstance(scores, Mapping):
            raise JixiaoError(E_OUTPUT_CONTRACT, f"paragraphs.label_scores = {scores!r} is not a mapping ({where}); "
                              "the JSONL does not follow the output contract", path=where.rsplit(":", 1)[0])
        row.update({f"score_{lab}": scores.get(lab) for lab in PARAGRAPH_LABELS})
        sentences = p.get("sentences") or []
        row["roles"] = [s.get("role") for s in sentences if s.get("role")]
        para_rows.append({**row_meta, **row})
        text = p.get("text") or ""
        for i, s in enumerate(sentences):
            if s.get("role"):
                start, end = s.get("start"), s.get("end")
                cut = text[start:end] if isinstance(start, int) and isinstance(end, int) else None
                sent_rows.append({**row_meta, "paragraph": p.get("index"), "sentence": i, "section": row["section"],
                                  "labels": row["labels"], "role": s.get("role"), "start": start, "end": end,
                                  "text": cut})
    doc_row.update(n_paragraphs=len(paragraphs), n_entities=len(entities), n_indicators=len(indicators),
                   n_sentences=len(sent_rows))
    ent_rows = [{**row_meta, **e} for e in entities]
    ind_rows = [{**row_meta, **r, **_typed_columns(r)} for r in indicators]
    raw = {"documents": [doc_row], "paragraphs": para_rows, "entities": ent_rows, "indicators": ind_rows,
           "sentences": sent_rows}
    return {table: [_coerce_row(table, r, where) for r in rows] for table, rows in raw.items()}


# Chinese headers of the typed indicator columns
HEADERS_ZH.update({"target_number": "目标值（数值）", "target_unit": "目标值单位", "target_comparator": "目标值比较符",
                   "actual_number": "实际值（数值）", "actual_unit": "实际值单位", "actual_comparator": "实际值比较符",
                   "met": "是否达标"})


def _typed_columns(record: Mapping[str, Any]) -> dict[str, Any]:
    """The numeric columns of an indicator record's typed target/actual (``target_value`` …) and ``met``.

    >>> _typed_columns({"target_value": {"number": "95", "unit": "%", "comparator": "≥"}, "met": True})["target_number"]
    '95'
    """
    out: dict[str, Any] = {}
    for field in ("target", "actual"):
        tv = record.get(f"{field}_value")
        tv = tv if isinstance(tv, Mapping) else {}
        out[f"{field}_number"], out[f"{field}_unit"], out[f"{field}_comparator"] = (
            tv.get("number"), tv.get("unit"), tv.get("comparator"))
    met = record.get("met")
    out["met"] = None if met is None else ("是" if met else "否")
    return out


def _coerce_row(table: str, row: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Values of one row in the column kinds of ``COLUMNS`` (Decimal for num/money)."""
    out: dict[str, Any] = {}
    for name, kind, coerce in _COERCERS[table]:
        value = row.get(name)
        if value is None:
            out[name] = None
            continue
        try:
            out[name] = coerce(value)
        except (ValueError, TypeError, InvalidOperation):
            raise JixiaoError(
                E_OUTPUT_CONTRACT, f"{table}.{name} = {value!r} is not a valid {kind} value ({where}); "
                "the JSONL does not follow the output contract", path=where.rsplit(":", 1)[0],
            ) from None
    return out


def _coerce_str(value: Any) -> str:
    """Text; lists/dicts as JSON."""
    if value.__class__ is str:
        return value
    return _dumps(value) if isinstance(value, (list, dict)) else str(value)


def _coerce_int(value: Any) -> int:
    """An integer from int, integral Decimal or digit string; bools refused."""
    if value.__class__ is int:
        return value
    if isinstance(value, bool):
        raise TypeError("bool")
    if isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise ValueError("not an integer")
        return int(value)
    return int(value.strip()) if isinstance(value, str) else int(value)


def _coerce_num(value: Any) -> Decimal:
    """A finite Decimal from a Decimal, number or numeric string."""
    if isinstance(value, (bool, list, dict)):
        raise TypeError(type(value).__name__)
    d = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    if not d.is_finite():
        raise ValueError("not finite")
    return d


def _coerce_money(value: Any) -> Decimal:
    """A num that also fits the Parquet money column exactly (checked here, where the row is known)."""
    d = _coerce_num(value)
    _money_to_parquet(d)
    return d


def _coerce_list(value: Any) -> list[str]:
    """A list of strings (a scalar becomes a one-element list)."""
    items = value if isinstance(value, list) else [value]
    return [v if v.__class__ is str else str(v) for v in items if v is not None]


def _coerce_json(value: Any) -> str:
    """Any value as compact JSON text."""
    if not value and isinstance(value, (list, dict)):
        return "[]" if isinstance(value, list) else "{}"
    return _dumps(value)


_COERCE_BY_KIND = {"str": _coerce_str, "int": _coerce_int, "num": _coerce_num, "money": _coerce_money,
                   "list": _coerce_list, "json": _coerce_json}
_COERCERS = {t: [(n, k, _COERCE_BY_KIND[k]) for n, k in cols] for t, cols in COLUMNS.items()}


_MONEY_CONTEXT = Context(prec=60)  # room for 38 digits; the default 28 would refuse big sums
_MONEY_QUANTUM = Decimal(1).scaleb(-MONEY_SCALE)


def _money_to_parquet(d: Decimal) -> Decimal:
    """A value_yuan for decimal128(38, MONEY_SCALE); refuses anything that would lose digits.

    >>> _money_to_parquet(Decimal("86840000"))
    Decimal('86840000.0000000000')
    """
    q = d.quantize(_MONEY_QUANTUM, context=_MONEY_CONTEXT)
    if q != d or len(q.as_tuple().digits) > 38:
        raise ValueError(f"value_yuan {d} does not fit decimal128(38, {MONEY_SCALE}) exactly")
    return q


def _text_cell(value: Any, kind: str) -> Any:
    """CSV/Excel text form: lists joined with '|', Decimal in plain notation."""
    if value is None:
        return None
    if kind == "list":
        return LIST_SEPARATOR.join(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


# -- sinks ----------------------------------------------------------------------------------


class _Sink:
    """A format writer: ``add`` rows per table, ``finish``, then ``commit`` (rename) or ``discard``."""

    def __init__(self, out: Path):
        self.out = out
        self.temps: dict[Path, Path] = {}  # final path → temporary path

    def _temp_for(self, final: Path) -> Path:
        fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
        os.close(fd)
        chmod_like_new_file(name)  # mkstemp makes it private (0600); the output follows the umask
        self.temps[final] = Path(name)
        return Path(name)

    def add(self, table: str, rows: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError

    def commit(self) -> list[Path]:
        for final, temp in self.temps.items():
            with open(temp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(temp, final)
        return list(self.temps)

    def discard(self) -> None:
        for temp in self.temps.values():
            try:
                temp.unlink()
            except OSError:
                pass


class _ParquetSink(_Sink):
    """One Parquet file per table, written in batches; lists stay lists, money is decimal128."""

    def __init__(self, out: Path):
        super().__init__(out)
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.pa = pa
        self.buffers: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLE_NAMES}
        self.schemas = {t: pa.schema([(n, self._type(k)) for n, k in COLUMNS[t]]) for t in TABLE_NAMES}
        self.writers = {
            t: pq.ParquetWriter(str(self._temp_for(out / f"{t}.parquet")), self.schemas[t]) for t in TABLE_NAMES
        }

    def _type(self, kind: str):  # noqa: ANN202
        pa = self.pa
        return {
            "str": pa.string(), "int": pa.int64(), "num": pa.float64(),
            "money": pa.decimal128(38, MONEY_SCALE), "list": pa.list_(pa.string()), "json": pa.string(),
        }[kind]

    def add(self, table: str, rows: list[dict[str, Any]]) -> None:
        self.buffers[table].extend(rows)
        if len(self.buffers[table]) >= _PARQUET_BATCH:
            self._flush(table)

    def _flush(self, table: str) -> None:
        rows = self.buffers[table]
        if not rows:
            return
        columns = {}
        for name, kind in COLUMNS[table]:
            values = [r[name] for r in rows]
            if kind == "num":
                values = [None if v is None else float(v) for v in values]
            elif kind == "money":
                values = [None if v is None else _money_to_parquet(v) for v in values]
            columns[name] = self.pa.array(values, type=self._type(kind))
        self.writers[table].write_table(self.pa.table(columns, schema=self.schemas[table]))
        self.buffers[table] = []

    def finish(self) -> None:
        for table in TABLE_NAMES:
            self._flush(table)
            self.writers[table].close()

    def discard(self) -> None:
        for w in self.writers.values():
            try:
                w.close()
            except Exception:
                pass
        super().discard()


class _CsvSink(_Sink):
    """One CSV per table, UTF-8 with BOM (Excel then reads Chinese correctly)."""

    def __init__(self, out: Path, lang: str = DEFAULT_LANG):
        super().__init__(out)
        self.files: dict[str, IO[str]] = {}
        self.writers: dict[str, Any] = {}
        for t in TABLE_NAMES:
            fh = open(self._temp_for(out / f"{t}.csv"), "w", encoding="utf-8-sig", newline="")
            self.files[t] = fh
            self.writers[t] = csv.writer(fh)
            self.writers[t].writerow([header(t, n, lang) for n, _ in COLUMNS[t]])

    def add(self, table: str, rows: list[dict[str, Any]]) -> None:
        kinds = COLUMNS[table]
        w = self.writers[table]
        for r in rows:
            w.writerow(["" if (v := _text_cell(r[n], k)) is None else v for n, k in kinds])

    def finish(self) -> None:
        for fh in self.files.values():
            fh.close()

    def discard(self) -> None:
        for fh in self.files.values():
            fh.close()
        super().discard()


class _XlsxSink(_Sink):
    """One workbook, a sheet per table, streamed with openpyxl's write-only mode.

    Column widths come from the header and the first rows, so those rows are buffered until the
    widths are known (write-only sheets need widths before the first row).
    """

    def __init__(self, out: Path, lang: str = DEFAULT_LANG):
        super().__init__(out)
        from openpyxl import Workbook

        self.final = out / XLSX_NAME
        self.temp = self._temp_for(self.final)
        self.lang = lang
        self.wb = Workbook(write_only=True)
        self.sheets = {t: self.wb.create_sheet(title=sheet_name(t, lang)) for t in TABLE_NAMES}
        self.pending: dict[str, list[list[Any]] | None] = {t: [] for t in TABLE_NAMES}
        self.counts = {t: 0 for t in TABLE_NAMES}
        self.overflow: list[str] = []

    def add(self, table: str, rows: list[dict[str, Any]]) -> None:
        for r in rows:
            if self.counts[table] + 1 >= _XLSX_MAX_ROWS:
                if table not in self.overflow:
                    self.overflow.append(table)
                return
            self.counts[table] += 1
            cells = [self._cell_value(r[n], k) for n, k in COLUMNS[table]]
            pending = self.pending[table]
            if pending is not None:
                pending.append(cells)
                if len(pending) >= _XLSX_WIDTH_SAMPLE:
                    self._start(table)
            else:
                self._append(table, cells)

    @staticmethod
    def _cell_value(value: Any, kind: str) -> Any:
        """Excel value: numbers where exact, text cleaned of characters Excel refuses."""
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        if value is None:
            return None
        if kind in ("num", "money"):
            f = float(value)
            # a double shows at most 15 significant digits; keep the exact text otherwise
            if len(value.normalize().as_tuple().digits) <= 15 and Decimal(repr(f)) == value:
                return f
            return format(value, "f")
        if kind == "int":
            return value
        text = _text_cell(value, kind)
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
        if len(text) > _XLSX_MAX_CELL:
            text = text[: _XLSX_MAX_CELL - 1] + "…"
        return text

    def _start(self, table: str) -> None:
        """Set widths, write the bold header and the buffered rows."""
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        ws = self.sheets[table]
        pending = self.pending[table] or []
        self.pending[table] = None
        names = [header(table, n, self.lang) for n, _ in COLUMNS[table]]
        for i, name in enumerate(names):
            width = max([_display_width(name)] + [_display_width(row[i]) for row in pending])
            ws.column_dimensions[get_column_letter(i + 1)].width = min(max(width + 2, 8), 60)
        ws.freeze_panes = "A2"
        bold = Font(bold=True)
        head = []
        for name in names:
            c = WriteOnlyCell(ws, value=name)
            c.font = bold
            head.append(c)
        ws.append(head)
        for cells in pending:
            self._append(table, cells)

    def _append(self, table: str, cells: list[Any]) -> None:
        """Append one row; strings starting with '=' stay text, never formulas."""
        from openpyxl.cell import WriteOnlyCell

        ws = self.sheets[table]
        row: list[Any] = []
        for (name, kind), value in zip(COLUMNS[table], cells):
            if isinstance(value, str) and value.startswith("="):
                c = WriteOnlyCell(ws, value=value)
                c.data_type = "s"
                row.append(c)
            elif kind == "money" and isinstance(value, float):
                c = WriteOnlyCell(ws, value=value)
                c.number_format = "#,##0.00"
                row.append(c)
            else:
                row.append(value)
        ws.append(row)

    def finish(self) -> None:
        from openpyxl.utils import get_column_letter

        for table in TABLE_NAMES:
            if self.pending[table] is not None:
                self._start(table)
            ws = self.sheets[table]
            ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS[table]))}{self.counts[table] + 1}"
        if self.overflow:
            raise JixiaoError(
                E_EXCEL_ROWS,
                f"too many rows for Excel in {', '.join(self.overflow)} (limit {_XLSX_MAX_ROWS:,}); "
                "use --format parquet or csv for this batch",
                path=str(self.final),
            )
        self.wb.save(self.temp)


def _display_width(value: Any) -> int:
    """Approximate Excel column width: CJK and full-width characters count double."""
    if value is None:
        return 0
    text = value if isinstance(value, str) else str(value)
    text = text[:200]
    return sum(2 if ord(ch) >= 0x1100 else 1 for ch in text)


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
