"""Counts per document: paragraphs, each paragraph label, each role, each entity type.

>>> s = label_stats([{"doc_id": "d", "para": 0, "text": "8684万元", "labels": [],
...                   "roles": [], "entities": [[0, 4, "AMOUNT"], [4, 6, "UNIT"]]}])
>>> s["documents"]["d"]["entities"]["AMOUNT"], s["total"]["labels"]["其他"]
(1, 1)
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nlp.labels.schema import ENTITY_TYPES, OTHER_LABEL, PARAGRAPH_LABELS, ROLES

#: Label columns of the table: the three labels, then 其他 (paragraphs with no label).
LABEL_COLUMNS: tuple[str, ...] = (*PARAGRAPH_LABELS, OTHER_LABEL)


def empty_counts() -> dict[str, Any]:
    """A zeroed counter for one document.

    >>> empty_counts()["roles"]
    {'问题': 0, '原因': 0, '措施': 0}
    """
    return {"paragraphs": 0,
            "labels": {name: 0 for name in LABEL_COLUMNS},
            "roles": {name: 0 for name in ROLES},
            "entities": {name: 0 for name in ENTITY_TYPES}}


def add_record(counts: dict[str, Any], record: dict) -> None:
    """Add one record to a counter; names outside the contract get their own keys."""
    counts["paragraphs"] += 1
    labels = record.get("labels") or []
    if not labels:
        counts["labels"][OTHER_LABEL] += 1
    for label in dict.fromkeys(labels):  # a label listed twice counts once
        counts["labels"][label] = counts["labels"].get(label, 0) + 1
    for key in ("roles", "entities"):
        for span in record.get(key) or []:
            name = span[2] if isinstance(span, (list, tuple)) and len(span) == 3 else "?"
            counts[key][name] = counts[key].get(name, 0) + 1


def label_stats(records: Iterable[dict]) -> dict[str, Any]:
    """``{"documents": {doc_id: counts}, "total": counts}``, documents in first-seen order.

    >>> label_stats([])["total"]["paragraphs"]
    0
    """
    documents: dict[str, dict[str, Any]] = {}
    total = empty_counts()
    for record in records:
        doc_id = str(record.get("doc_id"))
        add_record(documents.setdefault(doc_id, empty_counts()), record)
        add_record(total, record)
    return {"documents": documents, "total": total}


def stats_tables(stats: dict[str, Any]) -> list[Any]:
    """Two rich ``Table``s (paragraph labels and roles; entity types), one row per document and
    a total row, narrow enough for an 80-column terminal.

    >>> [t.row_count for t in stats_tables(label_stats([]))]
    [1, 1]
    """
    from rich.table import Table

    total = stats["total"]
    groups = [("paragraphs, labels and roles",
               [("paras", lambda c: c["paragraphs"], "bold")]
               + [(n, _getter("labels", n), "bold green") for n in total["labels"]]
               + [(n, _getter("roles", n), "bold magenta") for n in total["roles"]]),
              ("entities", [(n, _getter("entities", n), "bold cyan")
                            for n in total["entities"]])]
    tables = []
    for title, columns in groups:
        table = Table(title=title)
        table.add_column("document", no_wrap=True)
        for name, _, style in columns:
            table.add_column(name, justify="right", header_style=style, no_wrap=True)
        for doc_id, counts in stats["documents"].items():
            table.add_row(doc_id, *(str(get(counts)) for _, get, _ in columns))
        table.add_row("total", *(str(get(total)) for _, get, _ in columns), style="bold")
        tables.append(table)
    return tables


def _getter(group: str, name: str) -> Any:
    return lambda counts: counts[group].get(name, 0)
