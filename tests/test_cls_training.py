"""Leave-one-document-out training of the paragraph and role classifiers on a tiny inline gold
corpus: folds, no leakage of the held-out document, rule baseline, CLI and model folders."""
from __future__ import annotations

import json

import pytest

from jixiao.errors import JixiaoError
from jixiao.evaluation import load_gold
from jixiao.models.estimator import E_NO_GOLD, load_estimator
from jixiao.models.paragraph_cls import LABELS, TfidfLogReg
from training.cls import (
    ClsConfig, estimator_fit_predict, gold_items, load_gold_or_fail, lodo_predict, rules_fit_predict, run_cls,
)
from training.roles import gold_units, rules_roles

P, A, S = "存在问题", "建议", "经验做法"


def _doc(doc_id, paras):
    out = []
    for i, (text, labels, roles) in enumerate(paras):
        out.append({"doc_id": doc_id, "para": i, "text": text, "labels": labels, "roles": roles, "entities": []})
    return out


DOCS = {
    "d1": _doc("d1", [
        ("一、基本情况", [], []),
        ("2018年基金收入8684万元，支出8183万元。", [], []),
        ("二、主要经验及做法", [], []),
        ("一是健全综合内控制度。从组织机构等方面制定内控制度。", [S], []),
        ("二是建立考核考评制度。及时调整完善内控考核办法。", [S], []),
        ("三、存在问题和建议", [], []),
        ("1. 基金扩面征缴难度大。主要原因是受经济下行影响。", [P], [[0, 13, "问题"], [13, 26, "原因"]]),
        ("2. 进一步加强基金监管。建议完善稽核制度。", [A], [[0, 13, "措施"], [13, 22, "措施"]]),
    ]),
    "d2": _doc("d2", [
        ("一、项目概况", [], []),
        ("项目资金共计355万元，全部用于医保经办。", [], []),
        ("二、存在问题", [], []),
        ("1. 绩效目标编制不全面，考核指标有待完善。", [P], [[0, 22, "问题"]]),
        ("2. 预算编制不准确。由于人员不足执行不够。", [P], [[0, 11, "问题"], [11, 22, "原因"]]),
        ("三、有关对策建议", [], []),
        ("1. 加强预算绩效管理。进一步规范绩效指标设置。", [A], [[0, 12, "措施"], [12, 24, "措施"]]),
        ("四、主要做法", [], []),
        ("抓规范管理，确保工作有序运行，建立了内控制度。", [S], []),
    ]),
    "d3": _doc("d3", [
        ("一、基本情况", [], []),
        ("职工医疗保险参保人数12732人。", [], []),
        ("二、经验做法", [], []),
        ("加强业务学习，提高为民服务能力，开展了培训。", [S], []),
        ("三、存在的问题", [], []),
        ("财务专业人员匮乏。受疫情影响，外出受限。", [P], [[0, 9, "问题"], [9, 20, "原因"]]),
        ("四、下一步工作计划", [], []),
        ("一是要大力推进全民参保。二是加强基金管理。", [A], [[0, 12, "措施"], [12, 21, "措施"]]),
    ]),
}


