"""``jixiao extract --engine ray [--address ADDR]``: extract an archive on a Ray cluster (issue 15).

Ray Data streams the inputs through a pool of actors, each holding the pipeline (models loaded
once per actor, one CPU each):

    paths (input order) ──> ray.data.from_items ──> map_batches(ExtractActor, concurrency=N)
        ──> ordered stream of (raw, document) back to the driver ──> the batch loop of
        jixiao.batch writes extract.jsonl, errors.jsonl, tables, and ``ray_manifest.json``

The driver runs the same loop as a local run (:mod:`jixiao.batch`): duplicates, ``--resume`` by
sha256 (the actors are given the sha256 values already in the output and do not extract those
documents again), per-file errors, ``doc_id`` rules, interrupts. Ray Data keeps the input order
(``preserve_order``), so the output equals a one-process run line for line. ``ray_manifest.json``
records the run: the cluster, the actors, and per node how many documents it extracted.

Every node must see the input files at the same path (a shared file system) and have jixiao
installed (``pip install 'jixiao[ray]'``). Without ``--address`` (and without ``RAY_ADDRESS``) a
local Ray instance is started with as many CPUs as ``--workers`` asks (default: every core).

>>> RayPipeline.__name__
'RayPipeline'
"""
from __future__ import annotations

import json
import os
import pickle
import socket
import time
from collections import Counter
from pathlib import Path
from typing import Any, Iterator, Sequence

from jixiao.errors import E_RAY, JixiaoError, UsageError
from jixiao.parallel import E_WORKER, E_WORKERS_OPTION, default_workers, output_sha256, unpack_error

MANIFEST = "ray_manifest.json"


def _ray():
    try:
        import ray
    except ImportError:
        raise UsageError(E_RAY, "--engine ray needs Ray: pip install 'jixiao[ray]' (ray[data]); "
                         "or run without --engine for the local workers") from None
    return ray


def _check_reachable(address: str | None, timeout: float = 5.0) -> None:
    """A ``host:port`` or ``ray://host:port`` address that does not answer is refused at once (E148):
    ``ray.init`` would otherwise retry for minutes, deaf to SIGTERM.

    >>> _check_reachable(None), _check_reachable("auto")
    (None, None)
    """
    if not address or address in ("auto", "local"):
        return
    hostport = address.split("://", 1)[-1]
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        return
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            pass
    except OSError as exc:
        raise UsageError(E_RAY, f"the Ray cluster at {address} does not answer ({exc.strerror or exc}); "
                         "check --address (ray start prints it) or RAY_ADDRESS") from None


class ExtractActor:
    """One Ray actor: the pipeline loaded once; ``__call__`` extracts a batch of inputs."""

    def __init__(self, pipeline_path: str | None, skip: frozenset[str], limits: Any):
        os.environ.setdefault("JIXIAO_NUM_THREADS", "1")
        self.skip = skip
        self.limits = limits
        self.host = socket.gethostname()
        try:
            from jixiao.pipeline import load_pipeline

            self.pipeline: Any = load_pipeline(pipeline_path)
        except Exception as exc:  # reported per input (a bad manifest: the first input says why)
            self.pipeline = exc

    def __call__(self, batch: dict[str, Any]) -> dict[str, list]:
        from jixiao.parallel import pack_error

        out: dict[str, list] = {"i": [], "result": [], "host": [], "busy_s": [], "chars": []}
        for i, path, doc_id in zip(batch["i"], batch["path"], batch["doc_id"]):
            t0 = time.perf_counter()
            res = self._one(str(path), doc_id or None, pack_error)
            out["i"].append(int(i))
            out["host"].append(self.host)
            out["busy_s"].append(time.perf_counter() - t0)  # read + extract, this actor's own time
            out["chars"].append(len(res[1].text) if res[0] != "error" else 0)
            out["result"].append(pickle.dumps(res, protocol=pickle.HIGHEST_PROTOCOL))
        return out

    def _one(self, path: str, doc_id: str | None, pack_error) -> tuple:  # noqa: ANN001
        from jixiao.io.readers import read_document
        from jixiao.pipeline import document_from_raw

        if isinstance(self.pipeline, BaseException):
            return ("error", pack_error(self.pipeline))
        try:
            raw = read_document(path, limits=self.limits, doc_id=doc_id)
        except Exception as exc:
            return ("error", pack_error(exc))
        if raw.sha256 in self.skip:
            return ("read", raw, None)
        try:
            from jixiao.io.jsonl import ExtractedLine

            return ("ok", raw, ExtractedLine.of(self.pipeline(document_from_raw(raw))))
        except Exception as exc:
            return ("error", pack_error(exc))


