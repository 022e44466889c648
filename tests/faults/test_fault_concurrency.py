"""Point 2: one run owns an output folder; --resume keeps one record per sha256; kill -9 + --resume."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from faultkit import ROOT, docs, report


@pytest.fixture()
def inp(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    for n in range(6):
        (d / f"r{n}.txt").write_text(report(n), encoding="utf-8")
    return d


def test_a_second_run_is_refused_while_the_first_holds_the_folder(cli, inp):
    from jixiao.batch import OutputLock

    out = inp.parent / "out"
    out.mkdir()
    with OutputLock(out):
        r = cli("extract", inp, "-o", out)
        assert r.code == 3, r
        assert "E152" in r.err and f"pid {os.getpid()}" in r.err and "--wait" in r.err
        assert not (out / "extract.jsonl").exists()
    assert not (out / ".jixiao.lock").exists()  # released and removed
    assert cli("extract", inp, "-o", out).code == 0


def test_wait_waits_for_the_other_run(cli, inp):
    from jixiao.batch import OutputLock

    out = inp.parent / "out"
    out.mkdir()
    lock = OutputLock(out)
    lock.acquire()
    threading.Timer(0.5, lock.release).start()
    t0 = time.perf_counter()
    r = cli("extract", inp, "-o", out, "--wait")
    assert r.code == 0 and len(docs(out)) == 6, r
    assert time.perf_counter() - t0 >= 0.5 and "waiting for the other run" in r.err


def test_a_lock_left_by_a_killed_run_is_stale(cli, inp):
    out = inp.parent / "out"
    out.mkdir()
    code = ("import sys, time; from jixiao.batch import OutputLock; "
            "l = OutputLock(sys.argv[1]); l.acquire(); print('locked', flush=True); time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", code, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert cli("extract", inp, "-o", out).code == 3  # alive: refused
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(10)
    finally:
        holder.kill()
    assert json.loads((out / ".jixiao.lock").read_text())["pid"] == holder.pid  # left behind
    r = cli("extract", inp, "-o", out)
    assert r.code == 0 and f"stale lock of pid {holder.pid}" in r.err, r
    assert len(docs(out)) == 6


def test_resume_twice_keeps_one_record_per_sha256(cli, inp):
    out = inp.parent / "out"
    for _ in range(3):
        assert cli("extract", inp, inp / "r1.txt", "-o", out, "--resume").code == 0
    shas = [d["sha256"] for d in docs(out)]
    assert len(shas) == len(set(shas)) == 6


def test_crash_then_resume_is_byte_identical(cli, inp, monkeypatch):
    """kill -9 mid-write, simulated: the run stops after 3 documents leaving half a line."""
    from jixiao.io import writers

    clean = inp.parent / "clean"
    assert cli("extract", inp, "-o", clean).code == 0
    out = inp.parent / "out"
    real = writers.JsonlWriter.write

    def write(self, doc):
        if self.written == 3:
            self._fh.write(b'{"schema_version": 1, "doc_id": "r3", "sou')  # torn line
            self._fh.flush()
            raise SystemExit(137)  # the process dies here
        return real(self, doc)

    monkeypatch.setattr(writers.JsonlWriter, "write", write)
    cli("extract", inp, "-o", out)
    monkeypatch.undo()
    assert len((out / "extract.jsonl").read_bytes().splitlines()) == 4
    r = cli("extract", inp, "-o", out, "--resume")
    assert r.code == 0 and "3 skipped" in r.err, r
    assert (out / "extract.jsonl").read_bytes() == (clean / "extract.jsonl").read_bytes()


@pytest.mark.slow
def test_two_real_processes_on_one_folder(inp):
    """Two `jixiao extract` processes at once: one writes everything, the other exits 3."""
    out = inp.parent / "out"
    cmd = [sys.executable, "-m", "jixiao", "extract", str(inp), "-o", str(out), "-q",
           "--pipeline", str(ROOT / "configs" / "pipeline_rules.yaml")]
    a = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    b = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    codes = sorted([a.wait(120), b.wait(120)])
    assert codes in ([0, 3], [0, 0])  # [0, 0]: the second started after the first had finished
    shas = [d["sha256"] for d in docs(out)]
    assert len(shas) == len(set(shas)) == 6


def test_pid_check_where_flock_is_unavailable(cli, inp, monkeypatch):
    """Without flock (Windows, some network file systems) the PID in the lock file decides."""
    import socket

    from jixiao import batch

    monkeypatch.setattr(batch, "fcntl", None)
    out = inp.parent / "out"
    out.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock = out / ".jixiao.lock"
    lock.write_text(json.dumps({"pid": os.getppid(), "host": socket.gethostname()}))
    r = cli("extract", inp, "-o", out)
    assert r.code == 3 and f"pid {os.getppid()}" in r.err, r
    lock.write_text(json.dumps({"pid": dead.pid, "host": socket.gethostname()}))
    r = cli("extract", inp, "-o", out)
    assert r.code == 0 and f"stale lock of pid {dead.pid}" in r.err, r


def test_resume_warns_about_duplicates_left_by_old_runs(cli, inp):
    out = inp.parent / "out"
    assert cli("extract", inp, "-o", out).code == 0
    lines = (out / "extract.jsonl").read_text("utf-8").splitlines()
    (out / "extract.jsonl").write_text("\n".join(lines + lines[:2]) + "\n", encoding="utf-8")
    r = cli("extract", inp, "-o", out, "--resume")
    assert r.code == 0 and "holds 2 duplicate record(s)" in r.err, r
