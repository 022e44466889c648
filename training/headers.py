"""Train the header-cell classifier of indicator/scoring tables (``jixiao train headers``).

Training data are the header cells of the written corpus' tables (``corpus/written/gold``): the first row of
every table, each cell labelled by what the gold says its column holds below it — INDICATOR cells → ``name``,
TARGET → ``target``, ACTUAL → ``actual``, SCORE → ``score``, AMOUNT → ``amount``, nothing → ``other`` (the
majority over the body rows, at least 60 % of them and two rows). The model is the estimator
:class:`jixiao.models.headers.HeaderCellClassifier` (``header_cells.v1``): TF-IDF over character 1–3-grams with a
multinomial logistic regression (scikit-learn), saved as JSON (vocabulary, idf, coefficients) and run in plain
Python by :class:`jixiao.structure.HeaderClassifier`, so nothing is pickled. The lexicon in
``configs/table_headers.yaml`` answers first; the classifier only decides cells the lexicon does not know.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

TYPE_ROLE = {"INDICATOR": "name", "TARGET": "target", "ACTUAL": "actual", "SCORE": "score", "AMOUNT": "amount",
             "UNIT": "amount", None: "other"}


def header_examples(gold_dir: Path) -> Counter:
    """``Counter((header key, role))`` over the first rows of the gold tables."""
    from jixiao.evaluation import load_gold
    from jixiao.structure import header_key

    examples: Counter = Counter()
    for records in load_gold(gold_dir).values():
        table: list[dict[str, Any]] = []
        for r in records + [{"text": "", "entities": []}]:
            if "\t" in r["text"]:
                table.append(r)
                continue
            if len(table) >= 3:
                _label_table(table, examples, header_key)
            table = []
    return examples


def _label_table(table: list[dict[str, Any]], examples: Counter, header_key) -> None:
    head = table[0]["text"].split("\t")
    columns: dict[int, Counter] = defaultdict(Counter)
    for r in table[1:]:
        cells, pos = r["text"].split("\t"), 0
        if len(cells) != len(head):
            continue
        for j, c in enumerate(cells):
            s, e = pos, pos + len(c)
            pos = e + 1
            types = [x[2] for x in r["entities"] if x[0] >= s and x[1] <= e]
            columns[j][types[0] if types else None] += 1
    for j, counts in columns.items():
        key = header_key(head[j])
        if not key or re.search(r"\d", key) and not re.search(r"月|年", key):
            continue
        typ, n = counts.most_common(1)[0]
        if sum(counts.values()) >= 2 and n >= 0.6 * sum(counts.values()):
            examples[(key, TYPE_ROLE.get(typ, "other"))] += 1


def train_headers(gold_dir: Path, out_dir: Path, C: float = 10.0, min_proba: float = 0.6) -> dict[str, Any]:
    """Fit :class:`jixiao.models.headers.HeaderCellClassifier` (which checks that the JSON runtime reproduces
    scikit-learn's probabilities), cross-validate it over the distinct cells, and write the model folder."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    from jixiao.models.headers import NGRAM_RANGE, HeaderCellClassifier, majority_cells

    examples = header_examples(gold_dir)
    texts = [key for (key, _role), n in examples.items() for _ in range(n)]
    roles = [role for (_key, role), n in examples.items() for _ in range(n)]
    est = HeaderCellClassifier(C=C, min_proba=min_proba).fit([{"text": t} for t in texts], roles)
    keys, labels, _weights = majority_cells(texts, roles)
    X = TfidfVectorizer(analyzer="char", ngram_range=NGRAM_RANGE, lowercase=False).fit_transform(keys)
    folds = min(5, min(Counter(labels).values()))
    cv = cross_val_score(LogisticRegression(C=C, max_iter=5000), X, labels, cv=folds) if folds >= 2 else []
    fitted = dict(est.metrics_)
    metrics = {**{k: fitted[k] for k in ("distinct_cells", "header_cells", "roles")},
               "cv_accuracy_distinct_cells": round(float(np.mean(cv)), 3) if len(cv) else None,
               "cv_folds": folds, "runtime_max_abs_diff": fitted["runtime_max_abs_diff"]}
    est.save(out_dir, extra={"metrics": metrics, "trained_on": str(gold_dir)})
    return metrics
