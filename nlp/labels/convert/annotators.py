"""Who annotated a task (user id, e-mail) and which of several annotations is imported."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from jixiao.errors import E_NO_ANNOTATOR, E_SHAPE, E_VERSIONS
from jixiao.labels.convert.base import AnnotationVersion, ImportMessage, ImportResult
from jixiao.labels.convert.records import is_int, short
from jixiao.labels.schema import WARNING


def annotator_name(completed_by: Any) -> str | None:
    """The e-mail when Label Studio gives a user object, else the user id, as text."""
    if isinstance(completed_by, dict):
        name = completed_by.get("email") or completed_by.get("id")
        return None if name is None else str(name)
    return None if completed_by is None else str(completed_by)


def annotator_keys(completed_by: Any) -> set[str]:
    """Every string by which ``--annotator`` may name this user (id, e-mail)."""
    if isinstance(completed_by, dict):
        return {str(v) for k, v in completed_by.items() if k in ("id", "email") and v is not None}
    return set() if completed_by is None else {str(completed_by)}


# ================================================================ choosing among annotators
def choose_versions(result: ImportResult, versions: list[AnnotationVersion],
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
        return f"doc_id must be a non-empty string, got {short(doc_id)}"
    if not is_int(para) or para < 0:
        return f"para must be a paragraph index (0, 1, ...), got {short(para)}"
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
    number = version.annotation_id if is_int(version.annotation_id) else -1
    return (max(updated, created), created, number, version.position)
