"""Point 4: inputs that cannot be looked at are reported per input, never a traceback or silence.

Tests run as root here, and root ignores permission bits: each case is simulated by making the
os functions raise PermissionError, and repeated with real chmod where not root."""
from __future__ import annotations

import os

import pytest

from faultkit import docs, errors, report

not_root = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                              reason="root ignores permission bits")


def _deny(monkeypatch, *denied):
    """os.stat / os.scandir / open raise PermissionError for paths under ``denied``."""
    denied = [os.fspath(d) for d in denied]

    def blocked(path) -> bool:
        p = os.fspath(path) if not isinstance(path, int) else ""
        return any(p == d or p.startswith(d + os.sep) for d in denied)

    real_stat, real_scandir, real_listdir = os.stat, os.scandir, os.listdir

    def stat(path, *a, **k):
        if blocked(path) and os.fspath(path) not in denied:  # the folder itself can be stat'ed
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_stat(path, *a, **k)

    def scandir(path="."):
        if blocked(path):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    def listdir(path="."):
        if blocked(path):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_listdir(path)

    monkeypatch.setattr(os, "stat", stat)
    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "listdir", listdir)


@pytest.fixture()
def tree(tmp_path):
    inp = tmp_path / "in"
    (inp / "locked").mkdir(parents=True)
    (inp / "good.txt").write_text(report(1), encoding="utf-8")
    (inp / "locked" / "inner.txt").write_text(report(2), encoding="utf-8")
    return inp


def test_file_inside_an_untraversable_folder_given_as_argument(cli, tree, monkeypatch):
    _deny(monkeypatch, tree / "locked")
    r = cli("extract", tree / "locked" / "inner.txt", tree / "good.txt", "-o", tree.parent / "out")
    assert r.code == 1 and not isinstance(r.exception, PermissionError), r
    assert [d["doc_id"] for d in docs(tree.parent / "out")] == ["good"]
    (e,) = errors(tree.parent / "out")
    assert e["code"] == "E102" and e["source"].endswith("inner.txt") and "ermission" in e["message"]


def test_locked_subfolder_inside_an_input_folder_is_reported(cli, tree, monkeypatch):
    _deny(monkeypatch, tree / "locked")
    r = cli("extract", tree, "-o", tree.parent / "out")
    assert r.code == 1, r
    assert [d["doc_id"] for d in docs(tree.parent / "out")] == ["good"]
    (e,) = errors(tree.parent / "out")
    assert e["code"] == "E102" and e["source"].endswith("locked") and "cannot list the folder" in e["message"]
    assert "locked: cannot list the folder" in r.err


def test_a_folder_that_cannot_be_listed_is_not_called_empty(cli, tree, monkeypatch):
    _deny(monkeypatch, tree / "locked")
    r = cli("extract", tree / "locked", tree / "good.txt", "-o", tree.parent / "out")
    assert r.code == 1, r
    assert "holds no" not in r.err and "cannot list the folder" in r.err
    assert [d["doc_id"] for d in docs(tree.parent / "out")] == ["good"]


def test_an_empty_folder_is_still_a_usage_error(cli, tmp_path):
    (tmp_path / "empty").mkdir()
    r = cli("extract", tmp_path / "empty", "-o", tmp_path / "out")
    assert r.code == 2 and "E130" in r.err and "holds no" in r.err, r


@not_root
def test_real_permissions(cli, tree):
    os.chmod(tree / "locked", 0)
    try:
        r = cli("extract", tree, tree / "locked" / "inner.txt", "-o", tree.parent / "out")
    finally:
        os.chmod(tree / "locked", 0o755)
    assert r.code == 1, r
    assert [d["doc_id"] for d in docs(tree.parent / "out")] == ["good"]
    assert {e["code"] for e in errors(tree.parent / "out")} == {"E102"}
    assert len(errors(tree.parent / "out")) == 2
