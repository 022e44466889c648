"""The header-cell classifier of indicator/scoring tables as an estimator (``header_cells.v1``).

A header cell (in :func:`jixiao.structure.header_key` form: 「预算数（万元）」 → 「预算数」) gets the role
of the column below it: ``name``, ``target``, ``actual``, ``score``, ``amount`` or ``other``. TF-IDF over
character 1–3-grams + multinomial logistic regression (scikit-learn), fitted once per distinct cell
(its majority role, weighted by how often it was seen). The fitted model is the JSON that
:class:`jixiao.structure.HeaderClassifier` runs in plain Python (``model.json``: vocabulary, idf,
coefficients rounded to 6 decimals), and predictions come from that runtime, so what is saved is what
the pipeline runs; ``fit`` checks it against scikit-learn's probabilities.

>>> X = [{"text": t} for t in ("年度指标值", "目标值", "实际完成值", "完成值", "分值", "得分")]
>>> clf = HeaderCellClassifier(C=100.0).fit(X, ["target", "target", "actual", "actual", "score", "score"])
>>> clf.predict([{"text": "指标值"}, {"text": "完成情况"}, {"text": "甲乙"}])
['target', 'actual', None]
"""
from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from jixiao.errors import JixiaoError
from jixiao.models.estimator import (
    E_BAD_ARRAYS, E_BAD_DATA, E_BAD_LABEL, Estimator, Item, check_items, read_config, read_json, register,
    write_config,
)
from jixiao.models.paragraph_cls import known_params

#: n-gram lengths of the character TF-IDF (fixed: the runtime reads them from model.json).
NGRAM_RANGE = (1, 3)


def majority_cells(texts: Sequence[str], roles: Sequence[str]) -> tuple[list[str], list[str], list[int]]:
    """Distinct cells (sorted), the most frequent role of each (ties: the one seen first), and how
    often each was seen.

    >>> majority_cells(["得分", "分值", "得分", "得分"], ["score", "score", "other", "score"])
    (['分值', '得分'], ['score', 'score'], [1, 3])
    """
    by_key: dict[str, Counter] = defaultdict(Counter)
    for text, role in zip(texts, roles):
        by_key[text][role] += 1
    keys = sorted(by_key)
    return keys, [by_key[k].most_common(1)[0][0] for k in keys], [sum(by_key[k].values()) for k in keys]


