"""``jixiao show``: one report through the pipeline, its entities and sentence roles as a displaCy page.

    jixiao show report.docx -o report.html
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from jixiao.cli.app import app


@app.command("show")
def show(
    file: Path = typer.Argument(..., help="A report (txt, docx, pdf, …).", exists=True, dir_okay=False),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="HTML file to write (default: print it)."),
    pipeline: Optional[str] = typer.Option(None, "--pipeline", help="Pipeline manifest (default configs/pipeline.yaml)."),
) -> None:
    """Render a report's entities (displaCy ent) and sentence roles (displaCy span) as HTML."""
    import jixiao
    from jixiao.doc import document_from_raw
    from jixiao.io.readers import read_document
    from jixiao.spacy_ext import document_to_doc, render_html

    document = jixiao.load(pipeline)(document_from_raw(read_document(file)))
    page = render_html(document_to_doc(document), title=document.meta.get("title") or file.name)
    if output is None:
        typer.echo(page, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(page, encoding="utf-8")
    doc_entities = len(document.entities)
    typer.echo(f"wrote {output} ({doc_entities} entities, "
               f"{sum(1 for p in document.paragraphs for s in p.sentences if s.role)} roles)", err=True)
