"""Batch extraction over report archives: progress, resume, error log, summary, output lock.

Nothing is lost and nothing is mixed up (issue 18; README "What happens when"):

* A bad file never stops the batch: its error goes to the summary and to ``errors.jsonl``. So do
  the things that cannot be looked at (a folder that cannot be listed, a file name that is not
  UTF-8 is read anyway and named with ``\\xNN`` escapes).
* Every document of one output has its own ``doc_id``: the file stem when no other input of the
  run has it, else the stem with as many parent folders as tell the inputs apart
  (``2018/绩效评价报告``; :func:`jixiao.io.readers.unique_doc_ids`); an id already used in the
  output by other content (``--resume``) gets ``~`` and 8 hex digits of its sha256.
* Content already extracted by this run (same sha256 under another name) is a *duplicate*: not
  written again, logged with E150 naming the first file. Content in the output from an earlier run
  is *skipped (resume)*, only with ``--resume``. So the output holds one record per sha256.
* One run owns an output folder: :class:`OutputLock` (``.jixiao.lock`` with the PID; the kernel's
  ``flock`` frees it when the process dies, however it dies). A second run exits 3 (E152), or
  waits with ``--wait``.
* Ctrl-C / SIGTERM stop after the document being written; the output stays valid and the
  summary says how to finish (``--resume``); exit status 130.
* The output failing (disk full) stops the run with E142 and the summary; exit status 4.

Exit status: 0 all succeeded (duplicates and warnings included), 1 some inputs failed, 2 usage
error (raised before anything runs), 3 the output folder is in use, 4 the output cannot be
written, 130 interrupted.
"""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import sys
import threading
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from jixiao.errors import (
    E_DUPLICATE,
    E_INTERRUPTED,
    E_LOCKED,
    E_NAME_ENCODING,
    E_NOT_REPORT,
    E_OUTPUT_PATH,
    E_OUTPUT_WRITE,
    E_UNEXPECTED,
    JixiaoError,
    UsageError,
)

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows: PID check only
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = ".jixiao.lock"
EXIT_LOCKED = 3
EXIT_OUTPUT = 4
EXIT_INTERRUPTED = 130
RUN_SOURCE = "<run>"  # the errors.jsonl source of entries about the whole run


@dataclass
class BatchSummary:
    documents: int = 0
    skipped: int = 0                    # already in the output from an earlier run (--resume)
    paragraphs: int = 0
    entities: int = 0
    indicators: int = 0
    failures: list[tuple[str, str, str]] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (source, first source with that content)
    warnings: list[str] = field(default_factory=list)                # one line each, "E160: file: message"
    inputs: int = 0
    processed: int = 0                  # inputs looked at before the run ended
    interrupted: bool = False
    output_error: str | None = None     # "E142: path: message" when the output could not be written
    seconds: float = 0.0
    output: str = ""
    tables: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the pipeline's stages say (sources per type)

    @property
    def exit_code(self) -> int:
        if self.output_error:
            return EXIT_OUTPUT
        if self.interrupted:
            return EXIT_INTERRUPTED
        return 1 if self.failures else 0


# --------------------------------------------------------------------------------------------
# the run


