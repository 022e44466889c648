"""The character encoder shared by the tagger and the transformer paragraph classifier.

A small BERT over characters (``model_type: jixiao_char_bert``) whose input embeddings may add
jieba's word boundaries (``boundary_ids``) and the rule extractor's BIO tags (``rule_ids``);
:func:`model_classes` builds and registers its config, token-classification and masked-LM classes
with the transformers Auto classes (torch and transformers are imported on first use only).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jixiao.schema import ENTITY_TYPES

MODEL_TYPE = "jixiao_char_bert"
NER_SCHEMA_VERSION = 1
#: Word-boundary feature ids: 0 is padding / special tokens, then jieba's B/M/E/S.
BOUNDARY_IDS: dict[str, int] = {"B": 1, "M": 2, "E": 3, "S": 4}


# ---------------------------------------------------------------- model classes
def _model_classes():
    """Build (once) and register the config/model classes; torch/transformers imported lazily."""
    global _CLASSES
    if _CLASSES is not None:
        return _CLASSES
    import torch
    from torch import nn
    from transformers import (AutoConfig, AutoModelForMaskedLM, AutoModelForTokenClassification,
                              BertConfig, BertModel)
    from transformers.modeling_outputs import MaskedLMOutput, TokenClassifierOutput
    from transformers.models.bert.modeling_bert import BertOnlyMLMHead, BertPreTrainedModel

    class CharBertConfig(BertConfig):
        """BertConfig plus the word-boundary feature and our schema version."""

        model_type = MODEL_TYPE
        use_word_boundaries: bool = True
        boundary_vocab_size: int = 5
        use_rule_features: bool = False
        rule_prior: float = 0.0
        whole_rule_spans: bool = False
        rule_vocab_size: int = 1 + 2 * len(ENTITY_TYPES) + 1
        ner_schema_version: int = NER_SCHEMA_VERSION

    class _CharBertBase(BertPreTrainedModel):
        config_class = CharBertConfig
        base_model_prefix = "bert"

        def _add_feature_embeddings(self, config):
            self.boundary_embeddings = nn.Embedding(config.boundary_vocab_size, config.hidden_size,
                                                    padding_idx=0)
            if getattr(config, "use_rule_features", False):
                self.rule_embeddings = nn.Embedding(config.rule_vocab_size, config.hidden_size,
                                                    padding_idx=0)

        def _embed(self, input_ids, boundary_ids, rule_ids=None):
            emb = self.bert.embeddings.word_embeddings(input_ids)
            if self.config.use_word_boundaries and boundary_ids is not None:
                emb = emb + self.boundary_embeddings(boundary_ids)
            if getattr(self.config, "use_rule_features", False) and rule_ids is not None:
                emb = emb + self.rule_embeddings(rule_ids)
            return emb

        def _encode(self, input_ids, attention_mask, token_type_ids, boundary_ids, rule_ids=None):
            out = self.bert(
                inputs_embeds=self._embed(input_ids, boundary_ids, rule_ids),
                attention_mask=attention_mask,
                token_type_ids=token_type_ids,
                return_dict=True,
            )
            return out[0]

    class CharBertForTokenClassification(_CharBertBase):
        """BERT over characters + word-boundary embedding + a linear BIO head."""

        def __init__(self, config):
            super().__init__(config)
            self.num_labels = config.num_labels
            self.bert = BertModel(config, add_pooling_layer=False)
            self._add_feature_embeddings(config)
            drop = config.classifier_dropout if config.classifier_dropout is not None \
                else config.hidden_dropout_prob
            self.dropout = nn.Dropout(drop)
            self.classifier = nn.Linear(config.hidden_size, config.num_labels)
            self.post_init()

        def forward(self, input_ids=None, attention_mask=None, token_type_ids=None,
                    boundary_ids=None, rule_ids=None, labels=None, **kwargs):
            seq = self._encode(input_ids, attention_mask, token_type_ids, boundary_ids, rule_ids)
            logits = self.classifier(self.dropout(seq))
            loss = None
            if labels is not None:
                loss = nn.functional.cross_entropy(logits.view(-1, self.num_labels),
                                                   labels.view(-1), ignore_index=-100)
            return TokenClassifierOutput(loss=loss, logits=logits)

    class CharBertForMaskedLM(_CharBertBase):
        """The same encoder with an MLM head, for domain pre-training (``jixiao pretrain``)."""

        def __init__(self, config):
            super().__init__(config)
            self.bert = BertModel(config, add_pooling_layer=False)
            self._add_feature_embeddings(config)
            self.cls = BertOnlyMLMHead(config)
            self.post_init()

        def forward(self, input_ids=None, attention_mask=None, token_type_ids=None,
                    boundary_ids=None, rule_ids=None, labels=None, **kwargs):
            seq = self._encode(input_ids, attention_mask, token_type_ids, boundary_ids, rule_ids)
            if labels is not None:  # score only masked positions: cheaper than the full vocab
                keep = labels != -100
                logits = self.cls(seq[keep])
                loss = nn.functional.cross_entropy(logits, labels[keep])
                return MaskedLMOutput(loss=loss, logits=logits)
            return MaskedLMOutput(logits=self.cls(seq))

    AutoConfig.register(MODEL_TYPE, CharBertConfig, exist_ok=True)
    AutoModelForTokenClassification.register(CharBertConfig, CharBertForTokenClassification,
                                             exist_ok=True)
    AutoModelForMaskedLM.register(CharBertConfig, CharBertForMaskedLM, exist_ok=True)
    _CLASSES = _Classes(CharBertConfig, CharBertForTokenClassification, CharBertForMaskedLM)
    del torch
    return _CLASSES


@dataclass(frozen=True)
class _Classes:
    config: Any
    token_classification: Any
    masked_lm: Any


_CLASSES: _Classes | None = None


def model_classes() -> _Classes:
    """``(CharBertConfig, CharBertForTokenClassification, CharBertForMaskedLM)``, registered
    with the transformers Auto classes.

    >>> model_classes().config.model_type
    'jixiao_char_bert'
    """
    return _model_classes()


def quiet_transformers() -> None:
    """No progress bars or load reports from transformers (a head added to an encoder is expected)."""
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def uses_rules(model) -> bool:
    """Whether a model takes ``rule_ids`` (the rule extractor's BIO tags as an input feature)."""
    return getattr(model.config, "model_type", None) == MODEL_TYPE and bool(
        getattr(model.config, "use_rule_features", False))


def uses_boundaries(model) -> bool:
    """Whether a model takes ``boundary_ids`` (our class with the feature switched on)."""
    return getattr(model.config, "model_type", None) == MODEL_TYPE and bool(
        getattr(model.config, "use_word_boundaries", False))
