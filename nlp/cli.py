"""The ``jixiao`` command: thin subcommands over library functions.

User errors exit non-zero with one line ``E0xx: message`` and no traceback.
"""
from __future__ import annotations

import importlib
import sys
from enum import Enum
from typing import List, Optional

import typer

from nlp.errors import JixiaoError

app = typer.Typer(
    help="jixiao 绩效: extraction, classification and summaries of performance-evaluation reports.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


class TableFormat(str, Enum):
    jsonl = "jsonl"
    parquet = "parquet"
    xlsx = "xlsx"
    csv = "csv"


@app.command()
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

    from nlp.batch import run_extract

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


# Subcommands contributed by other modules: each exposes register(app).
_PLUGINS = ("nlp.cli_labels", "nlp.cli_eval", "nlp.cli_summarize", "nlp.cli_ner", "nlp.cli_cls")


def _register_plugins() -> None:
    for name in _PLUGINS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(app)


_register_plugins()


def main() -> None:
    """Console entry point: run the app, turning JixiaoError into one line and an exit code."""
    try:
        rc = app(standalone_mode=False)
        sys.exit(rc if isinstance(rc, int) else 0)
    except JixiaoError as exc:
        print(str(exc), file=sys.stderr)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # click's usage errors (typer vendors click, so match by shape)
        show = getattr(exc, "show", None)
        if callable(show) and isinstance(getattr(exc, "exit_code", None), int):
            show()
            sys.exit(exc.exit_code)
        if type(exc).__name__ == "Abort":
            sys.exit(1)
        raise

if __name__ == "__main__":
    main()
