"""Read report files (``.txt``/``.md``/``.docx``/``.pdf`` or stdin) into :class:`RawDocument`.

Reading only turns bytes into text with one paragraph per line; cleaning and structure come later.
Every way a file can be unreadable raises :class:`~jixiao.errors.InputError` with a code in
E100–E122 that names the file and says what to do, so a batch can log it and go on; input specs
that match nothing raise :class:`~jixiao.errors.UsageError` (E130–E131, exit 2).

Text is decoded in linear time (no regex backtracking over the whole text), so a single line of
millions of characters is read like any other. :class:`Limits` bounds what one document may cost:
file size (E103), unpacked size of a .docx (E112, a zip bomb), characters per document and per
line/paragraph (E108); every limit can be raised (``jixiao extract --max-…``).

File names need not be valid UTF-8 (a GBK-named zip unpacked on Linux): such a file is read
normally and named in messages and output by :func:`display_path`, with the undecodable bytes
written as ``\\xNN``.
"""
from __future__ import annotations

import glob
import hashlib
import io
import os
import re
import stat
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from jixiao.errors import (
    E_BINARY, E_DOCX_BROKEN, E_DOCX_NOT_ZIP, E_EMPTY, E_ENCODING, E_LIMIT_OPTION, E_NOT_FOUND, E_NO_INPUT,
    E_NO_TEXT, E_PDF_CORRUPT, E_PDF_ENCRYPTED, E_PDF_NO_TEXT, E_STDIN_TWICE, E_TOO_BIG, E_TOO_LONG,
    E_UNPACKED, E_UNREADABLE, E_UNSUPPORTED, InputError, UsageError,
)

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
"""Files larger than this are refused (E103); pass ``max_bytes=`` to change it."""
DEFAULT_MAX_UNPACKED_BYTES = 256 * 1024 * 1024
"""A .docx whose parts unpack to more than this is refused (E112): a zip bomb, not a report."""
DEFAULT_MAX_CHARS = 3_000_000
"""Documents with more characters than this are refused (E108); a long report has ~100 000."""
DEFAULT_MAX_PARAGRAPH_CHARS = 2_000_000
"""A line (paragraph) longer than this is refused (E108)."""


@dataclass(frozen=True)
class Limits:
    """What one document may cost; every input beyond a limit fails with a message naming it.

    >>> Limits().max_chars
    3000000
    >>> Limits.from_options(max_unpacked_mb=1, max_chars=None).max_unpacked_bytes
    1048576
    """

    max_bytes: int = DEFAULT_MAX_BYTES
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES
    max_chars: int = DEFAULT_MAX_CHARS
    max_paragraph_chars: int = DEFAULT_MAX_PARAGRAPH_CHARS

    @classmethod
    def from_options(cls, *, max_mb: int | None = None, max_unpacked_mb: int | None = None,
                     max_chars: int | None = None, max_paragraph_chars: int | None = None) -> "Limits":
        """Limits from command-line options (``None`` keeps the default); UsageError E132 for values < 1."""
        given = {"--max-mb": max_mb, "--max-unpacked-mb": max_unpacked_mb, "--max-chars": max_chars,
                 "--max-paragraph-chars": max_paragraph_chars}
        for name, value in given.items():
            if value is not None and value < 1:
                raise UsageError(E_LIMIT_OPTION, f"{name} must be a positive number, got {value}")
        d = cls()
        return cls(
            max_bytes=d.max_bytes if max_mb is None else max_mb * 1024 * 1024,
            max_unpacked_bytes=d.max_unpacked_bytes if max_unpacked_mb is None else max_unpacked_mb * 1024 * 1024,
            max_chars=d.max_chars if max_chars is None else max_chars,
            max_paragraph_chars=d.max_paragraph_chars if max_paragraph_chars is None else max_paragraph_chars,
        )

SUPPORTED_SUFFIXES: dict[str, str] = {".txt": "txt", ".md": "md", ".docx": "docx", ".pdf": "pdf"}
STDIN = "-"
STDIN_SOURCE = "<stdin>"

# How to convert formats we cannot read; keys are lower-case suffixes.
_CONVERT_HINTS: dict[str, str] = {
    ".doc": "legacy Word .doc is not supported; save it as .docx in Word/WPS, or run "
    "`libreoffice --headless --convert-to docx FILE.doc`",
    ".wps": "WPS .wps is not supported; save it as .docx in WPS, or run "
    "`libreoffice --headless --convert-to docx FILE.wps`",
    ".rtf": "RTF is not supported; run `libreoffice --headless --convert-to docx FILE.rtf`",
    ".odt": "ODT is not supported; run `libreoffice --headless --convert-to docx FILE.odt`",
    ".ofd": "OFD is not supported; export it to PDF with an OFD reader (e.g. 数科OFD阅读器) first",
    ".xls": "spreadsheets are not reports; copy the table into the .docx report or save as .txt",
    ".xlsx": "spreadsheets are not reports; copy the table into the .docx report or save as .txt",
    ".html": "HTML is not supported; save the page as .txt or print it to PDF",
    ".htm": "HTML is not supported; save the page as .txt or print it to PDF",
}

