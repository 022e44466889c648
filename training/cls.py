"""Train and cross-validate the paragraph-label classifier (``jixiao train cls``).

Wiring only: data from :func:`jixiao.evaluation.load_gold`, section paths from
:func:`jixiao.structure.section_paths`, folds and scores from :func:`jixiao.evaluation.cross_validate`,
estimators from the registry. Leave-one-document-out runs every configured model and the rule
baseline (:func:`jixiao.rules.labels.label_paragraph`) on the same folds.

Example::

    cfg = load_config("configs/cls.yaml", ClsConfig, ["--tfidf_logreg.C", "2"])
    result = run_cls(cfg, cv=True)            # writes models/cls/ with metrics.json and README.md
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from jixiao.errors import JixiaoError, UsageError
from jixiao.models.estimator import E_BAD_CONFIG, E_NO_GOLD, Estimator, get, write_json
from training.card import with_card_header, write_card  # noqa: F401
from training.config import load_config, parse_overrides  # noqa: F401  (re-exported for the CLI)
from jixiao.models.paragraph_cls import LABELS, decide

Gold = Mapping[str, Sequence[Mapping[str, Any]]]
Log = Callable[[str], None]
RULES = "rules"


# ---------------------------------------------------------------------------------------------
# Configuration


@dataclass
class ClsConfig:
    """``configs/cls.yaml``. ``model`` is the registered type trained as the default; ``compare``
    lists further types cross-validated beside it; per-type parameters sit under the name before
    the version (``tfidf_logreg``, ``transformer_cls``)."""

    model: str = "tfidf_logreg.v1"
    gold: str | None = "corpus/gold"          # real seed reports (seeds_lodo, transfer test set)
    corpus: str | None = "corpus/written"     # written corpus: gold/ + documents.json (kinds)
    data: list[str] = field(default_factory=list)   # further gold files/folders, trained on as corpus
    protocols: list[str] = field(default_factory=lambda: ["seeds_lodo", "corpus_loko", "transfer"])
    output: str = "jixiao_models/cls"
    seed: int = 0
    num_threads: int = 1
    compare: list[str] = field(default_factory=list)
    variants: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: int = 10
    tfidf_logreg: dict[str, Any] = field(default_factory=dict)
    transformer_cls: dict[str, Any] = field(default_factory=dict)


def make_estimator(cfg: Any, name: str) -> Estimator:
    """An unfitted estimator of the registered type ``name`` with its parameters from ``cfg``.

    ``name@variant`` takes the type's parameters updated with ``cfg.variants[variant]`` (an ablation
    cross-validated beside the model, e.g. ``tfidf_logreg.v1@no_rules``).

    >>> make_estimator(ClsConfig(tfidf_logreg={"C": 2.0}), "tfidf_logreg.v1").C
    2.0
    >>> make_estimator(ClsConfig(variants={"no_rules": {"rule_features": False}}), "tfidf_logreg.v1@no_rules").rule_features
    False
    """
    base, _, variant = name.partition("@")
    est_cls = get(base)
    section = base.split(".v")[0]
    params = dict(getattr(cfg, section, None) or {})
    if variant:
        extra = (getattr(cfg, "variants", None) or {}).get(variant)
        if extra is None:
            raise UsageError(E_BAD_CONFIG, f"{name}: no variant {variant!r} under `variants:` in the config")
        params.update(extra)
    est = est_cls()
    valid = est.get_params()
    if "seed" in valid and "seed" not in params:
        params["seed"] = cfg.seed
    if "num_threads" in valid and "num_threads" not in params:
        params["num_threads"] = cfg.num_threads
    try:
        return est.set_params(**params)
    except UsageError as exc:
        raise UsageError(E_BAD_CONFIG, f"{section}: {exc.message}") from None


# ---------------------------------------------------------------------------------------------
# Data


def load_gold_or_fail(folder: str | Path) -> dict[str, list[dict[str, Any]]]:
    """Gold records per document: :func:`jixiao.evaluation.load_gold` (E350 naming the path when there are none)."""
    from jixiao.evaluation import load_gold

    return load_gold(Path(folder))


def gold_items(gold: Gold) -> tuple[list[dict[str, Any]], list[list[str]]]:
    """Classifier items and label sets of every gold paragraph; section paths are recomputed from
    the paragraph texts of each document (gold stores none).

    >>> X, y = gold_items({"d": [{"para": 0, "text": "五、存在问题", "labels": []},
    ...                          {"para": 1, "text": "1. 预算编制不准确。", "labels": ["存在问题"]}]})
    >>> X[1]["section"], y[1]
    (['五、存在问题'], ['存在问题'])
    """
    from jixiao.models.paragraph_cls import paragraph_items
    from jixiao.structure import section_paths

    items: list[dict[str, Any]] = []
    y: list[list[str]] = []
    for doc_id in sorted(gold):
        records = sorted(gold[doc_id], key=lambda r: r["para"])
        texts = [r["text"] for r in records]
        for rec, item in zip(records, paragraph_items(texts, section_paths(texts))):
            item["context"] = {"doc_id": doc_id, "para": rec["para"]}
            items.append(item)
            y.append(list(rec.get("labels") or []))
    return items, y


def gold_hash(gold: Gold) -> str:
    """sha256 over document ids, paragraph texts, labels and roles (what these models learn from)."""
    h = hashlib.sha256()
    for doc_id in sorted(gold):
        for r in sorted(gold[doc_id], key=lambda r: r["para"]):
            h.update(json.dumps([doc_id, r["para"], r["text"], sorted(r.get("labels") or []),
                                 [list(x[:3]) for x in r.get("roles") or []]], ensure_ascii=False).encode("utf-8"))
    return h.hexdigest()


def rules_labels(items: Sequence[Mapping[str, Any]]) -> tuple[np.ndarray, list[list[str]]]:
    """The rule baseline's scores and label sets (score ≥ 0.5)."""
    from jixiao.rules.labels import label_paragraph

    scores = np.array([[label_paragraph(it["text"], list(it.get("section") or []),
                                        "table_row" if "\t" in it["text"] else "text").get(l, 0.0) for l in LABELS]
                       for it in items]).reshape(len(items), len(LABELS))
    return scores, decide(scores, LABELS, {l: 0.5 for l in LABELS})


