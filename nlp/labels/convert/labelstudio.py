"""Label Studio: records to tasks (full JSON with an annotation or a prediction, or JSON_MIN) and back,
every span checked against its text (code points, UTF-16 units, then re-anchored nearby)."""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from jixiao.errors import (
    E_ITEM_NO_TEXT, E_NO_ANNOTATION, E_PREDICTION, E_SHAPE, E_SPAN_MOVED, E_SPAN_REFUSED, E_UNKNOWN_NAME,
)
from jixiao.labels.convert.annotators import annotator_keys, annotator_name, choose_versions
from jixiao.labels.convert.base import AnnotationVersion, ImportMessage, ImportResult, OffsetUnit
from jixiao.labels.convert.records import (
    convert_offsets, doc_para, is_int, make_record, out_offset, place, record_extras, short,
)
from jixiao.labels.offsets import has_astral
from jixiao.labels.schema import PARAGRAPH_LABELS, WARNING

#: How far (in characters) a span whose offsets do not match its text is searched for.
REANCHOR_WINDOW = 50

#: Control names written by export and by :func:`labelstudio_config`.
LS_TEXT, LS_ENTITY, LS_ROLE, LS_CHOICES = "text", "entity", "role", "para_label"
#: Keys of a JSON_MIN item that describe the annotation, not the task data.
LS_MIN_META_KEYS = frozenset({"id", "annotator", "annotation_id", "created_at", "updated_at",
                              "lead_time", "agreement", "history"})
#: Keys a task written for Label Studio (full or min) uses itself.
LS_RESERVED = LS_MIN_META_KEYS | {LS_ENTITY, LS_ROLE, LS_CHOICES, "data", "annotations",
                                  "predictions", "completions"}


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
        data.update(record_extras(record, LS_RESERVED, "Label Studio"))
        regions = {LS_ROLE: [], LS_ENTITY: []}
        for name, key in ((LS_ROLE, "roles"), (LS_ENTITY, "entities")):
            for s, e, kind in record.get(key, []):
                regions[name].append({"start": out_offset(text, s, unit),
                                      "end": out_offset(text, e, unit),
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
    choose_versions(result, versions, annotator, file)
    return result


def _ls_full_task(task: dict, position: int, file: str,
                  result: ImportResult, accept_predictions: bool = False) -> list[AnnotationVersion]:
    """Every submitted annotation of one full-JSON task as a version."""
    task_id = task.get("id", position + 1)
    where = f"task {task_id}"
    data = task["data"]
    text = data.get(LS_TEXT)
    if not isinstance(text, str):
        result.messages.append(ImportMessage(file, where, E_ITEM_NO_TEXT, "data has no 'text' string; "
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
    doc_id, para, meta_messages = doc_para(data.get("doc_id"), data.get("para"), file, where,
                                           position)
    extras = {k: v for k, v in data.items() if k not in (LS_TEXT, "doc_id", "para")}
    versions = []
    for annotation in submitted:
        regions, choices, messages = [], [], list(meta_messages)
        for res in annotation.get("result", []) or []:
            _split_ls_result(res, regions, choices, messages, file, where)
        record, more = _ls_record(text, doc_id, para, extras, regions, choices, file, where)
        versions.append(AnnotationVersion(
            task=where, annotator=annotator_name(annotation.get("completed_by")),
            annotation_id=annotation.get("id"), created_at=annotation.get("created_at"),
            updated_at=annotation.get("updated_at"), record=record, position=position,
            messages=messages + more,
            annotator_keys=annotator_keys(annotation.get("completed_by"))))
    return versions


def _ls_min_item(item: dict, position: int, file: str,
                 result: ImportResult) -> AnnotationVersion | None:
    """One JSON_MIN item (one annotation of one task) as a version."""
    task_id = item.get("id", position + 1)
    where = f"task {task_id}"
    text = item.get(LS_TEXT)
    if not isinstance(text, str):
        result.messages.append(ImportMessage(file, where, E_ITEM_NO_TEXT, "no 'text' string; item "
                                             "skipped"))
        return None
    doc_id, para, messages = doc_para(item.get("doc_id"), item.get("para"), file, where,
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
    return AnnotationVersion(task=where, annotator=annotator_name(item.get("annotator")),
                             annotation_id=item.get("annotation_id"),
                             created_at=item.get("created_at"), updated_at=item.get("updated_at"),
                             record=record, position=position, messages=messages + more,
                             annotator_keys=annotator_keys(item.get("annotator")))


def _split_ls_result(res: Any, regions: list, choices: list, messages: list, file: str,
                     where: str) -> None:
    """Sort one full-JSON result item into span regions and paragraph choices."""
    if not isinstance(res, dict) or not isinstance(res.get("value"), dict):
        messages.append(ImportMessage(file, where, E_SHAPE, f"result {short(res)} has no "
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
            messages.append(ImportMessage(file, where, E_SHAPE, f"choice {short(choice)} is not "
                                          "a string; dropped"))
            continue
        place(choice, None, labels, roles, entities, messages, file, where)
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
                place(name, None, labels, roles, entities, messages, file, where)
            continue
        if not (is_int(start) and is_int(end)):
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
            place(name, (s, e), labels, roles, entities, messages, file, where)
    return make_record(doc_id, para, text, labels, roles, entities, extras), messages


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
        placed = convert_offsets(text, start, end, unit)
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
        if not (is_int(start) and is_int(end) and isinstance(span_text, str)):
            continue
        for unit in score:
            placed = convert_offsets(text, start, end, unit)
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


def _region_id(record: dict, name: str, index: int) -> str:
    """A stable 10-character result id, so repeated exports give identical files."""
    seed = f"{record.get('doc_id')}|{record.get('para')}|{name}|{index}".encode("utf-8")
    return hashlib.sha1(seed).hexdigest()[:10]
