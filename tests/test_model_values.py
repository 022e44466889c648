"""Values (ANNOTATION.md §5) of the model's entities: the same normaliser and the same header-unit context as the
rules' (``jixiao.models.ner.annotate_document`` uses the rules' unit context), and the cross-validation records
(``training.metrics.records_with_values``) valued like the runtime.

Fixture text written here: a fund table under 「（万元）」 whose 分值 column and a following scoring table must not
become money, and a 实际支出数 column tagged ACTUAL that keeps its value.
"""
from __future__ import annotations

from decimal import Decimal

from jixiao.pipeline import document_from_paragraphs, load_pipeline

TEXTS = [
    "一、资金使用情况",
    "资金情况（万元）\t年初预算数\t实际支出数\t分值\t得分",
    "年度资金总额\t1200\t1150.5\t10\t9.6",
    "一级指标\t二级指标\t三级指标\t分值\t得分",
    "产出指标\t数量指标\t培训人数\t20\t18",
    "总分\t100\t92.5",
]


def _rules_doc():
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        manifest = Path(tmp) / "m.yaml"
        manifest.write_text("stages:\n  - {name: structure, type: structure.v1}\n"
                            "  - {name: entities, type: rule_entities.v1}\n", "utf-8")
        pipe = load_pipeline(manifest)
    return pipe(document_from_paragraphs("t", list(TEXTS)))


def test_model_entities_get_the_rules_values_not_the_whole_tables_unit():
    from types import SimpleNamespace

    from jixiao.models.ner import annotate_document

    doc = _rules_doc()
    before = {(e.paragraph, e.start, e.end, e.type): e.value_yuan for e in doc.entities}
    by_para = [[(e.start, e.end, e.type) for e in doc.entities if e.paragraph == p.index] for p in doc.paragraphs]

    class SameSpans:  # a tagger that writes the rules' spans: the values must be the rules' too
        model = SimpleNamespace(config=SimpleNamespace(model_type="other"))

        def predict(self, texts, batch_size=32, rule_spans=None):
            return by_para

    annotate_document(doc, SameSpans())
    assert {e.source for e in doc.entities} == {"model"}
    after = {(e.paragraph, e.start, e.end, e.type): e.value_yuan for e in doc.entities}
    assert after == before
    money = {TEXTS[p][s:e]: v for (p, s, e, _t), v in after.items() if v is not None}
    assert money.get("1200") == Decimal("12000000")
    assert "10" not in money and "100" not in money and "20" not in money  # weights, a 总分: not money


def test_cv_records_value_an_actual_cell_like_the_runtime():
    from training.metrics import records_with_values

    texts = ["单位：万元", "基金支出\t5200\t4980.6\t95.78%", "二、绩效指标", "指标\t分值\t得分", "参保率\t10\t9"]
    spans = [[], [(5, 9, "AMOUNT"), (10, 16, "ACTUAL"), (17, 22, "AMOUNT"), (22, 23, "UNIT")], [],
             [], [(4, 6, "AMOUNT"), (7, 8, "SCORE")]]
    recs = records_with_values("d", texts, spans)
    values = [row[3] for row in recs[1]["entities"]]
    assert values[:3] == [Decimal("52000000"), Decimal("49806000"), None]
    assert [row[3] for row in recs[4]["entities"]] == [None, None]  # the unit lapsed at the prose heading