# File signatures used to explain a wrong suffix.
_MAGIC_PDF = b"%PDF-"
_MAGIC_ZIP = b"PK\x03\x04"
_MAGIC_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc/.xls, and password-protected .docx

# Byte-order marks, longest first (UTF-32 LE starts with the UTF-16 LE mark).
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)

# C0 control bytes that never occur in text: everything below 0x20 except \t \n \v \f \r and
# ESC (0x1b, left by some terminals' copy-paste), plus DEL. NUL is checked on its own.
_CONTROL_BYTES = bytes(b for b in range(1, 0x20) if b not in (9, 10, 11, 12, 13, 0x1B)) + b"\x7f"
_BINARY_SAMPLE = 1 << 20  # bytes inspected for control characters
_BINARY_CONTROL_RATIO = 0.02  # more control bytes than this means "not text"
_GB_CHECK_CHARS = 200_000  # characters inspected to judge a GB18030 decoding

# Matches a Windows or old-Mac line break, "\r\n" or a lone "\r" (each becomes "\n").
_LINE_BREAK = re.compile(r"\r\n?")

# A CJK character or CJK/full-width punctuation: "项", "。", "（", "％".
_CJK_CHAR = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]")


# A heading or list marker at the start of a line, which starts a new paragraph:
# "一、" "（一）" "(1)" "1、" "1." "（1）" "①" "第一部分" "第二章".
_LIST_MARKER = re.compile(
    r"\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．)）]|[①-⑳]"
    r"|第[一二三四五六七八九十\d]+[部分章节条])"
)


@dataclass
class RawDocument:
    """The text of one input before cleaning.

    ``doc_id`` is the file stem (``"stdin-" + sha256[:16]`` for stdin), ``sha256`` is over the raw
    bytes, ``fmt`` is ``txt``/``md``/``docx``/``pdf``, ``encoding`` the detected text encoding
    (``None`` for docx/pdf). ``text`` has ``\\n`` line ends and no BOM; one paragraph per line,
    table rows as tab-separated cells.
    """

    source: str
    doc_id: str
    text: str
    sha256: str
    fmt: str
    encoding: str | None


# --------------------------------------------------------------------------------------------
# entry points


def read_document(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES,
                  limits: Limits | None = None, doc_id: str | None = None) -> RawDocument:
    """Read one report file, choosing the reader by suffix (case-insensitive).

    ``limits`` (default :class:`Limits` with ``max_bytes``) bounds the cost of the file;
    ``doc_id`` overrides the file stem (the batch makes ids unique within an output).

    >>> p = Path(tmp) / "001_报告.txt"; _ = p.write_bytes("一、项目概况".encode("gbk"))  # doctest: +SKIP
    >>> read_document(p).text, read_document(p).encoding                                # doctest: +SKIP
    ('一、项目概况', 'gb18030')
    """
    limits = limits if limits is not None else Limits(max_bytes=max_bytes)
    p = Path(path)
    source = display_path(path)
    suffix = p.suffix.lower()
    fmt = SUPPORTED_SUFFIXES.get(suffix)
    if fmt is None:
        if _is_dir(p):
            _explain_folder(p, source)
        raise InputError(E_UNSUPPORTED, _unsupported_message(suffix), path=source)
    data = _read_bytes(p, source, limits.max_bytes)
    digest = hashlib.sha256(data).hexdigest()
    text, encoding = _decode_by_format(data, fmt, source, limits)
    check_text_limits(text, limits, source)
    return RawDocument(source=source, doc_id=doc_id if doc_id is not None else display_name(p.stem),
                       text=text, sha256=digest, fmt=fmt, encoding=encoding)


def check_text_limits(text: str, limits: Limits, source: str) -> None:
    """InputError E108 when ``text`` has more characters, or a longer line, than ``limits`` allow.

    >>> check_text_limits("一二三\\n四", Limits(max_paragraph_chars=2), "a.txt")
    Traceback (most recent call last):
    jixiao.errors.InputError: E108: a.txt: line 1 has 3 characters, more than the limit of 2 per paragraph; split the line or raise --max-paragraph-chars
    """
    if len(text) > limits.max_chars:
        raise InputError(
            E_TOO_LONG,
            f"the document has {len(text):,} characters, more than the limit of {limits.max_chars:,}; "
            "split it or raise --max-chars",
            path=source,
        )
    if len(text) <= limits.max_paragraph_chars:
        return
    start = number = 0
    while start <= len(text):  # linear: one find per line
        number += 1
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if end - start > limits.max_paragraph_chars:
            raise InputError(
                E_TOO_LONG,
                f"line {number} has {end - start:,} characters, more than the limit of "
                f"{limits.max_paragraph_chars:,} per paragraph; split the line or raise --max-paragraph-chars",
                path=source,
            )
        start = end + 1


