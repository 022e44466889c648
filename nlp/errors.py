"""Errors with a stable code and a message that says what to do.

Every user-facing failure is a :class:`JixiaoError`; the CLI prints ``E012: message`` on one
line without a traceback and exits with ``exit_code``.
"""
from __future__ import annotations

#: A training or pipeline config that cannot be read, has unknown keys or bad values.
E_CONFIG = "E420"
#: ONNX export or runtime problem (a stale or missing export, the onnx package absent).
E_ONNX = "E403"


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
