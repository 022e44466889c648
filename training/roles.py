"""Train and cross-validate the sentence-role classifier (``jixiao train roles``).

Units are the sentences/clauses (:func:`jixiao.models.roles.sentence_units`) of gold paragraphs
labelled 存在问题 or 建议; each unit's gold role is the gold role span covering most of it
(:func:`jixiao.models.roles.unit_roles`). Paragraph labels given to the model are the gold ones, so
these figures measure the role step alone. Scores: exact role spans with
:func:`jixiao.evaluation.cross_validate` (as ``jixiao eval`` counts them) and unit accuracy per role.

Example::

    cfg = load_config("configs/roles.yaml", RolesConfig)
    run_roles(cfg, cv=True)                     # writes models/roles/
"""
from __future__ import annotations

import dataclasses
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from jixiao.models.estimator import Estimator, write_json
from jixiao.models.roles import NONE, ROLE_LABELS, ROLES, unit_items, unit_roles
from training.card import with_card_header, write_card  # noqa: F401
from training.cls import (Gold, Log, RULES, gold_hash, load_gold_or_fail, load_training_data,  # noqa: F401
                          make_estimator, protocol_sections)


@dataclass
class RolesConfig:
    """``configs/roles.yaml``: the registered role model, its parameters, data and output."""

    model: str = "role_logreg.v1"
    gold: str | None = "corpus/gold"          # real seed reports
    corpus: str | None = "corpus/written"     # written corpus: gold/ + documents.json (kinds)
    data: list[str] = field(default_factory=list)   # further gold files/folders, trained on as corpus
    protocols: list[str] = field(default_factory=lambda: ["seeds_lodo", "corpus_loko", "transfer"])
    output: str = "jixiao_models/roles"
    seed: int = 0
    num_threads: int = 1
    errors: int = 10
    role_logreg: dict[str, Any] = field(default_factory=dict)


@dataclass
class RoleUnits:
    """Every unit of the role paragraphs of some documents, with where it came from."""

    items: list[dict[str, Any]] = field(default_factory=list)
    roles: list[str | None] = field(default_factory=list)
    where: list[tuple[str, int, int, int]] = field(default_factory=list)  # doc, para, start, end


def gold_units(gold: Gold) -> RoleUnits:
    """Units of gold paragraphs labelled 存在问题/建议 with their gold roles.

    >>> u = gold_units({"d": [{"para": 0, "text": "1. 预算不准确。主要原因是人手不足。", "labels": ["存在问题"],
    ...                        "roles": [[0, 8, "问题"], [8, 18, "原因"]]}]})
    >>> u.roles, u.where[1]
    (['问题', '原因'], ('d', 0, 9, 19))
    """
    from jixiao.structure import section_paths

    out = RoleUnits()
    for doc_id in sorted(gold):
        records = sorted(gold[doc_id], key=lambda r: r["para"])
        for rec, section in zip(records, section_paths([r["text"] for r in records])):
            labels = list(rec.get("labels") or [])
            if not ROLE_LABELS & set(labels):
                continue
            spans, items = unit_items(rec["text"], labels, section, doc_id)
            out.items += items
            out.roles += unit_roles(spans, rec.get("roles") or [])
            out.where += [(doc_id, rec["para"], a, b) for a, b in spans]
    return out


def rules_roles(items: Sequence[Mapping[str, Any]]) -> list[str | None]:
    """The rule baseline (:func:`jixiao.rules.labels.role_of`) on the same units."""
    from jixiao.rules.labels import role_of

    return [role_of(it["text"], list(it["context"]["labels"])) for it in items]


