"""The vocabulary of the labelling round trip: offset units, tool formats, and what an import gives
back (a message per changed or dropped span, every annotator's version, the chosen records)."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from jixiao.labels.schema import ERROR


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
