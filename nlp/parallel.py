"""All local cores for ``jixiao extract --workers N`` (issue 15).

The batch loop of :mod:`jixiao.batch` stays the one place that decides what is written (duplicates,
``--resume`` skips, ``doc_id`` suffixes, errors.jsonl, interrupts, tables). In a multi-worker run
it is handed a :class:`WorkerPipeline` instead of a :class:`jixiao.pipeline.Pipeline`: worker
processes read and extract the inputs *ahead* of the
loop, a bounded window of documents at a time, and the loop takes their results **in input
order**. So the output is the one-worker output, line for line, whatever the number of workers:

* streamed: at most ``window`` documents (default 4 per worker) are read, being extracted or
  waiting for the writer; paths are listed up front, contents never are;
* ``--resume``: documents whose sha256 is already in the output are read but not extracted by
  the workers either; the loop skips them as before;
* errors: a worker's error for one file (unreadable, a stage failing) reaches the loop as the
  same :class:`~jixiao.errors.JixiaoError`, so errors.jsonl says what one worker says; a worker
  process that dies (killed, out of memory) is replaced, the document it held is tried once
  alone and, if it kills its worker again, fails with E149;
* interrupts: Ctrl-C / SIGTERM reach the loop (workers ignore SIGINT); the loop stops after the
  document being written, the workers are stopped, and ``--resume`` finishes the run.

Models are loaded once per worker: on Linux the coordinator loads and warms the pipeline once and
the workers are forked from it (they start at once and share the models' memory copy-on-write);
elsewhere (or ``JIXIAO_START_METHOD=spawn``) each spawned worker loads it. ONNX Runtime uses one
thread per worker (``JIXIAO_NUM_THREADS``), so N workers use N cores.

>>> default_workers() >= 1
True
>>> plan_workers(8, n_inputs=3), plan_workers(1, n_inputs=100), plan_workers(0, n_inputs=5) >= 1
(3, 1, True)
"""
from __future__ import annotations

import os
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any, Callable, Sequence

from jixiao.errors import E_UNEXPECTED as E_WORKER  # the code of an unexpected error of one document
from jixiao.errors import E_WORKERS_OPTION, JixiaoError, UsageError

THREADS_ENV = "JIXIAO_NUM_THREADS"


