"""``jixiao extract``: read reports, write structured documents (the output contract)."""
from __future__ import annotations

from enum import Enum
from typing import List, Optional

import typer

from jixiao.cli.app import app
from jixiao.errors import E_DUPLICATE


class TableFormat(str, Enum):
    jsonl = "jsonl"
    parquet = "parquet"
    xlsx = "xlsx"
    csv = "csv"


class TableLang(str, Enum):
    zh = "zh"
    en = "en"


@app.command("extract")
def extract(
    inputs: List[str] = typer.Argument(..., help="Files, directories (recursive), globs, or - for stdin."),
    out: str = typer.Option("out", "-o", "--out", help="Output folder (extract.jsonl, errors.jsonl, tables)."),
    format: List[TableFormat] = typer.Option([TableFormat.jsonl], "--format", "-f", help="Also write tables: parquet, xlsx, csv."),
    resume: bool = typer.Option(False, "--resume", help="Skip documents whose sha256 is already in the output."),
    pipeline: Optional[str] = typer.Option(None, "--pipeline", help="Pipeline manifest (default configs/pipeline.yaml)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    wait: bool = typer.Option(False, "--wait", help="If another run is writing to the output folder, wait for it "
                              "instead of refusing (exit 3)."),
    max_mb: Optional[int] = typer.Option(None, "--max-mb", help="Largest input file in MB [200]."),
    max_unpacked_mb: Optional[int] = typer.Option(None, "--max-unpacked-mb",
                                                  help="Largest unpacked size of a .docx in MB (zip bombs) [256]."),
    max_chars: Optional[int] = typer.Option(None, "--max-chars", help="Most characters per document [3000000]."),
    max_paragraph_chars: Optional[int] = typer.Option(None, "--max-paragraph-chars",
                                                      help="Most characters per line/paragraph [2000000]."),
    workers: int = typer.Option(0, "--workers", "-j", help="Worker processes, models loaded once each; 0: every "
                                "core of this machine. The output is the same whatever the number."),
    engine: str = typer.Option("local", "--engine", help="local (this machine) or ray (a Ray cluster; "
                               "pip install 'jixiao[ray]'; README \"A cluster\")."),
    address: Optional[str] = typer.Option(None, "--address", help="Ray cluster address (with --engine ray; "
                                          "default: RAY_ADDRESS, else a local Ray instance)."),
) -> None:
    """Read reports and write structured documents (JSON Lines + optional tables).

    Exit status: 0 done, 1 some inputs failed (errors.jsonl), 2 usage error, 3 the output folder is
    in use by another run, 4 the output cannot be written (disk full), 130 interrupted (--resume).
    """
    from rich.console import Console

    from jixiao.batch import interrupted_message, run_extract
    from jixiao.io.readers import Limits, display_name

    err = Console(stderr=True)
    formats = [f.value for f in format if f != TableFormat.jsonl]
    limits = Limits.from_options(max_mb=max_mb, max_unpacked_mb=max_unpacked_mb, max_chars=max_chars,
                                 max_paragraph_chars=max_paragraph_chars)

    def line(text: str) -> None:  # one line each, never wrapped: file names stay greppable
        err.print(display_name(text), markup=False, highlight=False, soft_wrap=True)

    s = run_extract(inputs, out, formats=formats, resume=resume, pipeline_path=pipeline, progress=not quiet,
                    limits=limits, wait=wait, log=line, workers=workers, engine=engine, address=address)
    dupes = f", {len(s.duplicates)} duplicate(s)" if s.duplicates else ""
    err.print(
        f"[bold]{s.documents}[/] documents, {s.paragraphs} paragraphs, {s.entities} entities, "
        f"{s.indicators} indicators, {s.skipped} skipped (resume){dupes}, [red]{len(s.failures)} failed[/] "
        f"in {s.seconds:.1f}s → {s.output}",
        soft_wrap=True,
    )
    for note in s.notes:
        line(f"  {note}")
    for source, code, message in s.failures:
        line(f"  {code}: {source}: {message}")
    for source, first in s.duplicates:
        line(f"  {E_DUPLICATE}: {source}: duplicate of {first} (same content); not written again")
    for warning in s.warnings:
        line(f"  warning {warning}")
    if s.output_error:
        line(f"{s.output_error}; the run stopped: the documents before it are in the output, "
             "free space and run again with --resume")
    if s.interrupted:
        line(interrupted_message(s, resume))
    raise typer.Exit(s.exit_code)