def display_path(path: str | os.PathLike[str]) -> str:
    """A path as text that can always be printed and written as UTF-8.

    A file name that is not valid UTF-8 (GBK bytes from a zip made on Windows) reaches Python with
    "surrogate escapes"; they become ``\\xNN`` so messages, errors.jsonl and the output never
    fail on them.

    >>> print(display_path(os.fsdecode("报告".encode("gbk") + b".txt")))
    \\xb1\\xa8\\xb8\\xe6.txt
    >>> display_path("2018/绩效评价报告.txt")
    '2018/绩效评价报告.txt'
    """
    return display_name(os.fspath(path))


def display_name(name: str) -> str:
    """``name`` with surrogate escapes written as ``\\xNN`` (see :func:`display_path`)."""
    if isinstance(name, bytes):
        return name.decode("utf-8", "backslashreplace")
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def name_is_utf8(path: str | os.PathLike[str]) -> bool:
    """Whether the path's name is valid UTF-8 (False: it is shown with ``\\xNN`` escapes).

    >>> name_is_utf8("报告.txt"), name_is_utf8(os.fsdecode(b"\\xb1\\xa8.txt"))
    (True, False)
    """
    return display_path(path) == os.fspath(path)


def unique_doc_ids(paths: list[Path | str]) -> dict[str, str]:
    """A doc_id for every input, unique among them: the file stem when no other input has it.

    Inputs sharing a stem (``2018/绩效评价报告.txt`` and ``2022/绩效评价报告.txt``) get their
    stem prefixed with as many parent folders as it takes to tell them apart
    (``2018/绩效评价报告``, ``2022/绩效评价报告``); same folder and stem, different suffix, keeps
    the suffix (``a.txt``, ``a.docx``). The ids depend on the set of inputs only, so a resumed
    run gives the same ids. Keys are :func:`display_path` of each path; stdin is left out.

    >>> ids = unique_doc_ids([Path("in/2018/报告.txt"), Path("in/2022/报告.txt"), Path("in/x.txt")])
    >>> ids["in/2018/报告.txt"], ids["in/2022/报告.txt"], ids["in/x.txt"]
    ('2018/报告', '2022/报告', 'x')
    """
    files = [Path(p) for p in paths if p != STDIN]
    by_stem: dict[str, list[Path]] = {}
    for f in files:
        by_stem.setdefault(display_name(f.stem), []).append(f)
    used = {stem for stem, group in by_stem.items() if len(group) == 1}
    ids: dict[str, str] = {}
    for stem, group in by_stem.items():
        if len(group) == 1:
            ids[display_path(group[0])] = stem
            continue
        parts = [[display_name(x) for x in Path(os.path.abspath(f)).parts[1:-1]] for f in group]
        chosen: list[str] | None = None
        for k in range(1, max(len(x) for x in parts) + 1):
            cand = ["/".join(x[-k:] + [stem]) for x in parts]
            if len(set(cand)) == len(cand) and not set(cand) & used:
                chosen = cand
                break
        if chosen is None:  # same folder and stem, or every prefix taken: keep the suffix too
            chosen = ["/".join(x + [display_name(f.name)]) for x, f in zip(parts, group)]
        for f, doc_id in zip(group, chosen):
            ids[display_path(f)] = doc_id
            used.add(doc_id)
    return ids


def read_stdin(stream: BinaryIO | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES,
               limits: Limits | None = None) -> RawDocument:
    """Read a report from standard input (text in any supported encoding, or a PDF/docx by content).

    >>> read_stdin(io.BytesIO("二、绩效目标".encode("utf-8"))).doc_id[:6]
    'stdin-'
    """
    stream = stream if stream is not None else sys.stdin.buffer
    limits = limits if limits is not None else Limits(max_bytes=max_bytes)
    max_bytes = limits.max_bytes
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(
            E_TOO_BIG,
            f"input is larger than the limit of {_human(max_bytes)}; split it or raise the limit",
            path=STDIN_SOURCE,
        )
    digest = hashlib.sha256(data).hexdigest()
    fmt = _sniff_format(data)
    text, encoding = _decode_by_format(data, fmt, STDIN_SOURCE, limits)
    check_text_limits(text, limits, STDIN_SOURCE)
    return RawDocument(
        source=STDIN_SOURCE, doc_id=f"stdin-{digest[:16]}", text=text, sha256=digest, fmt=fmt,
        encoding=encoding,
    )


