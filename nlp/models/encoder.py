"""The character encoder shared by the tagger and the transformer paragraph classifier: the light side.

A small BERT over characters (``model_type: jixiao_char_bert``) whose input embeddings may add
jieba's word boundaries (``boundary_ids``) and the rule extractor's BIO tags (``rule_ids``). Its
classes (config, token-classification, masked-LM and sequence-classification heads) live in
:mod:`jixiao.models.char_encoder`, which imports torch and transformers; this module imports neither:
:func:`model_classes` imports that module on first use and registers the classes with the
transformers Auto classes, and :func:`register_auto_classes` makes the Auto classes find them on
their own (``import jixiao`` stays light).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jixiao.models.char_features import (  # noqa: F401  (re-exported)
    BOUNDARY_IDS, MISSING_FEATURES, MODEL_TYPE, NER_SCHEMA_VERSION, check_feature_inputs)


# ---------------------------------------------------------------- model classes
@dataclass(frozen=True)
class CharEncoderClasses:
    """The model classes of :mod:`jixiao.models.char_encoder`, by role."""

    config: Any
    token_classification: Any
    masked_lm: Any
    sequence_classification: Any


_CLASSES: CharEncoderClasses | None = None


def model_classes() -> CharEncoderClasses:
    """``CharBertConfig`` and its token-classification, masked-LM and sequence-classification
    models, registered with the transformers Auto classes (torch and transformers load here).

    >>> model_classes().config.model_type
    'jixiao_char_bert'
    >>> model_classes().sequence_classification.__name__
    'CharBertForSequenceClassification'
    """
    global _CLASSES
    if _CLASSES is None:
        from jixiao.models import char_encoder as ce

        ce.register_auto()
        _CLASSES = CharEncoderClasses(ce.CharBertConfig, ce.CharBertForTokenClassification,
                                      ce.CharBertForMaskedLM, ce.CharBertForSequenceClassification)
    return _CLASSES


# ---------------------------------------------------------------- Auto-class registration
#: transformers modules whose mapping classes get our on-first-use registration.
_CONFIG_MODULE = "transformers.models.auto.configuration_auto"
_FACTORY_MODULE = "transformers.models.auto.auto_factory"


def register_auto_classes() -> None:
    """Make the transformers Auto classes know ``jixiao_char_bert`` without importing anything now.

    ``AutoConfig``, ``AutoModelForTokenClassification`` (and the other ``AutoModel*``) find our
    classes on first use: the Auto mappings are taught to build and register them (``model_classes``)
    the first time they are asked for model type ``jixiao_char_bert`` — after transformers has
    finished importing, so never inside its import. If transformers is not loaded yet, an import
    hook does that when its Auto modules load; ``import jixiao`` imports neither torch nor
    transformers.
    """
    import sys

    for name in (_CONFIG_MODULE, _FACTORY_MODULE):
        mod = sys.modules.get(name)
        if mod is not None and hasattr(mod, "_LazyConfigMapping" if name == _CONFIG_MODULE else "_LazyAutoMapping"):
            _teach(mod)
    if not any(isinstance(f, _AutoHook) for f in sys.meta_path):
        sys.meta_path.insert(0, _AutoHook())


def _ensure_registered() -> None:
    if _CLASSES is None:
        try:
            model_classes()
        except Exception as exc:  # never break the user's transformers call with our registration
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
                _ensure_registered()

        _wrap(cls, ("__getitem__", "__contains__"), config_hook)
    if hasattr(mod, "_LazyAutoMapping"):
        cls = mod._LazyAutoMapping

        def model_hook(key):
            if getattr(key, "model_type", None) == MODEL_TYPE:
                _ensure_registered()

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
