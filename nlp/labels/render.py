"""Render labelled paragraphs as a .docx report (real Word tables), so a labelled corpus also exercises
the readers: ``jixiao extract`` reads the file back and the gold must re-anchor on what it reads.

Consecutive table rows (paragraphs holding a tab) become one Word table, one cell per tab-separated
field; every other paragraph is a Word paragraph.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "r.docx"
>>> render_docx(["标题", "项目\\t预算数", "合计\\t100", "正文。"], path)
>>> from jixiao.io.readers import read_document
>>> read_document(path).text.splitlines()
['标题', '项目\\t预算数', '合计\\t100', '正文。']
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def render_docx(paragraphs: Sequence[str], path: str | Path) -> None:
    """Write paragraph texts to ``path`` as a Word document with real tables for tab rows."""
    import docx

    document = docx.Document()
    i = 0
    while i < len(paragraphs):
        if "\t" not in paragraphs[i]:
            document.add_paragraph(paragraphs[i])
            i += 1
            continue
        j = i
        while j < len(paragraphs) and "\t" in paragraphs[j]:
            j += 1
        rows = [p.split("\t") for p in paragraphs[i:j]]
        width = max(len(r) for r in rows)
        table = document.add_table(rows=len(rows), cols=width)
        for r, cells in enumerate(rows):
            for c, value in enumerate(cells):
                table.cell(r, c).text = value
        i = j
    document.save(str(path))