def iter_inputs(specs: list[str]) -> Iterator[Path | str]:
    """Expand command-line inputs into files to read, in a stable order, each file once.

    A spec is a file (taken whatever its suffix, so an unsupported one is reported per file), a
    directory (searched recursively for .txt/.md/.docx/.pdf, sorted, hidden files and Office
    ``~$`` lock files skipped), a glob (``corpus/**/*.docx``), or ``-`` for stdin (yielded as the
    string ``"-"``). Every spec is checked before anything is yielded: one matching nothing raises
    :class:`~jixiao.errors.UsageError` (exit 2) naming it.

    What cannot be looked at is yielded too, never skipped in silence: a file whose folder cannot
    be entered, a folder (given, or found inside a given one) that cannot be listed. Reading such
    an entry with :func:`read_document` fails with E102 saying why, so the batch logs it.

    >>> list(iter_inputs(["-"]))
    ['-']
    """
    found: list[Path | str] = []
    seen: set[str] = set()
    stdin_seen = False
    for spec in specs:
        if spec == STDIN:
            if stdin_seen:
                raise UsageError(E_STDIN_TWICE, "'-' (stdin) given more than once; stdin can be read only once")
            stdin_seen = True
            found.append(STDIN)
            continue
        for p in _expand_spec(spec):
            key = os.path.normcase(os.path.abspath(p))
            if key not in seen:
                seen.add(key)
                found.append(p)
    return iter(found)


def decode_text(data: bytes, *, source: str = "<bytes>") -> tuple[str, str]:
    """Decode report bytes: BOM, then strict UTF-8, then GB18030, then charset-normalizer's guess.

    Returns ``(text, encoding)`` with ``\\n`` line ends and the BOM removed. Raises InputError for
    empty, whitespace-only, binary or undecodable content.

    >>> decode_text("绩效评价报告\\r\\n".encode("gbk"))
    ('绩效评价报告\\n', 'gb18030')
    """
    if not data:
        raise InputError(E_EMPTY, "the file is empty; remove it from the batch", path=source)
    text, encoding = _decode(data, source)
    text = _normalize_newlines(text)
    if not text.strip():
        raise InputError(
            E_NO_TEXT, "the file holds only whitespace, no text; remove it from the batch", path=source
        )
    return text, encoding


# --------------------------------------------------------------------------------------------
# inputs


def _expand_spec(spec: str) -> list[Path]:
    """Files one spec names, or a UsageError naming the spec."""
    p = Path(spec)
    kind = _kind(p)
    if kind == "dir":
        files, unreadable = _walk_dir(p)
        if unreadable and unreadable[0] == p:  # the folder itself cannot be listed: say so per file
            return [p]
        if not files and not unreadable:
            raise UsageError(
                E_NO_INPUT,
                f"the directory holds no {'/'.join(SUPPORTED_SUFFIXES)} files "
                "(hidden and ~$ files are skipped)",
                path=display_path(spec),
            )
        return sorted(files + unreadable)
    if kind in ("file", "denied"):  # denied: reading it reports E102 with the reason
        return [p]
    if glob.has_magic(spec):
        hits = sorted(glob.glob(spec, recursive=True))
        files: list[Path] = []
        for hit in hits:
            hp = Path(hit)
            hk = _kind(hp)
            if hk == "dir":
                found, unreadable = _walk_dir(hp)
                files.extend(sorted(found + unreadable))
            elif hk == "file" and hp.suffix.lower() in SUPPORTED_SUFFIXES and not _skipped_name(hp.name):
                files.append(hp)
        if not files:
            raise UsageError(
                E_NO_INPUT, f"the pattern matches no {'/'.join(SUPPORTED_SUFFIXES)} file", path=display_path(spec)
            )
        return files
    raise UsageError(E_NO_INPUT, "no such file or directory; check the path", path=display_path(spec))


def _kind(p: Path) -> str:
    """``dir``, ``file`` (anything else that exists), ``missing`` or ``denied`` (stat refused)."""
    try:
        st = os.stat(p)
    except PermissionError:
        return "denied"
    except (FileNotFoundError, NotADirectoryError, ValueError):
        return "missing"
    except OSError:
        return "denied"
    return "dir" if stat.S_ISDIR(st.st_mode) else "file"


def _is_dir(p: Path) -> bool:
    return _kind(p) == "dir"


def _walk_dir(root: Path) -> tuple[list[Path], list[Path]]:
    """Supported files under ``root``, skipping hidden directories/files and ~$ files, and the
    folders that could not be listed (``root`` itself first when it cannot be)."""
    out: list[Path] = []
    unreadable: list[Path] = []

    def failed(exc: OSError) -> None:
        unreadable.append(Path(exc.filename) if exc.filename is not None else root)

    for dirpath, dirnames, filenames in os.walk(root, onerror=failed):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if _skipped_name(name):
                continue
            if Path(name).suffix.lower() in SUPPORTED_SUFFIXES:
                out.append(Path(dirpath) / name)
    if unreadable and Path(unreadable[0]) == root and not out:
        return [], [root]
    return sorted(out), sorted(unreadable)


