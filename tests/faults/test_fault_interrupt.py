"""Point 10: Ctrl-C / SIGTERM leave a valid output, a summary and the line that says how to finish."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from faultkit import ROOT, docs, errors, report


@pytest.fixture()
def inp(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    for n in range(5):
        (d / f"r{n}.txt").write_text(report(n), encoding="utf-8")
    return d


def _interrupt_on(monkeypatch, nth: int, how: str = "raise"):
    """The nth document's processing is interrupted (KeyboardInterrupt, or a real SIGINT/SIGTERM)."""
    from jixiao import pipeline as pl

    real = pl.Pipeline.__call__
    calls = {"n": 0}

    def call(self, doc, *a, **k):
        calls["n"] += 1
        if calls["n"] == nth:
            if how == "raise":
                raise KeyboardInterrupt
            os.kill(os.getpid(), signal.SIGINT if how == "sigint" else signal.SIGTERM)
            time.sleep(1)  # the handler raises here
        return real(self, doc, *a, **k)

    monkeypatch.setattr(pl.Pipeline, "__call__", call)


@pytest.mark.parametrize("how", ["raise", "sigint", "sigterm"])
def test_interrupted_run_says_how_to_finish(cli, inp, monkeypatch, how):
    out = inp.parent / "out"
    _interrupt_on(monkeypatch, 3, how)
    # the signal is sent from inside the pipeline, so the pipeline must run in this process (one
    # worker); a signal to the coordinator of a multi-worker run: tests/test_parallel.py
    r = cli("extract", inp, "-o", out, "--format", "csv", "--workers", "1")
    assert r.code == 130, r
    assert "2 documents" in r.err  # the summary
    assert "interrupted after 2 of 5 inputs" in r.err and "--resume" in r.err
    assert len(docs(out)) == 2  # valid JSON lines, nothing torn
    assert [e["code"] for e in errors(out)] == ["E153"]
    assert not (out / "documents.csv").exists() and not (out / ".jixiao.lock").exists()
    monkeypatch.undo()
    r = cli("extract", inp, "-o", out, "--resume")
    assert r.code == 0 and "2 skipped" in r.err and len(docs(out)) == 5, r


def test_interrupting_a_rerun_keeps_the_previous_output(cli, inp, monkeypatch):
    out = inp.parent / "out"
    assert cli("extract", inp, "-o", out).code == 0
    before = (out / "extract.jsonl").read_bytes()
    _interrupt_on(monkeypatch, 2)
    assert cli("extract", inp, "-o", out).code == 130
    assert (out / "extract.jsonl").read_bytes() == before  # the rerun went to .extract.jsonl.partial
    monkeypatch.undo()
    assert cli("extract", inp, "-o", out, "--resume").code == 0
    assert (out / "extract.jsonl").read_bytes() == before


@pytest.mark.slow
def test_real_ctrl_c_on_the_command(inp):
    out = inp.parent / "out"
    for n in range(5, 60):
        (inp / f"r{n}.txt").write_text(report(n, extra="资金管理。" * 2000), encoding="utf-8")
    cmd = [sys.executable, "-m", "jixiao", "extract", str(inp), "-o", str(out), "-q",
           "--pipeline", str(ROOT / "configs" / "pipeline_rules.yaml")]
    p = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    while not (out / "extract.jsonl").exists() or not (out / "extract.jsonl").read_bytes():
        time.sleep(0.05)
        assert p.poll() is None
    p.send_signal(signal.SIGINT)
    err = p.communicate(timeout=60)[1]
    assert p.returncode == 130, err
    assert "interrupted after" in err and "--resume" in err and "Traceback" not in err
    assert 0 < len(docs(out)) < 60


def test_a_signal_during_a_write_waits_for_the_line(cli, inp, monkeypatch):
    """SIGINT arriving while a document is written: the line is completed and counted, then the run stops."""
    from jixiao.io import writers

    real = writers.JsonlWriter.write

    def write(self, doc):
        if self.written == 1:
            os.kill(os.getpid(), signal.SIGINT)  # the handler defers it
        return real(self, doc)

    monkeypatch.setattr(writers.JsonlWriter, "write", write)
    out = inp.parent / "out"
    r = cli("extract", inp, "-o", out)
    assert r.code == 130 and "2 documents" in r.err and "interrupted after 2 of 5" in r.err, r
    assert len(docs(out)) == 2
