"""A small pipeline of named stages (cf. spaCy's ``Language``): ``Document -> Document``.

Stage types come from an allow-listed registry with versioned names (``rule_entities.v1``);
a pipeline is described by a manifest (``configs/pipeline.yaml`` or a model folder's
``pipeline.json``) naming each stage, its type, and for model stages the model folder.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from jixiao.doc import Document, document_from_raw, paragraph_records  # noqa: F401  (re-exported)
from jixiao.errors import (
    E_MANIFEST_MISSING, E_MANIFEST_SHAPE, E_PIPELINE_INPUT, E_STAGE_FAILED, E_STAGE_SPEC, E_STAGE_TYPE,
    JixiaoError, UsageError,
)
from jixiao.paths import config_path, resolve
from jixiao.structure import document_from_paragraphs  # noqa: F401  (re-exported)


StageFactory = Callable[..., Callable[[Document], Document]]
_REGISTRY: dict[str, StageFactory] = {}


def register_stage(name: str) -> Callable[[StageFactory], StageFactory]:
    """Register a stage factory under a versioned name (``rule_entities.v1``)."""

    def deco(factory: StageFactory) -> StageFactory:
        _REGISTRY[name] = factory
        return factory

    return deco


def stage_types() -> list[str]:
    return sorted(_REGISTRY)


@dataclass
class StageSpec:
    name: str
    type: str
    path: str | None = None
    options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: dict[str, Any], where: str) -> "StageSpec":
        unknown = set(d) - {"name", "type", "path", "options"}
        if unknown or "type" not in d:
            raise UsageError(E_STAGE_SPEC, f"{where}: a stage needs 'type' (and may have name, path, options); got {sorted(d)}")
        if d["type"] not in _REGISTRY:
            raise UsageError(E_STAGE_TYPE, f"{where}: unknown stage type {d['type']!r}; known types: {', '.join(stage_types())}")
        return cls(name=d.get("name", d["type"].split(".")[0]), type=d["type"], path=d.get("path"), options=d.get("options") or {})


class Pipeline:
    """Named stages applied in order; ``disable`` skips some by name."""

    def __init__(self, stages: list[tuple[str, Callable[[Document], Document]]], specs: list[StageSpec] | None = None):
        self.stages = stages
        self.specs = specs or []

    @property
    def stage_names(self) -> list[str]:
        return [n for n, _ in self.stages]

    @property
    def notes(self) -> list[str]:
        """What stages say about themselves (``stage.note``), e.g. which source writes which entity type."""
        return [f"{n}: {stage.note}" for n, stage in self.stages if getattr(stage, "note", None)]

    def __call__(self, doc: Any, disable: Iterable[str] = ()) -> Any:
        """Process one input, or a list of inputs (→ a list of Documents).

        An input is a ``Document``, raw text or a report file: a ``pathlib.Path`` (any
        ``os.PathLike``) is a file; ``jixiao.Text(s)`` is text; a plain ``str`` is a file only when
        it names an existing file and has no line break, else it is the report's text.
        """
        if isinstance(doc, (list, tuple)):
            return [self._one(as_document(d), disable) for d in doc]
        return self._one(as_document(doc), disable)

    def _one(self, doc: Document, disable: Iterable[str] = ()) -> Document:
        from jixiao.tokenize import clear_caches

        clear_caches()  # stages share the word segmentation of this document only
        skip = set(disable)
        for name, stage in self.stages:
            if name in skip:
                continue
            try:
                doc = stage(doc)
            except JixiaoError:
                raise
            except Exception as exc:  # name the stage and the document, keep the cause
                raise JixiaoError(E_STAGE_FAILED, f"stage '{name}' failed: {type(exc).__name__}: {exc}", path=doc.source) from exc
        return doc

    def pipe(self, docs: Iterable[Any], batch_size: int = 16, disable: Iterable[str] = ()) -> Iterator[Document]:
        """Process inputs (as for ``__call__``: Documents, texts, paths) lazily, one Document per input,
        in order; model stages batch paragraphs within a document (``batch_size`` is accepted for
        spaCy-like call sites)."""
        for doc in docs:
            yield self._one(as_document(doc), disable=disable)

    def to_spacy(self, nlp: Any = None) -> Any:
        """A spaCy ``Language`` (default ``spacy.blank("zh")``) running this pipeline as its ``jixiao``
        component (:func:`jixiao.spacy_ext.to_spacy`)."""
        from jixiao.spacy_ext import to_spacy

        return to_spacy(self, nlp)


def as_document(x: Any) -> Document:
    r"""A ``Document`` from a pipeline input (see ``Pipeline.__call__`` for the rule on strings).

    >>> from jixiao import Text
    >>> d = as_document(Text("一、项目概况\r\n资金8684万元。"))
    >>> d.doc_id[:5], d.source, d.text
    ('text-', '<text>', '一、项目概况\n资金8684万元。')
    >>> as_document("no/such/file.txt").text   # not an existing file: the string is the text
    'no/such/file.txt'
    """
    import os

    from jixiao import Text

    if isinstance(x, Document):
        return x
    if isinstance(x, os.PathLike) or (isinstance(x, str) and not isinstance(x, Text) and _names_file(x)):
        from jixiao.io.readers import read_document

        return document_from_raw(read_document(x))
    if isinstance(x, str):
        return document_from_text(str(x))
    raise UsageError(E_PIPELINE_INPUT, f"a pipeline input is a Document, a str (text or file path), a pathlib.Path "
                     f"or a list of those; got {type(x).__name__}")


def _names_file(s: str) -> bool:
    import os

    if not s or "\n" in s or "\r" in s or len(s) > 4096:
        return False
    try:
        return os.path.isfile(s)
    except (OSError, ValueError):
        return False


def document_from_text(text: str, doc_id: str | None = None) -> Document:
    """A ``Document`` from raw report text (one paragraph per line); ``doc_id`` defaults to
    ``text-`` + the first 16 hex digits of the text's sha256, ``source`` is ``<text>``."""
    import hashlib

    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Document(doc_id=doc_id or f"text-{digest[:16]}", source="<text>", sha256=digest, text=text, fmt="txt")


