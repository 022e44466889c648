"""Lossless conversion between label records (ANNOTATION.md §6) and doccano / Label Studio.

doccano (JSONL, one paragraph a line), for a *Sequence labeling* project with "Allow overlapping
spans" ticked (roles contain entities)::

    {"doc_id": "d", "para": 3, "text": "预算执行率96.4%。",
     "label": [[0, 11, "问题"], [0, 5, "INDICATOR"], [5, 9, "AMOUNT"], [9, 10, "UNIT"]],
     "cats": ["存在问题"]}

- ``label`` holds roles and entities together; their names never clash, so import splits them
  by name. On import the span key may also be ``labels`` (older doccano) or ``entities``
  (intent-detection projects), spans may be ``{"start_offset", "end_offset", "label"}`` objects
  (relation projects), and the text key may be ``data``.
- Paragraph labels travel in ``cats``: the key doccano's intent-detection format uses for
  categories. A sequence-labelling project keeps ``cats``, ``doc_id``, ``para`` and any other
  extra key as metadata and writes them back on export. To *change* paragraph labels inside such a
  project, label any stretch of the paragraph with 经验做法/存在问题/建议: a span whose name is a
  paragraph label is read back as that paragraph label (its offsets are ignored). A ``label``
  holding plain strings (a text-classification export) is read as paragraph labels too.
- doccano counts offsets in UTF-16 code units unless the project counts grapheme clusters
  (doccano issue #2290), so ``unit=OffsetUnit.UTF16`` is the default both ways; grapheme mode is
  not supported.
- doccano exports carry no timestamps: when one paragraph appears several times (several
  annotators, told apart by ``username``/``user``), the last one in the file is imported.

Label Studio, with the config from :func:`labelstudio_config` (``<Labels name="entity">``,
``<Labels name="role">``, ``<Choices name="para_label">`` on ``<Text name="text">``):

- full JSON export: a list of tasks ``{"id", "data": {"text", "doc_id", "para", ...},
  "annotations": [{"id", "completed_by", "created_at", "updated_at", "result": [...]}]}``; a span
  result is ``{"from_name": "entity", "to_name": "text", "type": "labels",
  "value": {"start", "end", "text", "labels": ["AMOUNT"]}}``, paragraph labels are one
  ``{"type": "choices", "value": {"choices": [...]}}`` result.
- JSON_MIN: one flat object per annotation: the task's data fields, ``id``, each control's
  results under its name (``entity``/``role``: list of ``{start, end, text, labels}``;
  ``para_label``: a string for one choice, ``{"choices": [...]}`` for several) and ``annotator``,
  ``annotation_id``, ``created_at``, ``updated_at``, ``lead_time``.
- Offsets are UTF-16 code units (Label Studio issue #1347). On import every span is checked
  against its ``value.text``: as code points, as UTF-16 units, then by searching the span text
  within :data:`REANCHOR_WINDOW` characters of the offset; a span found nowhere is dropped with an
  E321 message naming file, task and span. Export writes UTF-16 offsets.
- Names are read by *value*, not by control name: any span label or choice that is an entity
  type, a role or a paragraph label lands in the right field, so a hand-made config works too.
- Several annotations on one task: all are kept in :attr:`ImportResult.versions`; the latest
  (``updated_at``, then ``created_at``, then ``id``) is imported, or the latest by ``annotator``
  (user id or e-mail) when one is given. Cancelled (skipped) annotations and predictions are
  never imported, unless ``accept_predictions`` takes a task's prediction where it has no
  annotation. ``jixiao labels export --to labelstudio`` writes the draft as *predictions* (with
  ``model_version``), so what comes back as annotations is what a person submitted.

>>> rec = {"doc_id": "d", "para": 0, "text": "😀8684万元", "labels": [], "roles": [],
...        "entities": [[1, 5, "AMOUNT"], [5, 7, "UNIT"]]}
>>> tasks = to_labelstudio([rec])
>>> tasks[0]["annotations"][0]["result"][0]["value"]["start"]   # UTF-16: the emoji counts 2
2
>>> from_labelstudio(tasks, "x.json").records == [rec]
True
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from jixiao.errors import LabelFileError
from jixiao.labels.offsets import from_utf16, has_astral, to_utf16
from jixiao.labels.schema import (
    ENTITY_TYPES, ERROR, PARAGRAPH_LABELS, RECORD_KEYS, ROLES, WARNING, dumps_record,
    write_text_atomic,
)

# ---------------------------------------------------------------- message codes
from jixiao.errors import (  # noqa: E402,F401  (codes defined in jixiao.errors)
    E_SHAPE, E_SPAN_REFUSED, E_SPAN_MOVED, E_UNKNOWN_NAME, E_NO_ANNOTATOR, E_NO_ANNOTATION, E_VERSIONS,
    E_ITEM_NO_TEXT as E_NO_TEXT, E_NO_META, E_RESERVED, E_READ_TOOL, E_INVALID_INPUT, E_PREDICTION, E_NOTHING,
)

#: How far (in characters) a span whose offsets do not match its text is searched for.
REANCHOR_WINDOW = 50

#: Control names written by export and by :func:`labelstudio_config`.
LS_TEXT, LS_ENTITY, LS_ROLE, LS_CHOICES = "text", "entity", "role", "para_label"
#: Keys of a JSON_MIN item that describe the annotation, not the task data.
LS_MIN_META_KEYS = frozenset({"id", "annotator", "annotation_id", "created_at", "updated_at",
                              "lead_time", "agreement", "history"})
#: Top-level keys doccano writes or reads itself; extra record keys may not use them.
DOCCANO_RESERVED = frozenset({"id", "text", "data", "label", "labels", "entities", "cats", "meta",
                              "Comments", "comments", "relations", "username", "user",
                              "annotation_approver"})
#: Keys a task written for Label Studio (full or min) uses itself.
LS_RESERVED = LS_MIN_META_KEYS | {LS_ENTITY, LS_ROLE, LS_CHOICES, "data", "annotations",
                                  "predictions", "completions"}


class OffsetUnit(str, Enum):
    """How a tool counts offsets: UTF-16 code units (browser tools) or code points (Python)."""

    UTF16 = "utf16"
    CODEPOINT = "codepoint"


class ToolFormat(str, Enum):
    """File formats of the labelling round trip."""

    DOCCANO = "doccano"
    LABELSTUDIO = "labelstudio"
    LABELSTUDIO_MIN = "labelstudio-min"


@dataclass(frozen=True)
class ImportMessage:
    """A span or task that import changed or dropped: file, task/line, code, what to do.

    >>> str(ImportMessage("a.json", "task 3", "E321", "span dropped"))
    'a.json: task 3: E321 span dropped'
    """

    file: str
    where: str
    code: str
    message: str
    severity: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def __str__(self) -> str:
        level = "" if self.is_error else "warning: "
        return f"{self.file}: {self.where}: {self.code} {level}{self.message}"


@dataclass
class AnnotationVersion:
    """One annotator's labels for one task, as a record; ``imported`` marks the chosen one."""

    task: str
    annotator: str | None
    annotation_id: Any
    created_at: str | None
    updated_at: str | None
    record: dict
    position: int = 0
    imported: bool = False
    messages: list[ImportMessage] = field(default_factory=list)
    #: Every string ``--annotator`` may use for this annotator (user id, e-mail).
    annotator_keys: set[str] = field(default_factory=set)

    def to_json(self) -> dict:
        """The side-file line: who, when, imported or not, and the record.

        >>> AnnotationVersion("task 1", "a@x", 7, None, None, {}).to_json()["annotator"]
        'a@x'
        """
        return {"task": self.task, "annotator": self.annotator,
                "annotation_id": self.annotation_id, "created_at": self.created_at,
                "updated_at": self.updated_at, "imported": self.imported,
                "record": self.record}