def _explain_folder(p: Path, source: str) -> None:
    """InputError E102 for a folder among the files to read (one that could not be listed)."""
    try:
        os.listdir(p)
    except OSError as exc:
        raise InputError(
            E_UNREADABLE,
            f"cannot list the folder ({exc.strerror or exc}); the reports inside were not read: "
            "make it readable (chmod +rx) or run as its owner",
            path=source,
        ) from None
    raise InputError(E_UNREADABLE, "not a regular file but a folder; give it as a folder argument", path=source)


def _skipped_name(name: str) -> bool:
    """Hidden files and the ``~$x.docx`` lock files Word leaves next to open documents."""
    return name.startswith(".") or name.startswith("~$")


def _unsupported_message(suffix: str) -> str:
    """The E100 message for a suffix we cannot read."""
    supported = ", ".join(SUPPORTED_SUFFIXES)
    hint = _CONVERT_HINTS.get(suffix)
    shown = suffix or "(no suffix)"
    if hint:
        return f"unsupported format '{shown}': {hint}"
    return f"unsupported format '{shown}'; convert it to one of {supported}"


def _read_bytes(p: Path, source: str, max_bytes: int) -> bytes:
    """File contents, with the size guard and readable OS errors."""
    try:
        st = p.stat()
    except FileNotFoundError:
        raise InputError(E_NOT_FOUND, "file not found; it may have been moved or deleted", path=source) from None
    except OSError as exc:
        raise InputError(E_UNREADABLE, f"cannot access the file ({exc.strerror}); check its permissions", path=source) from None
    if stat.S_ISDIR(st.st_mode):
        _explain_folder(p, source)
    if not stat.S_ISREG(st.st_mode):
        raise InputError(E_UNREADABLE, "not a regular file (a directory or device); remove it from the inputs", path=source)
    if st.st_size > max_bytes:
        raise InputError(
            E_TOO_BIG,
            f"file is {_human(st.st_size)}, larger than the limit of {_human(max_bytes)}; "
            "split it or raise the limit",
            path=source,
        )
    try:
        with open(p, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except PermissionError:
        raise InputError(E_UNREADABLE, "permission denied; make the file readable (chmod +r) or run as its owner", path=source) from None
    except OSError as exc:
        raise InputError(E_UNREADABLE, f"cannot read the file ({exc.strerror or exc}); check the disk and permissions", path=source) from None
    if len(data) > max_bytes:  # grew while we looked
        raise InputError(E_TOO_BIG, f"file is larger than the limit of {_human(max_bytes)}", path=source)
    return data


def _human(n: int) -> str:
    """Byte count for messages: ``209715200`` → ``'200 MB'``."""
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / (1024 * 1024):.0f} MB"


def _sniff_format(data: bytes) -> str:
    """Format of stdin bytes by signature: pdf, docx (zip with word/document.xml) or txt."""
    if data.startswith(_MAGIC_PDF):
        return "pdf"
    if data.startswith(_MAGIC_ZIP):
        return "docx"
    return "txt"


def _decode_by_format(data: bytes, fmt: str, source: str, limits: Limits | None = None) -> tuple[str, str | None]:
    """Dispatch to the text/docx/pdf reader."""
    if fmt == "docx":
        return _read_docx(data, source, limits or Limits()), None
    if fmt == "pdf":
        return _read_pdf(data, source), None
    return decode_text(data, source=source)


# --------------------------------------------------------------------------------------------
# plain text


