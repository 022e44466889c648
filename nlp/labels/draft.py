"""``jixiao labels draft``: pre-annotated records from the current pipeline, ready to correct.

The draft is never the answer: it is what an annotator corrects (corpus/README.md counts how much
of it was wrong on the seeds).
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def draft_records(paths: Sequence[str | Path], pipeline_path: str | None = None) -> tuple[list[dict], list[str]]:
    """Pre-annotate the reports at ``paths``: one ANNOTATION.md §6 record per paragraph.

    Returns the records and one message per file that could not be read (the others go on).

    >>> draft_records([])
    ([], [])
    """
    from jixiao.errors import JixiaoError
    from jixiao.io.readers import iter_inputs, read_document, read_stdin
    from jixiao.pipeline import document_from_raw, load_pipeline, paragraph_records

    if not paths:
        return [], []
    pipe = load_pipeline(pipeline_path)
    records: list[dict] = []
    problems: list[str] = []
    for path in iter_inputs([str(p) for p in paths]):
        try:
            raw = read_stdin() if path == "-" else read_document(path)
        except JixiaoError as exc:
            problems.append(str(exc))
            continue
        records.extend(paragraph_records(pipe(document_from_raw(raw))))
    return records, problems
