"""The typed config of the entity tagger (``configs/ner.yaml``): model, data and training sections."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ModelConfig:
    base: str | None = "models/encoder"   # encoder folder (jixiao pretrain) or any HF checkpoint
    hidden_size: int = 128                # used when base is None (random init)
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    intermediate_size: int = 512
    max_length: int = 256
    use_word_boundaries: bool = True
    use_rule_features: bool = True        # the rule extractor's tags as an input embedding
    rule_prior: float = 0.0               # decoding bonus for the rule's tag (0 = trust the model)
    rule_prior_sweep: list[str] = field(default_factory=list)  # cv only: also score these priors
    whole_rule_spans: bool = False        # decoding: an entity open inside a rule span may not end there
    jieba_min_freq: int | None = 100      # vocabulary of a random-init tokenizer (None: data chars only)
    dropout: float = 0.1
    base_layers: int | None = None        # keep only the first N transformer layers of the base (a smaller, faster tagger)


@dataclass
class DataConfig:
    gold: str = "corpus/gold"
    corpus: str | None = None      # written corpus (gold/ + documents.json): trained on with the gold
    extra: list[str] = field(default_factory=list)      # more ANNOTATION-format JSONL files
    weak_dirs: list[str] = field(default_factory=list)  # unlabelled reports, labelled by rules
    weak_gold_docs: bool = False   # also rule-label gold documents' text (never the held-out one)
    synthetic_copies: int = 0
    only_possible: bool = True     # train on paragraphs the tagger does not skip


@dataclass
class TrainConfig:
    seed: int = 13
    epochs: int = 30
    batch_size: int = 16
    lr: float = 5e-4
    weight_decay: float = 0.01
    warmup: float = 0.1
    threads: int = 2
    max_minutes: float = 9.0       # stop early (with a warning) to keep the promise of < 10 min
    rule_dropout: float = 0.0      # chance that a rule span is hidden (set to O) in a training batch


@dataclass
class NerConfig:
    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