def unit_scores(gold: Sequence[str | None], pred: Sequence[str | None]) -> dict[str, Any]:
    """Per-role P/R/F1 over units (``None`` = no role) and the macro-F1 over the three roles.

    >>> unit_scores(["问题", "原因", None], ["问题", "措施", None])["macro_f1"]
    0.3333
    """
    from sklearn.metrics import precision_recall_fscore_support

    if not gold:  # a fold whose documents hold no role paragraph (e.g. a targets-only form)
        return {"macro_f1": 0.0, "per_role": {r: {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
                                              for r in ROLES}}
    g = [r or NONE for r in gold]
    p = [r or NONE for r in pred]
    P, R, F, S = precision_recall_fscore_support(g, p, labels=list(ROLES), zero_division=0)
    return {"macro_f1": round(float(np.mean(F)), 4),
            "per_role": {r: {"precision": round(float(P[i]), 4), "recall": round(float(R[i]), 4),
                             "f1": round(float(F[i]), 4), "support": int(S[i])} for i, r in enumerate(ROLES)}}


def span_summary(report: Any) -> dict[str, Any]:
    roles = report.roles
    return {"macro_f1": round(roles.macro.f1, 4), "micro_f1": round(roles.micro.f1, 4),
            "per_role": {r: {"precision": round(s.precision, 4), "recall": round(s.recall, 4),
                             "f1": round(s.f1, 4), "support": s.support} for r, s in roles.per_type.items()}}


def lodo_roles(gold: Gold, predict: Callable[[RoleUnits, RoleUnits], list[str | None]],
               log: Log = lambda s: None, splits: Sequence[tuple[Sequence[str], Sequence[str], str]] | None = None
               ) -> dict[str, Any]:
    """Cross-validation (leave-one-document-out unless ``splits`` gives ``(train ids, test ids,
    name)``): ``predict(train_units, test_units)`` gives one role per test unit.

    Returns span scores (pooled and per fold, via :func:`jixiao.evaluation.cross_validate`), unit
    scores, and every test unit's prediction for the error analysis.
    """
    from jixiao.evaluation import cross_validate

    pooled_gold: list[str | None] = []
    pooled_pred: list[str | None] = []
    rows: list[dict[str, Any]] = []
    unit_folds: list[dict[str, Any]] = []

    def one_fold(train_gold: Gold, test_gold: Gold):
        t0 = time.time()
        test_id = next(iter(test_gold)) if len(test_gold) == 1 else f"{len(test_gold)} documents"
        train, test = gold_units(train_gold), gold_units(test_gold)
        pred = predict(train, test) if test.items else []
        pooled_gold.extend(test.roles)
        pooled_pred.extend(pred)
        unit_folds.append({"test_doc": test_id, **unit_scores(test.roles, pred)})
        by_para: dict[tuple[str, int], list[list[Any]]] = {}
        for (doc, para, a, b), it, g, p in zip(test.where, test.items, test.roles, pred):
            if p is not None:
                by_para.setdefault((doc, para), []).append([a, b, p])
            rows.append({"doc_id": doc, "para": para, "start": a, "end": b, "text": it["text"],
                         "labels": it["context"]["labels"], "gold": g, "pred": p})
        log(f"  fold {test_id}: {len(train.items)} train / {len(test.items)} test units, {time.time() - t0:.1f}s")
        return {d: [{"para": r["para"], "text": r["text"], "labels": list(r.get("labels") or []),
                     "roles": by_para.get((d, r["para"]), []), "entities": []} for r in test_gold[d]]
                for d in test_gold}

    cv = cross_validate(gold, one_fold, splits=splits)
    return {
        "spans": {"pooled": span_summary(cv.pooled),
                  "folds": [{"test_doc": f.test_id, **span_summary(f.report)} for f in cv.folds]},
        "units": {"pooled": unit_scores(pooled_gold, pooled_pred), "folds": unit_folds,
                  "n_units": len(pooled_gold)},
        "_rows": rows,
    }


def role_errors_markdown(title: str, rows: Sequence[Mapping[str, Any]], n: int = 10) -> str:
    """Wrong units grouped by (gold → predicted) confusion, most frequent first, with examples."""
    from collections import Counter

    wrong = [r for r in rows if r["gold"] != r["pred"]]
    counts = Counter((r["gold"] or "none", r["pred"] or "none") for r in wrong)
    out = [f"# {title}", "", f"{len(wrong)} wrong units of {len(rows)}. Confusions (gold → predicted):", ""]
    out += [f"- {g} → {p}: {c}" for (g, p), c in counts.most_common()]
    out += ["", f"## {min(n, len(wrong))} examples (most frequent confusions first)", ""]
    order = {k: i for i, (k, _) in enumerate(counts.most_common())}
    wrong.sort(key=lambda r: (order[(r["gold"] or "none", r["pred"] or "none")], r["doc_id"], r["para"], r["start"]))
    for i, r in enumerate(wrong[:n], 1):
        out += [f"{i}. **{r['gold'] or 'none'} → {r['pred'] or 'none'}** ({r['doc_id']} ¶{r['para']} "
                f"[{r['start']}, {r['end']}], paragraph {r['labels']}): {r['text'][:200]}"]
    return "\n".join(out) + "\n"


def roles_card(cfg: RolesConfig, metrics: Mapping[str, Any]) -> str:
    lines = [f"# Sentence-role classifier: `{cfg.model}`", "",
             "Role of each sentence / 一是… clause of paragraphs labelled 存在问题 or 建议 (ANNOTATION.md §3): "
             "问题, 原因, 措施 or none. Features: words, character n-grams, cue words, the paragraph labels, "
             "the position in the paragraph and the cues of the unit before."
             + (" Structural checks: title-like units (「……完成情况综述。」) get none; a unit whose lead-in names "
                "its role (「发现的主要问题：」) gets that role." if (metrics.get("params") or {}).get("structure") else "")
             + (" Lost-points scoring sentences count as a problem cue." if (metrics.get("params") or {}).get("deductions")
                else ""), "",
             f"- trained on: {metrics['n_documents']} gold documents ({(metrics.get('data') or {}).get('seeds', 0)} "
             f"real seed reports, {(metrics.get('data') or {}).get('corpus', 0)} written corpus reports), "
             f"{metrics['n_units']} units (roles {metrics['role_counts']})",
             f"- data hash: `{metrics['data_hash']}`",
             f"- parameters: {metrics.get('params')}",
             f"- reproduce: `jixiao train roles --config configs/roles.yaml --cv` (seed {cfg.seed})", ""]
    if not metrics.get("cv"):
        lines += ["No cross-validation was run with this model (train with `--cv` for figures).", ""]
        return "\n".join(lines)
    lines += ["Gold paragraph labels are given, so these figures measure the role step alone (the deployed "
              "chain on predicted labels: `jixiao cv pipeline`). Span = exact role span match as `jixiao eval` "
              "scores it; unit = per sentence unit. `rules` is the hand-written baseline, written on the seeds.", ""]
    lines += protocol_sections(metrics, role_table, what="paragraphs")
    return "\n".join(lines)


def role_table(res_by_model: Mapping[str, Any]) -> list[str]:
    """Markdown rows: span and unit macro-F1 and span P / R / F1 per role of each model."""
    lines = ["| model | span macro-F1 | unit macro-F1 | " + " | ".join(f"{r} P / R / F1 (span)" for r in ROLES) + " |",
             "|---|---|---|" + "---|" * len(ROLES)]
    for name, res in res_by_model.items():
        per = res["spans"]["pooled"]["per_role"]
        cells = [f"{per[r]['precision']:.3f} / {per[r]['recall']:.3f} / {per[r]['f1']:.3f}" if r in per else "–"
                 for r in ROLES]
        lines.append(f"| {name} | {res['spans']['pooled']['macro_f1']:.3f} | {res['units']['pooled']['macro_f1']:.3f} | "
                     + " | ".join(cells) + " |")
    return lines


def run_roles(cfg: RolesConfig, *, cv: bool = False, train: bool = True,
              log: Log = lambda s: print(s, file=sys.stderr)) -> dict[str, Any]:
    """Train the role model on all gold role units and save it; with ``cv`` first run LODO against
    the rule baseline; with ``train=False`` only the cross-validation runs and nothing is written.
    Returns the metrics (written to ``metrics.json`` when training)."""
    import yaml

    from training.protocols import fold_summary, protocols

    data = load_training_data(cfg)
    gold = data.gold
    make_estimator(cfg, cfg.model)
    units = gold_units(gold)
    out = Path(cfg.output)
    metrics: dict[str, Any] = {"model": cfg.model, "data_hash": gold_hash(gold), "n_documents": len(gold),
                               "data": {"seeds": len(data.seeds), "corpus": len(data.corpus)},
                               "n_units": len(units.items),
                               "role_counts": {r: units.roles.count(r) for r in ROLES} | {NONE: units.roles.count(None)},
                               "cv": {}, "folds": {}}
    error_parts = []
    if cv:
        def model_predict(train: RoleUnits, test: RoleUnits) -> list[str | None]:
            return make_estimator(cfg, cfg.model).fit(train.items, train.roles).predict(test.items)

        for proto in protocols(data, cfg.protocols):
            metrics["cv"][proto.name] = {}
            metrics["folds"][proto.name] = fold_summary(proto, data)
            splits = [(f.train, f.test, f.name) for f in proto.folds]
            for name, fn in ((cfg.model, model_predict), (RULES, lambda tr, te: rules_roles(te.items))):
                log(f"{proto.name}: {name}")
                t0 = time.time()
                res = lodo_roles(gold, fn, log, splits=splits)
                rows = res.pop("_rows")
                res["seconds"] = round(time.time() - t0, 1)
                metrics["cv"][proto.name][name] = res
                if name == cfg.model:
                    error_parts.append(role_errors_markdown(f"Role errors of {name}: {proto.name}", rows, cfg.errors))
                log(f"  span macro-F1 {res['spans']['pooled']['macro_f1']:.3f}, "
                    f"unit macro-F1 {res['units']['pooled']['macro_f1']:.3f}")
    if not train:
        return metrics
    log(f"training {cfg.model} on {len(units.items)} units")
    t0 = time.time()
    est: Estimator = make_estimator(cfg, cfg.model).fit(units.items, units.roles)
    metrics["train_seconds"] = round(time.time() - t0, 1)
    metrics["params"] = est.get_params()
    for name in ("config.json", "vocab.json", "state.json", "model.safetensors", "jieba_dict.txt", "metrics.json",
                 "config.yaml", "errors.md"):
        (out / name).unlink(missing_ok=True)
    est.save(out)
    write_json(out / "metrics.json", metrics)
    (out / "config.yaml").write_text(yaml.safe_dump(dataclasses.asdict(cfg), allow_unicode=True, sort_keys=False),
                                     encoding="utf-8")
    write_card(out / "README.md", roles_card(cfg, metrics), "roles")
    if error_parts:
        (out / "errors.md").write_text("\n".join(error_parts), encoding="utf-8")
    log(f"saved {cfg.model} to {out}")
    return metrics
