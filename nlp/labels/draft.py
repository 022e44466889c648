"""Hook for ``jixiao labels draft``: pre-annotated records from the rules, ready to correct.

Left to the lead engineer, who wires the rules pipeline in; the labels package only defines
where it plugs in and what it must return (records in the ANNOTATION.md §6 format, checked with
:func:`nlp.labels.schema.validate_records` and written with
:func:`nlp.labels.schema.write_label_file`).
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def draft_records(paths: Sequence[str | Path]) -> list[dict]:
    """Pre-annotate the reports at ``paths`` with the rules: one record per paragraph.

    Not implemented here (owned by the lead); raises ``NotImplementedError``.

    >>> draft_records([])
    Traceback (most recent call last):
    ...
    NotImplementedError: draft_records is wired in by the lead (rules pipeline)
    """
    raise NotImplementedError("draft_records is wired in by the lead (rules pipeline)")
