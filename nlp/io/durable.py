"""Output files that survive a crash and look like any other file: the mode a new file gets under the
umask, fsync of a folder after a rename, and E142 for a write the operating system refused."""
from __future__ import annotations

import os
from pathlib import Path

from jixiao.errors import E_OUTPUT_WRITE, JixiaoError


def current_umask() -> int:
    """The process umask (read without changing it where /proc allows; else set and restored).

    >>> 0 <= current_umask() <= 0o777
    True
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def chmod_like_new_file(path: str | os.PathLike[str]) -> None:
    """Give a temporary file (``tempfile.mkstemp``: always 0600) the mode ``open()`` would give a
    new file under the user's umask (0644 with umask 022), so the renamed output is not private."""
    try:
        os.chmod(path, 0o666 & ~current_umask())
    except OSError:
        pass


def fsync_dir(directory: Path) -> None:
    """Make a rename durable; a no-op where directories cannot be opened (Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_error(path: Path, exc: OSError) -> JixiaoError:
    """E142 for an OS error while writing output."""
    return JixiaoError(
        E_OUTPUT_WRITE, f"cannot write output ({exc.strerror or exc}); check free space and permissions", path=str(path)
    )
