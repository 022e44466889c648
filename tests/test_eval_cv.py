"""Leave-one-document-out splits, per-fold and pooled reports."""
from __future__ import annotations

import pytest
from rich.console import Console

from jixiao.errors import JixiaoError
from jixiao.evaluation import cross_validate, lodo_splits, render_cv_report

A = "资金8684万元"
B = "收入12万元，支出8万元，结余4万元"


def amounts(text: str, numbers: list[str]) -> list[list]:
    spans, position = [], 0
    for number in numbers:
        start = text.index(number, position)
        spans.append([start, start + len(number), "AMOUNT"])
        position = start + len(number)
    return spans


GOLD = {
    "docA": [{"doc_id": "docA", "para": 0, "text": A, "labels": ["经验做法"], "roles": [],
              "entities": amounts(A, ["8684"])}],
    "docB": [{"doc_id": "docB", "para": 0, "text": B, "labels": ["经验做法"], "roles": [],
              "entities": amounts(B, ["12", "8", "4"])}],
}


def test_lodo_splits_sorted_and_deterministic():
    assert lodo_splits(["c", "a", "b", "a"]) == [(["b", "c"], "a"), (["a", "c"], "b"), (["a", "b"], "c")]
    with pytest.raises(JixiaoError, match="E360"):
        lodo_splits(["only"])


def fit_predict(train, test):
    """Perfect on docA, predicts nothing on docB; checks that the test document is never trained on."""
    (test_id,) = test
    assert test_id not in train and len(train) == 1
    if test_id == "docA":
        return test                                           # dict of records
    return [{"para": 0, "text": B, "labels": [], "roles": [], "entities": []}]   # list without doc_id


def test_pooled_is_not_the_mean_of_folds():
    cv = cross_validate(GOLD, fit_predict)
    assert [f.test_id for f in cv.folds] == ["docA", "docB"]
    assert [f.train_ids for f in cv.folds] == [["docB"], ["docA"]]
    fold_f1 = [f.report.entities.per_type["AMOUNT"].f1 for f in cv.folds]
    assert fold_f1 == [1.0, 0.0]                              # mean 0.5
    pooled = cv.pooled.entities.per_type["AMOUNT"]
    assert (pooled.precision, pooled.recall, pooled.support) == (1.0, 0.25, 4)
    assert pooled.f1 == pytest.approx(0.4)
    assert cv.pooled.labels.per_class["经验做法"].recall == 0.5
    data = cv.to_dict()
    assert data["pooled"]["entities"]["per_type"]["AMOUNT"]["support"] == 4
    assert data["folds"][1]["test_id"] == "docB"


def test_cross_validate_rejects_wrong_return_type():
    with pytest.raises(JixiaoError, match="E361"):
        cross_validate(GOLD, lambda train, test: 42)


def test_render_cv_report_has_one_row_per_fold_and_pooled():
    console = Console(record=True, width=200)
    console.print(render_cv_report(cross_validate(GOLD, fit_predict)))
    text = console.export_text()
    for needle in ("Entity F1 per fold", "Paragraph label F1 per fold", "docA", "docB", "pooled", "0.400",
                   "经验做法", "AMOUNT"):
        assert needle in text
    entity_table = text.split("Paragraph label F1")[0]
    assert entity_table.count("pooled") == 1 and entity_table.count("docA") == 1
