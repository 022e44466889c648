"""``jixiao labels``: validate, count, and round-trip label files through doccano / Label Studio.

    jixiao labels validate corpus/gold/*.jsonl
    jixiao labels stats corpus/gold/*.jsonl --json
    jixiao labels export drafts.jsonl --to labelstudio -o tasks.json
    jixiao labels export corpus/gold --to spacy -o gold.spacy
    jixiao labels import project-1.json --from labelstudio -o corrected.jsonl --annotator a@b.cn
    jixiao labels config --to labelstudio > config.xml

Commands stay thin: the work is in :mod:`jixiao.labels`.
"""
from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from jixiao.cli.app import labels_app
from jixiao.labels.convert.base import OffsetUnit, ToolFormat


class ExportTarget(str, Enum):
    """What ``labels export --to`` writes: the tool formats, or a spaCy ``DocBin`` (one Doc per paragraph)."""

    DOCCANO = ToolFormat.DOCCANO.value
    LABELSTUDIO = ToolFormat.LABELSTUDIO.value
    LABELSTUDIO_MIN = ToolFormat.LABELSTUDIO_MIN.value
    SPACY = "spacy"


class ConfigTarget(str, Enum):
    """Tools a project configuration can be generated for."""

    LABELSTUDIO = "labelstudio"
    DOCCANO = "doccano"


FilesArg = Annotated[list[Path], typer.Argument(help="Label files (JSONL, ANNOTATION.md §6) or folders holding them.",
                                                metavar="FILES...",
                                                exists=True, dir_okay=True)]
OffsetsOpt = Annotated[OffsetUnit, typer.Option(
    "--offsets", help="How the tool counts offsets: utf16 (browser tools, default) or codepoint.")]


def label_files(paths: list[Path]) -> list[Path]:
    """Files as given; a folder stands for every ``*.jsonl`` below it (sorted).

    >>> label_files([])
    []
    """
    out: list[Path] = []
    for p in paths:
        out.extend(sorted(p.rglob("*.jsonl")) if p.is_dir() else [p])
    return out


def _side_file(output: Path) -> Path:
    """Where every annotator's version goes: ``out.jsonl`` -> ``out.annotators.jsonl``."""
    return output.with_name(f"{output.stem}.annotators.jsonl")


@labels_app.command("validate")
def validate(files: FilesArg) -> None:
    """Check label files: schema, offsets, overlaps, unknown names, duplicates; exit 1 on errors."""
    from jixiao.labels.schema import has_errors, validate_files

    files = label_files(files)
    problems = validate_files(files)
    for problem in problems:
        typer.echo(str(problem))
    errors = sum(p.is_error for p in problems)
    typer.echo(f"{len(files)} file(s): {errors} error(s), {len(problems) - errors} warning(s)",
               err=True)
    if has_errors(problems):
        raise typer.Exit(1)


@labels_app.command("stats")
def stats(files: FilesArg,
          as_json: Annotated[bool, typer.Option("--json", help="Print JSON, not a table.")] = False,
          totals: Annotated[bool, typer.Option("--totals", help="Corpus totals against the corpus goals "
                                                                "only, no row per document.")] = False,
          ) -> None:
    """Count paragraphs, paragraph labels, roles and entity types per document, and the corpus totals
    (money values, indicator tables) against the goals of a corpus that covers the genre."""
    from jixiao.labels.schema import read_label_file
    from jixiao.labels.stats import corpus_summary, goals_table, label_stats, stats_tables

    records = [r for path in label_files(files) for r in read_label_file(path)]
    summary = corpus_summary(records)
    if as_json:
        result = {} if totals else label_stats(records)
        typer.echo(json.dumps({**result, "summary": summary}, ensure_ascii=False, indent=2))
        return
    from rich.console import Console

    console = Console()
    if not totals:
        for table in stats_tables(label_stats(records)):
            console.print(table)
    console.print(goals_table(summary))