@dataclass
class ImportResult:
    """Records chosen for import, every annotator's version, and the messages met on the way."""

    records: list[dict] = field(default_factory=list)
    messages: list[ImportMessage] = field(default_factory=list)
    versions: list[AnnotationVersion] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(m.is_error for m in self.messages)

    def multi_annotated(self) -> dict[str, list[AnnotationVersion]]:
        """Tasks with more than one annotation: task -> versions, in file order.

        >>> ImportResult().multi_annotated()
        {}
        """
        by_task: dict[str, list[AnnotationVersion]] = {}
        for version in self.versions:
            by_task.setdefault(version.task, []).append(version)
        return {task: vs for task, vs in by_task.items() if len(vs) > 1}


# ================================================================ doccano
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
               "label": [[_out_offset(text, s, unit), _out_offset(text, e, unit), t]
                         for s, e, t in spans],
               "cats": list(record.get("labels", []))}
        row.update(_extras(record, DOCCANO_RESERVED, "doccano"))
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
            result.messages.append(ImportMessage(file, where, E_NO_TEXT, "no 'text' (or 'data') "
                                                 "string; line skipped"))
            continue
        meta = row.get("meta") if isinstance(row.get("meta"), dict) else {}
        doc_id, para, meta_messages = _doc_para(meta.get("doc_id", row.get("doc_id")),
                                                meta.get("para", row.get("para")), file, where,
                                                position)
        messages = list(meta_messages)
        labels: list[str] = []
        roles: list[list] = []
        entities: list[list] = []
        cats = row.get("cats", [])
        for name in [cats] if isinstance(cats, str) else cats if isinstance(cats, list) else []:
            _place(name, None, labels, roles, entities, messages, file, where)
        for key in ("label", "labels", "entities"):
            items = row.get(key)
            if isinstance(items, str) and items in PARAGRAPH_LABELS:
                items = [items]  # a single-label classification export
            elif items is not None and not isinstance(items, list):
                messages.append(ImportMessage(file, where, E_SHAPE, f"'{key}' is {_short(items)}, not a list "
                                              "of [start, end, label] spans or paragraph labels; "
                                              "nothing of it imported: export it again from doccano"))
                continue
            if not isinstance(items, list):
                continue
            for item in items:
                if isinstance(item, str):
                    _place(item, None, labels, roles, entities, messages, file, where)
                    continue
                span = _doccano_span(item)
                if span is None:
                    messages.append(ImportMessage(file, where, E_SHAPE, f"'{key}' item "
                                                  f"{_short(item)} is neither [start, end, label] "
                                                  "nor {start_offset, end_offset, label}; "
                                                  "dropped"))
                    continue
                start, end, name = span
                if name in PARAGRAPH_LABELS:
                    _place(name, None, labels, roles, entities, messages, file, where)
                    continue
                placed = _convert_offsets(text, start, end, unit)
                if placed is None:
                    messages.append(ImportMessage(file, where, E_SPAN_REFUSED, f"span "
                                                  f"[{start}, {end}, {name!r}] lies outside the "
                                                  f"text or inside a character (offsets in "
                                                  f"{unit.value}); dropped: re-label it"))
                    continue
                _place(name, placed, labels, roles, entities, messages, file, where)
        extras = {k: v for k, v in row.items() if k not in DOCCANO_RESERVED
                  and k not in ("doc_id", "para")}
        extras.update({k: v for k, v in meta.items() if k not in ("doc_id", "para")})
        record = _record(doc_id, para, text, labels, roles, entities, extras)
        who = row.get("username", row.get("user"))
        versions.append(AnnotationVersion(task=f"{doc_id} #{para}", annotator=_annotator_name(who),
                                          annotation_id=row.get("id"), created_at=None,
                                          updated_at=None, record=record, position=position,
                                          messages=messages, annotator_keys=_annotator_keys(who)))
    _choose_versions(result, versions, annotator, file)
    return result