def run_extract(
    inputs: list[str],
    out_dir: str | Path,
    *,
    formats: Iterable[str] = (),
    resume: bool = False,
    pipeline_path: str | None = None,
    progress: bool = True,
    limits: Any = None,
    wait: bool = False,
    log: Callable[[str], None] | None = None,
    workers: int | None = 1,
    engine: str = "local",
    address: str | None = None,
) -> BatchSummary:
    """Extract every input into ``out_dir/extract.jsonl`` (+ errors.jsonl and tables).

    ``limits`` is a :class:`jixiao.io.readers.Limits`; ``wait`` waits for another run that holds
    the output folder instead of refusing; ``log`` receives progress messages (stderr by default).
    ``workers`` (None or 0: every core) and ``engine`` (``local`` or ``ray``, cluster ``address``)
    choose who extracts the documents (:mod:`jixiao.parallel`); the output is the same.
    """
    from jixiao.io.readers import Limits, iter_inputs, unique_doc_ids
    from jixiao.engines import extraction_pipeline

    out = prepare_output(out_dir)
    paths = list(iter_inputs(inputs))  # usage errors (nothing matched) surface here, exit 2
    pipeline = extraction_pipeline(paths, out, pipeline_path=pipeline_path, workers=workers, engine=engine,
                                   address=address, limits=limits or Limits(), resume=resume)
    try:
        summary = BatchSummary(output=str(out / "extract.jsonl"), notes=list(pipeline.notes), inputs=len(paths))
        say = log or (lambda m: print(m, file=sys.stderr))
        with OutputLock(out, wait=wait, log=say) as lock:
            summary.notes.extend(lock.notes)
            removed = remove_orphan_temps(out)
            if removed:
                summary.notes.append(f"removed {len(removed)} temporary file(s) left by an interrupted table write")
            _extract_all(paths, unique_doc_ids(paths), out, pipeline, summary, formats=formats, resume=resume,
                         limits=limits or Limits(), progress=progress)
    finally:
        getattr(pipeline, "close", lambda: None)()  # worker processes / a Ray pool (jixiao.parallel)
    return summary


def _extract_all(paths, ids, out: Path, pipeline, summary: BatchSummary, *, formats, resume: bool, limits,
                 progress: bool) -> None:  # noqa: ANN001
    from jixiao.io.errorlog import ErrorLog
    from jixiao.io.jsonl import JsonlWriter

    t0 = time.perf_counter()
    writer = JsonlWriter(out / "extract.jsonl", resume=resume)
    errors = ErrorLog(out / "errors.jsonl")
    try:
        writer.open()
        errors.open()
    except JixiaoError as exc:
        summary.output_error = str(exc)
        writer.close(commit=False)
        return
    earlier = existing_ids(writer) if resume else {}
    shas_before = [sha for shas in earlier.values() for sha in shas]
    dupes_before = len(shas_before) - len(set(shas_before))
    if dupes_before:
        summary.warnings.append(f"{E_DUPLICATE}: {writer.path}: holds {dupes_before} duplicate record(s) "
                                "from earlier runs; run without --resume into a new folder to rewrite it")
    try:
        _loop(paths, ids, out, pipeline, summary, writer, errors, earlier, formats=formats, resume=resume,
              limits=limits, progress=progress)
    finally:
        for close in (lambda: writer.close(commit=False), errors.close):  # no-ops after a normal end
            try:
                close()
            except (OSError, JixiaoError):
                pass
        summary.seconds = time.perf_counter() - t0


