"""What the character encoder reads besides the characters: its model type, the word-boundary
feature ids, and the check that refuses a forward call without those inputs.

Plain Python (no torch, no transformers): the light runtime (``jixiao.models.encoder``,
``jixiao.models.ner``) and the model classes (``jixiao.models.char_encoder``) both import it.
"""
from __future__ import annotations

MODEL_TYPE = "jixiao_char_bert"
NER_SCHEMA_VERSION = 1
#: Word-boundary feature ids: 0 is padding / special tokens, then jieba's B/M/E/S.
BOUNDARY_IDS: dict[str, int] = {"B": 1, "M": 2, "E": 3, "S": 4}

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
