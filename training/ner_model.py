"""Reproducible runs and the tagger to train: seeds, library versions, and the model and tokenizer
initialised from an encoder/HF checkpoint or at random."""
from __future__ import annotations

import platform
import random
from pathlib import Path

from jixiao.errors import E_BASE_MODEL, UsageError
from jixiao.models.ner import bio_labels, model_classes
from training.ner_config import ModelConfig


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
            if mcfg.base_layers:  # the first N layers of the base; the weights of the others are not loaded
                if not 0 < mcfg.base_layers <= cfg.num_hidden_layers:
                    raise UsageError(E_BASE_MODEL, f"model.base_layers must be 1..{cfg.num_hidden_layers} for "
                                     f"'{folder}', not {mcfg.base_layers}", path=str(folder))
                cfg.num_hidden_layers = mcfg.base_layers
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