class RayPipeline:
    """The batch loop's stand-in for a pipeline (as :class:`jixiao.parallel.WorkerPipeline`), fed by
    a Ray Data stream of actor results in input order."""

    def __init__(self, paths: Sequence[Any], out_dir: str | Path, *, pipeline_path: str | None = None,
                 workers: int | None = None, address: str | None = None, limits: Any = None,
                 resume: bool = False, batch_size: int = 1):
        if any(p == "-" for p in paths):
            raise UsageError(E_WORKERS_OPTION, "--engine ray reads files; stdin (-) is not one")
        self.paths = list(paths)
        self.out = Path(out_dir)
        self.pipeline_path = pipeline_path
        self.workers = workers
        self.address = address or os.environ.get("RAY_ADDRESS") or None
        self.limits = limits
        self.resume = resume
        self.batch_size = batch_size
        self._stream: Iterator[dict] | None = None
        self._next = 0
        self._current: tuple | None = None
        self._hosts: Counter[str] = Counter()
        self._busy: Counter[str] = Counter()  # seconds the actors of a node spent reading and extracting
        self._chars: Counter[str] = Counter()
        self._started_ray = False
        self._actors = 0
        self._notes: list[str] | None = None

    @classmethod
    def for_run(cls, paths: Sequence[Any], out_dir: str | Path, **kw: Any) -> RayPipeline:
        return cls(paths, out_dir, **kw)

    # -- the stream ------------------------------------------------------------------------
    def _start(self) -> None:
        from jixiao.io.readers import display_path, unique_doc_ids

        ray = _ray()
        if not ray.is_initialized():
            _check_reachable(self.address)
            try:
                if self.address:
                    ray.init(address=self.address, log_to_driver=False)
                else:
                    ray.init(num_cpus=self.workers or default_workers(), log_to_driver=False,
                             include_dashboard=False)
            except Exception as exc:
                raise UsageError(E_RAY, f"cannot start or reach Ray ({self.address or 'local'}): "
                                 f"{type(exc).__name__}: {exc}") from None
            self._started_ray = True
        cpus = int(ray.cluster_resources().get("CPU", 1))
        self._actors = max(1, min(self.workers or cpus, cpus, len(self.paths)))
        ctx = ray.data.DataContext.get_current()
        ctx.execution_options.preserve_order = True
        try:  # no progress bars from Ray Data: the batch has its own
            ctx.enable_progress_bars = False
        except AttributeError:  # pragma: no cover
            pass
        ids = unique_doc_ids(self.paths)
        items = [{"i": i, "path": os.fspath(p), "doc_id": ids.get(display_path(p)) or ""}
                 for i, p in enumerate(self.paths)]
        skip = frozenset(output_sha256(self.out)) if self.resume else frozenset()
        ds = ray.data.from_items(items, override_num_blocks=max(1, min(len(items), 4 * self._actors * 8)))
        ds = ds.map_batches(ExtractActor, fn_constructor_kwargs={"pipeline_path": self.pipeline_path, "skip": skip,
                                                                  "limits": self.limits},
                            batch_size=self.batch_size, concurrency=self._actors, num_cpus=1,
                            batch_format="numpy")
        self._stream = iter(ds.iter_rows())

    def _result(self, i: int) -> tuple:
        if self._stream is None:
            self._start()
        while True:
            try:
                row = next(self._stream)
            except StopIteration:
                raise JixiaoError(E_WORKER, "internal error: the Ray stream ended early; please report it") from None
            j = int(row["i"])
            if j < i:
                continue
            if j != i:
                raise JixiaoError(E_WORKER, "internal error: Ray returned the inputs out of order; please report it")
            host = str(row["host"])
            self._hosts[host] += 1
            self._busy[host] += float(row.get("busy_s", 0.0))
            self._chars[host] += int(row.get("chars", 0))
            return pickle.loads(row["result"])

    # -- what the batch loop calls ---------------------------------------------------------
    @property
    def notes(self) -> list[str]:
        """Connects to Ray (before the batch loop: a cluster that cannot be reached is a usage error, exit 2)."""
        if self._notes is None:
            if self._stream is None:
                self._start()
            self._notes = [f"engine ray: {self.address or 'a local Ray instance'}, {self._actors} actor(s)"]
        return self._notes

    def read_document(self, path: Any, *, limits: Any = None, doc_id: str | None = None) -> Any:
        key = os.fspath(path)
        i = self._next
        while i < len(self.paths) and os.fspath(self.paths[i]) != key:
            i += 1
        if i >= len(self.paths):
            raise JixiaoError(E_WORKER, "internal error: an input Ray was not given; please report it", path=key)
        self._next = i + 1
        out = self._result(i)
        self._current = out
        if out[0] == "error":
            raise unpack_error(out[1])
        raw = out[1]
        if doc_id is not None:
            raw.doc_id = doc_id
        return raw

    def __call__(self, doc: Any, disable: Any = ()) -> Any:
        cur = self._current
        if cur is None or cur[0] != "ok" or cur[1].sha256 != getattr(doc, "sha256", None):
            if cur is not None and cur[0] == "read":
                from jixiao.pipeline import load_pipeline

                return load_pipeline(self.pipeline_path)(doc)
            raise JixiaoError(E_WORKER, "internal error: no Ray result for this document; please report it",
                              path=getattr(doc, "source", None))
        result = cur[2].with_doc_id(doc.doc_id)
        self._current = ("done",)
        return result

    def close(self) -> None:
        """Write ``ray_manifest.json``; shut down a Ray instance this run started."""
        if self._stream is not None:
            manifest = {"engine": "ray", "address": self.address or "local", "actors": self._actors,
                        "inputs": len(self.paths), "results_by_node": dict(self._hosts),
                        "busy_seconds_by_node": {h: round(v, 3) for h, v in self._busy.items()},
                        "chars_by_node": dict(self._chars),
                        # what one actor does per second of its own time: the figure to size a cluster by
                        "chars_per_actor_second": round(sum(self._chars.values()) / sum(self._busy.values()))
                        if sum(self._busy.values()) > 0 else None,
                        "output": "extract.jsonl", "errors": "errors.jsonl"}
            try:
                (self.out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                                 encoding="utf-8")
            except OSError:
                pass
        self._stream = None
        if self._started_ray:
            try:
                _ray().shutdown()
            except Exception:
                pass
            self._started_ray = False