@labels_app.command("export")
def export(files: FilesArg,
           to: Annotated[ExportTarget, typer.Option("--to", help="Target tool format.")],
           output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")],
           offsets: OffsetsOpt = OffsetUnit.UTF16,
           model_version: Annotated[Optional[str], typer.Option(
               "--model-version", help="Label Studio: the predictions' model_version (default "
                                       "'jixiao-<version>-draft').")] = None,
           as_annotations: Annotated[bool, typer.Option(
               "--as-annotations", help="Label Studio: write the labels as annotations (reviewed "
                                        "work, e.g. gold sent back for another look), not as "
                                        "predictions.")] = False) -> None:
    """Write label files as doccano JSONL, Label Studio JSON / JSON_MIN tasks, or a spaCy DocBin
    (``--to spacy``: a .spacy file for ``spacy train``, one Doc per paragraph).

    Label Studio (full JSON) gets the labels as a machine draft: each task's *predictions* (with
    model_version), pre-filled for the annotator and never mistaken for reviewed work. doccano
    has no predictions: the draft arrives as labels, so mark each reviewed example as done and
    export with "Export only approved documents".
    """
    from jixiao.errors import E_INVALID_INPUT
    from jixiao.labels.convert.files import export_records
    from jixiao.labels.schema import read_label_file, validate_files

    files = label_files(files)
    problems = [p for p in validate_files(files) if p.is_error]
    if problems:
        for problem in problems:
            typer.echo(str(problem), err=True)
        typer.echo(f"{E_INVALID_INPUT}: {len(problems)} error(s) in the input; fix them "
                   "(jixiao labels validate) and export again", err=True)
        raise typer.Exit(1)
    records = [r for path in files for r in read_label_file(path)]
    if to is ExportTarget.SPACY:
        from jixiao.spacy_ext import export_docbin

        count = export_docbin(records, output)
        typer.echo(f"wrote {count} paragraph(s) to {output} (spaCy DocBin: doc.ents, doc.spans"
                   "[\"entities\"|\"roles\"], doc.cats)", err=True)
        return
    import jixiao

    version = None
    if to.value == ToolFormat.LABELSTUDIO.value and not as_annotations:
        version = model_version or f"jixiao-{jixiao.__version__}-draft"
    count = export_records(records, ToolFormat(to.value), output, unit=offsets, model_version=version)
    kind = f", as predictions of model_version {version!r}" if version else ""
    typer.echo(f"wrote {count} paragraph(s) to {output} ({to.value}, {offsets.value} offsets{kind})",
               err=True)
    if to.value == ToolFormat.DOCCANO.value:
        typer.echo("note: doccano has no predictions, so these labels arrive as annotations; mark "
                   "each reviewed example as done and export with 'Export only approved documents'",
                   err=True)


@labels_app.command("import")
def import_(file: Annotated[Path, typer.Argument(help="doccano JSONL or Label Studio JSON "
                                                      "export.", metavar="FILE", exists=True,
                                                 dir_okay=False)],
            from_: Annotated[ToolFormat, typer.Option("--from", help="Source tool format.")],
            output: Annotated[Path, typer.Option("-o", "--output", help="Label file to write.")],
            annotator: Annotated[Optional[str], typer.Option(
                "--annotator", help="Import this annotator's labels (user id or e-mail) "
                                    "instead of the latest.")] = None,
            offsets: OffsetsOpt = OffsetUnit.UTF16,
            accept_predictions: Annotated[bool, typer.Option(
                "--accept-predictions", help="Label Studio: take a task's prediction (the machine "
                                             "draft) where it has no human annotation.")] = False) -> None:
    """Read a doccano / Label Studio export back into a label file (exit 1 if spans were dropped).

    Only human annotations are imported; tasks without one are counted and reported (E325); an
    export with no annotated task at all writes nothing and exits 1 (E333).
    Every annotator's version goes to OUTPUT-STEM.annotators.jsonl; the choice is reported.

    --offsets applies to doccano; Label Studio spans are checked against their own text.
    """
    from jixiao.errors import E_NO_ANNOTATION, E_NOTHING
    from jixiao.labels.convert.files import import_file, write_versions
    from jixiao.labels.schema import validate_records, write_label_file

    result = import_file(file, from_, annotator=annotator, unit=offsets,
                         accept_predictions=accept_predictions)
    for message in result.messages:
        typer.echo(str(message), err=True)
    unannotated = sum(m.code == E_NO_ANNOTATION for m in result.messages)
    if not result.records:
        hint = (" (the tasks hold only predictions: submit reviewed annotations in Label Studio, or "
                "pass --accept-predictions)" if unannotated else "")
        typer.echo(f"{E_NOTHING}: no annotated paragraph in {file}{hint}; nothing written", err=True)
        raise typer.Exit(1)
    if unannotated:
        typer.echo(f"{unannotated} task(s) without a human annotation were not imported ({E_NO_ANNOTATION})",
                   err=True)
    write_label_file(result.records, output)
    typer.echo(f"wrote {len(result.records)} paragraph(s) to {output}", err=True)
    if result.multi_annotated():
        side = _side_file(output)
        count = write_versions(result, side)
        typer.echo(f"wrote all {count} annotation(s) of {len(result.multi_annotated())} "
                   f"multi-annotated paragraph(s) to {side}", err=True)
    problems = validate_records(result.records, output)
    for problem in problems:
        typer.echo(str(problem), err=True)
    if result.has_errors or any(p.is_error for p in problems):
        raise typer.Exit(1)