# ---------------------------------------------------------------------------------------------
# Leave-one-document-out


@dataclass
class FoldPrediction:
    """What one model predicted for the held-out document of one fold."""

    doc_id: str
    items: list[dict[str, Any]]
    gold: list[list[str]]
    proba: np.ndarray
    pred: list[list[str]]
    thresholds: dict[str, float]


def lodo_predict(gold: Gold, fit_predict: Callable[[list, list, list], tuple[np.ndarray, list[list[str]], dict]],
                 log: Log = lambda s: None, splits: Sequence[tuple[Sequence[str], Sequence[str], str]] | None = None
                 ) -> tuple[Any, list[FoldPrediction]]:
    """Run ``fit_predict(train_items, train_y, test_items) -> (proba, labels, thresholds)`` over
    the folds of :func:`jixiao.evaluation.cross_validate` (leave-one-document-out unless ``splits``
    gives ``(train ids, test ids, name)``, as :mod:`training.protocols` does).

    The held-out documents' items are only ever passed as ``test_items``: nothing fitted (weights,
    vocabulary, thresholds) sees them.
    """
    from jixiao.evaluation import cross_validate

    folds: list[FoldPrediction] = []

    def one_fold(train_gold: Gold, test_gold: Gold):
        t0 = time.time()
        Xtr, ytr = gold_items(train_gold)
        Xte, yte = gold_items(test_gold)
        proba, pred, thresholds = fit_predict(Xtr, ytr, Xte)
        # as the runtime stage does: table rows are never classified (其他)
        pred = [[] if "\t" in it["text"] else list(p) for it, p in zip(Xte, pred)]
        name = next(iter(test_gold)) if len(test_gold) == 1 else f"{len(test_gold)} documents"
        folds.append(FoldPrediction(name, Xte, yte, np.asarray(proba), pred, dict(thresholds)))
        log(f"  fold {name}: {len(Xtr)} train / {len(Xte)} test paragraphs, {time.time() - t0:.1f}s")
        out: dict[str, list[dict[str, Any]]] = {}
        for it, p in zip(Xte, pred):
            out.setdefault(it["context"]["doc_id"], []).append(
                {"para": it["context"]["para"], "text": it["text"], "labels": p, "roles": [], "entities": []})
        return out

    return cross_validate(gold, one_fold, splits=splits), folds


def estimator_fit_predict(make: Callable[[], Estimator]):
    """A ``fit_predict`` for :func:`lodo_predict` from an estimator factory."""

    def fit_predict(Xtr, ytr, Xte):
        est = make().fit(Xtr, ytr)
        return est.predict_proba(Xte), est.predict(Xte), est.thresholds_

    return fit_predict


