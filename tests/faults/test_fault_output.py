"""Point 6 (+ issue 16.6): disk full, bad -o, orphan temporary files, file modes under the umask."""
from __future__ import annotations

import errno
import os
import stat

import pytest

from faultkit import docs, errors, report


@pytest.fixture()
def three(tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    for n in range(3):
        (inp / f"r{n}.txt").write_text(report(n), encoding="utf-8")
    return inp


def _enospc_after(monkeypatch, good: int):
    from jixiao.io import writers

    real = writers.JsonlWriter.write
    calls = {"n": 0}

    def write(self, doc):
        calls["n"] += 1
        if calls["n"] > good:
            raise writers.JixiaoError("E142", "cannot write output (No space left on device); "
                                      "check free space and permissions", path=str(self.path))
        return real(self, doc)

    monkeypatch.setattr(writers.JsonlWriter, "write", write)


def test_disk_full_stops_with_a_clear_error_and_a_summary(cli, three, monkeypatch):
    _enospc_after(monkeypatch, 1)
    out = three.parent / "out"
    r = cli("extract", three, "-o", out, "--format", "csv")
    assert r.code == 4, r
    assert "Traceback" not in r.err and "No space left on device" in r.err and "--resume" in r.err
    assert "1 documents" in r.err  # the summary is printed
    assert len(docs(out)) == 1  # what was written before stays valid
    assert [e["code"] for e in errors(out)] == ["E142"]
    assert not (out / "documents.csv").exists()  # no tables from a broken run
    monkeypatch.undo()
    r = cli("extract", three, "-o", out, "--resume")
    assert r.code == 0 and len(docs(out)) == 3 and "1 skipped" in r.err, r


def test_raw_oserror_enospc_from_the_file_system(cli, three, monkeypatch):
    from jixiao.io import writers

    def write(self, doc):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writers.JsonlWriter, "write", write)
    r = cli("extract", three, "-o", three.parent / "out")
    assert r.code == 4 and "E142" in r.err and "No space left" in r.err, r


def test_tables_failing_is_reported(cli, three, monkeypatch):
    from jixiao.io import writers

    def tables(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writers, "write_tables", tables)
    r = cli("extract", three, "-o", three.parent / "out", "--format", "xlsx")
    assert r.code == 4 and "No space left" in r.err, r
    assert len(docs(three.parent / "out")) == 3


def test_output_is_an_existing_file(cli, three):
    target = three.parent / "taken"
    target.write_text("x")
    r = cli("extract", three, "-o", target)
    assert r.code == 2 and "E144" in r.err and "is a file" in r.err, r
    r = cli("extract", three, "-o", target / "sub")
    assert r.code == 2 and "E144" in r.err, r


def test_empty_output_name_is_refused(cli, three, monkeypatch):
    monkeypatch.chdir(three)
    r = cli("extract", three, "-o", "")
    assert r.code == 2 and "E144" in r.err, r
    assert not (three / "extract.jsonl").exists()


def test_orphan_table_temporaries_are_removed(cli, three):
    out = three.parent / "out"
    out.mkdir()
    orphans = [out / ".extract.xlsx.abc123.tmp", out / ".entities.csv.x1.tmp", out / ".documents.parquet.9.tmp"]
    for o in orphans:
        o.write_bytes(b"half")
    keep = out / ".mine.tmp"
    keep.write_text("not ours")
    r = cli("extract", three, "-o", out)
    assert r.code == 0 and "removed 3 temporary file(s)" in r.err, r
    assert not any(o.exists() for o in orphans) and keep.exists()


def test_files_follow_the_umask(cli, three):
    old = os.umask(0o022)
    try:
        r = cli("extract", three, "-o", three.parent / "out", "--format", "csv", "--format", "xlsx")
    finally:
        os.umask(old)
    assert r.code == 0, r
    for f in (three.parent / "out").iterdir():
        assert stat.S_IMODE(f.stat().st_mode) == 0o644, f


def test_chmod_like_new_file(tmp_path):
    import tempfile

    from jixiao.io.writers import chmod_like_new_file

    fd, name = tempfile.mkstemp(dir=tmp_path)
    os.close(fd)
    old = os.umask(0o027)
    try:
        chmod_like_new_file(name)
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(name).st_mode) == 0o640


def test_label_files_follow_the_umask(tmp_path):
    """Label files written by `jixiao labels` (write_text_atomic) are not private (issue 16 point 6)."""
    import os
    import stat

    from jixiao.labels.schema import write_text_atomic

    old = os.umask(0o022)
    try:
        write_text_atomic("{}\n", tmp_path / "x.jsonl")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "x.jsonl").stat().st_mode) == 0o644
