"""The ANNOTATION.md §6 label record: one JSON object per paragraph, read, written and checked.

A record::

    {"doc_id": "002_6c2e0d7d5db5f9a8", "para": 57, "text": "1. 基金扩面征缴难度大。……",
     "labels": ["存在问题"], "roles": [[0, 11, "问题"]], "entities": [[5, 9, "AMOUNT"]]}

``labels`` is a list of paragraph labels (empty means 其他); ``roles`` and ``entities`` are
``[start, end, type]`` triples of 0-based character offsets into ``text``, end exclusive.

Validation problems carry a code in E300–E319 and a severity; warnings never make
``jixiao labels validate`` fail.

>>> problems = validate_records([{"doc_id": "d", "para": 0, "text": "8684万元",
...     "labels": [], "roles": [], "entities": [[0, 4, "AMOUNT"], [3, 6, "UNIT"]]}], "x.jsonl")
>>> print(problems[0])  # doctest: +NORMALIZE_WHITESPACE
x.jsonl:1: E309 overlapping entities [0, 4, "AMOUNT"] and [3, 6, "UNIT"];
entities are flat (ANNOTATION.md §4): shorten one of them
"""
from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jixiao.errors import LabelFileError

# ---------------------------------------------------------------- the label contract
from jixiao.schema import (  # noqa: E402,F401  (the contract, re-exported)
    ENTITY_TYPES, OTHER_LABEL, PARAGRAPH_LABELS, ROLE_BEARING_LABELS, ROLES)

#: The keys of a record, in the order they are written.
RECORD_KEYS: tuple[str, ...] = ("doc_id", "para", "text", "labels", "roles", "entities")
SPAN_KEYS: tuple[str, ...] = ("roles", "entities")
#: Keys a record may carry beyond §6: ``themes``, the problem categories of a 存在问题 paragraph
#: (``configs/themes.yaml``; the written corpus has them).
OPTIONAL_KEYS: tuple[str, ...] = ("themes",)

# ---------------------------------------------------------------- problem codes
from jixiao.errors import (  # noqa: E402,F401  (codes defined in jixiao.errors)
    E_JSON, E_NOT_OBJECT, E_MISSING_KEY, E_BAD_TYPE, E_BAD_SPAN, E_UNKNOWN_LABEL, E_UNKNOWN_ROLE,
    E_UNKNOWN_ENTITY, E_OFFSETS, E_ENTITY_OVERLAP, E_ROLE_OVERLAP, E_DUP_PARA, E_DUP_TEXT, E_ROLE_CONTEXT,
    E_DUP_LABEL, E_UNKNOWN_KEY, E_EMPTY_TEXT, E_READ, E_WRITE,
)

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One finding of :func:`validate_records`: where, which code, what to do.

    >>> str(Problem("a.jsonl", 3, "E305", "unknown label 'x'"))
    "a.jsonl:3: E305 unknown label 'x'"
    """

    file: str
    line: int
    code: str
    message: str
    severity: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def __str__(self) -> str:
        level = "" if self.is_error else "warning: "
        return f"{self.file}:{self.line}: {self.code} {level}{self.message}"


# ---------------------------------------------------------------- reading and writing
def iter_label_lines(path: str | Path) -> Iterator[tuple[int, Any]]:
    """Yield ``(line_number, parsed JSON or Problem)`` for every non-blank line of a label file.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.jsonl"
    >>> _ = p.write_text('{"a": 1}\\n\\nnot json\\n', encoding="utf-8")
    >>> [(n, type(v).__name__) for n, v in iter_label_lines(p)]
    [(1, 'dict'), (3, 'Problem')]
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LabelFileError(E_READ, f"cannot read the label file ({exc.strerror}); check the path",
                             path=str(path)) from exc
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LabelFileError(E_READ, f"not UTF-8 (byte {exc.start}); save the file as UTF-8",
                             path=str(path)) from exc
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, Problem(str(path), number, E_JSON,
                                  f"not valid JSON ({exc.msg} at column {exc.colno}); "
                                  "each line must hold one JSON object")