def _loop(paths, ids, out: Path, pipeline, summary: BatchSummary, writer, errors, earlier, *, formats,  # noqa: ANN001
          resume: bool, limits, progress: bool) -> None:
    from jixiao.io.readers import STDIN_SOURCE, display_name, display_path, name_is_utf8, read_document, read_stdin
    from jixiao.io.jsonl import ExtractedLine
    from jixiao.io.writers import write_tables  # via the old path, which the fault tests patch
    from jixiao.likeness import likeness_warning
    from jixiao.pipeline import document_from_raw

    first_source: dict[str, str] = {}

    def fail(source: str, code: str, message: str) -> None:
        summary.failures.append((source, code, display_name(message)))
        _log(errors, source, code, message)

    bar = _progress(progress)
    with _Interrupts() as interrupts:
        try:
            with (bar or nullcontext()):
                task = bar.add_task("extract", total=len(paths)) if bar else None
                for path in paths:
                    source = STDIN_SOURCE if path == "-" else display_path(path)
                    counted = False
                    try:
                        if path != "-" and not name_is_utf8(path):
                            summary.warnings.append(
                                f"{E_NAME_ENCODING}: {source}: the file name is not valid UTF-8 (GBK from a zip made "
                                "on Windows?); read anyway and named with \\x escapes: rename it "
                                "(`convmv -f gbk -t utf-8 --notest FILE`)")
                        raw = read_stdin(limits=limits) if path == "-" else \
                            getattr(pipeline, "read_document", read_document)(  # workers read ahead (jixiao.parallel)
                                path, limits=limits, doc_id=ids.get(source))
                        if raw.sha256 in first_source:
                            summary.duplicates.append((source, first_source[raw.sha256]))
                            _log(errors, source, E_DUPLICATE, f"duplicate: same content (sha256 {raw.sha256[:12]}…) "
                                 f"as {first_source[raw.sha256]}; not written again")
                        elif raw.sha256 in writer:
                            first_source[raw.sha256] = source
                            summary.skipped += 1
                        else:
                            first_source[raw.sha256] = source
                            if any(sha != raw.sha256 for sha in earlier.get(raw.doc_id, ())):
                                raw.doc_id = f"{raw.doc_id}~{raw.sha256[:8]}"
                            doc = pipeline(document_from_raw(raw))
                            # workers send the serialised line (ExtractedLine); one process makes it here
                            line = doc if isinstance(doc, ExtractedLine) else ExtractedLine.of(doc)
                            warning = likeness_warning(line.likeness)
                            with interrupts.critical():  # a Ctrl-C here waits until the line is written and counted
                                try:
                                    writer.write(line)
                                except (JixiaoError, OSError) as exc:
                                    raise _OutputFailure(exc) from None
                                summary.documents += 1
                                summary.paragraphs += line.paragraphs
                                summary.entities += line.entities
                                summary.indicators += line.indicators
                                if warning:
                                    summary.warnings.append(f"{E_NOT_REPORT}: {source}: {warning}")
                                summary.processed += 1
                                counted = True
                    except _OutputFailure:
                        raise
                    except JixiaoError as exc:
                        fail(source, exc.code, exc.message)
                    except Exception as exc:  # a bug must not lose the batch either
                        fail(source, E_UNEXPECTED, f"unexpected error {type(exc).__name__}: {exc}; please report it")
                    if not counted:
                        summary.processed += 1
                    if bar:
                        bar.advance(task)
        except KeyboardInterrupt:
            summary.interrupted = True
        except _OutputFailure as exc:
            summary.output_error = _output_message(exc.cause, writer.path)
        ok = not summary.interrupted and not summary.output_error
        try:
            writer.close(commit=ok)
        except (JixiaoError, OSError) as exc:
            summary.output_error = summary.output_error or _output_message(exc, writer.path)
        except KeyboardInterrupt:
            summary.interrupted = True
        if summary.interrupted:
            _log(errors, RUN_SOURCE, E_INTERRUPTED, interrupted_message(summary, resume))
        if summary.output_error:
            _log(errors, RUN_SOURCE, E_OUTPUT_WRITE, summary.output_error)
        if formats and not summary.interrupted and not summary.output_error:
            try:
                res = write_tables(out / "extract.jsonl", out, formats)
                summary.tables = [str(p) for p in getattr(res, "paths", [])]
            except KeyboardInterrupt:
                summary.interrupted = True
                _log(errors, RUN_SOURCE, E_INTERRUPTED, "interrupted while writing the tables; "
                     "extract.jsonl is complete; run again with --resume to write them")
            except (JixiaoError, OSError) as exc:
                summary.output_error = _output_message(exc, out)
                _log(errors, RUN_SOURCE, E_OUTPUT_WRITE, summary.output_error)


def interrupted_message(summary: BatchSummary, resume: bool) -> str:
    """The line that tells how to finish an interrupted run.

    >>> interrupted_message(BatchSummary(inputs=10, processed=3, documents=3), False)[:36]
    'interrupted after 3 of 10 inputs (3 '
    """
    return (f"interrupted after {summary.processed} of {summary.inputs} inputs ({summary.documents} written); "
            "the output is valid; run the same command with --resume to finish")


class _OutputFailure(Exception):
    def __init__(self, cause: BaseException):
        super().__init__(str(cause))
        self.cause = cause


