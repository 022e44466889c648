"""The NER tagger as an estimator of the one protocol (``ner_tagger.v1``, :mod:`jixiao.models.estimator`).

``fit(X, y)`` trains with the tagger's own training code (:func:`training.ner.fit`: the seeded loop of
``jixiao train ner``), ``predict(X)`` gives the spans of :meth:`jixiao.models.ner.NerTagger.predict`,
and ``save``/``load`` use the tagger's model folder (a Hugging Face ``config.json`` whose ``estimator``
key names ``ner_tagger.v1``, weights, tokenizer, jieba dictionary, ``config.yaml``). Folders written
before that key existed (``models/ner``, any ``jixiao train ner`` output or token-classification
checkpoint) load too; their parameters come from their ``config.yaml`` when there is one.

The class lives in ``training/`` because ``fit`` is training: the runtime package never imports
``training`` (not even inside a function, tests/test_layout.py), and the pipeline reads a tagger folder
with :class:`~jixiao.models.ner.NerTagger` alone. So ``ner_tagger.v1`` is in the registry once this
module is imported (``import training.ner_estimator``).

Items are ``{"text": paragraph, "context": {"doc_id": ...}}``; the rules behind the rule-tag feature
read each document's paragraphs together (an item without ``doc_id`` is its own document), in
``fit`` as in ``predict``. Targets are span lists ``[(start, end, type), ...]``.

>>> est = NerEstimator(base=None, hidden_size=16, epochs=1, threads=1)        # doctest: +SKIP
>>> est.fit([{"text": "支出8684万元"}], [[(2, 6, "AMOUNT"), (6, 8, "UNIT")]]).predict([{"text": "收入5万元"}])  # doctest: +SKIP
[[(2, 3, 'AMOUNT'), (3, 5, 'UNIT')]]
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from jixiao.errors import JixiaoError
from jixiao.models.estimator import (
    E_BAD_DATA, E_BAD_LABEL, ESTIMATOR_KEY, Estimator, Item, check_items, read_config, register)
from jixiao.models.ner import NerTagger, uses_rules
from jixiao.schema import ENTITY_TYPES
from training.ner import DataConfig, ModelConfig, NerConfig, TrainConfig

#: The training knobs that are the estimator's parameters, by section of ``configs/ner.yaml``
#: (``model.rule_prior_sweep`` is for ``jixiao cv ner`` only; ``data`` comes from ``X``/``y``).
KNOBS: dict[str, tuple[str, ...]] = {
    "model": tuple(f.name for f in dataclasses.fields(ModelConfig) if f.name != "rule_prior_sweep"),
    "train": tuple(f.name for f in dataclasses.fields(TrainConfig)),
    "data": ("only_possible",),
}


@register("ner_tagger.v1")
class NerEstimator(Estimator):
    """Entity spans per paragraph; the parameters are the knobs of ``configs/ner.yaml``
    (:class:`training.ner.ModelConfig`, :class:`training.ner.TrainConfig` and ``data.only_possible``),
    with the same defaults. ``base=None`` trains a randomly initialised model of ``hidden_size`` …
    (tests); a folder (``models/encoder``, looked up like every shipped path) starts from its weights.
    """

    def __init__(self, base: str | None = "models/encoder", hidden_size: int = 128, num_hidden_layers: int = 2,
                 num_attention_heads: int = 4, intermediate_size: int = 512, max_length: int = 256,
                 use_word_boundaries: bool = True, use_rule_features: bool = True, rule_prior: float = 0.0,
                 whole_rule_spans: bool = False, jieba_min_freq: int | None = 100, dropout: float = 0.1,
                 base_layers: int | None = None, seed: int = 13, epochs: int = 30, batch_size: int = 16, lr: float = 5e-4,
                 weight_decay: float = 0.01, warmup: float = 0.1, threads: int = 2, max_minutes: float = 9.0,
                 rule_dropout: float = 0.0, only_possible: bool = True):
        params = dict(locals())
        del params["self"]
        for name, value in params.items():
            setattr(self, name, value)

    # -- configuration -------------------------------------------------------------------------------
    def to_config(self) -> NerConfig:
        """The training config these parameters make (``data`` other than ``only_possible``: defaults)."""
        return NerConfig(model=ModelConfig(**{k: getattr(self, k) for k in KNOBS["model"]}),
                         data=DataConfig(only_possible=self.only_possible),
                         train=TrainConfig(**{k: getattr(self, k) for k in KNOBS["train"]}))

    @classmethod
    def params_from_yaml(cls, data: dict[str, Any]) -> dict[str, Any]:
        """The parameters a ``config.yaml`` of a tagger folder (``jixiao train ner``'s format) sets."""
        return {k: data[section][k] for section, keys in KNOBS.items()
                if isinstance(data.get(section), dict) for k in keys if k in data[section]}

    # -- data ----------------------------------------------------------------------------------------
    @staticmethod
    def _records(items: Sequence[Item], y: Sequence[Sequence[Any]] | None = None) -> list[dict[str, Any]]:
        """Training records (:mod:`training.data`'s format) of the items; targets checked."""
        out = []
        for i, it in enumerate(items):
            text = it["text"]
            entities = []
            for span in (y[i] if y is not None else []):
                ok = isinstance(span, (list, tuple)) and len(span) >= 3
                s, e, t = span[:3] if ok else (None, None, None)
                if not (ok and isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text)
                        and t in ENTITY_TYPES):
                    raise JixiaoError(E_BAD_LABEL, f"target {i} has the span {span!r}; give (start, end, type) "
                                                   f"with 0 <= start < end <= len(text) and a type of "
                                                   f"{', '.join(ENTITY_TYPES)}")
                entities.append([s, e, t])
            doc = (it.get("context") or {}).get("doc_id")
            out.append({"doc_id": doc, "para": i, "text": text, "entities": entities})
        return out

    def _rule_spans(self, records: list[dict[str, Any]]):
        from training.data import record_rule_spans

        return record_rule_spans(records) if uses_rules(self.tagger_.model) else None

    # -- estimator API -------------------------------------------------------------------------------
    def fit(self, X: Sequence[Item], y: Sequence[Sequence[Any]]) -> "NerEstimator":
        from training.ner import fit

        items = check_items(X, y)
        if not items:
            raise JixiaoError(E_BAD_DATA, "cannot fit on zero paragraphs; give at least one paragraph with its spans")
        records = self._records(items, y)
        cfg = self.to_config()
        if cfg.model.base:
            from jixiao.paths import resolve

            cfg.model.base = str(resolve(cfg.model.base))
        self.tagger_, self.history_, self.n_windows_ = fit(cfg, records, progress=False)
        return self

    def predict(self, X: Sequence[Item]) -> list[list[tuple[int, int, str]]]:
        """``[(start, end, type), ...]`` per item (character offsets into its text)."""
        self._check_fitted("tagger_")
        records = self._records(check_items(X))
        return self.tagger_.predict([r["text"] for r in records], rule_spans=self._rule_spans(records))

    def predict_proba(self, X: Sequence[Item]) -> list[np.ndarray]:
        """Per item, the BIO tag probabilities of each character, ``[len(text), len(labels)]``
        (:meth:`~jixiao.models.ner.NerTagger.tag_probabilities`; columns: ``tagger_.labels``)."""
        self._check_fitted("tagger_")
        records = self._records(check_items(X))
        return self.tagger_.tag_probabilities([r["text"] for r in records], rule_spans=self._rule_spans(records))

    def save(self, folder: str | Path) -> Path:
        """The tagger's folder: ``config.json`` (with ``estimator: ner_tagger.v1``), weights,
        tokenizer, jieba dictionary, ``config.yaml`` (``jixiao train ner --config`` retrains it), README.md.
        ONNX exports of earlier weights in the folder are removed."""
        import yaml

        from jixiao.models.onnx_runtime import remove_exports
        from training.card import write_card
        from training.config import config_dict
        from training.ner import library_versions

        self._check_fitted("tagger_")
        folder = Path(folder)
        config = self.tagger_.model.config
        setattr(config, ESTIMATOR_KEY, self.registered_name)
        config.library_versions = library_versions()
        self.tagger_.save(folder)
        remove_exports(folder)
        (folder / "config.yaml").write_text(yaml.safe_dump(config_dict(self.to_config()), allow_unicode=True,
                                                           sort_keys=False), encoding="utf-8")
        if not (folder / "README.md").exists():
            write_card(folder / "README.md", f"# {self.registered_name}\n\nEntity tagger trained with "
                       "`NerEstimator.fit`; `jixiao train ner` writes the full model card (data, scores).\n", "ner")
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> "NerEstimator":
        """A folder written by :meth:`save`, by ``jixiao train ner`` or any token-classification checkpoint."""
        import yaml

        folder = Path(folder)
        read_config(folder, expect=cls.registered_name, untyped_ok=True)
        params: dict[str, Any] = {}
        if (folder / "config.yaml").is_file():
            params = cls.params_from_yaml(yaml.safe_load((folder / "config.yaml").read_text(encoding="utf-8")) or {})
        est = cls(**params)
        est.tagger_ = NerTagger.load(folder)
        return est
