"""Domain pre-training: masked language modelling on unlabelled reports (``jixiao pretrain DIR``).

Builds the character tokenizer (report characters + jieba dictionary characters) and a small
character BERT with the word-boundary embedding, then trains it with whole-word masking: jieba
words are masked as a whole (all their characters), so the model must reconstruct 预算执行率 or
5617.38 from context rather than from half a word. Writes an encoder folder that
``jixiao train ner`` starts from (``model.base``).

>>> cfg = load_pretrain_config("configs/pretrain.yaml")   # doctest: +SKIP
>>> pretrain("corpus/raw", cfg, out="models/encoder")                 # doctest: +SKIP
"""
from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jixiao.errors import UsageError
from training.card import with_card_header
from training.loop import epoch_line, optimizer_step


@dataclass
class EncoderConfig:
    hidden_size: int = 128
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    intermediate_size: int = 512
    max_position_embeddings: int = 256
    dropout: float = 0.1
    jieba_min_freq: int | None = 100


@dataclass
class MlmConfig:
    mask_prob: float = 0.15
    whole_word: bool = True
    max_length: int = 128
    seed: int = 13
    epochs: int = 15
    batch_size: int = 32
    lr: float = 1.0e-3
    weight_decay: float = 0.01
    warmup: float = 0.06
    threads: int = 2
    max_minutes: float = 5.0


@dataclass
class PretrainConfig:
    encoder: EncoderConfig = field(default_factory=EncoderConfig)
    mlm: MlmConfig = field(default_factory=MlmConfig)


def word_ids_for(offsets: list[tuple[int, int]], text: str, word_tokenizer) -> list[int]:
    """Index of the jieba word each token starts in (tokens of one word share an id).

    >>> class W:
    ...     def __call__(self, t): return [type("T", (), {"start": 0, "end": 2})(), type("T", (), {"start": 2, "end": 3})()]
    >>> word_ids_for([(0, 1), (1, 2), (2, 3)], "万元。", W())
    [0, 0, 1]
    """
    starts = [0] * (len(text) + 1)
    for k, tok in enumerate(word_tokenizer(text)):
        for c in range(tok.start, tok.end):
            starts[c] = k
    return [starts[s] if s < len(text) else -1 for s, _e in offsets]


def mask_tokens(ids: list[int], word_ids: list[int] | None, rng: random.Random, *, mask_id: int,
                vocab_size: int, n_special: int, prob: float = 0.15) -> tuple[list[int], list[int]]:
    """(inputs, labels) with whole words masked: 80 % [MASK], 10 % random, 10 % unchanged.

    ``ids`` excludes special tokens; labels are -100 where not masked.

    >>> inp, lab = mask_tokens([7, 8, 9, 10], [0, 0, 1, 2], random.Random(1), mask_id=4,
    ...                        vocab_size=20, n_special=5, prob=0.5)
    >>> sum(x != -100 for x in lab) >= 1
    True
    """
    n = len(ids)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(word_ids[i] if word_ids else i, []).append(i)
    order = list(groups.values())
    rng.shuffle(order)
    budget = max(1, round(n * prob))
    chosen: list[int] = []
    for g in order:
        if len(chosen) >= budget:
            break
        if len(chosen) + len(g) > budget * 1.5:
            continue
        chosen.extend(g)
    inputs, labels = list(ids), [-100] * n
    for i in chosen:
        labels[i] = ids[i]
        r = rng.random()
        if r < 0.8:
            inputs[i] = mask_id
        elif r < 0.9:
            inputs[i] = rng.randrange(n_special, vocab_size)
    return inputs, labels


