"""Points 1 and 3: file names that are not UTF-8, doc_id identity, duplicates by content."""
from __future__ import annotations

import csv
import os

from faultkit import docs, errors, report

GBK_NAME = os.fsdecode("报告".encode("gbk") + b".txt")  # a GBK-named zip unpacked on Linux


def test_a_gbk_file_name_is_read_and_named_with_escapes(cli, tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / GBK_NAME).write_text(report(1), encoding="utf-8")
    (inp / "good.txt").write_text(report(2), encoding="utf-8")
    bad = tmp_path / "bad.txt"  # an unreadable one too, so the error log has to name something
    bad.write_bytes(b"")
    r = cli("extract", inp, bad, "-o", tmp_path / "out")
    assert r.code == 1, r  # bad.txt failed; both reports are in
    out = docs(tmp_path / "out")
    assert sorted(d["doc_id"] for d in out) == ["\\xb1\\xa8\\xb8\\xe6", "good"]
    gbk = next(d for d in out if d["doc_id"].startswith("\\x"))
    assert gbk["source"].endswith("\\xb1\\xa8\\xb8\\xe6.txt") and gbk["paragraphs"]
    assert "E151" in r.err and "not valid UTF-8" in r.err
    assert [e["code"] for e in errors(tmp_path / "out")] == ["E104"]


def test_a_gbk_named_file_that_fails_is_logged_not_fatal(cli, tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / GBK_NAME).write_bytes(b"")  # empty: its error is logged under the escaped name
    (inp / "good.txt").write_text(report(2), encoding="utf-8")
    r = cli("extract", inp, "-o", tmp_path / "out")
    assert r.code == 1, r
    assert [d["doc_id"] for d in docs(tmp_path / "out")] == ["good"]
    (e,) = errors(tmp_path / "out")
    assert e["code"] == "E104" and e["source"].endswith("\\xb1\\xa8\\xb8\\xe6.txt")


def test_same_file_name_in_two_folders_gets_two_ids(cli, tmp_path):
    inp = tmp_path / "in"
    for n, year in enumerate(("2018", "2022")):
        (inp / year).mkdir(parents=True)
        (inp / year / "绩效评价报告.txt").write_text(report(n), encoding="utf-8")
    (inp / "单独.txt").write_text(report(5), encoding="utf-8")
    r = cli("extract", inp, "-o", tmp_path / "out", "--format", "csv")
    assert r.code == 0, r
    assert sorted(d["doc_id"] for d in docs(tmp_path / "out")) == ["2018/绩效评价报告", "2022/绩效评价报告", "单独"]
    with open(tmp_path / "out" / "documents.csv", encoding="utf-8-sig") as fh:
        ids = [row[0] for row in list(csv.reader(fh))[1:]]  # doc_id is the first column
    assert sorted(ids) == ["2018/绩效评价报告", "2022/绩效评价报告", "单独"]  # the sheets tell them apart too


def test_same_stem_different_suffix_in_one_folder(tmp_path):
    from jixiao.io.readers import unique_doc_ids

    paths = [tmp_path / "a.txt", tmp_path / "a.md", tmp_path / "b.txt"]
    ids = unique_doc_ids(paths)
    assert ids[str(paths[2])] == "b"
    assert ids[str(paths[0])].endswith("/a.txt") and ids[str(paths[1])].endswith("/a.md")


def test_identical_content_is_a_duplicate_not_a_resume_skip(cli, tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "a.txt").write_text(report(1), encoding="utf-8")
    (inp / "b_copy.txt").write_text(report(1), encoding="utf-8")
    r = cli("extract", inp, "-o", tmp_path / "out")
    assert r.code == 0, r
    assert [d["doc_id"] for d in docs(tmp_path / "out")] == ["a"]
    assert "0 skipped (resume), 1 duplicate(s)" in r.err
    assert "b_copy.txt: duplicate of" in r.err and "a.txt" in r.err
    (e,) = errors(tmp_path / "out")
    assert e["code"] == "E150" and e["source"].endswith("b_copy.txt") and "a.txt" in e["message"]


def test_resume_keeps_one_record_per_sha256_and_ids_stay_put(cli, tmp_path):
    inp = tmp_path / "in"
    for n, year in enumerate(("2018", "2022")):
        (inp / year).mkdir(parents=True)
        (inp / year / "报告.txt").write_text(report(n), encoding="utf-8")
    out = tmp_path / "out"
    assert cli("extract", inp, "-o", out).code == 0
    first = (out / "extract.jsonl").read_bytes()
    r = cli("extract", inp, inp / "2018" / "报告.txt", "-o", out, "--resume")
    assert r.code == 0 and "2 skipped (resume)" in r.err, r
    assert (out / "extract.jsonl").read_bytes() == first
    # new content under an id the output already uses: a distinct id, never two records for one id
    (inp / "2018" / "报告.txt").write_text(report(7), encoding="utf-8")
    r = cli("extract", inp, "-o", out, "--resume")
    assert r.code == 0, r
    ids = [d["doc_id"] for d in docs(out)]
    shas = [d["sha256"] for d in docs(out)]
    assert len(ids) == len(set(ids)) == 3 and len(set(shas)) == 3
    assert any(i.startswith("2018/报告~") for i in ids)