@pytest.fixture(scope="module")
def gold_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("cls_gold")
    for doc_id, recs in DOCS.items():
        (d / f"{doc_id}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs),
                                           encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def gold(gold_dir):
    return load_gold(gold_dir)


def test_gold_items_recompute_section_paths(gold):
    X, y = gold_items(gold)
    assert len(X) == sum(len(v) for v in DOCS.values())
    i = next(i for i, it in enumerate(X) if it["text"].startswith("1. 基金扩面"))
    assert X[i]["section"] == ["三、存在问题和建议"] and y[i] == [P]
    assert X[i]["context"] == {"doc_id": "d1", "para": 6}


def test_held_out_document_never_reaches_fit(gold):
    seen = []

    def spy(Xtr, ytr, Xte):
        seen.append(({it["context"]["doc_id"] for it in Xtr}, {it["context"]["doc_id"] for it in Xte}))
        return rules_fit_predict(Xtr, ytr, Xte)

    lodo_predict(gold, spy)
    assert [te for _, te in seen] == [{"d1"}, {"d2"}, {"d3"}]
    assert all(not (tr & te) and len(tr) == 2 for tr, te in seen)


def test_fold_thresholds_are_tuned_on_the_training_documents_alone(gold):
    """Thresholds of each fold equal those of a fit on that fold's training documents only; tuning
    on the held-out document (a leak) would change them: check that it would."""
    make = lambda: TfidfLogReg(min_df=1, threshold_folds=2)  # noqa: E731
    _, folds = lodo_predict(gold, estimator_fit_predict(make))
    X_all, y_all = gold_items(gold)
    leaked_differs = False
    for f in folds:
        X, y = gold_items({d: v for d, v in gold.items() if d != f.doc_id})
        assert f.thresholds == make().fit(X, y).thresholds_
        # The same data with the held-out document's labels scrambled must not matter to the fold.
        leaked = make().fit(X_all, [list(LABELS) if it["context"]["doc_id"] == f.doc_id else lab
                                    for it, lab in zip(X_all, y_all)]).thresholds_
        leaked_differs |= leaked != f.thresholds
    assert leaked_differs


def test_rule_baseline_folds_and_pooled_scores(gold):
    report, folds = lodo_predict(gold, rules_fit_predict)
    assert [f.test_id for f in report.folds] == ["d1", "d2", "d3"]
    assert 0.0 <= report.pooled.labels.macro.f1 <= 1.0
    assert sum(len(f.items) for f in folds) == sum(len(v) for v in DOCS.values())


def test_missing_gold_is_a_clear_error(tmp_path):
    with pytest.raises(JixiaoError) as err:
        load_gold_or_fail(tmp_path / "nothing")
    assert err.value.code == E_NO_GOLD


def test_gold_units_and_rules_baseline(gold):
    units = gold_units(gold)
    assert units.roles.count("原因") == 3 and None not in units.roles
    assert set(rules_roles(units.items)) <= {"问题", "原因", "措施", None}


def test_train_cls_with_cv_writes_a_complete_model_folder(gold_dir, tmp_path):
    cfg = ClsConfig(gold=str(gold_dir), corpus=None, output=str(tmp_path / "cls"), errors=3,
                    tfidf_logreg={"min_df": 1, "threshold_folds": 2})
    metrics = run_cls(cfg, cv=True, log=lambda s: None)
    out = tmp_path / "cls"
    assert set(metrics["cv"]) == {"seeds_lodo"}  # no corpus: neither corpus_loko nor transfer has folds
    cv = metrics["cv"]["seeds_lodo"]
    assert set(cv) == {"tfidf_logreg.v1", "rules"}
    assert [f["test_doc"] for f in cv["rules"]["folds"]] == ["d1", "d2", "d3"]
    assert set(cv["tfidf_logreg.v1"]["pooled"]["per_label"]) == set(LABELS)
    for name in ("config.json", "model.safetensors", "vocab.json", "thresholds.json", "metrics.json", "README.md",
                 "config.yaml", "errors.md", "jieba_dict.txt"):
        assert (out / name).is_file(), name
    card = (out / "README.md").read_text(encoding="utf-8")
    assert metrics["data_hash"] in card and "d2" in card and "Leave-one-document-out" in card
    assert "Worst confusions of tfidf_logreg.v1: seeds_lodo" in (out / "errors.md").read_text(encoding="utf-8")
    model = load_estimator(out)
    X, _ = gold_items(load_gold(gold_dir))
    assert model.predict_proba(X).shape == (len(X), 3)
    # Seeded: a second run gives the same figures.
    again = run_cls(cfg, cv=True, log=lambda s: None)
    for res in list(again["cv"]["seeds_lodo"].values()) + list(cv.values()):
        res.pop("seconds")
    assert again["cv"] == metrics["cv"]


def test_cli_train_roles(gold_dir, tmp_path):
    from typer.testing import CliRunner

    from jixiao.cli import app

    out = tmp_path / "roles"
    result = CliRunner().invoke(app, ["train", "roles", "--cv", "--config", "configs/roles.yaml",
                                      "--gold", str(gold_dir), "--corpus", "null", "--output", str(out),
                                      "--role_logreg.C", "10"])
    assert result.exit_code == 0, result.output
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["n_units"] == 13 and set(metrics["cv"]) == {"seeds_lodo"}
    assert set(metrics["cv"]["seeds_lodo"]) == {"role_logreg.v1", "rules"}
    assert json.loads((out / "config.json").read_text(encoding="utf-8"))["params"]["C"] == 10
    assert "span macro-F1" in (out / "README.md").read_text(encoding="utf-8")


def test_cli_rejects_unknown_config_keys(gold_dir, tmp_path):
    from typer.testing import CliRunner

    from jixiao.cli import app

    result = CliRunner().invoke(app, ["train", "cls", "--config", "configs/cls.yaml", "--tfidf_logreg.bogus", "1",
                                      "--gold", str(gold_dir), "--output", str(tmp_path / "x")])
    assert result.exit_code != 0
    assert "E420" in result.output and "bogus" in result.output
    assert not (tmp_path / "x").exists()


def test_cli_cv_cls_prints_pooled_figures_and_writes_nothing(gold_dir, tmp_path):
    from typer.testing import CliRunner

    from jixiao.cli import app

    out = tmp_path / "never"
    result = CliRunner().invoke(app, ["cv", "cls", "--config", "configs/cls.yaml", "--gold", str(gold_dir),
                                      "--corpus", "null", "--output", str(out), "--tfidf_logreg.min_df", "1",
                                      "--compare", "[]"])
    assert result.exit_code == 0, result.output
    pooled = json.loads(result.stdout[result.stdout.index("{"):])["seeds_lodo"]
    assert set(pooled) == {"tfidf_logreg.v1", "rules"} and 0 <= pooled["rules"]["macro_f1"] <= 1
    assert not out.exists()