def _doccano_span(item: Any) -> tuple[int, int, str] | None:
    """[start, end, label] or {start_offset, end_offset, label} -> tuple, else None."""
    if isinstance(item, dict):
        item = [item.get("start_offset"), item.get("end_offset"), item.get("label")]
    if (isinstance(item, (list, tuple)) and len(item) == 3 and _is_int(item[0])
            and _is_int(item[1]) and isinstance(item[2], str)):
        return item[0], item[1], item[2]
    return None


def _convert_offsets(text: str, start: int, end: int,
                     unit: OffsetUnit) -> tuple[int, int] | None:
    """Tool offsets -> Python offsets, None when they do not fit the text."""
    if unit is OffsetUnit.UTF16:
        s, e = from_utf16(text, start), from_utf16(text, end)
    else:
        s, e = start, end
    if s is None or e is None or not 0 <= s < e <= len(text):
        return None
    return s, e


# ================================================================ Label Studio
def to_labelstudio(records: Iterable[dict], unit: OffsetUnit = OffsetUnit.UTF16,
                   minimal: bool = False, model_version: str | None = None) -> list[dict]:
    """Records -> Label Studio tasks (full JSON with one annotation each, or JSON_MIN items).

    With ``model_version`` the records are a machine draft: each full-JSON task carries them as
    one *prediction* (``{"model_version", "result"}``), which Label Studio shows pre-filled but
    does not count as labelled work until an annotator submits it; without it they are an
    *annotation* (reviewed labels, e.g. gold sent back for another look).

    >>> t = to_labelstudio([{"doc_id": "d", "para": 0, "text": "万元", "labels": [],
    ...                      "roles": [], "entities": [[0, 2, "UNIT"]]}], model_version="draft-1")
    >>> sorted(t[0]), t[0]["predictions"][0]["model_version"]
    (['data', 'id', 'predictions'], 'draft-1')

    >>> t = to_labelstudio([{"doc_id": "d", "para": 0, "text": "万元", "labels": ["建议"],
    ...                      "roles": [], "entities": [[0, 2, "UNIT"]]}], minimal=True)
    >>> t[0]["entity"], t[0]["para_label"]
    ([{'start': 0, 'end': 2, 'text': '万元', 'labels': ['UNIT']}], '建议')
    """
    tasks = []
    for index, record in enumerate(records):
        text = record["text"]
        data = {"text": text, "doc_id": record["doc_id"], "para": record["para"]}
        data.update(_extras(record, LS_RESERVED, "Label Studio"))
        regions = {LS_ROLE: [], LS_ENTITY: []}
        for name, key in ((LS_ROLE, "roles"), (LS_ENTITY, "entities")):
            for s, e, kind in record.get(key, []):
                regions[name].append({"start": _out_offset(text, s, unit),
                                      "end": _out_offset(text, e, unit),
                                      "text": text[s:e], "labels": [kind]})
        labels = list(record.get("labels", []))
        if minimal:
            item = {"id": index + 1, **data}
            for name in (LS_ROLE, LS_ENTITY):
                if regions[name]:
                    item[name] = regions[name]
            if labels:
                item[LS_CHOICES] = labels[0] if len(labels) == 1 else {"choices": labels}
            tasks.append(item)
            continue
        result = []
        if labels:
            result.append({"id": _region_id(record, LS_CHOICES, 0), "from_name": LS_CHOICES,
                           "to_name": LS_TEXT, "type": "choices", "value": {"choices": labels}})
        for name in (LS_ROLE, LS_ENTITY):
            for i, value in enumerate(regions[name]):
                result.append({"id": _region_id(record, name, i), "from_name": name,
                               "to_name": LS_TEXT, "type": "labels", "value": value})
        if model_version is not None:
            tasks.append({"id": index + 1, "data": data,
                          "predictions": [{"model_version": model_version, "result": result}]})
            continue
        tasks.append({"id": index + 1, "data": data,
                      "annotations": [{"result": result, "was_cancelled": False,
                                       "ground_truth": False}]})
    return tasks