def default_workers() -> int:
    """The cores this process may use (``sched_getaffinity``, else ``os.cpu_count``)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def plan_workers(workers: int | None, n_inputs: int) -> int:
    """How many worker processes a run uses: ``workers`` (``None``/0: every core), never more than
    there are inputs; 1 means the one-process loop (no worker is started)."""
    if workers is not None and workers < 0:
        raise UsageError(E_WORKERS_OPTION, f"--workers must be at least 1 (0: every core), got {workers}")
    n = default_workers() if not workers else workers
    return max(1, min(n, n_inputs))


# --------------------------------------------------------------------------------------------
# the worker side (module globals of each worker process)

_PIPELINE: Any = None
_SKIP: frozenset[str] = frozenset()


def _init_worker(pipeline_path: str | None, skip: frozenset[str], threads: int, forked: bool = False) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the coordinator's to handle
    os.environ[THREADS_ENV] = str(threads)
    global _PIPELINE, _SKIP
    _SKIP = skip
    if forked:  # the coordinator's pipeline, loaded and warmed before the fork (shared copy-on-write)
        return
    try:
        from jixiao.pipeline import load_pipeline

        _PIPELINE = load_pipeline(pipeline_path)
    except Exception as exc:  # reported by the first task (a usage error: exit 2)
        _PIPELINE = exc


def start_method() -> str:
    """``fork`` where it is safe and cheap (Linux: the workers inherit the loaded, warmed pipeline
    and start at once), else ``spawn`` (each worker loads the pipeline). ``JIXIAO_START_METHOD``
    overrides."""
    import multiprocessing as mp

    wanted = os.environ.get("JIXIAO_START_METHOD")
    if wanted in mp.get_all_start_methods():
        return wanted
    return "fork" if sys.platform.startswith("linux") and "fork" in mp.get_all_start_methods() else "spawn"


WARM_UP_TEXT = ("某市财政局2020年度专项资金绩效评价报告\n一、项目概况\n项目资金8684万元，预算执行率98.5%。\n"
                "二、存在问题\n一是管理不够规范。\n三、建议\n加强资金管理。")


def load_warm_pipeline(pipeline_path: str | None, threads: int = 1) -> Any:
    """The pipeline with ``threads`` ONNX Runtime threads, run once on a small report so that every
    lazy load (jieba's dictionary, the gazetteer, scipy) is done before workers are forked."""
    from jixiao.pipeline import document_from_text, load_pipeline

    old = {k: os.environ.get(k) for k in (THREADS_ENV, "TOKENIZERS_PARALLELISM")}
    os.environ[THREADS_ENV] = str(threads)
    os.environ["TOKENIZERS_PARALLELISM"] = "false"  # no Rust thread pool to inherit across fork
    try:
        pipeline = load_pipeline(pipeline_path)
        pipeline(document_from_text(WARM_UP_TEXT))
    finally:
        for k, v in old.items():
            if k == THREADS_ENV:
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    return pipeline


def _worker_notes() -> list[str] | tuple:
    if isinstance(_PIPELINE, BaseException):
        return pack_error(_PIPELINE)
    return list(_PIPELINE.notes)


def _work(path: str, doc_id: str | None, limits: Any) -> tuple:
    """Read and extract one input: ``("ok", raw, doc)``, ``("read", raw, None)`` (its sha256 is
    to be skipped), or ``("error", packed exception)``."""
    from jixiao.io.readers import read_document
    from jixiao.pipeline import document_from_raw

    if isinstance(_PIPELINE, BaseException):
        return ("error", pack_error(_PIPELINE))
    try:
        raw = read_document(path, limits=limits, doc_id=doc_id)
    except Exception as exc:
        return ("error", pack_error(exc))
    if raw.sha256 in _SKIP:
        return ("read", raw, None)
    try:
        from jixiao.io.jsonl import ExtractedLine

        return ("ok", raw, ExtractedLine.of(_PIPELINE(document_from_raw(raw))))  # serialised here, not in the writer
    except Exception as exc:
        return ("error", pack_error(exc))


def pack_error(exc: BaseException) -> tuple:
    if isinstance(exc, JixiaoError):
        return ("jixiao", type(exc).__name__, exc.code, exc.message, exc.path, exc.exit_code)
    return ("other", type(exc).__name__, str(exc))


def unpack_error(packed: tuple) -> BaseException:
    """The exception a worker packed, rebuilt in the coordinator (same class name and message).

    >>> str(unpack_error(("jixiao", "InputError", "E010", "empty file", "a.txt", 1)))
    'E010: a.txt: empty file'
    >>> e = unpack_error(("other", "ZeroDivisionError", "division by zero"))
    >>> type(e).__name__, str(e)
    ('ZeroDivisionError', 'division by zero')
    """
    if packed[0] == "jixiao":
        from jixiao import errors

        _, name, code, message, path, exit_code = packed
        cls = getattr(errors, name, JixiaoError)
        if not (isinstance(cls, type) and issubclass(cls, JixiaoError)):
            cls = JixiaoError
        if cls is errors.UsageError:
            return cls(code, message, path=path)
        try:
            return cls(code, message, path=path, exit_code=exit_code)
        except TypeError:
            return JixiaoError(code, message, path=path, exit_code=exit_code)
    _, name, message = packed
    return type(name, (Exception,), {})(message)


# --------------------------------------------------------------------------------------------
# the coordinator side


class WorkerPipeline:
    """A stand-in for a ``Pipeline`` in the batch loop whose documents are extracted by worker
    processes ahead of the loop (see the module docstring).

    The loop calls ``read_document(path, limits=…, doc_id=…)`` for each input in order, then,
    for a document it writes, ``pipeline(document_from_raw(raw))``; both return what a worker
    computed for that input. ``close()`` stops the workers.
    """

    def __init__(self, paths: Sequence[Any], *, workers: int, pipeline_path: str | None = None,
                 limits: Any = None, skip_sha256: Callable[[], set[str]] | None = None,
                 doc_ids: Callable[[str], str | None] | None = None, window: int | None = None,
                 threads_per_worker: int = 1, pipeline: Any = None):
        self.paths = [p for p in paths]
        self.workers = workers
        self.pipeline_path = pipeline_path
        self.limits = limits
        self.window = window or 4 * workers
        self.threads = threads_per_worker
        self.pipeline = pipeline  # loaded here: workers are forked from this process
        self._skip_sha256 = skip_sha256
        self._doc_ids = doc_ids
        self._executor = None
        self._pending: deque[tuple[int, Any]] = deque()  # (index, future) in input order
        self._next_submit = 0
        self._index = {}
        for i, p in enumerate(self.paths):
            self._index.setdefault(os.fspath(p) if not isinstance(p, str) else p, []).append(i)
        self._current: tuple | None = None
        self._notes: list[str] | None = None
        self._started = False
        self._skip: frozenset[str] | None = None
        self.restarts = 0

    # -- the pool ------------------------------------------------------------------------
    def _start(self) -> None:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        global _PIPELINE, _SKIP
        if self._skip is None:
            self._skip = frozenset(self._skip_sha256() if self._skip_sha256 else ())
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # no oversubscription
            os.environ.setdefault(var, str(self.threads))
        forked = self.pipeline is not None
        if forked:
            _PIPELINE, _SKIP = self.pipeline, self._skip
        self._executor = ProcessPoolExecutor(self.workers, mp_context=mp.get_context("fork" if forked else "spawn"),
                                             initializer=_init_worker,
                                             initargs=(self.pipeline_path, self._skip, self.threads, forked))
        self._started = True
        if forked:  # fork every worker now, from this thread, before the loop starts a progress thread
            self._executor.submit(os.getpid).result()

    def _submit(self, i: int) -> Any:
        from jixiao.io.readers import display_path

        path = self.paths[i]
        doc_id = self._doc_ids(display_path(path)) if self._doc_ids else None
        return self._executor.submit(_work, os.fspath(path), doc_id, self.limits)

    def _fill(self) -> None:
        while self._next_submit < len(self.paths) and len(self._pending) < self.window:
            i = self._next_submit
            self._next_submit += 1
            if self.paths[i] == "-":  # stdin is read by the loop itself
                continue
            self._pending.append((i, self._submit(i)))

    def _new_pool(self, indices: Sequence[int]) -> None:
        """Replace a broken pool; submit ``indices`` to the new one."""
        self.restarts += 1
        old, self._executor = self._executor, None
        self._shutdown(old)
        self._start()
        self._pending = deque((j, self._submit(j)) for j in indices)

    def _result(self, i: int) -> tuple:
        from concurrent.futures.process import BrokenProcessPool

        if not self._started:
            self._start()
        self._fill()
        while self._pending and self._pending[0][0] < i:  # inputs the loop did not read (none today)
            self._pending.popleft()[1].cancel()
            self._fill()
        if not self._pending or self._pending[0][0] != i:
            raise JixiaoError(E_WORKER, "internal error: the workers lost the order of the inputs; please report it")
        try:
            out = self._pending[0][1].result()
            self._pending.popleft()
        except BrokenProcessPool:  # a worker died: which document killed it is unknown
            rest = [j for j, _f in list(self._pending)[1:]]
            self._new_pool([i])    # this input alone first: is it the culprit?
            try:
                out = self._pending[0][1].result()
                self._pending.popleft()
            except BrokenProcessPool:
                self._new_pool([])
                out = ("error", ("jixiao", "JixiaoError", E_WORKER,
                                 "the worker process died while extracting this document, twice (out of "
                                 "memory? a crash in a library?); the other documents went on", None, 1))
            self._pending.extend((j, self._submit(j)) for j in rest)
        self._fill()
        return out

    # -- what the batch loop calls ---------------------------------------------------------
    @property
    def notes(self) -> list[str]:
        """The stages' notes (from a worker when spawned, which also surfaces a bad manifest: exit 2);
        the workers are started here, before the batch loop."""
        if self._notes is None:
            if not self._started:
                self._start()
            if self.pipeline is not None:
                self._notes = list(self.pipeline.notes)
            else:
                out = self._executor.submit(_worker_notes).result()
                if isinstance(out, tuple):
                    self.close()
                    raise unpack_error(out)
                self._notes = out
        return self._notes

    def read_document(self, path: Any, *, limits: Any = None, doc_id: str | None = None) -> Any:
        """The worker's reading of ``path`` (the next input of the loop); its errors are raised here."""
        key = os.fspath(path) if not isinstance(path, str) else path
        candidates = [i for i in self._index.get(key, ()) if i >= (self._current[0] + 1 if self._current else 0)]
        if not candidates:
            raise JixiaoError(E_WORKER, "internal error: an input the workers were not given; please report it",
                              path=str(path))
        i = candidates[0]
        out = self._result(i)
        self._current = (i, out)
        if out[0] == "error":
            raise unpack_error(out[1])
        raw = out[1]
        if doc_id is not None:
            raw.doc_id = doc_id
        return raw

    def __call__(self, doc: Any, disable: Any = ()) -> Any:
        """The worker's extraction of the document the loop read last (``doc_id`` as the loop set it)."""
        cur = self._current
        if cur is None or cur[1][0] != "ok" or cur[1][1].sha256 != getattr(doc, "sha256", None):
            if cur is not None and cur[1][0] == "read":  # asked for a document the workers skipped
                if self.pipeline is None:
                    from jixiao.pipeline import load_pipeline

                    self.pipeline = load_pipeline(self.pipeline_path)
                return self.pipeline(doc)
            raise JixiaoError(E_WORKER, "internal error: no worker result for this document; please report it",
                              path=getattr(doc, "source", None))
        result = cur[1][2].with_doc_id(doc.doc_id)
        self._current = (cur[0], ("done",))
        return result

    # -- the end ---------------------------------------------------------------------------
    def close(self) -> None:
        """Stop the workers (pending documents are dropped: the loop has stopped)."""
        global _PIPELINE, _SKIP
        ex, self._executor = self._executor, None
        self._pending.clear()
        if ex is not None:
            self._shutdown(ex)
        if self.pipeline is not None and _PIPELINE is self.pipeline:  # the fork's copy: let it go
            _PIPELINE, _SKIP = None, frozenset()

    #: how long ``close()`` lets the documents already handed to a worker finish before the workers
    #: are terminated (a Ctrl-C waits at most this long for a document stuck in a stage)
    GRACE_SECONDS = 15.0

    @classmethod
    def _shutdown(cls, ex: Any, grace: float | None = None) -> None:
        """Stop the pool ``ex``: pending documents are cancelled, the ones a worker already holds
        finish (at most ``grace`` seconds), then the workers get their stop sentinel and exit.

        Only a worker still busy after the grace period is terminated. Terminating a worker while it
        writes a result into the result pipe leaves half a message there: the pool's manager thread
        then blocks on it for ever and the interpreter never exits (seen in CI after a Ctrl-C)."""
        if ex is None:
            return
        grace = cls.GRACE_SECONDS if grace is None else grace
        procs = list((getattr(ex, "_processes", None) or {}).values())
        manager = getattr(ex, "_executor_manager_thread", None)  # shutdown() forgets it: take it first
        try:
            ex.shutdown(wait=False, cancel_futures=True)
        except Exception:
            pass
        if manager is not None and manager.is_alive():
            try:
                manager.join(grace)
            except KeyboardInterrupt:  # a second Ctrl-C: stop waiting
                pass
        for p in procs:
            try:
                if p.is_alive():
                    p.terminate()
            except Exception:
                pass
        deadline = time.monotonic() + 5
        for p in procs:
            try:
                p.join(max(0.0, deadline - time.monotonic()))
                if p.is_alive():
                    p.kill()
            except Exception:
                pass

    def __enter__(self) -> WorkerPipeline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def output_sha256(out_dir: str | Path) -> set[str]:
    """sha256 values of the documents already in ``out_dir/extract.jsonl`` (or of the ``.partial``
    file of an interrupted rewrite, which ``--resume`` continues): what the workers need not extract."""
    from jixiao.io.jsonl import jsonl_records

    out = Path(out_dir)
    partial = out / ".extract.jsonl.partial"
    target = partial if partial.exists() else out / "extract.jsonl"
    return {obj["sha256"] for obj in jsonl_records(target) if isinstance(obj.get("sha256"), str)}


def worker_pipeline(paths: Sequence[Any], out_dir: str | Path, *, workers: int, pipeline_path: str | None,
                    limits: Any, resume: bool) -> WorkerPipeline:
    """The :class:`WorkerPipeline` for a run of :func:`jixiao.batch.run_extract` (doc_ids as the batch
    computes them, the output's sha256 skipped with ``--resume``)."""
    from jixiao.io.readers import unique_doc_ids

    ids = unique_doc_ids(list(paths))
    pipeline = load_warm_pipeline(pipeline_path) if start_method() == "fork" else None
    return WorkerPipeline(paths, workers=workers, pipeline_path=pipeline_path, limits=limits, pipeline=pipeline,
                          skip_sha256=(lambda: output_sha256(out_dir)) if resume else None, doc_ids=ids.get)


__all__ = ["WorkerPipeline", "default_workers", "plan_workers", "worker_pipeline", "output_sha256",
           "unpack_error", "pack_error", "THREADS_ENV", "start_method",
           "load_warm_pipeline"]
