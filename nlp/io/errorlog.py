"""The error log of a run: one JSON line per failed input (``errors.jsonl``)."""
from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import IO

from jixiao.errors import E_UNEXPECTED, JixiaoError
from jixiao.io.durable import write_error
from jixiao.io.jsonl import dumps


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
            raise write_error(self.path, exc) from None

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
        self._fh.write(dumps(entry) + "\n")
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
