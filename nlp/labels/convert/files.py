"""Tool files: read a doccano/Label Studio export (which tool wrote it), import it, export records for a
tool, and write every annotator's version beside the label file."""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jixiao.errors import E_READ_TOOL, E_SHAPE, LabelFileError
from jixiao.labels.convert.base import ImportResult, OffsetUnit, ToolFormat
from jixiao.labels.convert.doccano import from_doccano, to_doccano
from jixiao.labels.convert.labelstudio import from_labelstudio, to_labelstudio
from jixiao.labels.schema import dumps_record, write_text_atomic


def read_tool_file(path: str | Path) -> tuple[list[Any], list[int]]:
    """Items of a doccano/Label Studio file and their line (JSONL) or item (JSON) numbers.

    A JSON array gives its elements; a single JSON object gives one item; otherwise each
    non-blank line must be JSON (JSONL).
    """
    path = Path(path)
    try:
        content = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise LabelFileError(E_READ_TOOL, f"cannot read the file ({exc.strerror}); check the "
                             "path", path=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise LabelFileError(E_READ_TOOL, f"not UTF-8 (byte {exc.start}); export it again as "
                             "UTF-8", path=str(path)) from exc
    too_deep = ("JSON nested too deeply (hundreds of levels): not a doccano or Label Studio "
                "export; export it again from the tool")
    if not content.strip():
        raise LabelFileError(E_READ_TOOL, "the file is empty: no tasks to import; export it again "
                             "from the tool", path=str(path))
    try:
        whole = json.loads(content)
    except json.JSONDecodeError:
        whole = None
    except RecursionError:
        raise LabelFileError(E_READ_TOOL, too_deep, path=str(path)) from None
    else:
        if isinstance(whole, list):
            if not whole:
                raise LabelFileError(E_READ_TOOL, "the export holds no tasks ([]); export again "
                                     "with the tasks selected", path=str(path))
            return whole, list(range(1, len(whole) + 1))
        if isinstance(whole, dict):
            return [whole], [1]
    items, numbers = [], []
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except RecursionError:
            raise LabelFileError(E_READ_TOOL, f"line {number}: {too_deep}", path=str(path)) from None
        except json.JSONDecodeError as exc:
            raise LabelFileError(E_READ_TOOL, f"line {number} is not JSON ({exc.msg}); expected a "
                                 "JSON array (Label Studio) or JSON lines (doccano)",
                                 path=str(path)) from exc
        numbers.append(number)
    return items, numbers


def import_file(path: str | Path, fmt: ToolFormat, annotator: str | None = None,
                unit: OffsetUnit = OffsetUnit.UTF16, accept_predictions: bool = False) -> ImportResult:
    """Read a doccano or Label Studio export (full or JSON_MIN, detected) into records.

    ``unit`` applies to doccano, which carries no span text to check offsets against;
    Label Studio offsets are checked span by span (see :func:`resolve_span`).
    """
    items, numbers = read_tool_file(path)
    fmt = ToolFormat(fmt)
    looks_like = sniff_format(items)
    if looks_like is not None and (looks_like is ToolFormat.DOCCANO) != (fmt is ToolFormat.DOCCANO):
        raise LabelFileError(E_SHAPE, f"this looks like a {looks_like.value} export, not "
                             f"{fmt.value}; use --from {looks_like.value}", path=str(path))
    if fmt is ToolFormat.DOCCANO:
        return from_doccano(items, path, unit=unit, annotator=annotator, line_numbers=numbers)
    return from_labelstudio(items, path, annotator=annotator, accept_predictions=accept_predictions)


def sniff_format(items: Sequence[Any]) -> ToolFormat | None:
    """Which tool wrote these items, when the first object says so clearly; else None.

    >>> sniff_format([{"text": "x", "label": [[0, 1, "UNIT"]]}]).value
    'doccano'
    >>> sniff_format([{"data": {"text": "x"}, "annotations": []}]).value
    'labelstudio'
    """
    first = next((item for item in items if isinstance(item, dict)), None)
    if first is None:
        return None
    if isinstance(first.get("data"), dict) or "annotations" in first or "completions" in first:
        return ToolFormat.LABELSTUDIO
    if "annotator" in first or "annotation_id" in first:
        return ToolFormat.LABELSTUDIO_MIN
    spans = [first.get(k) for k in ("label", "labels", "entities")]
    if "cats" in first or any(isinstance(v, list) and v and isinstance(v[0], (list, str))
                              for v in spans):
        return ToolFormat.DOCCANO
    return None


def export_records(records: Sequence[dict], fmt: ToolFormat, path: str | Path,
                   unit: OffsetUnit = OffsetUnit.UTF16, model_version: str | None = None) -> int:
    """Write records for a tool (doccano JSONL, Label Studio JSON / JSON_MIN); return the count.

    ``model_version``: Label Studio full JSON carries the records as predictions of that model
    (a draft to review) instead of annotations (see :func:`to_labelstudio`).

    Records should pass :func:`jixiao.labels.schema.validate_records` first.
    """
    fmt = ToolFormat(fmt)
    if fmt is ToolFormat.DOCCANO:
        rows = to_doccano(records, unit=unit)
        write_text_atomic("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), path)
    else:
        tasks = to_labelstudio(records, unit=unit, minimal=fmt is ToolFormat.LABELSTUDIO_MIN,
                               model_version=model_version)
        write_text_atomic(json.dumps(tasks, ensure_ascii=False, indent=1) + "\n", path)
    return len(records)


def write_versions(result: ImportResult, path: str | Path) -> int:
    """Write every annotation of multi-annotated tasks as JSONL side records; return the count."""
    lines = [json.dumps({**v.to_json(), "record": json.loads(dumps_record(v.record))},
                        ensure_ascii=False)
             for versions in result.multi_annotated().values() for v in versions]
    write_text_atomic("".join(line + "\n" for line in lines), path)
    return len(lines)