def load_pipeline(path: str | Path | None = None, overrides: dict[str, str] | None = None) -> Pipeline:
    """Build a pipeline from a YAML/JSON manifest (default ``configs/pipeline.yaml``)."""
    import yaml

    p = resolve(path) if path else config_path("pipeline.yaml")
    if p.is_dir():
        p = p / "pipeline.json"
    if not p.exists():
        raise UsageError(E_MANIFEST_MISSING, f"pipeline manifest {p} not found; pass --pipeline FILE or restore configs/pipeline.yaml")
    data = json.loads(p.read_text("utf-8")) if p.suffix == ".json" else yaml.safe_load(p.read_text("utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("stages"), list):
        raise UsageError(E_MANIFEST_SHAPE, f"{p}: expected a mapping with a 'stages' list")
    specs = [StageSpec.from_dict(d, f"{p}: stage {i}") for i, d in enumerate(data["stages"])]
    for key, value in (overrides or {}).items():  # "--stage.ner.path models/x"
        name, _, attr = key.partition(".")
        for s in specs:
            if s.name == name:
                if attr == "path":
                    s.path = value
                else:
                    s.options[attr] = value
    stages = []
    for s in specs:
        path_ = s.path
        if path_ and not Path(path_).is_absolute():
            path_ = str(resolve(path_, base=p.parent))
        factory = _REGISTRY[s.type]
        stages.append((s.name, factory(path=path_, **s.options) if path_ else factory(**s.options)))
    return Pipeline(stages, specs)


# ---------------------------------------------------------------------------------------------
# Built-in stages
# ---------------------------------------------------------------------------------------------


@register_stage("structure.v1")
def _structure_stage(**_: Any) -> Callable[[Document], Document]:
    """Clean the raw text and segment it: paragraphs, headings, sections, tables."""
    from jixiao.clean import clean_text
    from jixiao.structure import build_paragraphs

    def stage(doc: Document) -> Document:
        if doc.paragraphs:  # already segmented (e.g. gold paragraphs)
            return doc
        return build_paragraphs(doc, clean_text(doc.text, rejoin=doc.fmt != "docx"))

    return stage


@register_stage("meta.v1")
def _meta_stage(**_: Any) -> Callable[[Document], Document]:
    from jixiao.likeness import add_report_likeness
    from jixiao.meta import extract_meta

    return lambda doc: add_report_likeness(extract_meta(doc))  # meta + report_likeness (issue 18)


@register_stage("indicators.v1")
def _indicators_stage(**_: Any) -> Callable[[Document], Document]:
    from jixiao.structure import extract_indicators

    return extract_indicators


@register_stage("link_indicators.v1")
def _link_stage(**_: Any) -> Callable[[Document], Document]:
    """Prose indicator records from the entities layer (after the entity stages)."""
    from jixiao.link import link_indicators

    return link_indicators


@register_stage("rule_entities.v1")
def _rule_entities_stage(**_: Any) -> Callable[[Document], Document]:
    from jixiao.rules.entities import annotate_document

    return annotate_document


@register_stage("rule_labels.v1")
def _rule_labels_stage(threshold: float = 0.5, **_: Any) -> Callable[[Document], Document]:
    from jixiao.rules.labels import annotate_labels

    return lambda doc: annotate_labels(doc, threshold=float(threshold))


# ---------------------------------------------------------------------------------------------
# Entry points used by the CLI and by evaluation
# ---------------------------------------------------------------------------------------------


_DEFAULT: Pipeline | None = None


def extract_paragraph_records(doc_id: str, paragraph_texts: list[str], pipeline: Pipeline | None = None) -> list[dict[str, Any]]:
    """Run the current pipeline on given paragraph texts (the gold texts) → §6 records."""
    global _DEFAULT
    if pipeline is None:
        if _DEFAULT is None:
            _DEFAULT = load_pipeline()
        pipeline = _DEFAULT
    doc = pipeline(document_from_paragraphs(doc_id, paragraph_texts), disable=("meta",))
    return paragraph_records(doc, with_values=True)


# ---------------------------------------------------------------------------------------------
# Model stages (model folders named in the manifest)
# ---------------------------------------------------------------------------------------------


@register_stage("paragraph_cls.v1")
def _paragraph_cls_stage(path: str = "models/cls", **_: Any) -> Callable[[Document], Document]:
    """Paragraph labels and label scores from a trained classifier. Every paragraph but table rows
    is classified (a heading may state a practice or a problem, ANNOTATION.md §7); table rows stay 其他."""
    from jixiao.models.paragraph_cls import ParagraphClassifier, paragraph_items

    clf = ParagraphClassifier.load(path)
    thresholds = clf.thresholds

    def stage(doc: Document) -> Document:
        items = paragraph_items([p.text for p in doc.paragraphs], [p.section for p in doc.paragraphs])
        pairs = [(p, it) for p, it in zip(doc.paragraphs, items) if p.kind != "table_row"]
        todo = [p for p, _ in pairs]
        scores = clf.predict_proba([it for _, it in pairs])
        for p, s in zip(todo, scores):
            p.label_scores = s
            p.labels = [k for k, v in s.items() if v >= thresholds.get(k, 0.5)]
        return doc

    return stage


@register_stage("roles.v1")
def _roles_stage(path: str = "models/roles", **_: Any) -> Callable[[Document], Document]:
    """Sentence roles (问题/原因/措施) for paragraphs labelled 存在问题 or 建议."""
    from jixiao.doc import Sentence
    from jixiao.models.roles import RoleTagger
    from jixiao.rules.labels import split_sentences

    tagger = RoleTagger.load(path)

    def stage(doc: Document) -> Document:
        todo = [p for p in doc.paragraphs if {"存在问题", "建议"} & set(p.labels)]
        preds = tagger.predict_many([(p.text, p.labels, p.section) for p in todo]) if todo else []
        for p, units in zip(todo, preds):
            p.sentences = [Sentence(s, e, r) for s, e, r in units]
        for p in doc.paragraphs:
            if not ({"存在问题", "建议"} & set(p.labels)):
                p.sentences = [Sentence(s, e, None) for s, e in split_sentences(p.text)]
        return doc

    return stage


@register_stage("ner_entities.v1")
def _ner_stage(path: str = "models/ner", types: str = "AMOUNT,UNIT,INDICATOR,TARGET,ACTUAL,SCORE", onnx: Any = False,
               ties: str = "model", **_: Any) -> Callable[[Document], Document]:
    """Entities of the listed types from the token-classification model (after the rule entities stage);
    ``types: auto`` keeps the better leave-one-document-out source per type (``ties``: model|rules)."""
    from jixiao.models.ner import ner_stage

    return ner_stage(path, types=types, onnx=onnx, ties=ties)
