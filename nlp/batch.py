"""Batch extraction over report archives: progress, resume, error log, summary.

A bad file never stops the batch: its error goes to the summary and to ``errors.jsonl``.
Exit status: 0 all succeeded, 1 some failed, 2 usage error (raised before anything runs).
"""
from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from jixiao.errors import JixiaoError


@dataclass
class BatchSummary:
    documents: int = 0
    skipped: int = 0
    paragraphs: int = 0
    entities: int = 0
    indicators: int = 0
    failures: list[tuple[str, str, str]] = field(default_factory=list)
    seconds: float = 0.0
    output: str = ""
    tables: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the pipeline's stages say (sources per type)

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0


def run_extract(
    inputs: list[str],
    out_dir: str | Path,
    *,
    formats: Iterable[str] = (),
    resume: bool = False,
    pipeline_path: str | None = None,
    progress: bool = True,
) -> BatchSummary:
    """Extract every input into ``out_dir/extract.jsonl`` (+ errors.jsonl and tables)."""
    from jixiao.io.readers import iter_inputs, read_document, read_stdin
    from jixiao.io.writers import ErrorLog, JsonlWriter, write_tables
    from jixiao.pipeline import document_from_raw, load_pipeline

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = list(iter_inputs(inputs))  # usage errors (nothing matched) surface here, exit 2
    pipeline = load_pipeline(pipeline_path)
    summary = BatchSummary(output=str(out / "extract.jsonl"), notes=pipeline.notes)
    t0 = time.perf_counter()
    bar = _progress(progress)
    with JsonlWriter(out / "extract.jsonl", resume=resume) as writer, ErrorLog(out / "errors.jsonl") as errors, (bar or nullcontext()):
        task = bar.add_task("extract", total=len(paths)) if bar else None
        for path in paths:
            source = "-" if path == "-" else str(path)
            try:
                raw = read_stdin() if path == "-" else read_document(path)
                if raw.sha256 in writer:
                    summary.skipped += 1
                else:
                    doc = pipeline(document_from_raw(raw))
                    writer.write(doc.to_dict())
                    summary.documents += 1
                    summary.paragraphs += len(doc.paragraphs)
                    summary.entities += len(doc.entities)
                    summary.indicators += len(doc.indicators)
            except JixiaoError as exc:
                errors.record_error(source, exc)
                summary.failures.append((source, exc.code, exc.message))
            except Exception as exc:  # a bug must not lose the batch either
                errors.record_error(source, exc)
                summary.failures.append((source, "E149", f"{type(exc).__name__}: {exc}"))
            if bar:
                bar.advance(task)
    if formats:
        res = write_tables(out / "extract.jsonl", out, formats)
        summary.tables = [str(p) for p in getattr(res, "paths", [])]
    summary.seconds = time.perf_counter() - t0
    return summary


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
