"""Cross-validation: leave-one-document-out by default, or given splits; per-fold and pooled reports."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

from jixiao.errors import E_FIT_PREDICT, E_FOLDS, JixiaoError, UsageError
from jixiao.evaluation.predictions import as_paras, predictions_from_output
from jixiao.evaluation.records import record_from_para
from jixiao.evaluation.scores import EvalReport
from jixiao.evaluation.scoring import evaluate

def lodo_splits(doc_ids: Iterable[str]) -> list[tuple[list[str], str]]:
    """Leave-one-document-out folds ``(train ids, test id)``, sorted and deterministic.

    >>> lodo_splits(["b", "a", "c"])
    [(['b', 'c'], 'a'), (['a', 'c'], 'b'), (['a', 'b'], 'c')]
    """
    ids = sorted(set(doc_ids))
    if len(ids) < 2:
        raise UsageError(E_FOLDS, f"leave-one-document-out needs at least 2 gold documents, got {len(ids)}")
    return [([d for d in ids if d != test], test) for test in ids]


@dataclass
class FoldReport:
    """One fold: the held-out document, the training documents and the evaluation."""

    test_id: str
    train_ids: list[str]
    report: EvalReport


@dataclass
class CVReport:
    """Per-fold reports and the pooled report over all folds' predictions together."""

    folds: list[FoldReport]
    pooled: EvalReport

    def to_dict(self) -> dict[str, Any]:
        return {
            "folds": [{"test_id": f.test_id, "train_ids": f.train_ids, "report": f.report.to_dict()}
                      for f in self.folds],
            "pooled": self.pooled.to_dict(),
        }


def cross_validate(gold: Mapping[str, Sequence[Mapping[str, Any]]],
                   fit_predict: Callable[[dict[str, list], dict[str, list]], Any],
                   splits: Sequence[tuple[Sequence[str], Sequence[str], str]] | None = None) -> CVReport:
    """Cross-validation: ``fit_predict(train_gold, test_gold)`` returns predictions for the
    held-out documents (records per document, a list of records, or output documents).

    ``splits`` lists ``(train ids, test ids, fold name)``; the default is leave-one-document-out
    over ``gold``. Pooled figures are computed over the concatenation of every fold's predictions
    (not the mean of fold figures), on the documents some fold tested.

    Example::

        cv = cross_validate(load_gold("corpus/gold"), lambda train, test: model.fit(train).predict(test))
        cv.pooled.entities.micro.f1
    """
    if splits is None:
        splits = [(train_ids, [test_id], test_id) for train_ids, test_id in lodo_splits(gold)]
    folds: list[FoldReport] = []
    pooled_pred: dict[str, list[dict[str, Any]]] = {}
    tested: list[str] = []
    for train_ids, test_ids, name in splits:
        missing = [d for d in list(train_ids) + list(test_ids) if d not in gold]
        if missing:
            raise UsageError(E_FOLDS, f"fold {name}: no gold for {missing[:3]}")
        train_gold = {d: list(gold[d]) for d in train_ids}
        test_gold = {d: list(gold[d]) for d in test_ids}
        raw = fit_predict(train_gold, test_gold)
        default_id = test_ids[0] if len(test_ids) == 1 else None
        try:
            if isinstance(raw, Mapping):
                pred = {d: [record_from_para(p) for p in paras] for d, paras in as_paras(raw).items()}
            else:
                items = [r if "doc_id" in r or default_id is None else {"doc_id": default_id, **r} for r in raw]
                pred = predictions_from_output(items)
        except TypeError as exc:
            raise JixiaoError(E_FIT_PREDICT, f"fit_predict returned {type(raw).__name__} for fold {name}; "
                              "return records per document or a list of records") from exc
        pred = {d: recs for d, recs in pred.items() if d in test_gold}
        folds.append(FoldReport(name, list(train_ids), evaluate(test_gold, pred)))
        pooled_pred.update(pred)
        tested.extend(d for d in test_ids if d not in tested)
    return CVReport(folds, evaluate({d: gold[d] for d in tested}, pooled_pred))