@register("header_cells.v1")
class HeaderCellClassifier(Estimator):
    """Role of a table header cell (``y``: one role string per cell).

    Args:
        C: inverse regularisation strength of the logistic regression.
        min_proba: the runtime (:func:`jixiao.structure.classify_header`) takes the classifier's role
            only from this probability on; stored in ``model.json``.
    """

    def __init__(self, C: float = 10.0, min_proba: float = 0.6):
        self.C = C
        self.min_proba = min_proba

    def fit(self, X: Sequence[Item], y: Sequence[str]) -> "HeaderCellClassifier":
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        items = check_items(X, y)
        if not items:
            raise JixiaoError(E_BAD_DATA, "cannot fit on zero header cells; give at least one cell with its role")
        for i, role in enumerate(y):
            if not isinstance(role, str) or not role:
                raise JixiaoError(E_BAD_LABEL, f"target {i} is {role!r}; give each header cell a role string")
        keys, labels, weights = majority_cells([it["text"] for it in items], list(y))
        vec = TfidfVectorizer(analyzer="char", ngram_range=NGRAM_RANGE, lowercase=False)
        Xv = vec.fit_transform(keys)
        classes = sorted(set(labels))
        if len(classes) == 1:  # nothing to separate: the one role everywhere
            coef, intercept, proba = np.zeros((1, Xv.shape[1])), np.zeros(1), np.ones((len(keys), 1))
        else:
            clf = LogisticRegression(C=self.C, max_iter=5000).fit(Xv, labels, sample_weight=weights)
            classes = [str(c) for c in clf.classes_]
            coef, intercept, proba = clf.coef_, clf.intercept_, clf.predict_proba(Xv)
            if len(classes) == 2:  # binary LR gives one row (class 1 vs class 0): a row per class
                coef, intercept = np.vstack([-coef[0] / 2, coef[0] / 2]), np.array([-intercept[0], intercept[0]]) / 2
        self.data_ = {
            "type": self.registered_name, "labels": classes, "ngram_range": list(NGRAM_RANGE),
            "vocabulary": {k: int(v) for k, v in sorted(vec.vocabulary_.items(), key=lambda kv: kv[1])},
            "idf": [round(float(x), 6) for x in vec.idf_],
            "coef": [[round(float(x), 6) for x in row] for row in coef],
            "intercept": [round(float(x), 6) for x in intercept],
            "min_proba": self.min_proba,
        }
        self._set_runtime()
        worst = max(abs(self.runtime_.predict(k)[1] - proba[i].max()) for i, k in enumerate(keys))
        if worst > 1e-3:
            raise RuntimeError(f"the JSON runtime differs from scikit-learn by {worst:.4f}")
        self.metrics_ = {"distinct_cells": len(keys), "header_cells": int(sum(weights)),
                         "roles": dict(Counter(labels)), "runtime_max_abs_diff": round(float(worst), 6)}
        return self

    def _set_runtime(self) -> None:
        from jixiao.structure import HeaderClassifier

        self.runtime_ = HeaderClassifier(self.data_)

    def predict_proba(self, X: Sequence[Item]) -> np.ndarray:
        """Role probabilities, shape ``(len(X), n_roles)`` (columns: ``model.json``'s labels); a cell without a known n-gram gets
        the intercepts' distribution."""
        self._check_fitted("runtime_")
        items = check_items(X)
        return np.array([self.runtime_.probabilities(it["text"]) for it in items]).reshape(
            len(items), len(self.runtime_.labels))

    def predict(self, X: Sequence[Item]) -> list[str | None]:
        """The most probable role per cell, ``None`` for a cell without a known n-gram (as the runtime)."""
        self._check_fitted("runtime_")
        return [self.runtime_.predict(it["text"])[0] for it in check_items(X)]

    def save(self, folder: str | Path, extra: Mapping[str, Any] | None = None) -> Path:
        """``config.json`` and ``model.json`` (what the runtime reads; ``extra`` keys are added to it)."""
        import json

        self._check_fitted("runtime_")
        folder = Path(folder)
        write_config(folder, self, {"labels": self.runtime_.labels, "files": ["model.json"]})
        data = {**self.data_, "metrics": getattr(self, "metrics_", {}), **(extra or {})}
        (folder / "model.json").write_text(json.dumps(data, ensure_ascii=False, indent=0), encoding="utf-8")
        card = folder / "README.md"
        if not card.exists():
            card.write_text(f"# {self.registered_name}\n\nTable header-cell roles ({', '.join(self.runtime_.labels)}). "
                            "`jixiao train headers` trains it on the written corpus' tables.\n", encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> "HeaderCellClassifier":
        """A folder with ``config.json`` + ``model.json``, or one with ``model.json`` only (written
        before the classifier was an estimator, e.g. ``models/headers``)."""
        folder = Path(folder)
        if (folder / "config.json").is_file() or not (folder / "model.json").is_file():
            params = read_config(folder, expect=cls.registered_name).get("params", {})
        else:
            params = None
        data = read_json(folder / "model.json")
        if not isinstance(data, dict) or data.get("type") != cls.registered_name:
            raise JixiaoError(E_BAD_ARRAYS, f"model.json is not a {cls.registered_name} model; re-train it",
                              path=str(folder))
        est = cls(**known_params(cls, params)) if params is not None else cls(min_proba=data.get("min_proba", 0.6))
        est.data_ = {k: data[k] for k in ("type", "labels", "ngram_range", "vocabulary", "idf", "coef", "intercept",
                                          "min_proba") if k in data}
        try:
            est._set_runtime()
        except (KeyError, TypeError) as exc:
            raise JixiaoError(E_BAD_ARRAYS, f"model.json lacks {exc}; re-train the model", path=str(folder)) from None
        if len(est.runtime_.coef) != len(est.runtime_.labels):
            raise JixiaoError(E_BAD_ARRAYS, "model.json has a coefficient row per label missing; re-train the model",
                              path=str(folder))
        if "metrics" in data:
            est.metrics_ = data["metrics"]
        return est