def from_labelstudio(items: Sequence[Any], path: str | Path = "<labelstudio>",
                     annotator: str | None = None, accept_predictions: bool = False) -> ImportResult:
    """Label Studio full JSON tasks or JSON_MIN items (told apart per item) -> records.

    Only submitted human annotations are imported; a task without one is reported (E325) and
    left out, unless ``accept_predictions`` takes its latest prediction (the machine draft) instead.

    >>> items = [{"id": 1, "text": "万元", "doc_id": "d", "para": 0, "annotator": 2,
    ...           "entity": [{"start": 0, "end": 2, "text": "万元", "labels": ["UNIT"]}],
    ...           "para_label": "建议", "annotation_id": 5}]
    >>> from_labelstudio(items).records[0]["entities"]
    [[0, 2, 'UNIT']]
    """
    file = str(path)
    result = ImportResult()
    versions: list[AnnotationVersion] = []
    for position, item in enumerate(items):
        if isinstance(item, dict) and isinstance(item.get("data"), dict):
            versions += _ls_full_task(item, position, file, result, accept_predictions)
        elif isinstance(item, dict):
            version = _ls_min_item(item, position, file, result)
            if version is not None:
                versions.append(version)
        else:
            result.messages.append(ImportMessage(file, f"item {position + 1}", E_SHAPE,
                                                 "expected a task object; skipped"))
    _choose_versions(result, versions, annotator, file)
    return result


