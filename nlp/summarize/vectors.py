"""Sentence vectors from the domain encoder, for theme clustering beside TF-IDF.

:func:`encoder_vectors` mean-pools the last hidden layer of the character encoder (``jixiao
pretrain``; ``models/encoder`` or any folder it wrote) over each sentence's characters, with the
jieba word-boundary input the encoder was trained with, and L2-normalises the result.
:func:`combine` joins them with the TF-IDF rows so that the cosine of two joined rows is
``(1 - w) · cos_tfidf + w · cos_encoder``: the clustering code stays the same.

Whether this helps is measured, not assumed (``jixiao cv themes --vectors tfidf+encoder``).
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np


@lru_cache(maxsize=2)
def _load(path: str):
    from transformers import PreTrainedTokenizerFast

    from jixiao.models.encoder import model_classes

    tokenizer = PreTrainedTokenizerFast.from_pretrained(path)
    model = model_classes().masked_lm.from_pretrained(path)
    model.eval()
    return tokenizer, model


def encoder_vectors(texts: Sequence[str], path: str | Path, batch_size: int = 32, max_length: int = 128,
                    centre: bool = True) -> np.ndarray:
    """One L2-normalised vector per text (rows in input order), shape ``(len(texts), hidden)``;
    ``centre`` subtracts the mean vector first (raw mean-pooled vectors all point one way: cosines
    near 1 merge every cluster)."""
    import torch

    from jixiao.models.encoder import BOUNDARY_IDS, uses_boundaries
    from jixiao.tokenize import shared_tokenizer

    tokenizer, model = _load(str(Path(path)))
    words = shared_tokenizer().word_boundaries if uses_boundaries(model) else None
    out = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    with torch.inference_mode():
        for b in range(0, len(order), batch_size):
            idx = order[b:b + batch_size]
            batch = [texts[i] or " " for i in idx]
            enc = tokenizer(batch, truncation=True, max_length=max_length, padding=True,
                            return_offsets_mapping=True, return_token_type_ids=True, return_tensors="pt")
            boundary = torch.zeros_like(enc["input_ids"])
            if words is not None:
                for r, t in enumerate(batch):
                    tags = words(t)
                    for c, (a, e) in enumerate(enc["offset_mapping"][r].tolist()):
                        if e > a and a < len(tags):
                            boundary[r, c] = BOUNDARY_IDS.get(tags[a], 0)
            hidden = model._encode(enc["input_ids"], enc["attention_mask"], enc["token_type_ids"], boundary)
            mask = enc["attention_mask"].unsqueeze(-1).float()
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            out[idx] = pooled.numpy()
    if centre and len(out) > 1:
        out = out - out.mean(axis=0, keepdims=True)  # mean-pooled BERT vectors share a large common part
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return out / norms


def combine(X, E: np.ndarray, weight: float):
    """Rows ``[√(1-w)·X | √w·E]`` (sparse): cosine = (1-w)·cos_X + w·cos_E for unit rows.

    >>> from scipy.sparse import csr_matrix
    >>> Z = combine(csr_matrix([[1.0, 0.0]]), np.array([[0.0, 1.0]]), 0.5)
    >>> round(float((Z @ Z.T).toarray()[0, 0]), 6)
    1.0
    """
    from scipy.sparse import csr_matrix, hstack

    return hstack([X * np.sqrt(1.0 - weight), csr_matrix(E * np.sqrt(weight))]).tocsr()


__all__ = ["encoder_vectors", "combine"]