def _output_message(exc: BaseException, path: Path) -> str:
    if isinstance(exc, JixiaoError):
        return str(exc)
    strerror = getattr(exc, "strerror", None) or str(exc)
    return f"{E_OUTPUT_WRITE}: {path}: cannot write output ({strerror}); check free space and permissions"


def _log(errors, source: str, code: str, message: str) -> None:  # noqa: ANN001 - ErrorLog
    """Append to errors.jsonl; a log that cannot be written (disk full) must not end the run."""
    from jixiao.io.readers import display_name

    try:
        errors.record(display_name(source), code, display_name(message))
    except (OSError, ValueError):
        pass


def existing_ids(writer) -> dict[str, list[str]]:  # noqa: ANN001 - an open JsonlWriter
    """doc_id → sha256 values of the documents already in the file a resumed writer appends to."""
    from jixiao.io.jsonl import jsonl_records

    target = writer.partial_path if writer.partial_path.exists() else writer.path
    ids: dict[str, list[str]] = {}
    for obj in jsonl_records(target):
        if isinstance(obj.get("doc_id"), str):
            ids.setdefault(obj["doc_id"], []).append(str(obj.get("sha256")))
    return ids


# --------------------------------------------------------------------------------------------
# the output folder


def prepare_output(out_dir: str | os.PathLike[str]) -> Path:
    """The output folder, created; UsageError E144 for ``-o ""`` or a file; E142 (exit 4) when it
    cannot be created.

    >>> prepare_output("")
    Traceback (most recent call last):
    jixiao.errors.UsageError: E144: the output folder is empty (-o ""); name a folder, e.g. -o out
    """
    text = os.fspath(out_dir)
    if not str(text).strip():
        raise UsageError(E_OUTPUT_PATH, 'the output folder is empty (-o ""); name a folder, e.g. -o out')
    out = Path(text)
    if out.exists() and not out.is_dir():
        raise UsageError(E_OUTPUT_PATH, "exists and is a file, not a folder; choose another -o or move the file",
                         path=str(out))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise UsageError(E_OUTPUT_PATH, "cannot be created: a part of the path is a file; choose another -o",
                         path=str(out)) from None
    except OSError as exc:
        raise JixiaoError(E_OUTPUT_WRITE, f"cannot create the output folder ({exc.strerror or exc}); "
                          "check the path, free space and permissions", path=str(out), exit_code=EXIT_OUTPUT) from None
    return out


_ORPHAN = re.compile(r"^\.(?:extract\.xlsx|(?:documents|paragraphs|entities|indicators)\.(?:parquet|csv))\..+\.tmp$")


def remove_orphan_temps(out: Path) -> list[Path]:
    """Delete the temporary table files a killed run left (``.extract.xlsx.XXXX.tmp``); call it while
    holding the output lock, when no other run can be writing them."""
    removed = []
    try:
        names = os.listdir(out)
    except OSError:
        return removed
    for name in names:
        if _ORPHAN.match(name):
            try:
                (out / name).unlink()
                removed.append(out / name)
            except OSError:
                pass
    return removed