def _decode(data: bytes, source: str) -> tuple[str, str]:
    """Bytes → (text, encoding) without newline normalisation."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(enc.replace("-sig", "")), enc
            except UnicodeDecodeError:
                raise InputError(
                    E_ENCODING,
                    f"the file starts with a {enc} byte-order mark but is not valid {enc}; "
                    "re-save it as UTF-8",
                    path=source,
                ) from None
    _refuse_binary(data, source)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    lossy = _mostly_utf8(data)
    if lossy is not None:
        return lossy, "utf-8-lossy"
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and _looks_like_gb(text):
        return text, "gb18030"
    guess = _charset_normalizer_guess(data)
    if guess is not None:
        return guess
    if text is not None:  # GB18030 decoded, merely looked unusual; better than nothing
        return text, "gb18030"
    raise InputError(
        E_ENCODING,
        "cannot decode the text: it is neither UTF-8 nor GB18030/GBK and no other encoding "
        "fits; re-save it as UTF-8",
        path=source,
    )


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 text with a few broken bytes (a file cut mid-character, one corrupt byte), or None.

    GBK text decoded as UTF-8 breaks on nearly every character, so a handful of errors among
    many valid multi-byte characters means UTF-8 with damage, decoded with U+FFFD for the damage.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode("utf-8"))
    multibyte = len(data) - len(text)  # bytes saved by multi-byte characters
    if bad <= max(3, len(data) // 10_000) and multibyte >= 10 * bad:
        return text
    return None


def _refuse_binary(data: bytes, source: str) -> None:
    """InputError E106 when the bytes are not text (NUL bytes, many control bytes, known formats)."""
    if data.startswith(_MAGIC_PDF):
        raise InputError(E_BINARY, "this is a PDF file with a text suffix; rename it to .pdf", path=source)
    if data.startswith(_MAGIC_ZIP):
        raise InputError(
            E_BINARY, "this is a zip/Office file (e.g. .docx) with a text suffix; rename it to .docx", path=source
        )
    if data.startswith(_MAGIC_OLE2):
        raise InputError(
            E_BINARY, "this is a legacy Office file (.doc/.xls) with a text suffix; convert it to .docx", path=source
        )
    sample = data[:_BINARY_SAMPLE]
    if b"\x00" in sample or (len(data) > _BINARY_SAMPLE and b"\x00" in data):
        raise InputError(
            E_BINARY,
            "binary content (NUL bytes), not text; if it is UTF-16 text without a byte-order "
            "mark, re-save it as UTF-8",
            path=source,
        )
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls and controls / len(sample) > _BINARY_CONTROL_RATIO:
        raise InputError(
            E_BINARY,
            f"binary content ({controls} control bytes in the first {len(sample)}), not text; "
            "remove it from the batch",
            path=source,
        )


def _looks_like_gb(text: str) -> bool:
    """Whether a GB18030 decoding is plausible Chinese rather than another encoding misread.

    Real GBK/GB18030 Chinese text lies almost entirely in GB2312 (common hanzi and punctuation);
    Big5 or Latin-1 bytes decoded as GB18030 land in rarely used extension characters.
    """
    sample = text[:_GB_CHECK_CHARS]
    non_ascii = rare = 0
    for ch in sample:
        if ch < "\x80":
            continue
        non_ascii += 1
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            rare += 1
    return non_ascii == 0 or rare / non_ascii < 0.2


def _charset_normalizer_guess(data: bytes) -> tuple[str, str] | None:
    """charset-normalizer's best decoding, or None; never raises."""
    try:
        from charset_normalizer import from_bytes

        for match in from_bytes(data):  # best first
            encoding = str(match.encoding)
            # UTF-16/32 without a BOM cannot hold NUL-free text; such a guess is noise
            if encoding.startswith(("utf_16", "utf_32")):
                continue
            return str(match), encoding
        return None
    except Exception:  # a failing guesser must not stop the batch
        return None


def _normalize_newlines(text: str) -> str:
    """``\\r\\n`` and ``\\r`` → ``\\n`` (linear time)."""
    if "\r" not in text:
        return text
    return _LINE_BREAK.sub("\n", text)


def join_cell_lines(text: str) -> str:
    """Join the lines inside a table cell: nothing in Chinese text, a space between Latin words.

    Tabs become spaces so a cell never splits the tab-separated row.

    >>> join_cell_lines("参保\\n人数"), join_cell_lines("Budget\\n2020"), join_cell_lines("≥12732\\n人")
    ('参保人数', 'Budget 2020', '≥12732人')
    """
    parts = [s.strip() for s in _normalize_newlines(text).replace("\x0b", "\n").split("\n")]
    parts = [s for s in parts if s]
    if not parts:
        return ""
    return _join_wrapped(parts).replace("\t", " ")


def _row_line(cells: list[str]) -> str | None:
    """One table row as a tab-separated line, or None when every cell is empty."""
    if not any(c.strip() for c in cells):
        return None
    return "\t".join(cells)


def _require_text(text: str, source: str, what: str) -> str:
    """InputError E105 when a docx/pdf yields no text at all."""
    if not text.strip():
        raise InputError(E_NO_TEXT, f"{what} holds no text; remove it from the batch", path=source)
    return text


# --------------------------------------------------------------------------------------------
# docx


def _read_docx(data: bytes, source: str, limits: Limits | None = None) -> str:
    """Paragraphs and table rows of a .docx body in document order, one per line."""
    if data.startswith(_MAGIC_OLE2):
        raise InputError(
            E_DOCX_NOT_ZIP,
            "not a .docx (zip) file but an OLE2 container: either a legacy .doc renamed to .docx "
            "or a password-protected .docx; remove the password, or save it as .docx in Word/WPS",
            path=source,
        )
    if not data:
        raise InputError(E_EMPTY, "the file is empty; remove it from the batch", path=source)
    buf = io.BytesIO(data)
    if not zipfile.is_zipfile(buf):
        raise InputError(
            E_DOCX_NOT_ZIP,
            "not a valid .docx file (zip header missing or file truncated); re-save it from "
            "Word/WPS or remove it from the batch",
            path=source,
        )
    try:
        with zipfile.ZipFile(buf) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(E_DOCX_NOT_ZIP, f"corrupt .docx zip archive ({exc}); re-save it from Word/WPS", path=source) from None
    max_unpacked = (limits or Limits()).max_unpacked_bytes
    unpacked = sum(max(i.file_size, 0) for i in infos)
    if unpacked > max_unpacked:  # a zip bomb: refused before anything is inflated
        raise InputError(
            E_UNPACKED,
            f"the .docx unpacks to {_human(unpacked)} ({len(data) and unpacked // len(data)}x its size), "
            f"more than the limit of {_human(max_unpacked)}; this is not an ordinary report "
            "(a zip bomb or huge embedded media): remove it, or raise --max-unpacked-mb",
            path=source,
        )
    if "word/document.xml" not in names:
        raise InputError(
            E_DOCX_BROKEN,
            "zip archive without word/document.xml: not a Word document; re-save it as .docx "
            "or remove it from the batch",
            path=source,
        )
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
        lines = list(_docx_lines(document))
    except InputError:
        raise
    except Exception as exc:  # python-docx raises many types for broken XML/packages
        raise InputError(
            E_DOCX_BROKEN,
            f"corrupt .docx ({type(exc).__name__}: {exc}); open and re-save it in Word/WPS",
            path=source,
        ) from None
    return _require_text("\n".join(lines), source, "the .docx document")


