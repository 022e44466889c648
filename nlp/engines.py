"""Who extracts the documents of a ``jixiao extract`` run (issue 15): this process, local worker
processes (:mod:`jixiao.parallel`) or a Ray cluster (:mod:`jixiao.ray_engine`). The batch loop of
:mod:`jixiao.batch` is the same for all three, so is the output.

>>> from jixiao.pipeline import Pipeline
>>> isinstance(extraction_pipeline(["a.txt"], "out", workers=4), Pipeline)   # one input: no worker
True
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from jixiao.errors import E_WORKERS_OPTION, UsageError
from jixiao.parallel import plan_workers, worker_pipeline


def extraction_pipeline(paths: Sequence[Any], out_dir: str | Path, *, pipeline_path: str | None = None,
                        workers: int | None = 1, engine: str = "local", address: str | None = None,
                        limits: Any = None, resume: bool = False) -> Any:
    """What :func:`jixiao.batch.run_extract` extracts with: the pipeline itself (one worker, or stdin
    among the inputs), a :class:`WorkerPipeline` (``workers`` > 1) or a Ray actor pool
    (``engine="ray"``, :mod:`jixiao.ray_engine`). Call ``close()`` on it at the end if it has one."""
    if engine not in ("local", "ray"):
        raise UsageError(E_WORKERS_OPTION, f"unknown --engine {engine!r}; use local or ray")
    if engine == "ray":
        from jixiao.ray_engine import RayPipeline

        return RayPipeline.for_run(paths, out_dir, pipeline_path=pipeline_path, workers=workers,
                                   address=address, limits=limits, resume=resume)
    if address:
        raise UsageError(E_WORKERS_OPTION, "--address names a Ray cluster; add --engine ray")
    n = plan_workers(workers, len(paths))
    if n <= 1 or any(p == "-" for p in paths):
        from jixiao.pipeline import load_pipeline

        return load_pipeline(pipeline_path)
    return worker_pipeline(paths, out_dir, workers=n, pipeline_path=pipeline_path, limits=limits, resume=resume)


__all__ = ["extraction_pipeline"]
