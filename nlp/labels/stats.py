"""Counts per document: paragraphs, each paragraph label, each role, each entity type.

>>> s = label_stats([{"doc_id": "d", "para": 0, "text": "8684万元", "labels": [],
...                   "roles": [], "entities": [[0, 4, "AMOUNT"], [4, 6, "UNIT"]]}])
>>> s["documents"]["d"]["entities"]["AMOUNT"], s["total"]["labels"]["其他"]
(1, 1)
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jixiao.labels.schema import ENTITY_TYPES, OTHER_LABEL, PARAGRAPH_LABELS, ROLES

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


#: What a corpus that covers the genre must hold (the corpus issue's counts), checked by
#: ``jixiao labels stats --goals``.
CORPUS_GOALS: dict[str, int] = {
    "documents": 200, "paragraphs": 5000, "经验做法": 500, "存在问题": 500, "建议": 500,
    "问题": 800, "原因": 300, "措施": 800, "entities": 10000, "TARGET": 600, "ACTUAL": 600, "SCORE": 600,
    "money values": 1000, "indicator tables": 150,
}
_VALUE_TYPES = frozenset({"TARGET", "ACTUAL", "SCORE"})


def indicator_tables(records: list[dict]) -> int:
    """Tables (runs of tab-separated rows) in which some row names an indicator or holds a target,
    actual or score: the indicator tables of one document.

    >>> indicator_tables([{"text": "指标\\t目标值", "entities": []},
    ...                   {"text": "参保率\\t≥95%", "entities": [[0, 3, "INDICATOR"], [4, 8, "TARGET"]]},
    ...                   {"text": "正文", "entities": []}, {"text": "a\\tb", "entities": []}])
    1
    """
    count, in_table, counted = 0, False, False
    for rec in records:
        row = "\t" in rec["text"]
        if not row:
            in_table = counted = False
            continue
        if not in_table:
            in_table, counted = True, False
        types = {e[2] for e in rec.get("entities") or []}
        if not counted and (types & _VALUE_TYPES or ("INDICATOR" in types and "AMOUNT" in types)):
            count += 1
            counted = True
    return count


def money_values(records: list[dict]) -> int:
    """AMOUNTs with a currency unit (their own UNIT or the table's header unit) in one document."""
    from jixiao.evaluation import gold_value_yuan
    from jixiao.units import table_unit_context

    n = 0
    for rec, (unit, skip) in zip(records, table_unit_context(records)):
        for ent in rec.get("entities") or []:
            if ent[2] == "AMOUNT" and gold_value_yuan(rec, ent, unit, skip) is not None:
                n += 1
    return n


def corpus_summary(records: Iterable[dict]) -> dict[str, int]:
    """Totals to compare with :data:`CORPUS_GOALS`.

    >>> corpus_summary([{"doc_id": "d", "para": 0, "text": "8684万元", "labels": ["建议"],
    ...                  "roles": [], "entities": [[0, 4, "AMOUNT"], [4, 6, "UNIT"]]}])["money values"]
    1
    """
    by_doc: dict[str, list[dict]] = {}
    for rec in records:
        by_doc.setdefault(str(rec.get("doc_id")), []).append(rec)
    stats = label_stats(r for recs in by_doc.values() for r in recs)["total"]
    out = {"documents": len(by_doc), "paragraphs": stats["paragraphs"]}
    out.update({k: stats["labels"].get(k, 0) for k in PARAGRAPH_LABELS})
    out.update({k: stats["roles"].get(k, 0) for k in ROLES})
    out["entities"] = sum(stats["entities"].values())
    out.update({k: stats["entities"].get(k, 0) for k in ENTITY_TYPES})
    out["money values"] = sum(money_values(recs) for recs in by_doc.values())
    out["indicator tables"] = sum(indicator_tables(recs) for recs in by_doc.values())
    return out


def goals_table(summary: dict[str, int]) -> Any:
    """A rich ``Table``: each count next to its goal, marked met or not."""
    from rich.table import Table

    table = Table(title="corpus against the goals")
    for name in ("count", "value", "goal", "met"):
        table.add_column(name, justify="right" if name != "count" else "left")
    for name, value in summary.items():
        goal = CORPUS_GOALS.get(name)
        table.add_row(name, str(value), "" if goal is None else str(goal),
                      "" if goal is None else ("yes" if value >= goal else "NO"))
    return table