def _ls_full_task(task: dict, position: int, file: str,
                  result: ImportResult, accept_predictions: bool = False) -> list[AnnotationVersion]:
    """Every submitted annotation of one full-JSON task as a version."""
    task_id = task.get("id", position + 1)
    where = f"task {task_id}"
    data = task["data"]
    text = data.get(LS_TEXT)
    if not isinstance(text, str):
        result.messages.append(ImportMessage(file, where, E_NO_TEXT, "data has no 'text' string; "
                                             "task skipped (the project must use "
                                             "<Text value=\"$text\">)"))
        return []
    annotations = task.get("annotations", task.get("completions")) or []
    submitted = [a for a in annotations if isinstance(a, dict)
                 and not (a.get("was_cancelled") or a.get("skipped"))]
    listed = task.get("predictions") or []
    predictions = [p for p in listed if isinstance(p, dict) and isinstance(p.get("result"), list)]
    if not submitted and accept_predictions and listed and not predictions:
        result.messages.append(ImportMessage(file, where, E_PREDICTION, "the export lists this task's "
                                             "predictions by id only; export a snapshot with full "
                                             "predictions (API: POST /api/projects/ID/exports/ with "
                                             "serialization_options.predictions.only_id false)"))
    if not submitted and accept_predictions and predictions:
        latest = predictions[-1]
        submitted = [{"id": latest.get("id"), "completed_by": f"prediction:{latest.get('model_version')}",
                      "created_at": latest.get("created_at"), "updated_at": latest.get("updated_at"),
                      "result": latest.get("result")}]
        result.messages.append(ImportMessage(file, where, E_PREDICTION, "no human annotation; "
                                             "imported the prediction of model_version "
                                             f"{latest.get('model_version')!r} (--accept-predictions)",
                                             WARNING))
    if not submitted:
        hint = " (only predictions, a machine draft: review and submit it in Label Studio, or pass " \
            "--accept-predictions to take the draft as it is)" if listed else ""
        result.messages.append(ImportMessage(file, where, E_NO_ANNOTATION, f"no submitted "
                                             f"annotation{hint}; task not imported", WARNING))
        return []
    doc_id, para, meta_messages = _doc_para(data.get("doc_id"), data.get("para"), file, where,
                                            position)
    extras = {k: v for k, v in data.items() if k not in (LS_TEXT, "doc_id", "para")}
    versions = []
    for annotation in submitted:
        regions, choices, messages = [], [], list(meta_messages)
        for res in annotation.get("result", []) or []:
            _split_ls_result(res, regions, choices, messages, file, where)
        record, more = _ls_record(text, doc_id, para, extras, regions, choices, file, where)
        versions.append(AnnotationVersion(
            task=where, annotator=_annotator_name(annotation.get("completed_by")),
            annotation_id=annotation.get("id"), created_at=annotation.get("created_at"),
            updated_at=annotation.get("updated_at"), record=record, position=position,
            messages=messages + more,
            annotator_keys=_annotator_keys(annotation.get("completed_by"))))
    return versions


def _ls_min_item(item: dict, position: int, file: str,
                 result: ImportResult) -> AnnotationVersion | None:
    """One JSON_MIN item (one annotation of one task) as a version."""
    task_id = item.get("id", position + 1)
    where = f"task {task_id}"
    text = item.get(LS_TEXT)
    if not isinstance(text, str):
        result.messages.append(ImportMessage(file, where, E_NO_TEXT, "no 'text' string; item "
                                             "skipped"))
        return None
    doc_id, para, messages = _doc_para(item.get("doc_id"), item.get("para"), file, where,
                                       position)
    regions: list[dict] = []
    choices: list[str] = []
    extras: dict = {}
    for key, value in item.items():
        if key in LS_MIN_META_KEYS or key in (LS_TEXT, "doc_id", "para"):
            continue
        if isinstance(value, str) and value in PARAGRAPH_LABELS:
            choices.append(value)
        elif isinstance(value, dict) and isinstance(value.get("choices"), list):
            choices += [c for c in value["choices"]]
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value) \
                and any("start" in v or "choices" in v for v in value):
            for v in value:
                if isinstance(v.get("choices"), list):
                    choices += v["choices"]
                else:
                    regions.append(v)
        else:
            extras[key] = value
    record, more = _ls_record(text, doc_id, para, extras, regions, choices, file, where)
    return AnnotationVersion(task=where, annotator=_annotator_name(item.get("annotator")),
                             annotation_id=item.get("annotation_id"),
                             created_at=item.get("created_at"), updated_at=item.get("updated_at"),
                             record=record, position=position, messages=messages + more,
                             annotator_keys=_annotator_keys(item.get("annotator")))


def _split_ls_result(res: Any, regions: list, choices: list, messages: list, file: str,
                     where: str) -> None:
    """Sort one full-JSON result item into span regions and paragraph choices."""
    if not isinstance(res, dict) or not isinstance(res.get("value"), dict):
        messages.append(ImportMessage(file, where, E_SHAPE, f"result {_short(res)} has no "
                                      "'value' object; dropped"))
        return
    value = res["value"]
    if isinstance(value.get("choices"), list):
        choices += value["choices"]
    elif "start" in value or "end" in value:
        regions.append(value)
    else:
        messages.append(ImportMessage(file, where, E_UNKNOWN_NAME, f"result of type "
                                      f"{res.get('type')!r} from {res.get('from_name')!r} is "
                                      "neither a text span nor choices; ignored", WARNING))


