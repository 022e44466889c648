"""Point 7: non-report input gets a low report_likeness in meta and a warning line, not a refusal."""
from __future__ import annotations

import random

from faultkit import ROOT, docs, errors, report


def test_code_fiction_and_noise_are_flagged_reports_are_not(cli, tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "code.txt").write_text((ROOT / "nlp" / "batch.py").read_text("utf-8")[:6000], encoding="utf-8")
    (inp / "novel.txt").write_text("却说曹操引兵追赶，那人骑马奔走，天色已晚，众人安营扎寨。" * 40, encoding="utf-8")
    rnd = random.Random(7)
    (inp / "noise.txt").write_text("".join(chr(rnd.randint(33, 126)) for _ in range(4000)), encoding="utf-8")
    (inp / "report.txt").write_text(report(1), encoding="utf-8")
    r = cli("extract", inp, "-o", tmp_path / "out")
    assert r.code == 0, r  # a warning, not a refusal
    scores = {d["doc_id"]: d["meta"]["report_likeness"] for d in docs(tmp_path / "out")}
    assert scores["report"] >= 0.8
    assert all(scores[k] < 0.4 for k in ("code", "novel", "noise")), scores
    for name in ("code", "novel", "noise"):
        assert f"E160: {inp / name}.txt: does not look like a performance-evaluation report" in r.err
    assert "report.txt: does not look" not in r.err
    assert errors(tmp_path / "out") == []  # errors.jsonl lists failures only


def test_the_shipped_corpus_looks_like_reports():
    from jixiao.likeness import report_likeness

    for path in sorted((ROOT / "corpus" / "raw").glob("*.txt")):
        assert report_likeness(path.read_text("utf-8")) >= 0.8, path.name


def test_cues_explain_the_score():
    from jixiao.likeness import WEIGHTS, likeness_cues, report_likeness

    text = report(3)
    cues = likeness_cues(text)
    assert set(cues) == set(WEIGHTS)
    assert abs(report_likeness(text) - sum(WEIGHTS[k] * v for k, v in cues.items())) < 0.011