@labels_app.command("config")
def config(to: Annotated[ConfigTarget, typer.Option("--to", help="Tool to configure.")],
           output: Annotated[Optional[Path], typer.Option(
               "-o", "--output", help="Write here instead of printing.")] = None) -> None:
    """Print the labelling config: Label Studio XML or doccano label definitions (JSON)."""
    from jixiao.labels.convert.configs import doccano_label_config, labelstudio_config
    from jixiao.labels.schema import write_text_atomic

    if to is ConfigTarget.LABELSTUDIO:
        content = labelstudio_config()
    else:
        content = json.dumps(doccano_label_config(), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        typer.echo(content, nl=False)
    else:
        write_text_atomic(content, output)
        typer.echo(f"wrote {output}", err=True)


@labels_app.command("draft")
def draft(
    files: list[str] = typer.Argument(..., help="Reports (files, folders, globs, -) to pre-annotate."),
    output: Path = typer.Option(..., "-o", "--output", help="Drafts in the ANNOTATION.md format (JSONL)."),
    pipeline: Optional[str] = typer.Option(None, "--pipeline", help="Pipeline manifest (default configs/pipeline.yaml)."),
) -> None:
    """Pre-annotate reports with the current pipeline: a draft to correct, never gold."""
    from jixiao.labels.draft import draft_records
    from jixiao.labels.schema import write_label_file

    records, problems = draft_records(files, pipeline)
    write_label_file(records, output)
    for msg in problems:
        typer.echo(msg, err=True)
    typer.echo(f"wrote {len(records)} paragraphs to {output}", err=True)
    raise typer.Exit(1 if problems else 0)


@labels_app.command("compile")
def compile_(corpus: Annotated[Path, typer.Argument(help="Corpus folder holding src/*.md (corpus/written).")]) -> None:
    """Compile a written corpus (markup in SRC/*.md) into gold/*.jsonl, raw/*.txt and documents.json."""
    from jixiao.labels.markup import main as markup_main

    raise typer.Exit(markup_main(["build", str(corpus)]))


@labels_app.command("agree")
def agree(a: Annotated[Path, typer.Argument(help="First annotation (file or folder).")],
          b: Annotated[Path, typer.Argument(help="Second annotation of the same paragraphs.")],
          output: Annotated[Optional[Path], typer.Option("-o", "--output",
                                                         help="Write figures and disagreements as JSON.")] = None,
          ) -> None:
    """Inter-annotator agreement: paragraph-label κ, entity and role span F1, the disagreements."""
    from jixiao.labels.agreement import agreement
    from jixiao.labels.schema import read_label_file

    ra = [r for p in label_files([a]) for r in read_label_file(p)]
    rb = [r for p in label_files([b]) for r in read_label_file(p)]
    result = agreement(ra, rb)
    lab = result["labels"]
    typer.echo(f"{result['paragraphs']} paragraphs; label κ " +
               ", ".join(f"{k} {lab[k]['kappa']}" for k in ("经验做法", "存在问题", "建议")) +
               f" (mean {lab['mean_kappa']}); entity F1 {result['entities']['micro']['f1']}, "
               f"role F1 {result['roles']['micro']['f1']}; {len(result['disagreements'])} paragraphs differ")
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)