def pretrain(src: str | Path, cfg: PretrainConfig, *, out: str | Path = "models/encoder",
             progress: bool = True) -> dict[str, Any]:
    """Pre-train the char encoder on every report under ``src``; write the encoder folder."""
    import torch
    import yaml
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from jixiao.models.char_tokenizer import build_char_tokenizer
    from jixiao.models.ner import encode_texts, make_windows, model_classes
    from jixiao.tokenize import WordTokenizer
    from training.data import corpus_documents, data_hash
    from training.config import config_dict
    from training.ner_loop import collate
    from training.ner_model import library_versions, set_seed

    started = time.monotonic()
    e, m = cfg.encoder, cfg.mlm
    set_seed(m.seed, m.threads)
    docs = corpus_documents(src)
    texts = [t for paras in docs.values() for t in paras]
    tokenizer = build_char_tokenizer(texts, jieba_min_freq=e.jieba_min_freq,
                                     model_max_length=e.max_position_embeddings)
    classes = model_classes()
    config = classes.config(
        vocab_size=len(tokenizer), hidden_size=e.hidden_size, num_hidden_layers=e.num_hidden_layers,
        num_attention_heads=e.num_attention_heads, intermediate_size=e.intermediate_size,
        max_position_embeddings=e.max_position_embeddings, hidden_dropout_prob=e.dropout,
        attention_probs_dropout_prob=e.dropout, use_word_boundaries=True,
        pad_token_id=tokenizer.pad_token_id, tie_word_embeddings=False,
    )
    model = classes.masked_lm(config)
    word_tok = WordTokenizer()
    encoded = encode_texts(tokenizer, texts, word_tok)
    wins = make_windows(encoded, [i for i, x in enumerate(encoded) if x.ids], tokenizer,
                        min(m.max_length, e.max_position_embeddings))
    word_ids = {}
    for w in wins:
        if w.text_index not in word_ids:
            word_ids[w.text_index] = word_ids_for(encoded[w.text_index].offsets, texts[w.text_index],
                                                  word_tok)
    rng = random.Random(m.seed)
    steps_per_epoch = -(-len(wins) // m.batch_size)
    total = steps_per_epoch * m.epochs
    opt = torch.optim.AdamW(model.parameters(), lr=m.lr, weight_decay=m.weight_decay)
    warm = max(1, int(total * m.warmup))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm))))
    history: list[float] = []
    model.train()
    with Progress(TextColumn("pretrain"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TextColumn("loss {task.fields[loss]:.3f}"), TimeElapsedColumn(),
                  disable=not progress) as bar:
        task = bar.add_task("pretrain", total=total, loss=float("nan"))
        for epoch in range(m.epochs):
            order = list(range(len(wins)))
            rng.shuffle(order)
            losses = []
            for b in range(0, len(order), m.batch_size):
                rows = []
                for k in order[b:b + m.batch_size]:
                    w = wins[k]
                    inner = w.input_ids[w.n_prefix:w.n_prefix + w.length]
                    wid = word_ids[w.text_index][w.start:w.start + w.length] if m.whole_word else None
                    inp, lab = mask_tokens(inner, wid, rng, mask_id=tokenizer.mask_token_id,
                                           vocab_size=len(tokenizer), n_special=5, prob=m.mask_prob)
                    full = w.input_ids[:w.n_prefix] + inp + w.input_ids[w.n_prefix + w.length:]
                    labels = [-100] * w.n_prefix + lab + [-100] * (len(w.input_ids) - w.n_prefix - w.length)
                    rows.append({"input_ids": full, "attention_mask": [1] * len(full),
                                 "boundary_ids": w.boundary_ids, "labels": labels})
                losses.append(optimizer_step(model, collate(rows, tokenizer.pad_token_id), opt, sched))
                bar.update(task, advance=1, loss=sum(losses[-20:]) / len(losses[-20:]))
            history.append(sum(losses) / max(1, len(losses)))
            epoch_line("pretrain", epoch, m.epochs, history[-1], started, enabled=progress)
            if (time.monotonic() - started) / 60 > m.max_minutes:
                bar.console.print(f"[yellow]stopped after epoch {epoch + 1}: mlm.max_minutes reached[/yellow]")
                break
    model.eval()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    model.config.library_versions = library_versions()
    model.save_pretrained(str(out))
    tokenizer.save_pretrained(str(out))
    word_tok.save_dictionary(out)
    (out / "pretrain_config.yaml").write_text(yaml.safe_dump(config_dict(cfg), sort_keys=False),
                                              encoding="utf-8")
    metrics = {
        "documents": sorted(docs), "paragraphs": len(texts), "characters": sum(map(len, texts)),
        "windows": len(wins), "vocab_size": len(tokenizer),
        "data_hash": data_hash({"text": t, "entities": []} for t in texts),
        "loss_per_epoch": [round(x, 4) for x in history],
        "seconds": round(time.monotonic() - started, 1), "library_versions": library_versions(),
    }
    (out / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    (out / "README.md").write_text(with_card_header(encoder_card(metrics, cfg, src), "encoder"),
                                   encoding="utf-8")
    return metrics


def encoder_card(metrics: dict, cfg: PretrainConfig, src: str | Path) -> str:
    """README.md of the encoder folder."""
    e = cfg.encoder
    return "\n".join([
        "# jixiao char encoder (masked-LM pre-trained)", "",
        f"Character BERT: {e.num_hidden_layers} layers, hidden {e.hidden_size}, "
        f"{e.num_attention_heads} heads, vocabulary {metrics['vocab_size']} characters (report "
        f"characters + jieba dictionary characters with summed frequency >= {e.jieba_min_freq}), "
        "plus a jieba word-boundary (B/M/E/S) embedding. Class `CharBertForMaskedLM` "
        "(`model_type: jixiao_char_bert`, registered by `jixiao.models.ner.model_classes()`).", "",
        f"- pre-trained with whole-word masking ({cfg.mlm.mask_prob:.0%} of tokens, jieba words "
        f"masked whole) on `{src}`: {len(metrics['documents'])} documents, "
        f"{metrics['paragraphs']} paragraphs, {metrics['characters']} characters",
        f"- data hash: `{metrics['data_hash']}`",
        f"- {len(metrics['loss_per_epoch'])} epochs, {metrics['seconds']} s; MLM loss "
        f"{metrics['loss_per_epoch'][0]} -> {metrics['loss_per_epoch'][-1]}",
        f"- libraries: {metrics['library_versions']}", "",
        "**Note on evaluation.** The default corpus (corpus/raw) is the five seed reports, which are "
        "also the leave-one-document-out evaluation documents of the NER model. Pre-training on "
        "their *unlabelled* text is standard practice (no labels are used), but the held-out "
        "document's text has been seen by the encoder; the NER card reports folds with this "
        "encoder. Re-run `jixiao pretrain YOUR_ARCHIVE` to adapt it to other reports.", "",
    ])


def load_pretrain_config(path: str | Path | None, overrides: list[str] | None = None) -> PretrainConfig:
    """configs/pretrain.yaml -> PretrainConfig (E420 on unknown keys / bad values)."""
    from training.config import load_config

    return load_config(path, PretrainConfig, overrides or [])


__all__ = ["PretrainConfig", "pretrain", "mask_tokens", "word_ids_for", "load_pretrain_config",
           "UsageError"]