class OutputLock:
    """Exclusive ownership of an output folder by one run: ``.jixiao.lock`` holding the PID.

    The file is locked with ``flock``, which the kernel releases when the process ends however it
    ends (kill -9 included), so a lock left by a dead process is stale by construction and simply
    taken over (noted in ``notes``). Where ``flock`` is unavailable the PID is checked instead: a
    lock naming a process that no longer runs on this host is stale. A lock held by a live run
    raises E152 (exit status 3) naming its PID, or is waited for with ``wait=True``.
    """

    def __init__(self, folder: str | os.PathLike[str], *, wait: bool = False, poll: float = 0.2,
                 log: Callable[[str], None] | None = None):
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self.wait = wait
        self.poll = poll
        self.log = log
        self.notes: list[str] = []
        self._fd: int | None = None

    def __enter__(self) -> OutputLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> None:
        waited = False
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise JixiaoError(E_OUTPUT_WRITE, f"cannot create the lock file ({exc.strerror or exc}); check "
                                  "permissions and free space", path=str(self.path), exit_code=EXIT_OUTPUT) from None
            holder = _read_holder(fd)
            if self._try_lock(fd, holder):
                try:
                    same = os.path.samestat(os.fstat(fd), os.stat(self.path))
                except OSError:
                    same = False
                if same:  # not unlinked by a run that released it meanwhile
                    self._fd = fd
                    self._write_self(fd, holder)
                    return
                os.close(fd)
                continue
            os.close(fd)
            if not self.wait:
                raise JixiaoError(E_LOCKED, f"the output folder is in use by another jixiao run ({_describe(holder)}); "
                                  "wait for it to finish (or pass --wait), or choose another -o",
                                  path=str(self.folder), exit_code=EXIT_LOCKED)
            if not waited and self.log:
                self.log(f"waiting for the other run ({_describe(holder)}) to release {self.folder}")
            waited = True
            time.sleep(self.poll)

    def _try_lock(self, fd: int, holder: dict) -> bool:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                return False
            except OSError:  # no flock on this file system: judge by the PID
                pass
        return not _alive(holder)

    def _write_self(self, fd: int, previous: dict) -> None:
        pid = previous.get("pid")
        if isinstance(pid, int) and pid != os.getpid():
            self.notes.append(f"took over a stale lock of pid {pid} (that run is no longer running)")
        info = {"pid": os.getpid(), "host": socket.gethostname(),
                "started": datetime.now(timezone.utc).isoformat(timespec="seconds"), "argv": sys.argv[:8]}
        try:
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, (json.dumps(info, ensure_ascii=False, default=str) + "\n").encode("utf-8", "replace"))
        except OSError:
            pass  # the flock is what counts; the PID is for messages

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.unlink(self.path)  # while still locked: a waiting run re-checks the inode
        except OSError:
            pass
        os.close(fd)


def _read_holder(fd: int) -> dict:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        data = os.read(fd, 4096)
        obj = json.loads(data.decode("utf-8", "replace") or "{}")
        return obj if isinstance(obj, dict) else {}
    except (OSError, ValueError):
        return {}


def _alive(holder: dict) -> bool:
    """Whether the run a lock names still runs (unknown host or unreadable PID: assume it does)."""
    pid = holder.get("pid")
    if not isinstance(pid, int):
        return False
    if holder.get("host") not in (None, socket.gethostname()):
        return True
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _describe(holder: dict) -> str:
    if not holder.get("pid"):
        return "a run that is starting"
    where = f" on {holder['host']}" if holder.get("host") else ""
    since = f", since {holder['started']}" if holder.get("started") else ""
    return f"pid {holder['pid']}{where}{since}"


# --------------------------------------------------------------------------------------------
# interrupts


class _Interrupts:
    """Turn SIGINT/SIGTERM into KeyboardInterrupt, deferred while a document is being written."""

    def __init__(self) -> None:
        self._depth = 0
        self._pending = False
        self._old: dict[int, Any] = {}

    def __enter__(self) -> _Interrupts:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                try:
                    self._old[sig] = signal.signal(sig, self._handler)
                except (ValueError, OSError):
                    pass
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, old in self._old.items():
            try:
                signal.signal(sig, old)
            except (ValueError, OSError, TypeError):
                pass

    def _handler(self, signum, frame) -> None:  # noqa: ANN001
        if self._depth:
            self._pending = True
            return
        raise KeyboardInterrupt

    @contextmanager
    def critical(self) -> Iterator[None]:
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
        if self._pending and not self._depth:
            self._pending = False
            raise KeyboardInterrupt


def _progress(enabled: bool):
    if not enabled:
        return None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    class _Rate(TextColumn):
        def render(self, task):  # documents per second
            rate = task.completed / task.elapsed if task.elapsed else 0.0
            return super().render(task).__class__(f"{rate:.1f} doc/s")

    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    _Rate(""), TimeElapsedColumn(), transient=False)