def rules_fit_predict(Xtr, ytr, Xte):
    """The rule baseline needs no training data."""
    scores, pred = rules_labels(Xte)
    return scores, pred, {l: 0.5 for l in LABELS}


def label_summary(report: Any) -> dict[str, Any]:
    """Macro/micro F1 and per-label P/R/F1/support of an ``EvalReport``'s paragraph labels."""
    lab = report.labels
    return {
        "macro_f1": round(lab.macro.f1, 4), "micro_f1": round(lab.micro.f1, 4),
        "per_label": {l: {"precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4),
                          "support": s.support} for l, s in lab.per_class.items()},
    }


def cv_summary(cv: Any, folds: Sequence[FoldPrediction], seconds: float) -> dict[str, Any]:
    return {
        "pooled": label_summary(cv.pooled),
        "folds": [{"test_doc": f.test_id, **label_summary(f.report)} for f in cv.folds],
        "thresholds": {f.test_id: fp.thresholds for f, fp in zip(cv.folds, folds)},
        "seconds": round(seconds, 1),
    }


def worst_confusions(folds: Sequence[FoldPrediction], n: int = 10) -> list[dict[str, Any]]:
    """The ``n`` paragraphs the model got most confidently wrong, pooled over folds.

    A false positive weighs its probability, a false negative one minus its probability; a
    paragraph counts once, with its worst label.

    >>> fp = FoldPrediction("d", [{"text": "x", "section": [], "context": {"para": 0}}], [["建议"]],
    ...                     np.array([[0.1, 0.9, 0.05]]), [["存在问题"]], {})
    >>> [(c["gold"], c["pred"], c["label"], c["kind"]) for c in worst_confusions([fp])]
    [(['建议'], ['存在问题'], '建议', 'FN')]
    """
    rows = []
    for f in folds:
        for it, g, p, pr in zip(f.items, f.gold, f.pred, f.proba):
            worst = None
            for j, lab in enumerate(LABELS):
                if (lab in g) == (lab in p):
                    continue
                kind = "FP" if lab in p else "FN"
                weight = float(pr[j]) if kind == "FP" else 1.0 - float(pr[j])
                if worst is None or weight > worst[0]:
                    worst = (weight, lab, kind)
            if worst:
                rows.append({"doc_id": (it.get("context") or {}).get("doc_id", f.doc_id), "para": it["context"].get("para"), "section": it.get("section"),
                             "text": it["text"], "gold": g, "pred": p, "label": worst[1], "kind": worst[2],
                             "weight": round(worst[0], 3),
                             "proba": {l: round(float(x), 3) for l, x in zip(LABELS, pr)}})
    rows.sort(key=lambda r: (-r["weight"], r["doc_id"], r["para"] or 0))
    return rows[:n]


def errors_markdown(title: str, rows: Sequence[Mapping[str, Any]], max_chars: int = 300) -> str:
    """The error analysis as Markdown (one block per confusion)."""
    out = [f"# {title}", "", f"{len(rows)} most confident errors, held-out predictions pooled over the folds.", ""]
    for i, r in enumerate(rows, 1):
        text = r["text"] if len(r["text"]) <= max_chars else r["text"][:max_chars] + "…"
        section = " › ".join(r.get("section") or []) or "(none)"
        out += [f"## {i}. {r['kind']} {r['label']} — {r['doc_id']} ¶{r['para']}", "",
                f"- gold: {r['gold'] or ['其他']}; predicted: {r['pred'] or ['其他']}; "
                f"weight {r['weight']}; scores {r.get('proba', {})}",
                f"- section: {section}", "", "> " + text.replace("\n", " "), ""]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# Model card


def _fmt(x: Any) -> str:
    return f"{x:.3f}" if isinstance(x, float) else str(x)


def protocol_table(res_by_model: Mapping[str, Any], labels: Sequence[str] = LABELS) -> list[str]:
    """Markdown rows: macro-F1 and P / R / F1 per label of each model under one protocol."""
    lines = ["| model | macro-F1 | " + " | ".join(f"{l} P / R / F1" for l in labels) + " |",
             "|---|---|" + "---|" * len(labels)]
    for name, res in res_by_model.items():
        pooled = res["pooled"]
        cells = [f"{_fmt(pooled['per_label'][l]['precision'])} / {_fmt(pooled['per_label'][l]['recall'])} / "
                 f"{_fmt(pooled['per_label'][l]['f1'])}" for l in labels]
        lines.append(f"| {name} | {_fmt(pooled['macro_f1'])} | " + " | ".join(cells) + " |")
    return lines


