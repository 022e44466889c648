"""The character encoder's model classes: a small BERT over characters (``model_type:
jixiao_char_bert``) whose input embedding may add jieba's word boundaries (``boundary_ids``) and
the rule extractor's BIO tags (``rule_ids``), with a token-classification head (the tagger), a
masked-LM head (``jixiao pretrain``) and a mean-pooled multi-label sequence head (the transformer
paragraph classifier).

Importing this module imports torch and transformers; the light runtime reaches it only through
:func:`jixiao.models.encoder.model_classes`, which also registers the classes with the transformers
Auto classes (:func:`register_auto`).

>>> CharBertConfig.model_type
'jixiao_char_bert'
>>> m = CharBertForTokenClassification(CharBertConfig(vocab_size=20, hidden_size=8, num_hidden_layers=1,
...     num_attention_heads=2, intermediate_size=16, max_position_embeddings=16, use_rule_features=True))
>>> sorted(k for k in m.state_dict() if not k.startswith("bert."))
['boundary_embeddings.weight', 'classifier.bias', 'classifier.weight', 'rule_embeddings.weight']
"""
from __future__ import annotations

from torch import nn
from transformers import (AutoConfig, AutoModelForMaskedLM, AutoModelForSequenceClassification,
                          AutoModelForTokenClassification, BertConfig, BertModel)
from transformers.modeling_outputs import MaskedLMOutput, SequenceClassifierOutput, TokenClassifierOutput
from transformers.models.bert.modeling_bert import BertOnlyMLMHead, BertPreTrainedModel

from jixiao.models.char_features import MODEL_TYPE, NER_SCHEMA_VERSION, check_feature_inputs
from jixiao.schema import ENTITY_TYPES


class CharBertConfig(BertConfig):
    """BertConfig plus the word-boundary and rule features and our schema version."""

    model_type = MODEL_TYPE
    use_word_boundaries: bool = True
    boundary_vocab_size: int = 5
    use_rule_features: bool = False
    rule_prior: float = 0.0
    whole_rule_spans: bool = False
    rule_vocab_size: int = 1 + 2 * len(ENTITY_TYPES) + 1
    ner_schema_version: int = NER_SCHEMA_VERSION


class CharBertPreTrainedModel(BertPreTrainedModel):
    """The encoder every head shares: ``bert`` run on the word embeddings plus the feature
    embeddings ``boundary_embeddings`` and ``rule_embeddings`` (state-dict keys beside ``bert.*``)."""

    config_class = CharBertConfig
    base_model_prefix = "bert"

    def _add_encoder(self, config, rules: bool = True) -> None:
        """``bert`` (no pooler), ``boundary_embeddings`` and, with ``rules`` and the config's
        ``use_rule_features``, ``rule_embeddings``; in this order (it fixes the seeded initialisation)."""
        self.bert = BertModel(config, add_pooling_layer=False)
        self.boundary_embeddings = nn.Embedding(config.boundary_vocab_size, config.hidden_size, padding_idx=0)
        if rules and getattr(config, "use_rule_features", False):
            self.rule_embeddings = nn.Embedding(config.rule_vocab_size, config.hidden_size, padding_idx=0)

    def _embed(self, input_ids, boundary_ids, rule_ids=None):
        emb = self.bert.embeddings.word_embeddings(input_ids)
        if self.config.use_word_boundaries and boundary_ids is not None:
            emb = emb + self.boundary_embeddings(boundary_ids)
        if getattr(self.config, "use_rule_features", False) and rule_ids is not None:
            emb = emb + self.rule_embeddings(rule_ids)
        return emb

    def _encode(self, input_ids, attention_mask, token_type_ids, boundary_ids, rule_ids=None):
        """The last hidden layer ``[B, L, H]``."""
        out = self.bert(
            inputs_embeds=self._embed(input_ids, boundary_ids, rule_ids),
            attention_mask=attention_mask,
            token_type_ids=token_type_ids,
            return_dict=True,
        )
        return out[0]

    def _add_linear_head(self, config) -> None:
        self.num_labels = config.num_labels
        drop = config.classifier_dropout if config.classifier_dropout is not None else config.hidden_dropout_prob
        self.dropout = nn.Dropout(drop)
        self.classifier = nn.Linear(config.hidden_size, config.num_labels)


