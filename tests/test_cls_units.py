"""Small pure functions of the classifier area: features, thresholds, folds, units, configs."""
from __future__ import annotations

import numpy as np
import pytest

from jixiao.errors import JixiaoError, UsageError
from jixiao.models.estimator import E_BAD_CONFIG, best_threshold, group_folds
from jixiao.models.paragraph_cls import (
    BlockTfidf, LABELS, binarize, char_ngrams, decide, normalize_for_ngrams, paragraph_features, section_text,
)
from jixiao.models.roles import cue_features, sentence_units, unit_features, unit_items, unit_roles
from training.cls import ClsConfig, load_config, make_estimator, parse_overrides, worst_confusions, FoldPrediction


def test_heading_features_are_prefixed_apart_from_text_features():
    words = lambda s: s.replace("、", " ").replace("（二）", " ").split()  # noqa: E731 - a stand-in segmenter
    f = paragraph_features({"text": "加强管理。", "section": ["四、其他需要说明的问题", "（二）存在问题和建议"]},
                           words, section_depth=2)
    assert "h1:存在问题和建议" in f and "h:其他需要说明的问题" in f
    assert "w:存在问题和建议" not in f and "w:加强管理。" in f
    assert "f:nosection" in paragraph_features({"text": "加强管理。", "section": []}, words)
    assert "h:其他需要说明的问题" not in paragraph_features(
        {"text": "x", "section": ["四、其他需要说明的问题", "（二）存在问题和建议"]}, words, section_depth=1)


def test_numbers_collapse_before_ngrams():
    assert normalize_for_ngrams("收入8,684.5万元，增长13.43%") == "收入0万元，增长0%"
    assert char_ngrams("ab", 1, 3) == ["a", "b", "ab"]


def test_block_tfidf_normalises_each_block_and_ignores_unknown_features():
    v = BlockTfidf(min_df=1, weights={"h1": 2.0}).fit([["c:a", "c:b", "h1:x"], ["c:a"]])
    row = v.transform([["c:a", "c:b", "h1:x", "zz:unknown"]]).toarray()[0]
    c = row[[v.vocabulary_["c:a"], v.vocabulary_["c:b"]]]
    assert np.isclose(np.linalg.norm(c), 1.0)
    assert np.isclose(row[v.vocabulary_["h1:x"]], 2.0)
    assert v.transform([]).shape == (0, 3)


def test_min_df_drops_rare_features():
    v = BlockTfidf(min_df=2).fit([["w:a", "w:b"], ["w:a"]])
    assert v.features_ == ["w:a"]


def test_binarize_and_decide_round_trip():
    Y = binarize([["建议", "存在问题"], []], LABELS)
    assert Y.tolist() == [[0, 1, 1], [0, 0, 0]]
    assert decide(np.array([[0.2, 0.6, 0.9]]), LABELS, {"经验做法": 0.1, "存在问题": 0.7, "建议": 0.5}) == [["经验做法", "建议"]]
    with pytest.raises(JixiaoError):
        binarize(["建议"], LABELS)  # a bare string instead of a list of labels


def test_best_threshold_maximises_f1_and_prefers_precision_with_small_beta():
    y = [1, 1, 1, 0, 0, 1]
    s = [0.9, 0.8, 0.7, 0.6, 0.3, 0.2]
    t1 = best_threshold(y, s)
    t_half = best_threshold(y, s, beta=0.5)
    assert 0.6 < t_half <= 0.7  # excludes the 0.6 negative
    assert t1 <= t_half
    assert best_threshold([0, 0], [0.1, 0.9]) == 0.5  # no positives: default kept


def test_group_folds_keep_documents_whole():
    groups = ["a", "a", "b", "b", "c", "d"]
    folds = group_folds(groups, 3)
    held_all = sorted(i for _, h in folds for i in h)
    assert held_all == list(range(6))
    for train, held in folds:
        assert not {groups[i] for i in train} & {groups[i] for i in held}


def test_section_text_keeps_nearest_headings():
    assert section_text(["一、概况", "（一）项目", "1. 背景"], depth=2) == "（一）项目／1. 背景"
    assert section_text([], depth=2) == ""


def test_units_follow_the_project_sentence_splitter():
    from jixiao.rules.labels import split_sentences

    t = "1. 基金扩面征缴难度大。一是受经济下行影响，欠费严重；二是人员流动频繁。"
    assert sentence_units(t) == split_sentences(t)
    assert [t[a:b] for a, b in sentence_units(t)] == ["1. 基金扩面征缴难度大。", "一是受经济下行影响，欠费严重；", "二是人员流动频繁。"]


