"""Train one tagger: what it is trained on (gold of the training documents, extra files, weak labels,
synthetic variants; nothing derived from a held-out document), then the model, the windows and the loop."""
from __future__ import annotations

from jixiao.errors import E_NO_EXAMPLES, UsageError
from jixiao.models.ner import NerTagger, model_classes, uses_rules
from training.ner_config import NerConfig
from training.ner_loop import train_loop
from training.ner_model import init_model, set_seed


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
