"""``jixiao eval``: score predictions (or the current pipeline) against the gold corpus."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from jixiao.cli.app import app
from jixiao.paths import resolve
from jixiao.errors import E_EVAL_SOURCE, E_NO_PIPELINE, JixiaoError, UsageError


@app.command("eval")
def eval_command(
    gold: Path = typer.Option(Path("corpus/gold"), "--gold",
                              help="Gold directory or .jsonl file (ANNOTATION.md §6)."),
    pred: Optional[Path] = typer.Option(None, "--pred",
                                        help="`jixiao extract` JSONL, ANNOTATION-format JSONL, or a folder."),
    pipeline: bool = typer.Option(False, "--pipeline",
                                  help="Run the current pipeline on the gold paragraph texts instead."),
    manifest: Path = typer.Option(Path("configs/pipeline_rules.yaml"), "--manifest",
                                  help="Pipeline run by --pipeline (default: the rules baseline). A manifest "
                                       "with trained models scores them on their own training data."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON instead of tables."),
) -> None:
    """Entity, money-value, paragraph-label and role scores against gold labels."""
    from jixiao import evaluation

    if (pred is None) == (not pipeline):
        raise UsageError(E_EVAL_SOURCE, "give exactly one of --pred FILE and --pipeline")
    gold_records = evaluation.load_gold(resolve(gold))
    if pipeline:
        try:
            from jixiao.pipeline import load_pipeline
        except ImportError as exc:
            raise JixiaoError(E_NO_PIPELINE, f"the pipeline cannot be run ({exc}); install the package fully "
                              "or evaluate a file with --pred") from exc
        pipe = load_pipeline(resolve(manifest))
        if any(s.path for s in pipe.specs):
            typer.echo(f"note: {manifest} runs trained models; if they were trained on {gold}, these "
                       "figures are in-sample (leave-one-document-out: jixiao train … --cv)", err=True)
        predictions = evaluation.run_pipeline_on_gold(gold_records, pipe)
    else:
        predictions = evaluation.load_predictions(pred)
    report = evaluation.evaluate(gold_records, predictions)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        from rich.console import Console

        Console().print(evaluation.render_report(report))