def read_label_file(path: str | Path) -> list[dict]:
    """Read a JSONL label file into records; raise ``LabelFileError`` on the first bad line.

    Blank lines are skipped. Use :func:`validate_file` to get every problem instead.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.jsonl"
    >>> write_label_file([{"doc_id": "d", "para": 0, "text": "建议", "labels": ["建议"],
    ...                    "roles": [], "entities": []}], p)
    >>> read_label_file(p)[0]["labels"]
    ['建议']
    """
    records: list[dict] = []
    for number, value in iter_label_lines(path):
        if isinstance(value, Problem):
            raise LabelFileError(value.code, f"line {number}: {value.message}", path=str(path))
        if not isinstance(value, dict):
            raise LabelFileError(E_NOT_OBJECT, f"line {number}: expected a JSON object, got "
                                 f"{_json_type(value)}", path=str(path))
        records.append(value)
    return records


def ordered_record(record: dict) -> dict:
    """The record with the contract keys first, in RECORD_KEYS order, then any extra keys.

    >>> list(ordered_record({"entities": [], "text": "x", "doc_id": "d", "note": 1}))
    ['doc_id', 'text', 'entities', 'note']
    """
    head = {key: record[key] for key in RECORD_KEYS if key in record}
    tail = {key: value for key, value in record.items() if key not in head}
    return {**head, **tail}


def dumps_record(record: dict) -> str:
    """One JSONL line (without newline), Chinese kept readable, keys in contract order.

    >>> dumps_record({"para": 1, "doc_id": "d"})
    '{"doc_id": "d", "para": 1}'
    """
    return json.dumps(ordered_record(record), ensure_ascii=False)


def write_label_file(records: Iterable[dict], path: str | Path) -> None:
    """Write records as JSONL atomically (temporary file in the same folder, then ``os.replace``).

    A crash mid-write leaves the old file intact, never half a file.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "sub" / "a.jsonl"
    >>> write_label_file([{"doc_id": "d", "para": 0}], p)
    >>> p.read_text(encoding="utf-8")
    '{"doc_id": "d", "para": 0}\\n'
    """
    write_text_atomic("".join(dumps_record(r) + "\n" for r in records), path)