def _ls_record(text: str, doc_id: str, para: int, extras: dict, regions: list[dict],
               choices: list, file: str, where: str) -> tuple[dict, list[ImportMessage]]:
    """Build a record from span regions and choices, resolving UTF-16 offsets."""
    messages: list[ImportMessage] = []
    labels: list[str] = []
    roles: list[list] = []
    entities: list[list] = []
    for choice in choices:
        if not isinstance(choice, str):
            messages.append(ImportMessage(file, where, E_SHAPE, f"choice {_short(choice)} is not "
                                          "a string; dropped"))
            continue
        _place(choice, None, labels, roles, entities, messages, file, where)
    prefer = _preferred_unit(text, regions)
    for value in regions:
        names = _region_names(value)
        start, end, span_text = value.get("start"), value.get("end"), value.get("text")
        shown = f"{span_text!r} [{start}, {end}] {names}"
        if not names:
            messages.append(ImportMessage(file, where, E_SHAPE, f"span {shown} has no label; "
                                          "dropped"))
            continue
        if all(n in PARAGRAPH_LABELS for n in names):
            for name in names:
                _place(name, None, labels, roles, entities, messages, file, where)
            continue
        if not (_is_int(start) and _is_int(end)):
            messages.append(ImportMessage(file, where, E_SPAN_REFUSED, f"span {shown} has no "
                                          "integer start/end; dropped"))
            continue
        resolved = resolve_span(text, start, end,
                                span_text if isinstance(span_text, str) and span_text else None,
                                prefer)
        if resolved is None:
            messages.append(ImportMessage(file, where, E_SPAN_REFUSED, f"span {shown} does not "
                                          "match the text at these offsets (neither as code "
                                          "points nor as UTF-16 units) and was not found within "
                                          f"{REANCHOR_WINDOW} characters; dropped: re-label it in "
                                          "Label Studio"))
            continue
        s, e, how = resolved
        if how == "re-anchored":
            messages.append(ImportMessage(file, where, E_SPAN_MOVED, f"span {shown} did not match "
                                          f"the text at its offsets; re-anchored to [{s}, {e}]",
                                          WARNING))
        for name in names:
            _place(name, (s, e), labels, roles, entities, messages, file, where)
    return _record(doc_id, para, text, labels, roles, entities, extras), messages


def resolve_span(text: str, start: int, end: int, span_text: str | None,
                 prefer: OffsetUnit = OffsetUnit.UTF16) -> tuple[int, int, str] | None:
    """Python offsets for a tool span: ``(start, end, how)`` with ``how`` in ``codepoint``,
    ``utf16``, ``re-anchored``; None when the span cannot be placed.

    With ``span_text`` the offsets must slice exactly that text, tried in the preferred unit first;
    failing both, ``span_text`` is searched within :data:`REANCHOR_WINDOW` characters.

    >>> resolve_span("😀预算😀预算", 6, 8, "预算")          # UTF-16 offsets of the second 预算
    (4, 6, 'utf16')
    >>> resolve_span("一二三预算", 0, 2, "预算")             # wrong offsets, text found nearby
    (3, 5, 're-anchored')
    >>> resolve_span("一二三", 0, 2, "预算") is None
    True
    >>> resolve_span("预算" + "一" * 60 + "预算", 10**12, 10**12 + 2, "预算") is None   # issue 18
    True
    """
    units = [prefer] + [u for u in OffsetUnit if u is not prefer]
    guess = None
    for unit in units:
        placed = _convert_offsets(text, start, end, unit)
        if placed is None:
            continue
        guess = placed[0] if guess is None else guess
        if span_text is None or text[placed[0]:placed[1]] == span_text:
            return placed[0], placed[1], unit.value
    if span_text is None:
        return None
    if guess is None and not (0 <= start <= end and start <= len(text) + REANCHOR_WINDOW):
        return None  # offsets that point nowhere near the text (10**12, negative): never re-anchored
    anchor = guess if guess is not None else start
    best = None
    found = text.find(span_text)
    while found != -1:
        distance = abs(found - anchor)
        if distance <= REANCHOR_WINDOW and (best is None or distance < abs(best - anchor)):
            best = found
        found = text.find(span_text, found + 1)
    if best is None:
        return None
    return best, best + len(span_text), "re-anchored"


