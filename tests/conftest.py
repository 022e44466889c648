from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "corpus" / "raw").glob("*.txt"))


@pytest.fixture(scope="session")
def seed_docs():
    """The five seeds through the default rule pipeline, by doc_id prefix ("000" … "004")."""
    from jixiao.io.readers import read_document
    from jixiao.pipeline import document_from_raw, load_pipeline

    pipe = load_pipeline()
    return {p.name[:3]: pipe(document_from_raw(read_document(p))) for p in SEEDS}
