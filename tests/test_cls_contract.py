"""What the classifier stages (paragraph labels and sentence roles) add to the estimator protocol
(tests/test_estimator_contract.py: params, save/load, registry, wrong types): overfit a handful of
examples; empty input; output schema; reproducible fits; unknown labels; the runtime stages."""
from __future__ import annotations

import numpy as np
import pytest

from jixiao.errors import JixiaoError
from jixiao.models import estimator as E
from jixiao.models.paragraph_cls import LABELS, ParagraphClassifier, TfidfLogReg, TransformerCls
from jixiao.models.roles import NONE, ROLES, RoleClassifier, RoleTagger, unit_items

PARAS = [
    ("一是健全综合内控制度。从组织机构、业务运行、基金财务等方面制定内控制度。", ["四、其他需要说明的问题", "（一）主要经验及做法"], ["经验做法"], "a"),
    ("二是建立考核考评制度。及时调整完善内控考核办法，按规定设置岗位。", ["四、其他需要说明的问题", "（一）主要经验及做法"], ["经验做法"], "a"),
    ("1. 基金扩面征缴难度大。一是受当前经济下行压力的影响，企业欠费的情况依然严重。", ["四、其他需要说明的问题", "（二）存在问题和建议"], ["存在问题"], "a"),
    ("2018年职工基本医疗保险基金收入累计总额为8684万元。", ["一、社会保险基金收支余总体情况"], [], "b"),
    ("1. 加强预算绩效管理。进一步规范绩效指标设置及绩效目标管理。", ["六、有关对策建议"], ["建议"], "b"),
    ("2. 预算编制不准确，执行工作重视不够。", ["五、存在问题"], ["存在问题"], "b"),
    ("发现的主要问题：存储空间不够。下一步改进措施：申请扩充档案室。", ["（三）绩效目标完成情况"], ["存在问题", "建议"], "c"),
    ("本次绩效评价涉及的金额均保留两位小数。", ["七、其他需要说明的事项"], [], "c"),
]


def paragraph_data():
    X = [{"text": t, "section": s, "context": {"doc_id": d}} for t, s, _, d in PARAS]
    return X, [labs for _, _, labs, _ in PARAS]


def role_data():
    X, y = [], []
    gold = {
        "1. 预算编制不准确。主要原因是人员不足。建议加强培训。": ["问题", "原因", "措施"],
        "一是经办人手短缺，二是受疫情影响外出受限，三是要进一步加强监管。": ["问题", "原因", "措施"],
        "2. 加强预算执行监管力度。应加快项目进度。": ["措施", "措施"],
        "3. 社保风险防控需进一步加强。财务人员极度缺乏。（详见附表）": ["问题", "问题", None],
    }
    for text, roles in gold.items():
        labels = ["建议"] if roles[0] == "措施" else ["存在问题", "建议"]
        spans, items = unit_items(text, labels, ["（二）存在问题和建议"], "d")
        assert len(spans) == len(roles), [text[a:b] for a, b in spans]
        X += items
        y += roles
    return X, y


def tiny_transformer() -> TransformerCls:
    return TransformerCls(encoder=None, epochs=60, lr=3e-3, batch_size=8, threshold_folds=0, max_length=64,
                          tiny={"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2,
                                "intermediate_size": 64}, num_threads=1, seed=0)


FACTORIES = {
    "tfidf_logreg": (lambda: TfidfLogReg(C=100.0, min_df=1, threshold_folds=0), paragraph_data),
    "transformer_cls": (tiny_transformer, paragraph_data),
    "role_logreg": (lambda: RoleClassifier(C=100.0), role_data),
}


@pytest.fixture(scope="module", params=sorted(FACTORIES))
def fitted(request, tmp_path_factory):
    make, data = FACTORIES[request.param]
    X, y = data()
    est = make().fit(X, y)
    folder = tmp_path_factory.mktemp(request.param)
    est.save(folder)
    return request.param, est, X, y, folder


def test_overfits_a_handful_of_examples(fitted):
    _, est, X, y, _ = fitted
    pred = est.predict(X)
    if isinstance(est, RoleClassifier):
        assert pred == y
    else:
        assert [sorted(p) for p in pred] == [sorted(t) for t in y]


def test_empty_input(fitted):
    _, est, _, _, folder = fitted
    n_cols = len(RoleClassifier.classes) if isinstance(est, RoleClassifier) else len(LABELS)
    assert est.predict_proba([]).shape == (0, n_cols)
    assert est.predict([]) == []
    if not isinstance(est, RoleClassifier):
        assert ParagraphClassifier.load(folder).predict_proba([]) == []


def test_output_schema(fitted):
    _, est, X, _, _ = fitted
    new = [{"text": "全新的段落，没有见过的字词：甲乙丙丁。", "section": [], "context": {}}, {"text": "", "section": []}]
    for items in (X, new):
        proba = est.predict_proba(items)
        assert np.all((proba >= 0) & (proba <= 1))
        pred = est.predict(items)
        assert len(pred) == len(items)
        if isinstance(est, RoleClassifier):
            np.testing.assert_allclose(proba.sum(axis=1), 1.0)
            assert set(pred) <= set(ROLES) | {None}
        else:
            assert all(set(p) <= set(LABELS) for p in pred)


def test_fit_is_reproducible(fitted):
    name, est, X, y, _ = fitted
    make, _ = FACTORIES[name]
    if name == "transformer_cls":
        pytest.skip("covered by save/load; a second transformer fit costs seconds")
    np.testing.assert_array_equal(make().fit(X, y).predict_proba(X), est.predict_proba(X))


def test_unknown_labels_are_refused(fitted):
    name, est, X, y, _ = fitted
    bad = ["其他问题"] if name == "role_logreg" else [["其他问题"]]
    with pytest.raises(JixiaoError) as err:
        est.clone().fit(X[:1], bad)
    assert err.value.code == E.E_BAD_LABEL


def test_role_tagger_runtime(fitted):
    name, _, _, _, folder = fitted
    if name != "role_logreg":
        pytest.skip("role stage only")
    tagger = RoleTagger.load(folder)
    text = "1. 预算编制不准确。主要原因是人员不足。建议加强培训。"
    out = tagger.predict(text, ["存在问题", "建议"], ["五、存在问题"])
    assert [r for _, _, r in out] == ["问题", "原因", "措施"]
    assert [text[a:b] for a, b, _ in out] == ["1. 预算编制不准确。", "主要原因是人员不足。", "建议加强培训。"]
    # Paragraphs without 存在问题/建议 keep their units but get no role; empty text gives nothing.
    assert all(r is None for _, _, r in tagger.predict(text, ["经验做法"], []))
    assert tagger.predict("", ["存在问题"]) == []
    assert NONE not in {r for _, _, r in out}


def test_paragraph_classifier_runtime(fitted):
    name, _, X, _, folder = fitted
    if name == "role_logreg":
        pytest.skip("paragraph stage only")
    clf = ParagraphClassifier.load(folder)
    out = clf.predict_proba(X[:2])
    assert [sorted(d) for d in out] == [sorted(LABELS)] * 2
    assert set(clf.thresholds) == set(LABELS)