def data_lines(metrics: Mapping[str, Any]) -> list[str]:
    """What the model was trained on, as card bullet lines."""
    d = metrics.get("data") or {}
    return [f"- trained on: {metrics['n_documents']} gold documents ({d.get('seeds', 0)} real seed reports, "
            f"{d.get('corpus', 0)} written corpus reports), {metrics['n_paragraphs']} paragraphs "
            f"(label counts {metrics['label_counts']})",
            f"- data hash (sha256 of gold texts, labels, roles): `{metrics['data_hash']}`"]


def protocol_sections(metrics: Mapping[str, Any], table: Callable[[Mapping[str, Any]], list[str]],
                      what: str = "paragraphs") -> list[str]:
    """The card's figures: one section per protocol of :mod:`training.protocols`."""
    from training.protocols import TITLES

    lines: list[str] = []
    for proto, res in (metrics.get("cv") or {}).items():
        folds = (metrics.get("folds") or {}).get(proto) or []
        lines += [f"## {TITLES.get(proto, proto)}", ""]
        if proto == "corpus_loko":
            lines += ["Written by the team: a development signal, not an estimate on real reports.", ""]
        if proto == "transfer":
            lines += ["The only figure where the model saw no real report. Rule features were written on the "
                      "seeds, so a model using them is not a clean transfer figure; the model without them is.", ""]
        lines += [f"{len(folds)} fold(s): " + ", ".join(f"{f['fold']} ({f['test_docs']} doc, "
                                                       f"{f['test_paragraphs']} {what})" for f in folds), ""]
        lines += table(res) + [""]
    return lines


def cls_card(cfg: ClsConfig, metrics: Mapping[str, Any]) -> str:
    """README.md model card: what, data hash, the three protocols, how to reproduce."""
    params = metrics.get("params") or {}
    folds = params.get("threshold_folds") or 0
    band = params.get("threshold_band")
    how = (f"tuned by {folds}-fold inner cross-validation over the training documents only"
           + (f", kept inside [{band[0]}, {band[1]}]" if band else "")
           if folds and folds > 1 else "fixed at 0.5 (threshold_folds: 0 in the config)")
    compare = f" --compare '[{', '.join(cfg.compare)}]'" if cfg.compare else ""
    lines = [f"# Paragraph-label classifier: `{cfg.model}`", "",
             "Multi-label paragraph classifier for 经验做法 / 存在问题 / 建议 (ANNOTATION.md §2) of the jixiao "
             "pipeline. Input: paragraph text, its section path and its place in the section. Output: a "
             f"probability per label; a label is on when its probability reaches the label's threshold "
             f"(thresholds.json), {how}.", "", *data_lines(metrics),
             f"- parameters: {params}",
             f"- thresholds: {metrics.get('thresholds')}",
             f"- reproduce: `jixiao train cls --config configs/cls.yaml --cv{compare}` (seed {cfg.seed}; resolved "
             "config in config.yaml)", ""]
    if not metrics.get("cv"):
        lines += ["No cross-validation was run with this model (train with `--cv` for figures).", ""]
        return "\n".join(lines)
    lines += ["Figures are pooled over each protocol's folds (all held-out predictions scored together). "
              "`rules` is the hand-written baseline (nlp/rules/labels.py), written on the five seeds.", ""]
    lines += protocol_sections(metrics, protocol_table)
    lines += ["Per-fold figures and thresholds are in metrics.json; the ten most confident errors of each "
              "protocol in errors.md.", ""]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Entry point


def load_training_data(cfg: Any):
    """Seeds + written corpus + ``data`` of a cls/roles config (:func:`training.protocols.load_data`)."""
    from training.protocols import load_data

    if not cfg.gold and not cfg.corpus and not cfg.data:
        raise JixiaoError(E_NO_GOLD, "no training data: set `gold`, `corpus` or `data` in the config")
    if cfg.gold:
        load_gold_or_fail(_resolved(cfg.gold))
    return load_data(cfg.gold, cfg.corpus, extra=list(cfg.data or []))


def _resolved(path: str) -> Path:
    from jixiao.paths import resolve

    return resolve(path)


