"""The pipeline manifest: registry, model stages, errors that name the stage and document."""
from pathlib import Path

import pytest

from jixiao.errors import JixiaoError, UsageError
from jixiao.pipeline import Pipeline, document_from_paragraphs, extract_paragraph_records, load_pipeline

ROOT = Path(__file__).resolve().parent.parent


def test_unknown_stage_type_is_a_usage_error_listing_known_types(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("stages:\n  - {name: x, type: nosuch.v1}\n", encoding="utf-8")
    with pytest.raises(UsageError) as e:
        load_pipeline(bad)
    assert "rule_entities.v1" in str(e.value)


def test_failing_stage_is_named_with_the_document():
    def boom(doc):
        raise ValueError("bad")

    with pytest.raises(JixiaoError) as e:
        Pipeline([("boom", boom)])(document_from_paragraphs("d1", ["一、概况"]))
    assert "boom" in str(e.value) and "gold:d1" in str(e.value)


def test_model_pipeline_fills_labels_scores_and_roles():
    pipe = load_pipeline(ROOT / "configs" / "pipeline_models.yaml")
    doc = pipe(document_from_paragraphs("t", ["五、存在问题", "1. 预算编制不准确，执行工作重视不够。", "六、有关对策建议",
                                              "1. 加强预算绩效管理。进一步规范绩效指标设置。"]), disable=("meta",))
    p_problem, p_advice = doc.paragraphs[1], doc.paragraphs[3]
    assert "存在问题" in p_problem.labels and set(p_problem.label_scores) == {"经验做法", "存在问题", "建议"}
    assert "建议" in p_advice.labels
    assert [s.role for s in p_advice.sentences] == ["措施", "措施"]
    assert doc.paragraphs[0].labels == []  # a section heading is never labelled


def test_extract_paragraph_records_carries_money_values():
    recs = extract_paragraph_records("t", ["收入8684万元。"])
    amount = next(e for e in recs[0]["entities"] if e[2] == "AMOUNT")
    assert amount[:2] == [2, 6] and str(amount[3]) == "86840000"


def test_full_width_figures_are_read_and_evaluated_like_ascii_ones():
    """A PDF conversion's 「１２．９万人」, 「８ ２５６．００万元」: values parsed, offsets one for one, gold paragraphs in
    full-width forms align with the cleaned output (corpus/blind bC01 scored 0.087 end to end before)."""
    from jixiao.evaluation import align_paragraphs, map_span
    from jixiao.pipeline import document_from_text, load_pipeline

    raw = "二、预算执行情况\n2023年补助资金预算８ ２５６．００万元，参保人数目标任务为１２．９万人。"
    doc = load_pipeline()(document_from_text(raw, doc_id="fw"))
    para = doc.paragraphs[-1]
    amount = next(e for e in doc.entities if e.type == "AMOUNT" and e.paragraph == para.index)
    assert para.text[amount.start:amount.end] == "8 256.00" and str(amount.value_yuan) == "82560000"
    gold = raw.split("\n")[-1]
    assert align_paragraphs([gold], [para.text]) == [(0, 0, "normalised")]
    assert map_span(para.text, gold, amount.start, amount.end) == (amount.start, amount.end)


def test_ner_types_auto_follows_the_lodo_winner(tmp_path):
    import json

    from jixiao.models.ner import auto_types, ner_stage

    (tmp_path / "metrics.json").write_text(json.dumps({"entity_sources": {
        "AMOUNT": "model", "UNIT": "rules", "INDICATOR": "rules", "TARGET": "rules", "ACTUAL": "rules",
        "SCORE": "rules"}}), encoding="utf-8")
    assert auto_types(tmp_path) == ["AMOUNT"]
    (tmp_path / "metrics.json").write_text(json.dumps({"entity_sources": {t: "rules" for t in (
        "AMOUNT", "UNIT", "INDICATOR", "TARGET", "ACTUAL", "SCORE")}}), encoding="utf-8")
    stage = ner_stage(tmp_path, types="auto")  # nothing to load: the folder has no model at all
    assert stage.entity_types == [] and "from the rules for AMOUNT" in stage.note


def test_ner_types_auto_keeps_the_rules_only_where_strictly_better(tmp_path):
    import json

    import pytest

    from jixiao.errors import UsageError
    from jixiao.models.ner import auto_types, ner_stage

    def table(f1s):
        return {"pooled": {"per_type": {t: {"f1": f} for t, f in f1s.items()}}}

    cv = {"model": table({"AMOUNT": 0.986, "UNIT": 0.98, "INDICATOR": 0.859}),
          "rules": table({"AMOUNT": 0.98600001, "UNIT": 0.991, "INDICATOR": 0.864})}
    (tmp_path / "metrics.json").write_text(json.dumps({"leave_one_document_out": cv}), encoding="utf-8")
    # AMOUNT ties (to 4 decimals): the model; UNIT, INDICATOR: the rules are better; no figures: the model
    assert auto_types(tmp_path) == ["AMOUNT", "TARGET", "ACTUAL", "SCORE"]
    assert auto_types(tmp_path, ties="rules") == ["TARGET", "ACTUAL", "SCORE"]
    with pytest.raises(UsageError):
        ner_stage(tmp_path, types="auto", ties="coin")


def test_ner_types_auto_chooses_on_fresh_text_before_the_seeds_lodo(tmp_path):
    import json

    from jixiao.models.ner import auto_types

    def table(f1s):
        return {"pooled": {"per_type": {t: {"f1": f} for t, f in f1s.items()}}}

    lodo = {"model": table({"INDICATOR": 0.93}), "rules": table({"INDICATOR": 0.95})}  # rules in-sample on the seeds
    fresh = {"model": table({"INDICATOR": 0.767, "UNIT": 0.94}), "rules": table({"INDICATOR": 0.763, "UNIT": 0.95})}
    (tmp_path / "metrics.json").write_text(json.dumps({"leave_one_document_out": lodo, "fresh_text": fresh}), "utf-8")
    assert auto_types(tmp_path) == ["AMOUNT", "INDICATOR", "TARGET", "ACTUAL", "SCORE"]  # UNIT: the rules, on fresh text
    (tmp_path / "metrics.json").write_text(json.dumps({"leave_one_document_out": lodo}), "utf-8")
    assert "INDICATOR" not in auto_types(tmp_path)


def test_default_pipeline_says_which_source_writes_entities():
    pipe = load_pipeline()
    assert any(note.startswith("ner: ") for note in pipe.notes)
