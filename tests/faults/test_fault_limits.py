"""Point 5: size limits with clear errors, and options to raise them."""
from __future__ import annotations

import time
import zipfile

import pytest

from faultkit import docs, errors, report

DOC_XML = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           '<w:p><w:r><w:t>{}</w:t></w:r></w:p></w:body></w:document>')


def zip_bomb(path, unpacked_mb: int) -> None:
    """A .docx whose document.xml inflates to ``unpacked_mb`` MB of nothing, written in chunks."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            head, tail = DOC_XML.split("{}")
            fh.write(head.encode())
            chunk = b" " * (1 << 20)
            for _ in range(unpacked_mb):
                fh.write(chunk)
            fh.write(tail.encode())


def test_a_zip_bomb_is_refused_before_it_is_inflated(cli, tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    zip_bomb(inp / "bomb.docx", 8)
    (inp / "good.txt").write_text(report(1), encoding="utf-8")
    r = cli("extract", inp, "-o", tmp_path / "out", "--max-unpacked-mb", "4")
    assert r.code == 1, r
    (e,) = errors(tmp_path / "out")
    assert e["code"] == "E112" and "unpacks to 8 MB" in e["message"] and "--max-unpacked-mb" in e["message"]
    assert [d["doc_id"] for d in docs(tmp_path / "out")] == ["good"]


def test_a_default_sized_zip_bomb_costs_no_memory(tmp_path):
    import resource

    from jixiao.errors import InputError
    from jixiao.io.readers import read_document

    zip_bomb(tmp_path / "bomb.docx", 300)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    with pytest.raises(InputError) as err:
        read_document(tmp_path / "bomb.docx")
    assert err.value.code == "E112" and time.perf_counter() - t0 < 2
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100_000  # KB


def test_the_bomb_limit_can_be_raised(tmp_path):
    from jixiao.errors import InputError
    from jixiao.io.readers import Limits, read_document

    zip_bomb(tmp_path / "big.docx", 2)
    with pytest.raises(InputError) as err:
        read_document(tmp_path / "big.docx", limits=Limits(max_unpacked_bytes=1 << 20))
    assert err.value.code == "E112"
    with pytest.raises(InputError) as err:  # under a raised limit it is read: no text in it
        read_document(tmp_path / "big.docx", limits=Limits(max_unpacked_bytes=4 << 20))
    assert err.value.code != "E112"


def test_characters_per_document_and_per_paragraph(cli, tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "long.txt").write_text(report(1, extra="资金" * 3000 + "\n"), encoding="utf-8")
    (inp / "wide.txt").write_text(report(2, extra="基金" * 1000 + "\n"), encoding="utf-8")
    (inp / "good.txt").write_text(report(3), encoding="utf-8")
    t0 = time.perf_counter()
    r = cli("extract", inp, "-o", tmp_path / "out", "--max-chars", "5000", "--max-paragraph-chars", "1500")
    assert r.code == 1, r
    by_file = {e["source"].rsplit("/", 1)[-1]: e for e in errors(tmp_path / "out")}
    assert by_file["long.txt"]["code"] == "E108" and "--max-chars" in by_file["long.txt"]["message"]
    assert by_file["wide.txt"]["code"] == "E108" and "per paragraph" in by_file["wide.txt"]["message"]
    assert [d["doc_id"] for d in docs(tmp_path / "out")] == ["good"]
    r = cli("extract", inp, "-o", tmp_path / "out2", "--max-chars", "50000")  # raised: all three read
    assert r.code == 0 and len(docs(tmp_path / "out2")) == 3, r
    assert time.perf_counter() - t0 < 30


def test_a_huge_single_line_fails_fast_by_default(tmp_path):
    from jixiao.errors import InputError
    from jixiao.io.readers import DEFAULT_MAX_CHARS, read_document

    big = tmp_path / "one_line.txt"
    big.write_bytes(b"x" * (DEFAULT_MAX_CHARS + 1))
    t0 = time.perf_counter()
    with pytest.raises(InputError) as err:
        read_document(big)
    assert err.value.code == "E108" and "more than the limit" in err.value.message
    assert time.perf_counter() - t0 < 5


def test_limit_options_must_be_positive(cli, tmp_path):
    (tmp_path / "a.txt").write_text(report(1), encoding="utf-8")
    r = cli("extract", tmp_path / "a.txt", "-o", tmp_path / "out", "--max-chars", "0")
    assert r.code == 2 and "E132" in r.err, r
