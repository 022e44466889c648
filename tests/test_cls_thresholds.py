"""Per-label thresholds of the paragraph classifier: tuned by inner CV on the training documents of
a fold only, inside ``threshold_band``; the held-out document never sets one."""
from __future__ import annotations

import numpy as np
import pytest

from jixiao.errors import UsageError
from jixiao.evaluation import load_gold
from jixiao.models import paragraph_cls
from jixiao.models.paragraph_cls import LABELS, TfidfLogReg, threshold_grid
from training.cls import ClsConfig, estimator_fit_predict, gold_items, load_config, lodo_predict, make_estimator

from test_cls_training import DOCS, gold_dir  # noqa: F401  (gold_dir is a fixture; tests/ is on sys.path)


@pytest.fixture(scope="module")
def gold(gold_dir):  # noqa: F811
    return load_gold(gold_dir)


def test_threshold_grid_band():
    assert threshold_grid(None) is None
    grid = threshold_grid([0.3, 0.7])
    assert grid[0] == 0.3 and grid[-1] == 0.7 and 0.5 in grid.tolist()
    for bad in ([0.6, 0.7], [0.0, 0.6], [0.4, 1.0]):
        with pytest.raises(UsageError):
            threshold_grid(bad)


def _make():
    return TfidfLogReg(min_df=1, threshold_folds=5, threshold_band=[0.4, 0.6])


def test_a_threshold_is_never_set_from_a_held_out_document(gold, monkeypatch):
    """Spy on every fit and every threshold search of a LODO run: no fit of a fold sees the held-out
    document, and each threshold search only gets out-of-fold scores of that fold's training
    paragraphs (one score per training paragraph, none of the held-out one)."""
    fits: list[set[str]] = []
    searches: list[int] = []
    real_fit, real_best = TfidfLogReg.fit, paragraph_cls.best_threshold

    def spy_fit(self, X, y):
        fits.append({it["context"]["doc_id"] for it in X})
        return real_fit(self, X, y)

    def spy_best(y_true, scores, **kw):
        searches.append(len(y_true))
        assert not np.isnan(np.asarray(scores, dtype=float)).any()
        return real_best(y_true, scores, **kw)

    monkeypatch.setattr(TfidfLogReg, "fit", spy_fit)
    monkeypatch.setattr(paragraph_cls, "best_threshold", spy_best)
    _, folds = lodo_predict(gold, estimator_fit_predict(_make))
    assert len(fits) == len(folds) == len(DOCS)
    n_paragraphs = {d: len(v) for d, v in gold.items()}
    for k, fold in enumerate(folds):
        assert fold.doc_id not in fits[k]
        train_size = sum(n for d, n in n_paragraphs.items() if d != fold.doc_id)
        assert searches[k * len(LABELS):(k + 1) * len(LABELS)] == [train_size] * len(LABELS)
        assert all(0.4 <= t <= 0.6 for t in fold.thresholds.values())


def test_banded_fold_thresholds_equal_a_fit_on_the_training_documents(gold):
    _, folds = lodo_predict(gold, estimator_fit_predict(_make))
    for f in folds:
        X, y = gold_items({d: v for d, v in gold.items() if d != f.doc_id})
        assert f.thresholds == _make().fit(X, y).thresholds_


def test_default_config_tunes_thresholds_inside_a_band():
    """configs/cls.yaml: inner CV on, thresholds kept inside the band (see the comment there)."""
    cfg = load_config("configs/cls.yaml", ClsConfig)
    est = make_estimator(cfg, "tfidf_logreg.v1")
    assert est.threshold_folds > 1
    lo, hi = est.threshold_band
    assert lo <= 0.5 <= hi and 0.0 < lo and hi < 1.0  # a band, not the whole grid (see configs/cls.yaml)
