"""`jixiao extract` end to end: contract, bad input, exit status, resume, tables."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "raw" / "004_8529412d41590b31.txt"


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "jixiao", *args], cwd=ROOT, capture_output=True,
                          text=True, input=stdin, env={**os.environ, "PYTHONIOENCODING": "utf-8"})


@pytest.fixture()
def bad_dir(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "a_good.txt").write_bytes(SEED.read_bytes())
    (d / "b_empty.txt").write_bytes(b"")
    (d / "c_binary.txt").write_bytes(bytes(range(256)) * 20)
    (d / "d_corrupt.docx").write_bytes(b"PK\x03\x04 truncated")
    (d / "e_corrupt.pdf").write_bytes(b"%PDF-1.4\n garbage")
    (d / "f_gbk.txt").write_bytes("2019年基金收入8684万元。".encode("gb18030"))
    (d / "g_huge.txt").write_text("基金运行平稳，收入8684万元。" * 100000, encoding="utf-8")
    (d / "h_utf16_bad.txt").write_bytes(b"\xff\xfe\x00\xd8")
    return d


def test_bad_files_are_reported_and_the_batch_goes_on(bad_dir, tmp_path):
    out = tmp_path / "out"
    r = run("extract", str(bad_dir), "-o", str(out), "-q")
    assert r.returncode == 1, r.stderr
    docs = [json.loads(l) for l in (out / "extract.jsonl").read_text("utf-8").splitlines()]
    assert sorted(d["doc_id"] for d in docs) == ["a_good", "f_gbk", "g_huge"]
    errors = [json.loads(l) for l in (out / "errors.jsonl").read_text("utf-8").splitlines()]
    failed = {Path(e["source"]).name for e in errors}
    assert failed == {"b_empty.txt", "c_binary.txt", "d_corrupt.docx", "e_corrupt.pdf", "h_utf16_bad.txt"}
    for name in failed:  # the summary names every failed file with its code
        assert name in r.stderr
    assert all(e["code"].startswith("E") for e in errors)
    gbk = next(d for d in docs if d["doc_id"] == "f_gbk")
    assert gbk["paragraphs"][0]["text"] == "2019年基金收入8684万元。"
    assert any(e["value_yuan"] == "86840000" for e in gbk["entities"])


def test_output_contract_fields(tmp_path):
    out = tmp_path / "out"
    # seed 000 has an indicator table (seed 004's only table holds score rates, no indicator records since issue 13)
    r = run("extract", str(ROOT / "corpus" / "raw" / "000_3ae7e199f53c681b.txt"), "-o", str(out), "-q")
    assert r.returncode == 0, r.stderr
    (doc,) = [json.loads(l) for l in (out / "extract.jsonl").read_text("utf-8").splitlines()]
    assert doc["schema_version"] == 1
    assert set(doc) >= {"doc_id", "source", "sha256", "meta", "paragraphs", "entities", "indicators"}
    assert set(doc["meta"]) >= {"title", "region", "region_code", "province", "prefecture", "county", "year", "fund",
                                "unit", "report_date", "score", "grade"}
    p = doc["paragraphs"][0]
    assert set(p) >= {"index", "section", "text", "labels", "label_scores", "sentences"}
    for e in doc["entities"]:
        text = doc["paragraphs"][e["paragraph"]]["text"]
        assert text[e["start"]:e["end"]] == e["text"]
        assert set(e) >= {"paragraph", "start", "end", "type", "text", "value", "unit", "value_yuan", "comparator"}
    assert set(doc["indicators"][0]) >= {"paragraph", "level1", "level2", "name", "target", "actual", "weight", "score", "note",
                                         "target_value", "actual_value", "weight_value", "score_value", "met"}


def test_resume_skips_documents_already_written(tmp_path):
    out = tmp_path / "out"
    assert run("extract", str(SEED), "-o", str(out), "-q").returncode == 0
    first = (out / "extract.jsonl").read_text("utf-8")
    r = run("extract", str(SEED), "-o", str(out), "-q", "--resume")
    assert r.returncode == 0 and "1 skipped" in r.stderr
    assert (out / "extract.jsonl").read_text("utf-8") == first


def test_stdin_and_tables(tmp_path):
    out = tmp_path / "out"
    r = run("extract", "-", "-o", str(out), "-q", "--format", "xlsx", "--format", "csv", stdin="收入8684万元。\n")
    assert r.returncode == 0, r.stderr
    assert (out / "extract.xlsx").exists() and (out / "entities.csv").exists()


def test_usage_errors_exit_2(tmp_path):
    assert run("extract", str(tmp_path / "missing.txt"), "-o", str(tmp_path)).returncode == 2
    assert run("extract", "--no-such-option").returncode == 2