def _preferred_unit(text: str, regions: list[dict]) -> OffsetUnit:
    """The unit under which more spans of one annotation match their text (ties: UTF-16).

    Deciding per annotation keeps a span from being read in the wrong unit just because
    some other stretch of text happens to repeat at the shifted position.
    """
    if not has_astral(text):
        return OffsetUnit.UTF16
    score = {OffsetUnit.UTF16: 0, OffsetUnit.CODEPOINT: 0}
    for value in regions:
        start, end, span_text = value.get("start"), value.get("end"), value.get("text")
        if not (_is_int(start) and _is_int(end) and isinstance(span_text, str)):
            continue
        for unit in score:
            placed = _convert_offsets(text, start, end, unit)
            if placed and text[placed[0]:placed[1]] == span_text:
                score[unit] += 1
    return OffsetUnit.CODEPOINT if score[OffsetUnit.CODEPOINT] > score[OffsetUnit.UTF16] \
        else OffsetUnit.UTF16


def _region_names(value: dict) -> list[str]:
    """Label names of a span value: ``labels`` or any ``*labels`` list (hypertextlabels...)."""
    for key, names in value.items():
        if key.endswith("labels") and isinstance(names, list):
            return [n for n in names if isinstance(n, str)]
    return []


def _annotator_name(completed_by: Any) -> str | None:
    """The e-mail when Label Studio gives a user object, else the user id, as text."""
    if isinstance(completed_by, dict):
        name = completed_by.get("email") or completed_by.get("id")
        return None if name is None else str(name)
    return None if completed_by is None else str(completed_by)


def _annotator_keys(completed_by: Any) -> set[str]:
    """Every string by which ``--annotator`` may name this user (id, e-mail)."""
    if isinstance(completed_by, dict):
        return {str(v) for k, v in completed_by.items() if k in ("id", "email") and v is not None}
    return set() if completed_by is None else {str(completed_by)}


# ================================================================ choosing among annotators
def _choose_versions(result: ImportResult, versions: list[AnnotationVersion],
                     annotator: str | None, file: str) -> None:
    """Pick one version per task (latest, or latest by ``annotator``), in task order."""
    by_task: dict[str, list[AnnotationVersion]] = {}
    for version in versions:
        by_task.setdefault(version.task, []).append(version)
    for task, candidates in by_task.items():
        pool = candidates
        if annotator is not None:
            pool = [v for v in candidates if annotator in _keys_of(v)]
            if not pool:
                who = ", ".join(sorted({v.annotator or "?" for v in candidates}))
                result.messages.append(ImportMessage(file, task, E_NO_ANNOTATOR, f"no annotation "
                                                     f"by {annotator!r} (annotated by: {who}); "
                                                     "task not imported", WARNING))
                continue
        chosen = max(pool, key=_latest_key)
        bad = _bad_doc_para(chosen.record)
        if bad:
            result.messages += chosen.messages
            result.messages.append(ImportMessage(file, task, E_SHAPE, f"{bad}; task not imported: "
                                                 "fix doc_id/para in the tool or export from "
                                                 "`jixiao labels export`"))
            continue
        chosen.imported = True
        result.records.append(chosen.record)
        result.messages += chosen.messages
        if len(candidates) > 1:
            who = ", ".join(f"{v.annotator or '?'} (annotation {v.annotation_id})"
                            for v in candidates)
            why = f"latest by {annotator!r}" if annotator is not None else "latest"
            result.messages.append(ImportMessage(file, task, E_VERSIONS, f"{len(candidates)} "
                                                 f"annotations: {who}; imported "
                                                 f"{chosen.annotator or '?'} (annotation "
                                                 f"{chosen.annotation_id}, {why})", WARNING))
    result.versions += versions


def _bad_doc_para(record: dict) -> str | None:
    """Why a record's doc_id/para cannot link to a document paragraph, or None.

    >>> _bad_doc_para({"doc_id": "d", "para": -1})
    'para must be a paragraph index (0, 1, ...), got -1'
    """
    doc_id, para = record.get("doc_id"), record.get("para")
    if not isinstance(doc_id, str) or not doc_id.strip():
        return f"doc_id must be a non-empty string, got {_short(doc_id)}"
    if not _is_int(para) or para < 0:
        return f"para must be a paragraph index (0, 1, ...), got {_short(para)}"
    return None


def _keys_of(version: AnnotationVersion) -> set[str]:
    keys = set(version.annotator_keys)
    if version.annotator is not None:
        keys.add(version.annotator)
    return keys