def _docx_lines(document) -> Iterator[str]:  # noqa: ANN001 - python-docx Document
    """Lines of the body: paragraphs (soft breaks kept) and table rows, in XML order.

    Walks ``<w:body>`` itself instead of ``Document.iter_inner_content()`` so that paragraphs and
    tables inside block-level content controls (``<w:sdt>``, common in cover pages) are kept too.
    """
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    body = document.element.body
    parent = document._body  # noqa: SLF001 - python-docx's block parent

    def walk(container) -> Iterator[str]:  # noqa: ANN001
        for child in container.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                yield Paragraph(child, parent).text
            elif tag == "tbl":
                yield from _docx_table_lines(Table(child, parent))
            elif tag == "sdt":
                for content in child.iterchildren():
                    if content.tag.rsplit("}", 1)[-1] == "sdtContent":
                        yield from walk(content)

    yield from walk(body)


def _docx_table_lines(table) -> Iterator[str]:  # noqa: ANN001 - python-docx Table
    """One tab-separated line per row; a merged cell's text once, ``""`` for the cells it covers."""
    from docx.table import _Cell

    for row in table.rows:
        tr = row._tr  # noqa: SLF001
        cells: list[str] = [""] * int(getattr(row, "grid_cols_before", 0) or 0)
        for tc in tr.tc_lst:
            span = int(tc.grid_span or 1)
            if tc.vMerge == "continue":  # covered by the cell above: its text was emitted there
                cells.extend([""] * span)
                continue
            cells.append(join_cell_lines(_Cell(tc, table).text))
            cells.extend([""] * (span - 1))
        line = _row_line(cells)
        if line is not None:
            yield line


# --------------------------------------------------------------------------------------------
# pdf


