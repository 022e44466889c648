"""`jixiao labels draft` writes valid ANNOTATION.md records from the rules."""
from pathlib import Path

from jixiao.labels.draft import draft_records
from jixiao.labels.schema import validate_records

SEED = Path(__file__).resolve().parent.parent / "corpus" / "raw" / "004_8529412d41590b31.txt"


def test_draft_records_are_valid_and_cover_every_paragraph(tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    records, problems = draft_records([SEED, bad])
    assert len(records) == 36 and [r["para"] for r in records] == list(range(36))
    assert len(problems) == 1 and "empty.txt" in problems[0]
    errors = [p for p in validate_records(records, "draft") if getattr(p, "severity", "error") == "error"]
    assert errors == []
    assert any(e[2] == "SCORE" for r in records for e in r["entities"])
