"""Point 9: `jixiao summarize` on input that is not an extraction output fails clearly."""
from __future__ import annotations

import json

import pytest

from faultkit import ROOT


@pytest.mark.parametrize("content", [b"", b"\n\n", bytes(range(256)) * 8, b"\x00\x01binary\xff\xfe",
                                     b'{"name": "not jixiao"}\n[1, 2]\n', b"print('hello')\n"])
def test_empty_binary_or_foreign_input_exits_1(cli, tmp_path, content):
    f = tmp_path / "x.jsonl"
    f.write_bytes(content)
    r = cli("summarize", f, "-o", tmp_path / "report")
    assert r.code == 1, r
    assert "E600" in r.err or "E605" in r.err, r
    assert not (tmp_path / "report" / "summary.json").exists()


def test_a_bad_field_is_a_skipped_line_not_a_traceback(cli, tmp_path):
    good = [json.loads(x) for x in (ROOT / "tests" / "fixtures" / "summarize_docs.jsonl").read_text("utf-8").splitlines()]
    bad = dict(good[0], doc_id="bad", sha256="f" * 64)
    bad["paragraphs"] = [dict(bad["paragraphs"][0], labels=5)]
    f = tmp_path / "x.jsonl"
    f.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in good + [bad]) + "\n", encoding="utf-8")
    r = cli("summarize", f, "-o", tmp_path / "report")
    assert r.code == 0 and not isinstance(r.exception, TypeError), r
    assert "E602" in r.out + r.err and "'labels' must be a list" in r.out + r.err
    assert (tmp_path / "report" / "summary.json").exists()