def run_cls(cfg: ClsConfig, *, cv: bool = False, train: bool = True,
            log: Log = lambda s: print(s, file=sys.stderr)) -> dict[str, Any]:
    """Train ``cfg.model`` on every gold document (seeds + corpus + data) and save it to
    ``cfg.output``; with ``cv`` first run the protocols of ``cfg.protocols``
    (:mod:`training.protocols`) for the model, every ``cfg.compare`` model and the rules. With
    ``train=False`` only the cross-validation runs and nothing is written.

    Returns the metrics (written to ``metrics.json`` when training).
    """
    import torch
    import yaml

    from training.protocols import fold_summary, protocols

    torch.set_num_threads(max(1, int(cfg.num_threads)))
    data = load_training_data(cfg)
    gold = data.gold
    names = [cfg.model] + [m for m in cfg.compare if m != cfg.model]
    for name in names:
        make_estimator(cfg, name)  # fail on bad parameters before any training
    X, y = gold_items(gold)
    out = Path(cfg.output)
    metrics: dict[str, Any] = {
        "model": cfg.model, "data_hash": gold_hash(gold), "n_documents": len(gold), "n_paragraphs": len(X),
        "data": {"seeds": len(data.seeds), "corpus": len(data.corpus)},
        "label_counts": {l: sum(l in row for row in y) for l in LABELS}, "cv": {}, "folds": {},
    }
    errors: dict[str, list[dict[str, Any]]] = {}
    if cv:
        for proto in protocols(data, cfg.protocols):
            metrics["cv"][proto.name] = {}
            metrics["folds"][proto.name] = fold_summary(proto, data)
            splits = [(f.train, f.test, f.name) for f in proto.folds]
            for name in names + [RULES]:
                log(f"{proto.name}: {name}")
                t0 = time.time()
                fp = rules_fit_predict if name == RULES else estimator_fit_predict(lambda n=name: make_estimator(cfg, n))
                report, folds = lodo_predict(gold, fp, log, splits=splits)
                res = cv_summary(report, folds, time.time() - t0)
                metrics["cv"][proto.name][name] = res
                if name == cfg.model:
                    errors[proto.name] = worst_confusions(folds, cfg.errors)
                pooled = res["pooled"]
                log(f"  pooled macro-F1 {pooled['macro_f1']:.3f}; F1 " +
                    ", ".join(f"{l} {pooled['per_label'][l]['f1']:.3f}" for l in LABELS))
        first = next(iter(metrics["cv"].values()), None)
        if first:
            best = max(names, key=lambda n: first[n]["pooled"]["macro_f1"])
            metrics["best_by_macro_f1"] = {p: max(names, key=lambda n: r[n]["pooled"]["macro_f1"])
                                           for p, r in metrics["cv"].items()}
            if best != cfg.model:
                log(f"note: {best} beats {cfg.model} on macro-F1; consider `model: {best}` in the config")
    if not train:
        return metrics
    log(f"training {cfg.model} on {len(X)} paragraphs")
    t0 = time.time()
    est = make_estimator(cfg, cfg.model).fit(X, y)
    metrics["train_seconds"] = round(time.time() - t0, 1)
    metrics["thresholds"] = est.thresholds_
    metrics["params"] = est.get_params()
    if out.exists() and (out / "config.json").exists():
        _clear_model_folder(out)
    est.save(out)
    write_json(out / "metrics.json", metrics)
    (out / "config.yaml").write_text(yaml.safe_dump(dataclasses.asdict(cfg), allow_unicode=True, sort_keys=False),
                                     encoding="utf-8")
    write_card(out / "README.md", cls_card(cfg, metrics), "cls")
    if errors:
        parts = [errors_markdown(f"Worst confusions of {cfg.model}: {proto}", rows) for proto, rows in errors.items()]
        (out / "errors.md").write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    log(f"saved {cfg.model} to {out}")
    return metrics


def _clear_model_folder(folder: Path) -> None:
    """Remove the files a previous run wrote (never anything else)."""
    import shutil

    for name in ("config.json", "vocab.json", "model.safetensors", "thresholds.json", "jieba_dict.txt",
                 "metrics.json", "config.yaml", "errors.md"):  # README.md is rewritten (keeping peer sections)
        (folder / name).unlink(missing_ok=True)
    if (folder / "hf").is_dir():
        shutil.rmtree(folder / "hf")
