"""The JSON Lines output contract: one document a line, written durably and resumably
(:class:`JsonlWriter`), read back strictly (:func:`iter_json_lines`) or leniently (:func:`jsonl_records`)."""
from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from jixiao.errors import E_NOT_OUTPUT, UsageError
from jixiao.io.durable import fsync_dir, write_error


def _json_default(value: Any) -> Any:
    """JSON for Decimal (plain notation, never ``8.684E+7``) and sets; anything else is a bug."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"non-finite Decimal {value!r} cannot go into the output")
        return format(value, "f")
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(obj: Any) -> str:
    """One compact JSON line, Chinese kept readable, NaN refused."""
    return json.dumps(obj, ensure_ascii=False, default=_json_default, allow_nan=False)


class ExtractedLine:
    """One extracted document as its output line: the ``extract.jsonl`` line (``doc.to_dict()`` with
    ``meta.report_likeness``, as :func:`dumps` writes it) and the counts the batch summary needs.

    Worker processes and Ray actors send this instead of the ``Document``: the serialisation runs where the
    extraction ran, and the coordinator only writes (pickling, unpickling and serialising a Document there
    cost 0.7 s of CPU per MB of reports). In one process the batch loop makes it the same way, so the
    line is the same bytes whoever extracted the document.
    """

    __slots__ = ("doc_id", "sha256", "line", "paragraphs", "entities", "indicators", "likeness")

    def __init__(self, doc_id: str, sha256: str, line: str, paragraphs: int, entities: int, indicators: int,
                 likeness: float | None):
        self.doc_id, self.sha256, self.line = doc_id, sha256, line
        self.paragraphs, self.entities, self.indicators, self.likeness = paragraphs, entities, indicators, likeness

    @classmethod
    def of(cls, doc: Any) -> "ExtractedLine":
        """The line of an extracted ``Document``."""
        record = doc.to_dict()
        likeness = doc.meta.get("report_likeness")
        record.setdefault("meta", {})["report_likeness"] = likeness
        if "sha256" not in record or "doc_id" not in record:
            raise ValueError("a document needs at least doc_id and sha256")
        return cls(str(record["doc_id"]), str(record["sha256"]), dumps(record), len(doc.paragraphs),
                   len(doc.entities), len(doc.indicators), likeness)

    def with_doc_id(self, doc_id: str) -> "ExtractedLine":
        """The same line under another ``doc_id`` (the coordinator names documents; rarely a change)."""
        if doc_id == self.doc_id:
            return self
        record = json.loads(self.line)
        record["doc_id"] = doc_id
        return ExtractedLine(doc_id, self.sha256, dumps(record), self.paragraphs, self.entities, self.indicators,
                             self.likeness)


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


def iter_json_lines(path: Path, *, exact: bool = True) -> Iterator[tuple[int, dict[str, Any]]]:
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
                    self._seen = {str(o["sha256"]) for _, o in iter_json_lines(self._target, exact=False) if o.get("sha256")}
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
            raise write_error(self._target, exc) from None

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
        if isinstance(doc, ExtractedLine):
            line, sha = (doc.line + "\n").encode("utf-8"), doc.sha256
        else:
            data = doc.to_dict() if hasattr(doc, "to_dict") else doc
            if not isinstance(data, Mapping) or "sha256" not in data or "doc_id" not in data:
                raise ValueError("a document needs at least doc_id and sha256")
            line, sha = (dumps(data) + "\n").encode("utf-8"), str(data["sha256"])
        try:
            self._fh.write(line)
            self._fh.flush()
            if self.fsync:
                os.fsync(self._fh.fileno())
        except OSError as exc:
            raise write_error(self._target, exc) from None
        self._seen.add(sha)
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
                raise write_error(self.path, exc) from None
            fsync_dir(self.path.parent)