class CharBertForTokenClassification(CharBertPreTrainedModel):
    """BERT over characters + word-boundary (and rule) embeddings + a linear BIO head."""

    def __init__(self, config):
        super().__init__(config)
        self._add_encoder(config)
        self._add_linear_head(config)
        self.post_init()

    def forward(self, input_ids=None, attention_mask=None, token_type_ids=None,
                boundary_ids=None, rule_ids=None, labels=None, **kwargs):
        check_feature_inputs(self.config, boundary_ids, rule_ids)
        seq = self._encode(input_ids, attention_mask, token_type_ids, boundary_ids, rule_ids)
        logits = self.classifier(self.dropout(seq))
        loss = None
        if labels is not None:
            loss = nn.functional.cross_entropy(logits.view(-1, self.num_labels),
                                               labels.view(-1), ignore_index=-100)
        return TokenClassifierOutput(loss=loss, logits=logits)


class CharBertForMaskedLM(CharBertPreTrainedModel):
    """The same encoder with an MLM head, for domain pre-training (``jixiao pretrain``)."""

    def __init__(self, config):
        super().__init__(config)
        self._add_encoder(config)
        self.cls = BertOnlyMLMHead(config)
        self.post_init()

    def forward(self, input_ids=None, attention_mask=None, token_type_ids=None,
                boundary_ids=None, rule_ids=None, labels=None, **kwargs):
        check_feature_inputs(self.config, boundary_ids, rule_ids)
        seq = self._encode(input_ids, attention_mask, token_type_ids, boundary_ids, rule_ids)
        if labels is not None:  # score only masked positions: cheaper than the full vocab
            keep = labels != -100
            logits = self.cls(seq[keep])
            loss = nn.functional.cross_entropy(logits, labels[keep])
            return MaskedLMOutput(loss=loss, logits=logits)
        return MaskedLMOutput(logits=self.cls(seq))


class CharBertForSequenceClassification(CharBertPreTrainedModel):
    """The encoder (word boundaries only: the paragraph classifier passes no rule tags) + mean
    pooling over real tokens + a linear multi-label head (``pos_weight`` set by the trainer
    weighs the positives of the BCE loss)."""

    def __init__(self, config):
        super().__init__(config)
        self._add_encoder(config, rules=False)
        self._add_linear_head(config)
        self.post_init()

    def forward(self, input_ids=None, attention_mask=None, token_type_ids=None, boundary_ids=None,
                labels=None, **kwargs):
        seq = self._encode(input_ids, attention_mask, token_type_ids, boundary_ids)
        # Mean over real tokens: steadier than [CLS] for an encoder pre-trained without NSP.
        mask = attention_mask.unsqueeze(-1).to(seq.dtype)
        pooled = (seq * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        logits = self.classifier(self.dropout(pooled))
        loss = None
        if labels is not None:
            pos_weight = getattr(self, "pos_weight", None)
            loss = nn.functional.binary_cross_entropy_with_logits(logits, labels.to(logits.dtype),
                                                                  pos_weight=pos_weight)
        return SequenceClassifierOutput(loss=loss, logits=logits)


def register_auto() -> None:
    """Register the config and the three heads with the transformers Auto classes (idempotent)."""
    AutoConfig.register(MODEL_TYPE, CharBertConfig, exist_ok=True)
    AutoModelForTokenClassification.register(CharBertConfig, CharBertForTokenClassification, exist_ok=True)
    AutoModelForMaskedLM.register(CharBertConfig, CharBertForMaskedLM, exist_ok=True)
    AutoModelForSequenceClassification.register(CharBertConfig, CharBertForSequenceClassification, exist_ok=True)
