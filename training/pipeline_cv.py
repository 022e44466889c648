"""Leave-one-document-out of the deployed label + role pipeline (``jixiao cv pipeline``).

``jixiao train cls --cv`` and ``jixiao train roles --cv`` score each step alone (the role step gets
the gold paragraph labels). This module scores what ``jixiao extract`` actually does: per fold, the
paragraph classifier and the role model are trained on the other documents, saved, loaded by the
pipeline stages ``paragraph_cls.v1`` and ``roles.v1`` of a manifest, and run on the held-out
document's paragraphs, so the roles are predicted on the *predicted* paragraph labels. The rules-only
manifest (``configs/pipeline_rules.yaml``) runs on the same paragraphs as the baseline.

Example::

    result = lodo_pipeline(load_gold("corpus/gold"), cls_cfg, roles_cfg)
    result["model"]["pooled"]["roles"]["macro_f1"]
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from training.cls import ClsConfig, Gold, gold_items, label_summary, make_estimator
from training.roles import RolesConfig, gold_units, span_summary

Log = Callable[[str], None]

# The pipeline a fold runs: what `configs/pipeline.yaml` runs for labels and roles, with the fold's models.
FOLD_MANIFEST = """stages:
  - {{name: structure, type: structure.v1}}
  - {{name: indicators, type: indicators.v1}}
  - {{name: entities, type: rule_entities.v1}}
  - {{name: labels, type: paragraph_cls.v1, path: {cls}}}
  - {{name: roles, type: roles.v1, path: {roles}}}
"""


def _summary(report: Any) -> dict[str, Any]:
    return {"labels": label_summary(report), "roles": span_summary(report)}


def lodo_pipeline(gold: Gold, cls_cfg: ClsConfig, roles_cfg: RolesConfig,
                  rules_manifest: str | Path = "configs/pipeline_rules.yaml",
                  log: Log = lambda s: print(s, file=sys.stderr)) -> dict[str, Any]:
    """Per-fold and pooled paragraph-label and role scores of the model pipeline and of the rules."""
    from jixiao.evaluation import cross_validate
    from jixiao.pipeline import extract_paragraph_records, load_pipeline

    def models_fit_predict(train_gold: Gold, test_gold: Gold):
        (test_id,) = test_gold
        t0 = time.time()
        with tempfile.TemporaryDirectory() as tmp:
            X, y = gold_items(train_gold)
            make_estimator(cls_cfg, cls_cfg.model).fit(X, y).save(Path(tmp) / "cls")
            units = gold_units(train_gold)
            make_estimator(roles_cfg, roles_cfg.model).fit(units.items, units.roles).save(Path(tmp) / "roles")
            manifest = Path(tmp) / "pipeline.yaml"
            manifest.write_text(FOLD_MANIFEST.format(cls=Path(tmp) / "cls", roles=Path(tmp) / "roles"),
                                encoding="utf-8")
            pipe = load_pipeline(manifest)
            records = extract_paragraph_records(test_id, [r["text"] for r in test_gold[test_id]], pipe)
        log(f"  fold {test_id}: {time.time() - t0:.1f}s")
        return {test_id: records}

    rules_pipe = load_pipeline(rules_manifest)

    def rules_fit_predict(_train: Gold, test_gold: Gold):
        (test_id,) = test_gold
        return {test_id: extract_paragraph_records(test_id, [r["text"] for r in test_gold[test_id]], rules_pipe)}

    out: dict[str, Any] = {"cls_model": cls_cfg.model, "roles_model": roles_cfg.model}
    for name, fp in (("model", models_fit_predict), ("rules", rules_fit_predict)):
        log(f"LODO pipeline: {name}")
        cv = cross_validate(gold, fp)
        out[name] = {"pooled": _summary(cv.pooled),
                     "folds": [{"test_doc": f.test_id, **_summary(f.report)} for f in cv.folds]}
        pooled = out[name]["pooled"]
        log(f"  labels macro-F1 {pooled['labels']['macro_f1']:.3f}, roles macro-F1 {pooled['roles']['macro_f1']:.3f}")
    return out


__all__ = ["lodo_pipeline", "FOLD_MANIFEST"]
