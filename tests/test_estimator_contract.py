"""The estimator protocol (jixiao.models.estimator), checked alike for every trainable stage: the paragraph
classifiers (TF-IDF and transformer), sentence roles, table header cells and the NER tagger.

Parameters round-trip (get_params / set_params / clone), fit returns self, an unfitted estimator refuses to
predict, predictions have the stage's shape and types, save -> load predicts the same, config.json names the
registered type, a folder of another type is refused, loading never unpickles or follows an import path.
Stage-specific behaviour (overfitting, probabilities, runtimes) lives in test_cls_contract.py and
test_ner_contract.py. Tiny data and models: the file runs in well under a minute on one core.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest

from jixiao.errors import JixiaoError, UsageError
from jixiao.models import estimator as E
from jixiao.models.headers import HeaderCellClassifier
from jixiao.models.paragraph_cls import LABELS, TfidfLogReg, TransformerCls
from jixiao.models.roles import ROLES, RoleClassifier
from jixiao.schema import ENTITY_TYPES
from test_cls_contract import paragraph_data, role_data  # tests/ is on sys.path
from test_ner_contract import TRAIN
from training.ner_estimator import NerEstimator

ROOT = Path(__file__).resolve().parent.parent

HEADER_CELLS = [("年度指标值", "target"), ("目标值", "target"), ("指标值", "target"), ("实际完成值", "actual"),
                ("完成值", "actual"), ("实际值", "actual"), ("分值", "score"), ("得分", "score"), ("评分", "score"),
                ("三级指标", "name"), ("指标名称", "name"), ("预算数", "amount"), ("执行数", "amount")]


def header_data():
    return [{"text": t} for t, _ in HEADER_CELLS], [r for _, r in HEADER_CELLS]


def ner_data():
    return ([{"text": r["text"], "context": {"doc_id": r["doc_id"]}} for r in TRAIN],
            [[tuple(e) for e in r["entities"]] for r in TRAIN])


def is_label_set(p) -> bool:
    return isinstance(p, list) and set(p) <= set(LABELS)


def is_role(p) -> bool:
    return p is None or p in ROLES


def is_span_list(p) -> bool:
    return isinstance(p, list) and all(isinstance(s, int) and isinstance(e, int) and s < e and t in ENTITY_TYPES
                                       for s, e, t in p)


@dataclass
class Stage:
    make: Callable[[], E.Estimator]
    data: Callable[[], tuple[list, list]]
    valid: Callable[[Any], bool]        # one prediction has the stage's type
    param: tuple[str, Any]              # a parameter to set, and a new value


TINY_NER = dict(base=None, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32,
                max_length=64, jieba_min_freq=None, epochs=1, batch_size=5, threads=1)
STAGES = {
    "tfidf_logreg": Stage(lambda: TfidfLogReg(C=100.0, min_df=1, threshold_folds=0), paragraph_data, is_label_set,
                          ("C", 3.0)),
    "transformer_cls": Stage(lambda: TransformerCls(encoder=None, epochs=1, batch_size=8, threshold_folds=0,
                                                    max_length=64, tiny={"hidden_size": 16, "num_hidden_layers": 1,
                                                                         "num_attention_heads": 2,
                                                                         "intermediate_size": 32}, num_threads=1),
                             paragraph_data, is_label_set, ("epochs", 2)),
    "role_logreg": Stage(lambda: RoleClassifier(C=100.0), role_data, is_role, ("C", 3.0)),
    "header_cells": Stage(lambda: HeaderCellClassifier(C=100.0), header_data, lambda p: p is None or isinstance(p, str),
                          ("min_proba", 0.5)),
    "ner_tagger": Stage(lambda: NerEstimator(**TINY_NER), ner_data, is_span_list, ("epochs", 2)),
}
NAMES = sorted(STAGES)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """Every stage fitted once on its tiny data and saved: ``{name: (estimator, fit's return, X, folder)}``."""
    out = {}
    for name in NAMES:
        X, y = STAGES[name].data()
        est = STAGES[name].make()
        returned = est.fit(X, y)
        folder = tmp_path_factory.mktemp(name)
        est.save(folder)
        out[name] = (est, returned, X, folder)
    return out


def _same(a, b) -> None:
    """Equal predictions / probabilities (arrays, or a list of arrays for the tagger)."""
    if isinstance(a, np.ndarray):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
    elif a and isinstance(a[0], np.ndarray):
        assert len(a) == len(b)
        for x, z in zip(a, b):
            np.testing.assert_allclose(x, z, rtol=0, atol=1e-6)
    else:
        assert a == b


@pytest.mark.parametrize("name", NAMES)
def test_params_round_trip(name):
    est = STAGES[name].make()
    params = est.get_params()
    assert params and type(est)(**params).get_params() == params
    key, value = STAGES[name].param
    assert est.set_params(**{key: value}) is est and est.get_params()[key] == value
    twin = est.clone()
    assert type(twin) is type(est) and twin is not est and twin.get_params() == est.get_params()
    with pytest.raises(UsageError) as err:
        est.set_params(no_such_parameter=1)
    assert err.value.code == E.E_BAD_CONFIG


@pytest.mark.parametrize("name", NAMES)
def test_predict_before_fit_is_refused(name, saved):
    X, _ = STAGES[name].data()
    fitted = saved[name][0]
    for est in (STAGES[name].make(), fitted.clone()):  # a clone is unfitted
        for method in (est.predict, est.predict_proba):
            with pytest.raises(JixiaoError) as err:
                method(X[:1])
            assert err.value.code == E.E_NOT_FITTED


@pytest.mark.parametrize("name", NAMES)
def test_fit_returns_self_and_predicts_the_stage_types(name, saved):
    est, returned, X, _ = saved[name]
    assert returned is est
    pred = est.predict(X)
    assert isinstance(pred, list) and len(pred) == len(X) and all(STAGES[name].valid(p) for p in pred), pred
    assert est.predict([]) == [] and len(est.predict_proba([])) == 0
    proba = est.predict_proba(X)
    assert len(proba) == len(X)


@pytest.mark.parametrize("name", NAMES)
def test_save_load_predicts_the_same(name, saved):
    est, _, X, folder = saved[name]
    for loaded in (type(est).load(folder), E.load_estimator(folder)):
        assert type(loaded) is type(est) and loaded.get_params() == est.get_params()
        assert loaded.predict(X) == est.predict(X)
        _same(loaded.predict_proba(X), est.predict_proba(X))


@pytest.mark.parametrize("name", NAMES)
def test_config_names_the_registered_type_and_nothing_is_pickled(name, saved):
    est, _, _, folder = saved[name]
    cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    assert est.registered_name.startswith(name) and E.registered_type(cfg) == est.registered_name
    assert E.get(est.registered_name) is type(est) and est.registered_name in E.registered()
    assert not [p for p in folder.rglob("*") if p.suffix in (".pkl", ".pickle", ".joblib", ".bin", ".pt")]
    assert (folder / "README.md").is_file()


@pytest.mark.parametrize("name", NAMES)
def test_a_folder_of_another_type_is_refused(name, saved):
    other = NAMES[(NAMES.index(name) + 1) % len(NAMES)]
    with pytest.raises(JixiaoError) as err:
        type(saved[name][0]).load(saved[other][3])
    assert err.value.code == E.E_WRONG_TYPE


def test_the_shipped_folders_load_through_the_protocol():
    """Folders written before their format named the estimator (models/ner: a plain Hugging Face config;
    models/headers: model.json only) still load; the other stages refuse them."""
    ner = NerEstimator.load(ROOT / "models" / "ner")
    import yaml

    shipped = yaml.safe_load((ROOT / "configs" / "ner.yaml").read_text("utf-8"))["model"]["rule_prior"]
    assert ner.get_params()["rule_prior"] == shipped == 4.0  # from its config.yaml, as configs/ner.yaml trains it
    assert ner.predict([{"text": "保费收入5617.38万元"}]) == [[(0, 4, "INDICATOR"), (4, 11, "AMOUNT"), (11, 13, "UNIT")]]
    assert HeaderCellClassifier.load(ROOT / "models" / "headers").predict([{"text": "预算数"}]) == ["amount"]
    assert type(E.load_estimator(ROOT / "models" / "roles")) is RoleClassifier
    for cls, folder in ((TfidfLogReg, "ner"), (NerEstimator, "roles")):
        with pytest.raises(JixiaoError) as err:
            cls.load(ROOT / "models" / folder)
        assert err.value.code == E.E_WRONG_TYPE


def test_ner_parameters_are_the_training_config():
    from training.ner import ModelConfig, TrainConfig

    cfg = NerEstimator().to_config()
    assert cfg.model == ModelConfig() and cfg.train == TrainConfig()


def test_bad_targets_are_refused():
    for est, X, y in ((NerEstimator(**TINY_NER), [{"text": "支出8684万元"}], [[(2, 99, "AMOUNT")]]),
                      (NerEstimator(**TINY_NER), [{"text": "支出8684万元"}], [[(2, 6, "MONEY")]]),
                      (HeaderCellClassifier(), [{"text": "得分"}], [None])):
        with pytest.raises(JixiaoError) as err:
            est.fit(X, y)
        assert err.value.code == E.E_BAD_LABEL


# ---------------------------------------------------------------- the registry
def test_registry_refuses_unknown_names():
    with pytest.raises(UsageError) as err:
        E.get("tfidf_logreg.v99")
    assert err.value.code == E.E_UNKNOWN_MODEL and "tfidf_logreg.v1" in err.value.message
    assert {"tfidf_logreg.v1", "transformer_cls.v1", "role_logreg.v1", "header_cells.v1",
            "ner_tagger.v1"} <= set(E.registered())


def test_loading_never_follows_an_import_path(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "os.system", "params": {}}), encoding="utf-8")
    with pytest.raises(UsageError) as err:
        E.load_estimator(tmp_path)
    assert err.value.code == E.E_UNKNOWN_MODEL


def test_register_refuses_a_second_class_under_a_taken_name():
    with pytest.raises(JixiaoError) as err:
        @E.register("tfidf_logreg.v1")
        class Impostor(E.Estimator):
            pass
    assert err.value.code == E.E_DUPLICATE
    assert E.get("tfidf_logreg.v1") is TfidfLogReg
