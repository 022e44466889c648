"""``jixiao extract``: read reports, write structured documents (the output contract)."""
from __future__ import annotations

from enum import Enum
from typing import List, Optional

import typer

from jixiao.cli.app import app


class TableFormat(str, Enum):
    jsonl = "jsonl"
    parquet = "parquet"
    xlsx = "xlsx"
    csv = "csv"


@app.command("extract")
def extract(
    inputs: List[str] = typer.Argument(..., help="Files, directories (recursive), globs, or - for stdin."),
    out: str = typer.Option("out", "-o", "--out", help="Output folder (extract.jsonl, errors.jsonl, tables)."),
    format: List[TableFormat] = typer.Option([TableFormat.jsonl], "--format", "-f", help="Also write tables: parquet, xlsx, csv."),
    resume: bool = typer.Option(False, "--resume", help="Skip documents whose sha256 is already in the output."),
    pipeline: Optional[str] = typer.Option(None, "--pipeline", help="Pipeline manifest (default configs/pipeline.yaml)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Read reports and write structured documents (JSON Lines + optional tables)."""
    from rich.console import Console

    from jixiao.batch import run_extract

    err = Console(stderr=True)
    formats = [f.value for f in format if f != TableFormat.jsonl]
    s = run_extract(inputs, out, formats=formats, resume=resume, pipeline_path=pipeline, progress=not quiet)
    err.print(
        f"[bold]{s.documents}[/] documents, {s.paragraphs} paragraphs, {s.entities} entities, "
        f"{s.indicators} indicators, {s.skipped} skipped (resume), [red]{len(s.failures)} failed[/] "
        f"in {s.seconds:.1f}s → {s.output}"
    )
    for note in s.notes:
        err.print(f"  {note}", markup=False, highlight=False, soft_wrap=True)
    for source, code, message in s.failures:  # one line each, never wrapped: file names stay greppable
        err.print(f"  {code}: {source}: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(s.exit_code)
