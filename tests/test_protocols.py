"""The three evaluation protocols (seeds LODO, corpus leave-one-kind-out, transfer), the cue features
of the paragraph classifier, cause-clause role units and guided themes."""
import json

import pytest

from training.protocols import Data, load_data, make_protocol, protocols


def _rec(doc, para, text, labels=(), roles=(), themes=None):
    r = {"doc_id": doc, "para": para, "text": text, "labels": list(labels), "roles": [list(x) for x in roles],
         "entities": []}
    if themes:
        r["themes"] = themes
    return r


@pytest.fixture
def two_sources(tmp_path):
    """Two 'seed' documents and four 'corpus' documents of two kinds, written for this test."""
    seeds = tmp_path / "seeds"
    corpus = tmp_path / "corpus"
    (corpus / "gold").mkdir(parents=True)
    seeds.mkdir()
    texts = [("一、主要做法", []), ("（一）健全内控制度。全年开展专项检查12次。", ["经验做法"]),
             ("二、存在问题", []), ("1. 资金拨付不及时。", ["存在问题"]), ("三、建议", []),
             ("1. 建议加快资金拨付进度。", ["建议"])]
    for d in ("s1", "s2"):
        (seeds / f"{d}.jsonl").write_text("\n".join(json.dumps(_rec(d, i, t, l), ensure_ascii=False)
                                                    for i, (t, l) in enumerate(texts)) + "\n", encoding="utf-8")
    meta = []
    for d, kind in (("wA01", "整改报告"), ("wA02", "整改报告"), ("wB01", "审计结果公告"), ("wB02", "审计结果公告")):
        (corpus / "gold" / f"{d}.jsonl").write_text(
            "\n".join(json.dumps(_rec(d, i, t, l), ensure_ascii=False) for i, (t, l) in enumerate(texts)) + "\n",
            encoding="utf-8")
        meta.append({"doc_id": d, "kind": kind})
    (corpus / "documents.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return seeds, corpus


def test_folds_never_test_on_a_training_document(two_sources):
    data = load_data(*two_sources)
    assert data.seeds == ["s1", "s2"] and data.kinds["wB02"] == "审计结果公告"
    for p in protocols(data):
        tested = [d for f in p.folds for d in f.test]
        assert len(tested) == len(set(tested)), p.name           # each document tested once
        for f in p.folds:
            assert not set(f.train) & set(f.test), (p.name, f.name)
    lodo, loko, transfer = (make_protocol(data, n) for n in ("seeds_lodo", "corpus_loko", "transfer"))
    assert [f.test for f in lodo.folds] == [("s1",), ("s2",)] and "wA01" in lodo.folds[0].train
    assert [f.name for f in loko.folds] == ["审计结果公告", "整改报告"]
    assert set(loko.folds[0].train) == {"s1", "s2", "wA01", "wA02"}
    (fold,) = transfer.folds
    assert set(fold.train) == {"wA01", "wA02", "wB01", "wB02"} and fold.test == ("s1", "s2")


def test_a_protocol_without_data_has_no_folds():
    data = Data(gold={"s1": [], "s2": []}, seeds=["s1", "s2"], corpus=[])
    assert [p.name for p in protocols(data)] == ["seeds_lodo"]


def test_run_cls_reports_all_three_protocols(two_sources, tmp_path):
    from training.cls import ClsConfig, run_cls

    seeds, corpus = two_sources
    cfg = ClsConfig(gold=str(seeds), corpus=str(corpus), output=str(tmp_path / "m"),
                    tfidf_logreg={"min_df": 1, "threshold_folds": 0, "cue_features": True})
    metrics = run_cls(cfg, cv=True, log=lambda s: None)
    assert list(metrics["cv"]) == ["seeds_lodo", "corpus_loko", "transfer"]
    assert metrics["data"] == {"seeds": 2, "corpus": 4}
    for res in metrics["cv"].values():
        assert set(res) == {"tfidf_logreg.v1", "rules"}
    card = (tmp_path / "m" / "README.md").read_text(encoding="utf-8")
    assert "Leave-one-kind-out" in card and "Transfer" in card and "development signal" in card


def test_cross_validate_with_splits_pools_the_tested_documents_only():
    from jixiao.evaluation import cross_validate

    gold = {d: [_rec(d, 0, "1. 资金拨付不及时。", ["存在问题"])] for d in ("a", "b", "c")}
    cv = cross_validate(gold, lambda tr, te: {d: [dict(r) for r in recs] for d, recs in te.items()},
                        splits=[(["a"], ["b", "c"], "bc")])
    assert cv.pooled.documents == ["b", "c"] and cv.folds[0].test_id == "bc"
    assert cv.pooled.labels.macro.f1 == 1.0


def test_cue_features_and_positions():
    from jixiao.models.paragraph_cls import cue_features, paragraph_items

    items = paragraph_items(["三、建议", "1. 建议加快拨付进度。", "2. 已建立台账。"], [[], ["三、建议"], ["三、建议"]])
    assert [it["position"] for it in items] == [0, 0, 1]
    assert "n:after_heading" in cue_features(items[1]) and "q:advise" in cue_features(items[1])
    assert "q:done" in cue_features(items[2]) and "m:num" in cue_features(items[2])
    # a deficiency cue in the item's lead clause
    assert "ql:deficit" in cue_features({"text": "2. 资金拨付不及时。部分乡镇延迟两个月发放。"})


def test_table_rows_are_never_classified_in_cv():
    import numpy as np

    from training.cls import lodo_predict

    gold = {d: [_rec(d, 0, "项目\t预算数\t执行数", []), _rec(d, 1, "1. 资金拨付不及时。", ["存在问题"])]
            for d in ("a", "b")}

    def always_problem(Xtr, ytr, Xte):
        return np.full((len(Xte), 3), 0.9), [["存在问题"] for _ in Xte], {}

    _, folds = lodo_predict(gold, always_problem)
    assert [f.pred for f in folds] == [[[], ["存在问题"]], [[], ["存在问题"]]]


def test_role_units_split_at_cause_cues_only():
    from jixiao.rules.labels import split_sentences

    t = "全年结余167.4万元，因省级资金在11月下达，部分补贴来不及发放，导致结余偏大。"
    assert [t[a:b] for a, b in split_sentences(t)] == ["全年结余167.4万元，", "因省级资金在11月下达，部分补贴来不及发放，导致结余偏大。"]
    t2 = "执行率仅88.4%，受疫情影响，部分项目停工。因此结余较大。"
    assert [t2[a:b] for a, b in split_sentences(t2)] == ["执行率仅88.4%，", "受疫情影响，部分项目停工。", "因此结余较大。"]


def test_every_problem_paragraph_reaches_a_theme_or_the_outliers():
    from jixiao.summarize.aggregate import LoadResult, sentence_rows
    from jixiao.summarize.report import build_summary

    doc = {"doc_id": "d", "meta": {"region": "张掖市"}, "paragraphs": [
        {"index": 0, "text": "2. 资金拨付不及时。部分乡镇延迟发放。", "labels": ["存在问题"], "sentences": []},
        {"index": 1, "text": "档案管理不规范，凭证缺失。", "labels": ["存在问题"],
         "sentences": [{"start": 0, "end": 13, "role": "问题"}]}]}
    rows = sentence_rows(doc)
    fallback = [r for r in rows if r.sentence == -2]
    assert [(r.paragraph, r.text) for r in fallback] == [(0, "资金拨付不及时。")]
    summary = build_summary(LoadResult(documents=[doc]))
    reached = {m["row_id"].split(":")[1] for t in summary["themes"] + [summary["outliers"]] for m in t["members"]}
    assert reached == {"0", "1"}


def test_guided_themes_use_the_taxonomy_and_readable_names():
    from jixiao.summarize.themes import ThemeConfig, build_themes, key_phrase
    from jixiao.summarize.aggregate import SentenceRow

    def row(i, text):
        return SentenceRow(f"d{i}:0:0", f"d{i}", f"d{i}", "张掖市", 2023, None, None, 0, 0, 0, len(text), "问题",
                           text, ("存在问题",))

    rows = [row(0, "资金拨付不及时。"), row(1, "县级配套资金拨付滞后。"), row(2, "资金拨付进度偏慢。"),
            row(3, "村医队伍老化，年龄结构不合理。"), row(4, "村医队伍老化严重。")]
    result = build_themes(rows, [], ThemeConfig(min_theme_size=2))
    guided = {t.category: t for t in result.themes if t.category}
    assert "资金拨付" in guided and guided["资金拨付"].size == 3
    assert guided["资金拨付"].name.startswith("资金拨付")
    clustered = [t for t in result.themes if not t.category]
    assert len(clustered) == 1 and clustered[0].name.startswith("村医队伍老化")   # a phrase, not a keyword list
    assert "、" not in clustered[0].name
    assert key_phrase(["定点医疗机构违规收费12万元。"], ["违规"]) is None or "12" not in key_phrase(
        ["定点医疗机构违规收费12万元。"], ["违规"])
    unguided = build_themes(rows, [], ThemeConfig(min_theme_size=2, taxonomy=None))
    assert all(t.category is None for t in unguided.themes)


def test_encoder_sentence_vectors_for_themes():
    import numpy as np
    import pytest as _pytest

    from jixiao.errors import UsageError
    from jixiao.summarize.themes import ThemeConfig
    from jixiao.summarize.vectors import encoder_vectors

    E = encoder_vectors(["资金拨付不及时", "县级配套资金拨付滞后", "村医队伍老化"], "models/encoder")
    assert E.shape[0] == 3 and np.allclose(np.linalg.norm(E, axis=1), 1.0, atol=1e-5)
    with _pytest.raises(UsageError):
        ThemeConfig(vectors="bert").validated()
