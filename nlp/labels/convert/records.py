"""Helpers shared by the doccano and Label Studio readers and writers: where a tool label goes in a
record, doc_id/para fallbacks, extra keys, offsets in the tool's unit, short previews for messages."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jixiao.errors import E_NO_META, E_RESERVED, E_UNKNOWN_NAME, LabelFileError
from jixiao.labels.convert.base import ImportMessage, OffsetUnit
from jixiao.labels.offsets import from_utf16, to_utf16
from jixiao.labels.schema import ENTITY_TYPES, PARAGRAPH_LABELS, RECORD_KEYS, ROLES, WARNING


def place(name: Any, offsets: tuple[int, int] | None, labels: list, roles: list,
          entities: list, messages: list, file: str, where: str) -> None:
    """Put a tool label where the contract wants it: paragraph label, role or entity."""
    if name in PARAGRAPH_LABELS:
        if name not in labels:
            labels.append(name)
    elif name in ROLES and offsets is not None:
        roles.append([offsets[0], offsets[1], name])
    elif name in ENTITY_TYPES and offsets is not None:
        entities.append([offsets[0], offsets[1], name])
    else:
        kind = "span label" if offsets is not None else "category"
        messages.append(ImportMessage(file, where, E_UNKNOWN_NAME, f"unknown {kind} {name!r}; "
                                      f"dropped (known: {', '.join(ENTITY_TYPES + ROLES)} for "
                                      f"spans, {', '.join(PARAGRAPH_LABELS)} for paragraphs)"))


def doc_para(doc_id: Any, para: Any, file: str, where: str,
             position: int) -> tuple[Any, Any, list[ImportMessage]]:
    """doc_id/para from the item, or the file stem and position with a warning."""
    messages = []
    if doc_id is None or para is None:
        doc_id = Path(file).stem if doc_id is None else doc_id
        para = position if para is None else para
        messages.append(ImportMessage(file, where, E_NO_META, f"no doc_id/para; using "
                                      f"{doc_id!r} #{para}: export from `jixiao labels export` "
                                      "to keep them", WARNING))
    return doc_id, para, messages


def make_record(doc_id: Any, para: Any, text: str, labels: list, roles: list, entities: list,
                extras: dict) -> dict:
    record = {"doc_id": doc_id, "para": para, "text": text, "labels": labels, "roles": roles,
              "entities": entities}
    record.update({k: v for k, v in extras.items() if k not in RECORD_KEYS})
    return record


def record_extras(record: dict, reserved: frozenset[str], tool: str) -> dict:
    """Record keys beyond the contract, refused when they would clash with the tool's keys."""
    extras = {k: v for k, v in record.items() if k not in RECORD_KEYS}
    clash = sorted(set(extras) & reserved)
    if clash:
        raise LabelFileError(E_RESERVED, f"record {record.get('doc_id')} #{record.get('para')} "
                             f"has key(s) {', '.join(clash)} that {tool} uses itself; rename "
                             "or drop them before export")
    return extras


def out_offset(text: str, offset: int, unit: OffsetUnit) -> int:
    return to_utf16(text, offset) if unit is OffsetUnit.UTF16 else offset


def convert_offsets(text: str, start: int, end: int,
                    unit: OffsetUnit) -> tuple[int, int] | None:
    """Tool offsets -> Python offsets, None when they do not fit the text."""
    if unit is OffsetUnit.UTF16:
        s, e = from_utf16(text, start), from_utf16(text, end)
    else:
        s, e = start, end
    if s is None or e is None or not 0 <= s < e <= len(text):
        return None
    return s, e


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit - 1] + "…"
