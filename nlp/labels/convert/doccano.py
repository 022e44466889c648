"""doccano JSONL: records to rows (``label`` = roles + entities, ``cats`` = paragraph labels) and back
(see :mod:`jixiao.labels.convert` for the accepted shapes)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from jixiao.errors import E_ITEM_NO_TEXT, E_SHAPE, E_SPAN_REFUSED
from jixiao.labels.convert.annotators import annotator_keys, annotator_name, choose_versions
from jixiao.labels.convert.base import AnnotationVersion, ImportMessage, ImportResult, OffsetUnit
from jixiao.labels.convert.records import (
    convert_offsets, doc_para, is_int, make_record, out_offset, place, record_extras, short,
)
from jixiao.labels.schema import PARAGRAPH_LABELS

#: Top-level keys doccano writes or reads itself; extra record keys may not use them.
DOCCANO_RESERVED = frozenset({"id", "text", "data", "label", "labels", "entities", "cats", "meta",
                              "Comments", "comments", "relations", "username", "user",
                              "annotation_approver"})


def to_doccano(records: Iterable[dict], unit: OffsetUnit = OffsetUnit.UTF16) -> list[dict]:
    """Records -> doccano JSONL rows (``label`` = roles + entities, ``cats`` = paragraph labels).

    >>> to_doccano([{"doc_id": "d", "para": 0, "text": "万元", "labels": ["建议"],
    ...              "roles": [], "entities": [[0, 2, "UNIT"]]}])
    [{'doc_id': 'd', 'para': 0, 'text': '万元', 'label': [[0, 2, 'UNIT']], 'cats': ['建议']}]
    """
    rows = []
    for record in records:
        text = record["text"]
        spans = [*record.get("roles", []), *record.get("entities", [])]
        row = {"doc_id": record["doc_id"], "para": record["para"], "text": text,
               "label": [[out_offset(text, s, unit), out_offset(text, e, unit), t]
                         for s, e, t in spans],
               "cats": list(record.get("labels", []))}
        row.update(record_extras(record, DOCCANO_RESERVED, "doccano"))
        rows.append(row)
    return rows


def from_doccano(rows: Sequence[Any], path: str | Path = "<doccano>",
                 unit: OffsetUnit = OffsetUnit.UTF16, annotator: str | None = None,
                 line_numbers: Sequence[int] | None = None) -> ImportResult:
    """doccano JSONL rows -> records; see the module docstring for the accepted shapes.

    >>> r = from_doccano([{"text": "万元", "labels": [[0, 2, "UNIT"]], "meta": {"doc_id": "d",
    ...                    "para": 4}, "id": 17, "Comments": []}])
    >>> r.records[0]["doc_id"], r.records[0]["para"], r.records[0]["entities"]
    ('d', 4, [[0, 2, 'UNIT']])
    """
    file = str(path)
    numbers = list(line_numbers) if line_numbers is not None else list(range(1, len(rows) + 1))
    result = ImportResult()
    versions: list[AnnotationVersion] = []
    for position, (row, number) in enumerate(zip(rows, numbers)):
        where = f"line {number}"
        if not isinstance(row, dict):
            result.messages.append(ImportMessage(file, where, E_SHAPE, "expected a JSON object "
                                                 "with a 'text' key; line skipped"))
            continue
        text = row.get("text", row.get("data"))
        if not isinstance(text, str):
            result.messages.append(ImportMessage(file, where, E_ITEM_NO_TEXT, "no 'text' (or 'data') "
                                                 "string; line skipped"))
            continue
        meta = row.get("meta") if isinstance(row.get("meta"), dict) else {}
        doc_id, para, meta_messages = doc_para(meta.get("doc_id", row.get("doc_id")),
                                               meta.get("para", row.get("para")), file, where,
                                               position)
        messages = list(meta_messages)
        labels: list[str] = []
        roles: list[list] = []
        entities: list[list] = []
        cats = row.get("cats", [])
        for name in [cats] if isinstance(cats, str) else cats if isinstance(cats, list) else []:
            place(name, None, labels, roles, entities, messages, file, where)
        for key in ("label", "labels", "entities"):
            items = row.get(key)
            if isinstance(items, str) and items in PARAGRAPH_LABELS:
                items = [items]  # a single-label classification export
            elif items is not None and not isinstance(items, list):
                messages.append(ImportMessage(file, where, E_SHAPE, f"'{key}' is {short(items)}, not a list "
                                              "of [start, end, label] spans or paragraph labels; "
                                              "nothing of it imported: export it again from doccano"))
                continue
            if not isinstance(items, list):
                continue
            for item in items:
                if isinstance(item, str):
                    place(item, None, labels, roles, entities, messages, file, where)
                    continue
                span = _doccano_span(item)
                if span is None:
                    messages.append(ImportMessage(file, where, E_SHAPE, f"'{key}' item "
                                                  f"{short(item)} is neither [start, end, label] "
                                                  "nor {start_offset, end_offset, label}; "
                                                  "dropped"))
                    continue
                start, end, name = span
                if name in PARAGRAPH_LABELS:
                    place(name, None, labels, roles, entities, messages, file, where)
                    continue
                placed = convert_offsets(text, start, end, unit)
                if placed is None:
                    messages.append(ImportMessage(file, where, E_SPAN_REFUSED, f"span "
                                                  f"[{start}, {end}, {name!r}] lies outside the "
                                                  f"text or inside a character (offsets in "
                                                  f"{unit.value}); dropped: re-label it"))
                    continue
                place(name, placed, labels, roles, entities, messages, file, where)
        extras = {k: v for k, v in row.items() if k not in DOCCANO_RESERVED
                  and k not in ("doc_id", "para")}
        extras.update({k: v for k, v in meta.items() if k not in ("doc_id", "para")})
        record = make_record(doc_id, para, text, labels, roles, entities, extras)
        who = row.get("username", row.get("user"))
        versions.append(AnnotationVersion(task=f"{doc_id} #{para}", annotator=annotator_name(who),
                                          annotation_id=row.get("id"), created_at=None,
                                          updated_at=None, record=record, position=position,
                                          messages=messages, annotator_keys=annotator_keys(who)))
    choose_versions(result, versions, annotator, file)
    return result


def _doccano_span(item: Any) -> tuple[int, int, str] | None:
    """[start, end, label] or {start_offset, end_offset, label} -> tuple, else None."""
    if isinstance(item, dict):
        item = [item.get("start_offset"), item.get("end_offset"), item.get("label")]
    if (isinstance(item, (list, tuple)) and len(item) == 3 and is_int(item[0])
            and is_int(item[1]) and isinstance(item[2], str)):
        return item[0], item[1], item[2]
    return None
