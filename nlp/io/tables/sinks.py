"""One writer ("sink") per table format: Parquet, CSV, Excel; each writes to temporary files that
are renamed into place only when every format succeeded."""
from __future__ import annotations

import csv
import os
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from jixiao.errors import E_EXCEL_ROWS, JixiaoError
from jixiao.io.durable import chmod_like_new_file
from jixiao.io.tables.columns import COLUMNS, DEFAULT_LANG, MONEY_SCALE, TABLE_NAMES, XLSX_NAME, header, sheet_name
from jixiao.io.tables.rows import money_to_parquet, text_cell

_XLSX_MAX_ROWS = 1_048_576
_XLSX_MAX_CELL = 32_767
_XLSX_WIDTH_SAMPLE = 200
_PARQUET_BATCH = 20_000


class Sink:
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


class ParquetSink(Sink):
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
                values = [None if v is None else money_to_parquet(v) for v in values]
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


class CsvSink(Sink):
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
            w.writerow(["" if (v := text_cell(r[n], k)) is None else v for n, k in kinds])

    def finish(self) -> None:
        for fh in self.files.values():
            fh.close()

    def discard(self) -> None:
        for fh in self.files.values():
            fh.close()
        super().discard()


class XlsxSink(Sink):
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
        text = text_cell(value, kind)
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