def _latest_key(version: AnnotationVersion) -> tuple:
    """Sort key: updated_at, created_at, numeric annotation id, then position in the file."""
    def stamp(value: Any) -> float:
        if not isinstance(value, str) or not value:
            return float("-inf")
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return float("-inf")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.timestamp()

    created = stamp(version.created_at)
    updated = stamp(version.updated_at)
    number = version.annotation_id if _is_int(version.annotation_id) else -1
    return (max(updated, created), created, number, version.position)


# ================================================================ files
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


# ================================================================ project configs
#: Colours for the labelling UIs (entity types, roles, paragraph labels).
_COLOURS = {
    "AMOUNT": "#1f77b4", "UNIT": "#17becf", "INDICATOR": "#2ca02c", "TARGET": "#ff7f0e",
    "ACTUAL": "#d62728", "SCORE": "#9467bd",
    "问题": "#e377c2", "原因": "#bcbd22", "措施": "#8c564b",
    "经验做法": "#98df8a", "存在问题": "#ff9896", "建议": "#aec7e8",
}


def labelstudio_config() -> str:
    """Label Studio labelling config XML: entity and role span labels, paragraph-label choices.

    >>> xml = labelstudio_config()
    >>> '<Labels name="entity" toName="text"' in xml and 'choice="multiple"' in xml
    True
    """
    def labels(tag: str, names: Sequence[str]) -> str:
        return "\n".join(f'    <{tag} value={quoteattr(n)} background={quoteattr(_COLOURS[n])}/>'
                         for n in names)

    choices = "\n".join(f"    <Choice value={quoteattr(n)}/>" for n in PARAGRAPH_LABELS)
    return (
        "<View>\n"
        '  <Header value="$doc_id · 段落 $para"/>\n'
        f'  <Labels name="{LS_ENTITY}" toName="{LS_TEXT}" showInline="true">\n'
        f"{labels('Label', ENTITY_TYPES)}\n"
        "  </Labels>\n"
        f'  <Labels name="{LS_ROLE}" toName="{LS_TEXT}" showInline="true">\n'
        f"{labels('Label', ROLES)}\n"
        "  </Labels>\n"
        f'  <Text name="{LS_TEXT}" value="$text"/>\n'
        '  <Header value="段落标签（不选 = 其他）"/>\n'
        f'  <Choices name="{LS_CHOICES}" toName="{LS_TEXT}" choice="multiple" '
        'showInline="true">\n'
        f"{choices}\n"
        "  </Choices>\n"
        "</View>\n"
    )


def doccano_label_config() -> list[dict]:
    """doccano span-label definitions (Labels → Import) for a sequence-labelling project.

    Paragraph labels are span labels too: marking any stretch with 存在问题 sets that label.

    >>> [d["text"] for d in doccano_label_config()][:2]
    ['AMOUNT', 'UNIT']
    """
    names = [*ENTITY_TYPES, *ROLES, *PARAGRAPH_LABELS]
    keys = "amuitcspyrzjwg"
    return [{"text": n, "suffix_key": keys[i] if i < len(keys) else None,
             "background_color": _COLOURS[n], "text_color": "#ffffff"}
            for i, n in enumerate(names)]


# ================================================================ shared helpers
def _place(name: Any, offsets: tuple[int, int] | None, labels: list, roles: list,
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


def _doc_para(doc_id: Any, para: Any, file: str, where: str,
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


def _record(doc_id: Any, para: Any, text: str, labels: list, roles: list, entities: list,
            extras: dict) -> dict:
    record = {"doc_id": doc_id, "para": para, "text": text, "labels": labels, "roles": roles,
              "entities": entities}
    record.update({k: v for k, v in extras.items() if k not in RECORD_KEYS})
    return record


def _extras(record: dict, reserved: frozenset[str], tool: str) -> dict:
    """Record keys beyond the contract, refused when they would clash with the tool's keys."""
    extras = {k: v for k, v in record.items() if k not in RECORD_KEYS}
    clash = sorted(set(extras) & reserved)
    if clash:
        raise LabelFileError(E_RESERVED, f"record {record.get('doc_id')} #{record.get('para')} "
                             f"has key(s) {', '.join(clash)} that {tool} uses itself; rename "
                             "or drop them before export")
    return extras


def _out_offset(text: str, offset: int, unit: OffsetUnit) -> int:
    return to_utf16(text, offset) if unit is OffsetUnit.UTF16 else offset


def _region_id(record: dict, name: str, index: int) -> str:
    """A stable 10-character result id, so repeated exports give identical files."""
    seed = f"{record.get('doc_id')}|{record.get('para')}|{name}|{index}".encode("utf-8")
    return hashlib.sha1(seed).hexdigest()[:10]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit - 1] + "…"
