"""Every kind of unreadable input gives an InputError with a code and the file name."""
from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from jixiao.errors import InputError
from jixiao.io import read_document, read_stdin
from jixiao.io import readers


def _expect(path: Path, code: str, *words: str, **kwargs) -> InputError:
    with pytest.raises(InputError) as err:
        read_document(path, **kwargs)
    e = err.value
    assert e.code == code, str(e)
    assert path.name in str(e)  # the message names the file
    assert e.exit_code == 1
    for w in words:
        assert w in e.message, e.message
    return e


# ------------------------------------------------------------------------------------------
# files in general


def test_missing_file(tmp_path: Path) -> None:
    _expect(tmp_path / "gone.txt", "E101", "not found")


def test_directory_with_a_file_suffix(tmp_path: Path) -> None:
    (tmp_path / "dir.txt").mkdir()
    _expect(tmp_path / "dir.txt", "E102", "not a regular file")


def test_unreadable_file_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "locked.txt"
    path.write_text("一、项目概况", encoding="utf-8")

    def deny(*_a, **_k):
        raise PermissionError(13, "Permission denied")

    # root reads everything, so simulate the OS refusing instead of relying on chmod
    monkeypatch.setattr(readers, "open", deny, raising=False)
    _expect(path, "E102", "permission denied")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read mode-000 files")
def test_unreadable_file_chmod(tmp_path: Path) -> None:
    path = tmp_path / "locked.txt"
    path.write_text("一、项目概况", encoding="utf-8")
    path.chmod(0)
    try:
        _expect(path, "E102")
    finally:
        path.chmod(0o644)


def test_size_guard(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("预算" * 100, encoding="utf-8")
    _expect(path, "E103", "limit", max_bytes=100)
    with pytest.raises(InputError) as err:
        read_stdin(io.BytesIO(b"x" * 101), max_bytes=100)
    assert err.value.code == "E103" and "<stdin>" in str(err.value)


@pytest.mark.parametrize(("name", "hint"), [("old.doc", "libreoffice"), ("a.wps", "docx"), ("b.xyz", ".docx"), ("noext", "no suffix")])
def test_unsupported_formats(tmp_path: Path, name: str, hint: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    _expect(path, "E100", "unsupported format", hint)


# ------------------------------------------------------------------------------------------
# text


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    _expect(path, "E104", "empty")


def test_whitespace_only_file(tmp_path: Path) -> None:
    path = tmp_path / "blank.md"
    path.write_text(" \n\t\r\n\u3000\n", encoding="utf-8")
    _expect(path, "E105", "whitespace")


def test_binary_with_nul_bytes(tmp_path: Path) -> None:
    path = tmp_path / "blob.txt"
    path.write_bytes(bytes(range(256)) * 4)
    _expect(path, "E106", "binary")


def test_binary_with_control_bytes(tmp_path: Path) -> None:
    path = tmp_path / "ctl.txt"
    path.write_bytes(("预算" * 20).encode("utf-8") + b"\x01\x02\x03\x04\x05\x06\x07\x08" * 10)
    _expect(path, "E106", "control bytes")


def test_pdf_renamed_to_txt(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    _expect(path, "E106", "rename it to .pdf")


def test_undecodable_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"\x80\xff\x80 budget \xff")  # neither UTF-8 nor GB18030
    monkeypatch.setattr(readers, "_charset_normalizer_guess", lambda _data: None)
    _expect(path, "E107", "UTF-8")


def test_bom_that_lies(tmp_path: Path) -> None:
    path = tmp_path / "lying.txt"
    path.write_bytes(b"\xff\xfe" + "预算".encode("utf-16-le") + b"\x00")  # odd length UTF-16
    _expect(path, "E107", "byte-order mark")


# ------------------------------------------------------------------------------------------
# docx


def test_docx_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes("这不是Word文件".encode("utf-8"))
    _expect(path, "E110", "not a valid .docx")


def test_docx_truncated(tmp_path: Path) -> None:
    import docx

    good = tmp_path / "good.docx"
    d = docx.Document()
    d.add_paragraph("一、项目概况")
    d.save(str(good))
    path = tmp_path / "truncated.docx"
    path.write_bytes(good.read_bytes()[:2000])
    _expect(path, "E110")


def test_docx_that_is_a_legacy_doc_or_encrypted(tmp_path: Path) -> None:
    path = tmp_path / "secret.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    _expect(path, "E110", "password")


def test_docx_without_document_xml(tmp_path: Path) -> None:
    path = tmp_path / "nodoc.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("hello.txt", "你好")
    _expect(path, "E111", "word/document.xml")


def test_docx_with_broken_xml(tmp_path: Path) -> None:
    import docx

    good = tmp_path / "good.docx"
    docx.Document().save(str(good))
    path = tmp_path / "badxml.docx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]  # cut the XML in half
            dst.writestr(item, data)
    _expect(path, "E111", "corrupt .docx")


def test_docx_without_text(tmp_path: Path) -> None:
    import docx

    path = tmp_path / "blank.docx"
    d = docx.Document()
    d.add_paragraph("")
    d.add_paragraph("   ")
    d.save(str(path))
    _expect(path, "E105", "no text")


# ------------------------------------------------------------------------------------------
# pdf


def _pdf_bytes(**encryption) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Budget execution rate 96.4%")
    if encryption:
        pdf.set_encryption(**encryption)
    return bytes(pdf.output())


def test_pdf_garbage(tmp_path: Path) -> None:
    path = tmp_path / "garbage.pdf"
    path.write_bytes("不是PDF".encode("utf-8") * 50)
    _expect(path, "E120", "not a PDF")


def test_pdf_truncated(tmp_path: Path) -> None:
    path = tmp_path / "cut.pdf"
    path.write_bytes(_pdf_bytes()[:300])
    e = _expect(path, "E120")
    assert "PDF" in e.message


def test_pdf_encrypted(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(_pdf_bytes(owner_password="owner", user_password="secret"))
    _expect(path, "E121", "password")


def test_pdf_owner_password_only_is_read(tmp_path: Path) -> None:
    path = tmp_path / "owner.pdf"
    path.write_bytes(_pdf_bytes(owner_password="owner"))
    assert "Budget execution rate 96.4%" in read_document(path).text


def test_pdf_scanned_without_text(tmp_path: Path) -> None:
    from fpdf import FPDF
    from PIL import Image

    img = tmp_path / "scan.png"
    Image.new("L", (60, 40), color=200).save(img)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(str(img), x=10, y=10, w=100)
    path = tmp_path / "scanned.pdf"
    pdf.output(str(path))
    _expect(path, "E122", "OCR", "1 image")


def test_stdin_empty_and_binary() -> None:
    with pytest.raises(InputError) as err:
        read_stdin(io.BytesIO(b""))
    assert err.value.code == "E104" and "<stdin>" in str(err.value)
    with pytest.raises(InputError) as err:
        read_stdin(io.BytesIO(b"\x00\x01" * 50))
    assert err.value.code == "E106"