def write_text_atomic(content: str, path: str | Path) -> None:
    """Write ``content`` as UTF-8 to ``path`` via a temporary file and ``os.replace``."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        from jixiao.io.durable import chmod_like_new_file

        chmod_like_new_file(tmp)  # mkstemp makes it private (0600); label files follow the user's umask
    except OSError as exc:
        raise LabelFileError(E_WRITE, f"cannot write here ({exc.strerror}); choose another output "
                             "path", path=str(path)) from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise LabelFileError(E_WRITE, f"cannot write the file ({exc.strerror}); check space and "
                             "permissions", path=str(path)) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- validation
def validate_records(records: Sequence[Any], path: str | Path,
                     line_numbers: Sequence[int] | None = None) -> list[Problem]:
    """Check records against ANNOTATION.md; return every problem, errors and warnings.

    ``line_numbers[i]`` is the file line of ``records[i]`` (default: ``i + 1``).

    >>> ok = {"doc_id": "d", "para": 0, "text": "偏差原因：受疫情影响", "labels": ["存在问题"],
    ...       "roles": [[0, 10, "原因"]], "entities": []}
    >>> validate_records([ok], "a.jsonl")
    []
    """
    file = str(path)
    lines = list(line_numbers) if line_numbers is not None else list(range(1, len(records) + 1))
    problems: list[Problem] = []
    seen_para: dict[tuple[str, int], int] = {}
    seen_text: dict[tuple[str, str], int] = {}
    for record, line in zip(records, lines):
        record_problems = check_record(record, file, line)
        problems.extend(record_problems)
        if not isinstance(record, dict):
            continue
        doc_id, para, text = record.get("doc_id"), record.get("para"), record.get("text")
        if isinstance(doc_id, str) and _is_int(para):
            first = seen_para.setdefault((doc_id, para), line)
            if first != line:
                problems.append(Problem(file, line, E_DUP_PARA,
                                        f"duplicate paragraph {doc_id} #{para} (first on line "
                                        f"{first}); keep one of them"))
        if isinstance(doc_id, str) and isinstance(text, str) and text.strip():
            first = seen_text.setdefault((doc_id, text), line)
            if first != line:
                problems.append(Problem(file, line, E_DUP_TEXT,
                                        f"same text as line {first} in document {doc_id}; fine "
                                        "for a repeated heading, otherwise a duplicated paragraph",
                                        WARNING))
    return problems


def check_record(record: Any, file: str, line: int) -> list[Problem]:
    """Problems of one record on its own (no duplicate checks)."""
    def problem(code: str, message: str, severity: str = ERROR) -> Problem:
        return Problem(file, line, code, message, severity)

    if not isinstance(record, dict):
        return [problem(E_NOT_OBJECT, f"expected a JSON object, got {_json_type(record)}")]
    out: list[Problem] = []
    missing = [key for key in RECORD_KEYS if key not in record]
    if missing:
        out.append(problem(E_MISSING_KEY, f"missing key(s) {', '.join(missing)}; every record "
                           f"has {', '.join(RECORD_KEYS)} (ANNOTATION.md §6)"))
    extra = [key for key in record if key not in RECORD_KEYS and key not in OPTIONAL_KEYS]
    if extra:
        out.append(problem(E_UNKNOWN_KEY, f"key(s) {', '.join(map(repr, extra))} are not in "
                           "ANNOTATION.md §6; they are kept but ignored", WARNING))

    doc_id = record.get("doc_id")
    if "doc_id" in record and not (isinstance(doc_id, str) and doc_id.strip()):
        out.append(problem(E_BAD_TYPE, f"doc_id must be a non-empty string, got {doc_id!r}"))
    para = record.get("para")
    if "para" in record and not (_is_int(para) and para >= 0):
        out.append(problem(E_BAD_TYPE, f"para must be an integer >= 0, got {para!r}"))
    text = record.get("text")
    text_ok = isinstance(text, str)
    if "text" in record and not text_ok:
        out.append(problem(E_BAD_TYPE, f"text must be a string, got {_json_type(text)}"))
    elif text_ok and not text.strip():
        out.append(problem(E_EMPTY_TEXT, "text is empty; a paragraph is a non-empty line "
                           "(ANNOTATION.md §1): drop the record"))

    labels = record.get("labels")
    if "labels" in record:
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            out.append(problem(E_BAD_TYPE, f"labels must be a list of strings, got {labels!r}"))
            labels = []
        for label in labels:
            if label not in PARAGRAPH_LABELS:
                hint = "leave labels empty for 其他" if label == OTHER_LABEL else \
                    f"use one of {', '.join(PARAGRAPH_LABELS)}"
                out.append(problem(E_UNKNOWN_LABEL, f"unknown paragraph label {label!r}; {hint}"))
        for label in sorted({x for x in labels if labels.count(x) > 1}):
            out.append(problem(E_DUP_LABEL, f"label {label!r} listed twice; list it once",
                               WARNING))
    else:
        labels = []

    for key, allowed, unknown_code in (("roles", ROLES, E_UNKNOWN_ROLE),
                                       ("entities", ENTITY_TYPES, E_UNKNOWN_ENTITY)):
        if key not in record:
            continue
        spans = record[key]
        if not isinstance(spans, list):
            out.append(problem(E_BAD_TYPE, f"{key} must be a list of [start, end, type] triples, "
                               f"got {_json_type(spans)}"))
            continue
        good: list[tuple[int, int, str]] = []
        for span in spans:
            if not _is_span(span):
                out.append(problem(E_BAD_SPAN, f"{key}: {json.dumps(span, ensure_ascii=False)} "
                                   "is not a [start, end, type] triple of two integers and a "
                                   "string"))
                continue
            start, end, kind = span
            if kind not in allowed:
                out.append(problem(unknown_code, f"{key}: unknown type {kind!r} in "
                                   f"{_span_str(span)}; use one of {', '.join(allowed)}"))
            if text_ok and not 0 <= start < end <= len(text):
                out.append(problem(E_OFFSETS, f"{key}: {_span_str(span)} is outside the text "
                                   f"(need 0 <= start < end <= {len(text)}); fix the offsets"))
                continue
            good.append((start, end, kind))
        overlap_code = E_ROLE_OVERLAP if key == "roles" else E_ENTITY_OVERLAP
        for a, b in find_overlaps(good):
            rule = ("a sentence gets at most one role (ANNOTATION.md §3)" if key == "roles"
                    else "entities are flat (ANNOTATION.md §4)")
            out.append(problem(overlap_code, f"overlapping {key} {_span_str(a)} and "
                               f"{_span_str(b)}; {rule}: shorten one of them"))
        if key == "roles" and spans and isinstance(labels, list) and \
                not ROLE_BEARING_LABELS.intersection(labels):
            out.append(problem(E_ROLE_CONTEXT, "roles in a paragraph labelled neither 存在问题 nor "
                               "建议 (ANNOTATION.md §3); add the label or drop the roles",
                               WARNING))
    return out


def find_overlaps(spans: Iterable[Sequence]) -> list[tuple[list, list]]:
    """Pairs of spans that share at least one character (identical spans included).

    >>> find_overlaps([[0, 4, "AMOUNT"], [4, 6, "UNIT"], [5, 7, "UNIT"]])
    [([4, 6, 'UNIT'], [5, 7, 'UNIT'])]
    """
    ordered = sorted((list(s) for s in spans), key=lambda s: (s[0], s[1]))
    pairs: list[tuple[list, list]] = []
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if b[0] >= a[1]:
                break
            pairs.append((a, b))
    return pairs


def validate_file(path: str | Path) -> list[Problem]:
    """Every problem of one JSONL label file, JSON syntax included, with line numbers.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.jsonl"
    >>> _ = p.write_text("{oops\\n", encoding="utf-8")
    >>> [pr.code for pr in validate_file(p)]
    ['E300']
    """
    try:
        parsed = list(iter_label_lines(path))
    except LabelFileError as exc:
        return [Problem(str(path), 0, exc.code, exc.message)]
    problems = [value for _, value in parsed if isinstance(value, Problem)]
    records = [(number, value) for number, value in parsed if not isinstance(value, Problem)]
    problems += validate_records([r for _, r in records], path, [n for n, _ in records])
    return sorted(problems, key=lambda p: p.line)


def validate_files(paths: Iterable[str | Path]) -> list[Problem]:
    """:func:`validate_file` on each file, plus paragraphs duplicated across files (E311).

    >>> validate_files([])
    []
    """
    problems: list[Problem] = []
    first_seen: dict[tuple[str, int], tuple[str, int]] = {}
    for path in paths:
        problems += validate_file(path)
        try:
            parsed = list(iter_label_lines(path))
        except LabelFileError:
            continue
        local: set[tuple[str, int]] = set()
        for number, value in parsed:
            if not isinstance(value, dict):
                continue
            doc_id, para = value.get("doc_id"), value.get("para")
            if not (isinstance(doc_id, str) and _is_int(para)):
                continue
            key = (doc_id, para)
            if key in local:
                continue  # reported by validate_file already
            local.add(key)
            if key in first_seen and first_seen[key][0] != str(path):
                where = first_seen[key]
                problems.append(Problem(str(path), number, E_DUP_PARA,
                                        f"paragraph {doc_id} #{para} is also in {where[0]}:"
                                        f"{where[1]}; keep it in one file"))
            first_seen.setdefault(key, (str(path), number))
    return problems


def has_errors(problems: Iterable[Problem]) -> bool:
    """True when at least one problem is an error (warnings do not count)."""
    return any(p.is_error for p in problems)


# ---------------------------------------------------------------- helpers
def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_span(span: Any) -> bool:
    return (isinstance(span, (list, tuple)) and len(span) == 3 and _is_int(span[0])
            and _is_int(span[1]) and isinstance(span[2], str))


def _span_str(span: Sequence) -> str:
    return json.dumps(list(span), ensure_ascii=False)


def _json_type(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
            type(None): "null", int: "a number", float: "a number"}.get(type(value),
                                                                          type(value).__name__)
