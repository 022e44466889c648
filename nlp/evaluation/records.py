"""Paragraph records of gold and predictions, normalised; JSONL reading shared by both."""
from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from jixiao.errors import JixiaoError
from jixiao.schema import ENTITY_TYPES, PARAGRAPH_LABELS, ROLES

@dataclass(frozen=True)
class Para:
    """One paragraph, normalised: spans are ``(start, end, type, value_yuan)`` tuples."""

    doc_id: str
    para: int
    text: str
    labels: tuple[str, ...]
    roles: tuple[tuple[int, int, str, Any], ...]
    entities: tuple[tuple[int, int, str, Any], ...]


def to_decimal(value: Any) -> Decimal | None:
    """Decimal from a JSON value (str, int, Decimal, float via its repr); None when absent/invalid."""
    if value is None or isinstance(value, bool):
        return None
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


def span_tuple(item: Any) -> tuple[int, int, str, Any]:
    """A span from ``[s, e, type]``, ``[s, e, type, value]`` or ``{"start", "end", "type"|"role"}``."""
    if isinstance(item, Mapping):
        kind = item.get("type", item.get("role"))
        return int(item["start"]), int(item["end"]), str(kind), to_decimal(item.get("value_yuan"))
    if isinstance(item, (list, tuple)) and len(item) in (3, 4):
        value = to_decimal(item[3]) if len(item) == 4 else None
        return int(item[0]), int(item[1]), str(item[2]), value
    raise ValueError(f"a span must be [start, end, type], got {item!r}")


def para_from_record(record: Mapping[str, Any], doc_id: str | None = None) -> Para:
    """Normalise an ANNOTATION-format record (raises KeyError/ValueError/TypeError when malformed)."""
    text = record["text"]
    if not isinstance(text, str):
        raise TypeError("'text' must be a string")
    labels = record.get("labels") or []
    if not isinstance(labels, list):
        raise TypeError("'labels' must be a list")
    return Para(
        doc_id=str(record.get("doc_id", doc_id)),
        para=int(record.get("para", 0)),
        text=text,
        labels=tuple(str(label) for label in labels),
        roles=tuple(span_tuple(item) for item in record.get("roles") or []),
        entities=tuple(span_tuple(item) for item in record.get("entities") or []),
    )


def record_from_para(para: Para, *, with_values: bool = True) -> dict[str, Any]:
    """The ANNOTATION-format dict of a paragraph; entities carry value_yuan as a fourth item."""
    return {
        "doc_id": para.doc_id, "para": para.para, "text": para.text, "labels": list(para.labels),
        "roles": [[s, e, kind] for s, e, kind, _ in para.roles],
        "entities": [[s, e, kind, value] if with_values else [s, e, kind]
                     for s, e, kind, value in para.entities],
    }


def check_gold_para(para: Para) -> str | None:
    """What is wrong with a gold paragraph (offsets, overlaps, unknown names), or None."""
    for label in para.labels:
        if label not in PARAGRAPH_LABELS:
            return f"unknown paragraph label {label!r} (known: {', '.join(PARAGRAPH_LABELS)})"
    for layer, known in (("roles", ROLES), ("entities", ENTITY_TYPES)):
        spans = sorted(getattr(para, layer))
        for s, e, kind, _ in spans:
            if kind not in known:
                return f"unknown {layer[:-1] if layer == 'roles' else 'entity'} type {kind!r}"
            if not 0 <= s < e <= len(para.text):
                return f"{layer} span [{s}, {e}] is outside the text (length {len(para.text)})"
            if not para.text[s:e].strip():
                return f"{layer} span [{s}, {e}] holds only whitespace"
        for (s1, e1, *_), (s2, e2, *_) in zip(spans, spans[1:]):
            if s2 < e1:
                return f"{layer} spans [{s1}, {e1}] and [{s2}, {e2}] overlap"
    return None


def expand_paths(source: str | Path | Iterable[str | Path], code: str, what: str, hint: str = "") -> list[Path]:
    """Files named by a path, a directory (its ``*.jsonl``, sorted) or a list of those; ``hint`` (what
    to do) ends the message of the error ``code`` raised when there are none."""
    sources = [source] if isinstance(source, (str, Path)) else list(source)
    files: list[Path] = []
    for item in sources:
        path = Path(item)
        if path.is_dir():
            found = sorted(path.glob("*.jsonl"))
            if not found:
                raise JixiaoError(code, f"no *.jsonl {what} files in this directory{hint}", path=str(path))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise JixiaoError(code, f"{what} file or directory not found{hint}", path=str(path))
    if not files:
        raise JixiaoError(code, f"no {what} files given{hint}")
    return files


def read_jsonl(path: Path, code: str) -> Iterator[tuple[int, Any]]:
    """``(line number, object)`` for each non-blank line; numbers with a point become Decimal."""
    with path.open(encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line, parse_float=Decimal)
            except json.JSONDecodeError as exc:
                raise JixiaoError(code, f"line {number} is not valid JSON ({exc.msg}); fix or remove it",
                                  path=str(path)) from exc