def _read_pdf(data: bytes, source: str) -> str:
    """Text lines and table rows of each page, top to bottom; pages joined by ``\\n``."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    if not data:
        raise InputError(E_EMPTY, "the file is empty; remove it from the batch", path=source)
    if _MAGIC_PDF not in data[:1024]:  # the header may follow up to 1 KB of junk
        raise InputError(
            E_PDF_CORRUPT, "not a PDF file (no %PDF- header); check the file or remove it from the batch", path=source
        )
    try:
        pdf = pdfplumber.open(io.BytesIO(data), raise_unicode_errors=False)
    except PdfminerException as exc:
        inner = exc.args[0] if exc.args else exc
        if isinstance(inner, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise InputError(
                E_PDF_ENCRYPTED,
                "the PDF is encrypted/password-protected; remove the password (e.g. `qpdf "
                "--decrypt --password=PW in.pdf out.pdf`) and extract again",
                path=source,
            ) from None
        raise InputError(
            E_PDF_CORRUPT, f"corrupt PDF ({type(inner).__name__}: {inner}); re-export or repair it (e.g. `qpdf in.pdf out.pdf`)",
            path=source,
        ) from None
    except Exception as exc:
        raise InputError(E_PDF_CORRUPT, f"corrupt PDF ({type(exc).__name__}: {exc}); re-export it", path=source) from None

    pages: list[str] = []
    n_chars = n_images = 0
    pdfium_doc = None
    try:
        with pdf:
            n_pages = len(pdf.pages)
            for number, page in enumerate(pdf.pages):
                try:
                    chars = page.chars
                    n_images += len(page.images)
                    if chars:
                        n_chars += len(chars)
                        pages.append(_pdf_page_text(page))
                        continue
                except Exception as exc:
                    raise InputError(
                        E_PDF_CORRUPT,
                        f"page {number + 1} cannot be parsed ({type(exc).__name__}: {exc}); re-export the PDF",
                        path=source,
                    ) from None
                # pdfminer finds no characters on this page: some fonts (CID fonts with an
                # embedded CMap) are invisible to it but not to PDFium, so ask PDFium.
                if pdfium_doc is None:
                    pdfium_doc = _open_pdfium(data)
                fallback = _pdfium_page_text(pdfium_doc, number)
                n_chars += len(fallback.strip())
                pages.append(fallback)
    except InputError:
        raise
    except Exception as exc:
        raise InputError(E_PDF_CORRUPT, f"corrupt PDF ({type(exc).__name__}: {exc}); re-export it", path=source) from None
    finally:
        if pdfium_doc is not None:
            pdfium_doc.close()
    text = "\n".join(p for p in pages)
    if n_chars == 0 or not text.strip():
        scanned = f", {n_images} image(s)" if n_images else ""
        raise InputError(
            E_PDF_NO_TEXT,
            f"the PDF has no extractable text ({n_pages} page(s){scanned}): it is probably a "
            "scan; run OCR first (e.g. `ocrmypdf -l chi_sim in.pdf out.pdf`) and extract again",
            path=source,
        )
    return text


def _pdf_page_text(page) -> str:  # noqa: ANN001 - pdfplumber Page
    """One page: lines outside tables and table rows, ordered by their top coordinate."""
    tables = page.find_tables()
    bboxes = [t.bbox for t in tables]

    def outside_tables(obj: dict) -> bool:
        if obj.get("object_type") != "char":
            return True
        cx = (obj["x0"] + obj["x1"]) / 2
        cy = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in bboxes)

    blocks: list[tuple[float, int, list[str]]] = []
    text_page = page.filter(outside_tables) if bboxes else page
    lines = text_page.extract_text_lines(return_chars=False)
    for group in _wrapped_line_groups(lines, float(page.width)):
        blocks.append((float(group[0]["top"]), 0, [_join_wrapped([ln["text"] for ln in group])]))
    for table in tables:
        rows = []
        for row in table.extract():
            line = _row_line([join_cell_lines(c or "") for c in row])
            if line is not None:
                rows.append(line)
        blocks.append((float(table.bbox[1]), 1, rows))
    blocks.sort(key=lambda b: (b[0], b[1]))
    return "\n".join(line for _, _, lines in blocks for line in lines)


def _wrapped_line_groups(lines: list[dict], page_width: float) -> list[list[dict]]:
    """Group PDF text lines that a visual line wrap split: each group is one paragraph.

    A line continues on the next when it runs to the right edge of the text (within about one
    character), is at least half the page wide, and the next line starts at the left edge (not
    indented, as Chinese paragraphs' first lines are) without a heading or list marker. Table
    rows are never in ``lines``; page breaks are left to the cleaner.
    """
    if not lines:
        return []
    left = min(float(ln["x0"]) for ln in lines)
    right = max(float(ln["x1"]) for ln in lines)
    groups: list[list[dict]] = [[lines[0]]]
    for prev, cur in zip(lines, lines[1:]):
        size = max(float(prev["bottom"]) - float(prev["top"]), 1.0)
        gap = float(cur["top"]) - float(prev["bottom"])
        wraps = (
            float(prev["x1"]) >= right - 1.5 * size
            and float(prev["x1"]) - float(prev["x0"]) >= 0.5 * page_width
            and float(cur["x0"]) <= left + 0.5 * size
            and 0 <= gap <= 1.5 * size
            and not _LIST_MARKER.match(cur["text"])
        )
        if wraps:
            groups[-1].append(cur)
        else:
            groups.append([cur])
    return groups


def _join_wrapped(parts: list[str]) -> str:
    """Join lines that a wrap split: nothing in Chinese text, a space between Latin words.

    Chinese lines break anywhere, even inside a number (``预算资金86`` / ``84万元``), so any CJK
    in the line before the break means no space; Latin text wraps at spaces.
    """
    out = parts[0]
    for prev, cur in zip(parts, parts[1:]):
        if not prev or not cur or prev.endswith("-") or _CJK_CHAR.search(prev) or _CJK_CHAR.match(cur[0]):
            out += cur
        else:
            out += " " + cur
    return out


def _open_pdfium(data: bytes):  # noqa: ANN202
    """A pypdfium2 document for the fallback text layer."""
    import pypdfium2

    return pypdfium2.PdfDocument(data)


def _pdfium_page_text(pdfium_doc, number: int) -> str:  # noqa: ANN001
    """PDFium's text of one page (no table detection), ``\\n`` line ends."""
    page = pdfium_doc[number]
    try:
        textpage = page.get_textpage()
        try:
            text = textpage.get_text_range()
        finally:
            textpage.close()
    finally:
        page.close()
    text = _normalize_newlines(text)
    return "\n".join(line.rstrip() for line in text.split("\n") if line.strip())


__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_CHARS",
    "DEFAULT_MAX_PARAGRAPH_CHARS",
    "DEFAULT_MAX_UNPACKED_BYTES",
    "Limits",
    "RawDocument",
    "STDIN",
    "SUPPORTED_SUFFIXES",
    "check_text_limits",
    "decode_text",
    "display_name",
    "display_path",
    "iter_inputs",
    "join_cell_lines",
    "name_is_utf8",
    "read_document",
    "read_stdin",
    "unique_doc_ids",
]
