"""Errors with a stable code and a message that says what to do.

Every user-facing failure is a :class:`JixiaoError`; the CLI prints ``E012: message`` on one
line without a traceback and exits with ``exit_code``.
"""
from __future__ import annotations

#: A training or pipeline config that cannot be read, has unknown keys or bad values.
E_CONFIG = "E420"
#: ONNX export or runtime problem (a stale or missing export, the onnx package absent).
E_ONNX = "E403"

# Batch extraction (jixiao.batch; README "What happens when").
#: A document beyond a size limit: characters per document or per line (--max-chars, ...).
E_TOO_LONG = "E108"
#: A .docx that unpacks to more than --max-unpacked-mb (a zip bomb).
E_UNPACKED = "E112"
#: A limit option that is not a positive number (usage).
E_LIMIT_OPTION = "E132"
#: The output folder is unusable: empty -o, a file, cannot be created (usage).
E_OUTPUT_PATH = "E144"
#: Same content as an earlier input of the run: not written again (logged, not a failure).
E_DUPLICATE = "E150"
#: A file name that is not valid UTF-8: read anyway, named with \xNN escapes (warning).
E_NAME_ENCODING = "E151"
#: The output folder is locked by another running extraction (exit status 3).
E_LOCKED = "E152"
#: The output cannot be written (disk full, I/O error): the run stops (exit status 4).
E_OUTPUT_WRITE = "E142"
#: The run was interrupted (Ctrl-C, SIGTERM): resume with --resume (exit status 130).
E_INTERRUPTED = "E153"
#: A document that does not look like a performance-evaluation report (warning only).
E_NOT_REPORT = "E160"


class JixiaoError(Exception):
    """A user-facing error: ``code`` (e.g. ``"E012"``), message, optional file, exit status."""

    def __init__(self, code: str, message: str, *, path: str | None = None, exit_code: int = 1):
        self.code = code
        self.message = message
        self.path = path
        self.exit_code = exit_code
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.code}: {where}{self.message}"


class InputError(JixiaoError):
    """A document that cannot be read (empty, binary, corrupt, undecodable). The batch goes on."""


class UsageError(JixiaoError):
    """Wrong arguments or configuration; exit status 2."""

    def __init__(self, code: str, message: str, *, path: str | None = None):
        super().__init__(code, message, path=path, exit_code=2)


class LabelFileError(JixiaoError):
    """A label file that breaks the ANNOTATION.md contract (schema, offsets, overlaps...)."""
