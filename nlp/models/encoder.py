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
_CONFIG: Any = None


def _config_class():
    """Build (once) and register ``CharBertConfig`` with ``AutoConfig`` (no model classes)."""
    global _CONFIG
    if _CONFIG is not None:
        return _CONFIG
    from transformers import AutoConfig, BertConfig

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

    AutoConfig.register(MODEL_TYPE, CharBertConfig, exist_ok=True)
    _CONFIG = CharBertConfig
    return _CONFIG


def _model_classes():
    """Build (once) and register the config/model classes; torch/transformers imported lazily."""
    global _CLASSES
    if _CLASSES is not None:
        return _CLASSES
    import torch
    from torch import nn
    from transformers import AutoModelForMaskedLM, AutoModelForTokenClassification, BertModel
    from transformers.modeling_outputs import MaskedLMOutput, TokenClassifierOutput
    from transformers.models.bert.modeling_bert import BertOnlyMLMHead, BertPreTrainedModel

    CharBertConfig = _config_class()

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
            check_feature_inputs(self.config, boundary_ids, rule_ids)
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
            check_feature_inputs(self.config, boundary_ids, rule_ids)
            seq = self._encode(input_ids, attention_mask, token_type_ids, boundary_ids, rule_ids)
            if labels is not None:  # score only masked positions: cheaper than the full vocab
                keep = labels != -100
                logits = self.cls(seq[keep])
                loss = nn.functional.cross_entropy(logits, labels[keep])
                return MaskedLMOutput(loss=loss, logits=logits)
            return MaskedLMOutput(logits=self.cls(seq))

    AutoModelForTokenClassification.register(CharBertConfig, CharBertForTokenClassification,
                                             exist_ok=True)
    AutoModelForMaskedLM.register(CharBertConfig, CharBertForMaskedLM, exist_ok=True)
    _CLASSES = _Classes(CharBertConfig, CharBertForTokenClassification, CharBertForMaskedLM)
    del torch
    return _CLASSES


MISSING_FEATURES = (
    "this jixiao model (model_type {model_type}) also reads {names}, computed from the text by jixiao "
    "(jieba word boundaries, the rule extractor's tags); a plain transformers call or a "
    "pipeline('token-classification'/'fill-mask') does not pass them and would return wrong spans, so it is refused. "
    "Use jixiao: `jixiao.load()(text)`, `jixiao.models.ner.NerTagger.load(folder).predict([text])`, "
    "or `jixiao extract`.")


def check_feature_inputs(config, boundary_ids, rule_ids) -> None:
    """Refuse a forward call without the feature inputs the model was trained with (a ValueError
    that says how to run the model instead: never silently wrong spans).

    >>> class C: model_type = MODEL_TYPE; use_word_boundaries = True; use_rule_features = True
    >>> check_feature_inputs(C(), None, None)
    Traceback (most recent call last):
    ...
    ValueError: this jixiao model (model_type jixiao_char_bert) also reads boundary_ids, rule_ids, ...
    >>> check_feature_inputs(C(), [1], [0])
    """
    missing = []
    if getattr(config, "use_word_boundaries", False) and boundary_ids is None:
        missing.append("boundary_ids")
    if getattr(config, "use_rule_features", False) and rule_ids is None:
        missing.append("rule_ids")
    if missing:
        raise ValueError(MISSING_FEATURES.format(model_type=MODEL_TYPE, names=", ".join(missing)))


# ---------------------------------------------------------------- Auto-class registration
#: transformers modules whose mapping classes get our on-first-use registration.
_CONFIG_MODULE = "transformers.models.auto.configuration_auto"
_FACTORY_MODULE = "transformers.models.auto.auto_factory"
_EXTRA_MODEL_REGISTRARS: list = []


def register_auto_classes(*extra) -> None:
    """Make the transformers Auto classes know ``jixiao_char_bert`` without importing anything now.

    ``AutoConfig``, ``AutoModelForTokenClassification`` (and the other ``AutoModel*``) find our
    classes on first use: the Auto mappings are taught to build and register them (``model_classes``)
    the first time they are asked for model type ``jixiao_char_bert`` — after transformers has
    finished importing, so never inside its import. If transformers is not loaded yet, an import
    hook does that when its Auto modules load; ``import jixiao`` imports neither torch nor
    transformers. ``extra`` callables (the sequence classifier's registrar) run with the model classes.
    """
    import sys

    _EXTRA_MODEL_REGISTRARS.extend(f for f in extra if f not in _EXTRA_MODEL_REGISTRARS)
    for name in (_CONFIG_MODULE, _FACTORY_MODULE):
        mod = sys.modules.get(name)
        if mod is not None and hasattr(mod, "_LazyConfigMapping" if name == _CONFIG_MODULE else "_LazyAutoMapping"):
            _teach(mod)
    if not any(isinstance(f, _AutoHook) for f in sys.meta_path):
        sys.meta_path.insert(0, _AutoHook())


def _ensure_config() -> None:
    if _CONFIG is None:
        try:
            _config_class()
        except Exception as exc:  # never break the user's transformers call with our registration
            _warn(exc)


def _ensure_models() -> None:
    if _CLASSES is None:
        try:
            _model_classes()
            for f in _EXTRA_MODEL_REGISTRARS:
                f()
        except Exception as exc:
            _warn(exc)


def _warn(exc: Exception) -> None:
    import warnings

    warnings.warn(f"jixiao could not register its model classes with transformers ({type(exc).__name__}: "
                  f"{exc}); call jixiao.models.encoder.model_classes() before using the Auto classes",
                  RuntimeWarning, stacklevel=3)


def _teach(mod) -> None:
    """Wrap the lookups of transformers' Auto mapping classes: a lookup of our model type (a string
    in ``CONFIG_MAPPING``, our config class in the model mappings) registers our classes first."""
    if getattr(mod, "_jixiao_taught", False):
        return
    if hasattr(mod, "_LazyConfigMapping"):
        cls = mod._LazyConfigMapping

        def config_hook(key):
            if key == MODEL_TYPE:
                _ensure_config()

        _wrap(cls, ("__getitem__", "__contains__"), config_hook)
    if hasattr(mod, "_LazyAutoMapping"):
        cls = mod._LazyAutoMapping

        def model_hook(key):
            if getattr(key, "model_type", None) == MODEL_TYPE:
                _ensure_models()

        _wrap(cls, ("__getitem__", "__contains__", "get"), model_hook)
    mod._jixiao_taught = True


def _wrap(cls, names, before) -> None:
    import functools

    for name in names:
        original = getattr(cls, name)

        @functools.wraps(original)
        def wrapper(self, key, *args, _original=original, **kwargs):
            before(key)
            return _original(self, key, *args, **kwargs)

        setattr(cls, name, wrapper)


class _AutoHook:
    """A meta-path finder that teaches transformers' Auto mapping modules right after they load."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in (_CONFIG_MODULE, _FACTORY_MODULE):
            return None
        import sys

        for finder in sys.meta_path:
            if isinstance(finder, _AutoHook) or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _AfterLoader(spec.loader)
                return spec
        return None


class _AfterLoader:
    def __init__(self, inner):
        self.inner = inner

    def create_module(self, spec):
        return self.inner.create_module(spec)

    def exec_module(self, module) -> None:
        self.inner.exec_module(module)
        try:
            _teach(module)  # no imports here: the module's classes exist once it has executed
        except Exception as exc:
            _warn(exc)

    def __getattr__(self, name):  # get_source, get_filename, is_package… from the real loader
        return getattr(self.inner, name)


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