def test_unit_roles_need_half_coverage():
    assert unit_roles([(0, 10)], [[0, 4, "问题"]]) == [None]
    assert unit_roles([(0, 10)], [[0, 5, "问题"]]) == ["问题"]
    assert unit_roles([(0, 10), (10, 12)], []) == [None, None]


def test_unit_items_carry_context():
    spans, items = unit_items("1. 预算不准确。主要原因是人手不足。", ["存在问题"], ["五、存在问题"], "d")
    assert [it["context"]["position"] for it in items] == [0, 1]
    assert items[1]["context"]["prev_text"] == "1. 预算不准确。"
    f = unit_features(items[1], list)
    assert "cue:原因" in f and "ctx:label_存在问题" in f and "ctx:pos_last" in f and "prev:问题" in f


def test_cue_features():
    assert "cue:措施" in cue_features("下一步要进一步加强监管。")
    assert "cue:原因" in cue_features("受当前经济下行压力的影响，企业欠费。")
    assert cue_features("基金收入8684万元。") == []


def test_overrides_and_config_validation(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("model: tfidf_logreg.v1\ntfidf_logreg:\n  C: 4.0\n", encoding="utf-8")
    cfg = load_config(p, ClsConfig, ["--tfidf_logreg.C", "0.5", "--compare=[transformer_cls.v1]"])
    assert cfg.tfidf_logreg == {"C": 0.5} and cfg.compare == ["transformer_cls.v1"]
    assert make_estimator(cfg, "tfidf_logreg.v1").C == 0.5
    with pytest.raises(UsageError) as err:
        load_config(p, ClsConfig, ["--nonsense", "1"])
    assert err.value.code == E_BAD_CONFIG
    with pytest.raises(UsageError) as err:
        make_estimator(load_config(p, ClsConfig, ["--tfidf_logreg.Cee", "1"]), "tfidf_logreg.v1")
    assert err.value.code == E_BAD_CONFIG and "Cee" in err.value.message
    with pytest.raises(UsageError):
        load_config(tmp_path / "missing.yaml", ClsConfig)
    with pytest.raises(UsageError):
        parse_overrides(["--seed"])


def test_worst_confusions_rank_confident_errors_first():
    items = [{"text": t, "section": [], "context": {"para": i}} for i, t in enumerate("abc")]
    fp = FoldPrediction("d", items, [[], ["建议"], ["建议"]],
                        np.array([[0.95, 0.0, 0.0], [0.0, 0.0, 0.4], [0.0, 0.0, 0.9]]),
                        [["经验做法"], [], ["建议"]], {})
    rows = worst_confusions([fp], n=10)
    assert [(r["para"], r["kind"], r["label"]) for r in rows] == [(0, "FP", "经验做法"), (1, "FN", "建议")]


def test_block_tfidf_vectorised_transform_is_bit_identical_to_the_loop():
    import random

    import numpy as np

    from jixiao.models.paragraph_cls import BlockTfidf

    rng = random.Random(5)
    feats = [f"{b}:{i}" for b in ("w", "c", "h1", "r") for i in range(40)]
    docs = [[rng.choice(feats) for _ in range(rng.randint(0, 60))] + ["w:unknown"] * rng.randint(0, 2)
            for _ in range(50)]
    v = BlockTfidf(min_df=2, weights={"c": 0.3, "h1": 2.0}).fit(docs)
    test = docs[:20] + [[], ["zz:never"], ["w:1"] * 7 + ["c:3"]]
    a, b = v.transform(test), _transform_loop(v, test)
    assert a.shape == b.shape and a.nnz == b.nnz > 0
    assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
    assert np.array_equal(a.data, b.data)  # bit for bit, not approximately


def _transform_loop(v, docs):
    """The per-feature loop BlockTfidf.transform replaced: the reference it must match bit for bit."""
    import math
    from collections import Counter

    import numpy as np
    from scipy import sparse

    rows, cols, vals = [], [], []
    idf, block_of = v.idf_.tolist(), [f.split(":", 1)[0] for f in v.features_]
    for r, d in enumerate(docs):
        counts = Counter(d)
        found = [(j, c) for j, c in zip(map(v.vocabulary_.get, counts), counts.values()) if j is not None]
        by_block: dict[str, list[tuple[int, float]]] = {}
        for j, c in found:
            by_block.setdefault(block_of[j], []).append((j, (1.0 + math.log(c)) * idf[j]))
        for block, entries in by_block.items():
            norm = math.sqrt(sum(x * x for _, x in entries)) or 1.0
            w = v.weights.get(block, 1.0)
            for j, x in entries:
                rows.append(r)
                cols.append(j)
                vals.append(w * x / norm)
    return sparse.csr_matrix((vals, (rows, cols)), shape=(len(docs), len(v.features_)), dtype=np.float64)
