"""spaCy integration (jixiao.spacy_ext): the ``jixiao`` component, DocBin export, ``jixiao show``.

A rules-only manifest keeps these tests fast (no model loading); the component code is the same.
"""
from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

spacy = pytest.importorskip("spacy")

from typer.testing import CliRunner  # noqa: E402

from jixiao.cli import app  # noqa: E402
from jixiao.evaluation import load_gold  # noqa: E402
from jixiao.spacy_ext import doc_to_record, read_docbin, record_to_doc, role_blocks  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TEXT = ("某县2021年度绩效自评报告\n"
        "一、基本情况\n"
        "[bookmark: _Toc15396600]全年支出资金8684万元，预算执行率96.4%。\n"
        "二、存在问题\n"
        "1. 绩效目标编制不全面，主要原因是对绩效管理重视不够。建议进一步加强预算绩效管理。\n")
RULES = """stages:
  - {name: structure, type: structure.v1}
  - {name: meta, type: meta.v1}
  - {name: entities, type: rule_entities.v1}
  - {name: labels, type: rule_labels.v1}
"""


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("spacy") / "rules.yaml"
    path.write_text(RULES, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def doc(manifest):
    nlp = spacy.blank("zh")
    nlp.add_pipe("jixiao", config={"pipeline": str(manifest)})  # found through the spacy_factories entry point
    return nlp(TEXT)


def test_add_pipe_fills_ents_spans_and_cats(doc):
    ents = [(e.text, e.label_) for e in doc.ents]
    assert ("8684", "AMOUNT") in ents and ("万元", "UNIT") in ents and ("96.4", "AMOUNT") in ents
    assert [(s.start_char, s.end_char, s.label_) for s in doc.spans["entities"]] == \
        [(e.start_char, e.end_char, e.label_) for e in doc.ents]   # flat entities: both layers agree
    roles = {s.label_: s.text for s in doc.spans["roles"]}
    assert roles["措施"] == "建议进一步加强预算绩效管理。"
    assert set(doc.cats) == {"经验做法", "存在问题", "建议"} and doc.cats["存在问题"] >= 0.5
    paragraphs = doc.spans["paragraphs"]
    assert paragraphs[-1].text.startswith("1. 绩效目标") and "存在问题" in paragraphs[-1]._.labels
    assert doc._.jixiao["meta"]["year"] == 2021 and doc._.jixiao["schema_version"] == 1


def test_offsets_map_through_cleaning(doc):
    # the bookmark debris is removed by cleaning; the spans still land on the source characters
    amount = next(e for e in doc.ents if e.text == "8684")
    assert TEXT[amount.start_char:amount.end_char] == "8684"
    assert all(TEXT[e.start_char:e.end_char] == e.text for e in doc.spans["entities"])


def test_extensions_carry_values_and_survive_serialisation(doc):
    amount = next(e for e in doc.ents if e.text == "8684")
    assert amount._.value_yuan == Decimal("86840000") and amount._.value == Decimal("8684")
    assert amount._.unit == "万元" and amount._.source
    rate = next(e for e in doc.ents if e.text == "96.4")
    assert rate._.value == Decimal("96.4") and rate._.value_yuan is None
    back = spacy.tokens.Doc(doc.vocab).from_bytes(doc.to_bytes())
    assert next(e for e in back.ents if e.text == "8684")._.value_yuan == Decimal("86840000")


def test_to_spacy_wraps_a_loaded_pipeline(manifest):
    import jixiao

    nlp = jixiao.load(manifest).to_spacy()
    assert nlp.pipe_names == ["jixiao"] and nlp.lang == "zh"
    assert "8684" in [e.text for e in nlp(TEXT).ents]


def test_import_jixiao_does_not_import_spacy():
    res = subprocess.run([sys.executable, "-c", "import sys, jixiao, jixiao.pipeline; print('spacy' in sys.modules)"],
                         capture_output=True, text=True)
    assert res.stdout.strip() == "False", res.stderr[-1000:]


def test_docbin_export_round_trips_the_gold(tmp_path):
    out = tmp_path / "gold.spacy"
    result = CliRunner().invoke(app, ["labels", "export", str(ROOT / "corpus" / "gold"), "--to", "spacy", "-o", str(out)])
    assert result.exit_code == 0, result.output
    gold = [r for records in load_gold(ROOT / "corpus" / "gold").values() for r in records]
    docs = read_docbin(out)
    assert len(docs) == len(gold) == 795
    for record, d in zip(gold, docs):
        back = doc_to_record(d)
        assert (back["doc_id"], back["para"], back["text"]) == (record["doc_id"], record["para"], record["text"])
        assert back["entities"] == [list(e[:3]) for e in record["entities"]]
        assert back["roles"] == [list(r[:3]) for r in record["roles"]]
        assert back["labels"] == [label for label in ("经验做法", "存在问题", "建议") if label in record["labels"]]


def test_record_spans_must_fit_the_text():
    with pytest.raises(ValueError, match="cannot be placed"):
        record_to_doc(spacy.blank("zh"), {"doc_id": "d", "para": 0, "text": "8684", "entities": [[2, 9, "AMOUNT"]]})


def test_show_writes_html_with_entity_labels_and_roles(tmp_path, manifest):
    report = tmp_path / "r.txt"
    report.write_text(TEXT, encoding="utf-8")
    out = tmp_path / "r.html"
    result = CliRunner().invoke(app, ["show", str(report), "-o", str(out), "--pipeline", str(manifest)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "某县2021年度绩效自评报告" in page
    for label in ("AMOUNT", "UNIT", "措施"):
        assert label in page
    assert "8684" in page


def test_role_view_cuts_tokens_at_role_boundaries(doc):
    block = role_blocks(doc)[0]
    assert "".join(block["tokens"]) == block["text"] and block["title"].startswith("存在问题")
    assert {s["label"] for s in block["spans"]} >= {"措施"}



def test_spacy_finds_the_factory_through_the_entry_point(tmp_path):
    code = ("import sys, spacy; nlp = spacy.blank('zh'); nlp.add_pipe('jixiao'); "
            "print(nlp.pipe_names, 'jixiao.spacy_ext' in sys.modules)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert res.stdout.strip() == "['jixiao'] True", res.stderr[-1000:]
