"""spaCy integration: the jixiao pipeline as a spaCy component, gold as a ``DocBin``, displaCy pages.

Importing ``jixiao`` never imports spaCy; this module does (``import jixiao.spacy_ext``), and spaCy
finds the ``jixiao`` factory through the ``spacy_factories`` entry point, so after installing
jixiao nothing needs importing by hand::

    import spacy
    nlp = spacy.blank("zh")                 # character tokens; no model download
    nlp.add_pipe("jixiao")                  # config: {"pipeline": manifest or model folder, "disable": [...]}
    doc = nlp("全年支出资金8684万元，预算执行率96.4%。")
    [(e.text, e.label_, e._.value_yuan) for e in doc.ents]

or from a loaded pipeline: ``to_spacy(jixiao.load())``, ``jixiao.load().to_spacy()``.

What the component writes (offsets of the jixiao paragraphs are mapped back onto ``doc.text``
through the cleaning map and aligned to tokens with ``doc.char_span(..., alignment_mode="expand")``):

=================================  ==================================================================
``doc.ents``                       the entities (AMOUNT UNIT INDICATOR TARGET ACTUAL SCORE), flat: where
                                   two overlap the longer one is kept (``spacy.util.filter_spans``)
``doc.spans["entities"]``          every entity span, overlapping or not (ANNOTATION.md §4 entities
                                   are flat, so on gold the two layers are equal)
``doc.spans["roles"]``             sentence roles 问题 / 原因 / 措施
``doc.spans["paragraphs"]``        one span per non-empty paragraph, labelled with its paragraph labels
                                   joined by ``+`` (``存在问题+建议``) or ``其他``; ``span._.labels``,
                                   ``span._.label_scores``
``doc.cats``                       per paragraph label, the highest score of any paragraph (a document
                                   "has" a label when some paragraph has it); a one-paragraph text
                                   gets that paragraph's scores
``span._.value`` ``._.value_yuan``  an entity's number and its value in 元 (``Decimal`` or None), also
``._.unit`` ``._.comparator``       its unit, comparator (≥ ≤ …), range upper bound and source
``._.upper`` ``._.source``          (rules | model | table)
``doc._.jixiao``                   the document in the output contract (``Document.to_dict()``:
                                   meta, paragraphs, entities, indicators; values as strings)
=================================  ==================================================================

Everything stored is msgpack-safe (values travel as strings, the getters return ``Decimal``), so
``doc.to_bytes()`` and ``DocBin(store_user_data=True)`` keep it.

>>> import spacy
>>> nlp = spacy.blank("zh")
>>> doc = record_to_doc(nlp, {"doc_id": "d", "para": 0, "text": "收入8684万元", "labels": ["经验做法"],
...                           "roles": [], "entities": [[2, 6, "AMOUNT"], [6, 8, "UNIT"]]})
>>> [(e.text, e.label_) for e in doc.ents], doc.cats["经验做法"]
([('8684', 'AMOUNT'), ('万元', 'UNIT')], 1.0)
>>> doc_to_record(doc)["entities"]
[[2, 6, 'AMOUNT'], [6, 8, 'UNIT']]
"""
from __future__ import annotations

import hashlib
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span
from spacy.util import filter_spans

from jixiao.doc import Document
from jixiao.schema import ENTITY_TYPES, OTHER_LABEL, PARAGRAPH_LABELS, ROLES

ENTITIES_KEY = "entities"
ROLES_KEY = "roles"
PARAGRAPHS_KEY = "paragraphs"
#: Values an entity span carries (``span._.NAME``): numbers come back as ``Decimal``.
ENTITY_VALUES: tuple[str, ...] = ("value", "value_yuan", "unit", "comparator", "upper", "source")
_DECIMALS = frozenset({"value", "value_yuan", "upper"})
#: displaCy colours, one per entity type and role.
COLOURS: dict[str, str] = {
    "AMOUNT": "#7aecec", "UNIT": "#bfeeb7", "INDICATOR": "#feca74", "TARGET": "#c887fb",
    "ACTUAL": "#9cc9cc", "SCORE": "#ff9561", "问题": "#ff8197", "原因": "#ffeb80", "措施": "#aa9cfc",
}


# ---------------------------------------------------------------------------------------------
# Extensions
# ---------------------------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _entity_getter(name: str):
    def get(span: Span) -> Any:
        store = span._.jixiao_entity or {}
        value = store.get(name)
        return _decimal(value) if name in _DECIMALS else value

    return get


def _paragraph_getter(name: str, default: Any):
    def get(span: Span) -> Any:
        store = span._.jixiao_paragraph or {}
        return store.get(name, default)

    return get


def install_extensions() -> None:
    """Register the ``Doc``/``Span`` extensions (idempotent; done on import of this module).

    >>> install_extensions(); Span.has_extension("value_yuan") and Doc.has_extension("jixiao")
    True
    """
    Doc.set_extension("jixiao", default=None, force=True)
    Span.set_extension("jixiao_entity", default=None, force=True)       # the stored values (strings)
    Span.set_extension("jixiao_paragraph", default=None, force=True)    # index, kind, section, labels, scores
    for name in ENTITY_VALUES:
        Span.set_extension(name, getter=_entity_getter(name), force=True)
    Span.set_extension("labels", getter=_paragraph_getter("labels", []), force=True)
    Span.set_extension("label_scores", getter=_paragraph_getter("label_scores", {}), force=True)


install_extensions()


# ---------------------------------------------------------------------------------------------
# jixiao Document -> spaCy Doc
# ---------------------------------------------------------------------------------------------


def _str(value: Any) -> Any:
    """A msgpack-safe value: Decimals as plain strings ("86840000")."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    return value


def _source_span(paragraph: Any, start: int, end: int, text: str) -> tuple[int, int] | None:
    """Offsets in the source text of characters ``start..end`` of a paragraph."""
    if start >= end:
        return None
    if paragraph.mapped is not None and len(paragraph.mapped.origin) == len(paragraph.text):
        return paragraph.mapped.source_span(start, end)
    base = paragraph.source_span[0]
    if text[base + start: base + end] == paragraph.text[start:end]:
        return base + start, base + end
    return None


def _char_span(doc: Doc, span: tuple[int, int] | None, label: str) -> Span | None:
    if span is None:
        return None
    return doc.char_span(span[0], span[1], label=label, alignment_mode="expand")


def fill_doc(doc: Doc, document: Document) -> Doc:
    """Write a processed jixiao ``Document`` whose source text is ``doc.text`` onto ``doc``.

    Sets ``doc.ents``, ``doc.spans["entities" | "roles" | "paragraphs"]``, ``doc.cats`` and the
    extensions (see the module docstring). Spans that cannot be placed on ``doc.text`` are skipped.
    """
    paragraphs = {p.index: p for p in document.paragraphs}
    entities: list[Span] = []
    for e in document.entities:
        p = paragraphs.get(e.paragraph)
        span = _char_span(doc, _source_span(p, e.start, e.end, doc.text), e.type) if p else None
        if span is None:
            continue
        span._.jixiao_entity = {"value": _str(e.value), "value_yuan": _str(e.value_yuan), "unit": e.unit,
                                "comparator": e.comparator, "upper": _str(e.upper), "source": e.source}
        entities.append(span)
    roles: list[Span] = []
    paras: list[Span] = []
    for p in document.paragraphs:
        for s in p.sentences:
            if s.role:
                span = _char_span(doc, _source_span(p, s.start, s.end, doc.text), s.role)
                if span is not None:
                    roles.append(span)
        span = _char_span(doc, _source_span(p, 0, len(p.text), doc.text), "+".join(p.labels) or OTHER_LABEL)
        if span is not None:
            span._.jixiao_paragraph = {
                "index": p.index, "kind": p.kind, "section": list(p.section), "labels": list(p.labels),
                "label_scores": {k: float(v) for k, v in p.label_scores.items()}}
            paras.append(span)
    doc.ents = filter_spans(entities)
    doc.spans[ENTITIES_KEY] = entities
    doc.spans[ROLES_KEY] = roles
    doc.spans[PARAGRAPHS_KEY] = paras
    doc.cats = document_cats(document)
    doc._.jixiao = document.to_dict()
    return doc


def document_cats(document: Document) -> dict[str, float]:
    """``doc.cats``: per paragraph label, the highest score of any paragraph (1.0/0.0 from the labels
    of paragraphs that carry no scores).

    >>> from jixiao.doc import Paragraph
    >>> d = Document("d", "-", "", paragraphs=[Paragraph(0, "a", labels=["建议"]),
    ...                                        Paragraph(1, "b", label_scores={"建议": 0.2, "存在问题": 0.7})])
    >>> document_cats(d)
    {'经验做法': 0.0, '存在问题': 0.7, '建议': 1.0}
    """
    cats = dict.fromkeys(PARAGRAPH_LABELS, 0.0)
    for p in document.paragraphs:
        scores = p.label_scores or {k: 1.0 for k in p.labels}
        for label in PARAGRAPH_LABELS:
            cats[label] = max(cats[label], float(scores.get(label, 0.0)))
    return cats


def document_from_text(text: str, doc_id: str = "spacy", source: str = "<spacy>") -> Document:
    """An unprocessed jixiao ``Document`` holding ``text`` as its source."""
    return Document(doc_id=doc_id, source=source, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), text=text)


def document_to_doc(document: Document, nlp: Language | None = None) -> Doc:
    """A spaCy ``Doc`` of a processed document's source text with its layers (``fill_doc``)."""
    import spacy

    nlp = nlp or spacy.blank("zh")
    return fill_doc(nlp.make_doc(document.text), document)


# ---------------------------------------------------------------------------------------------
# The component
# ---------------------------------------------------------------------------------------------


class JixiaoComponent:
    """Runs a jixiao pipeline on ``doc.text`` and writes its layers onto the doc (``fill_doc``).

    The jixiao pipeline is loaded on first use (``pipeline``: a manifest or model folder, default
    the shipped ``configs/pipeline.yaml``), or given as ``component.pipeline``.
    """

    def __init__(self, name: str = "jixiao", pipeline: str | None = None, disable: Sequence[str] = ()):
        self.name = name
        self.manifest = pipeline
        self.disable = tuple(disable)
        self._pipeline: Any = None

    @property
    def pipeline(self) -> Any:
        if self._pipeline is None:
            import jixiao

            self._pipeline = jixiao.load(self.manifest)
        return self._pipeline

    @pipeline.setter
    def pipeline(self, value: Any) -> None:
        self._pipeline = value

    def __call__(self, doc: Doc) -> Doc:
        document = self.pipeline(document_from_text(doc.text), disable=self.disable)
        return fill_doc(doc, document)

    def pipe(self, docs: Iterable[Doc], batch_size: int = 16) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)


@Language.factory("jixiao", default_config={"pipeline": None, "disable": []},
                  assigns=["doc.ents", "doc.spans", "doc.cats", "doc._.jixiao"])
def make_jixiao(nlp: Language, name: str, pipeline: str | None, disable: list[str]) -> JixiaoComponent:
    """The ``jixiao`` factory (``nlp.add_pipe("jixiao", config={"pipeline": "models/x"})``)."""
    return JixiaoComponent(name, pipeline, disable)


def to_spacy(pipeline: Any = None, nlp: Language | None = None, name: str = "jixiao") -> Language:
    """A spaCy ``Language`` (default ``spacy.blank("zh")``) whose component ``name`` runs ``pipeline``
    (a loaded ``jixiao.load()`` pipeline; None loads the default on first use)."""
    import spacy

    nlp = nlp if nlp is not None else spacy.blank("zh")
    component = nlp.add_pipe("jixiao", name=name)
    if pipeline is not None:
        component.pipeline = pipeline
    return nlp


# ---------------------------------------------------------------------------------------------
# Label records (ANNOTATION.md §6) <-> Doc / DocBin
# ---------------------------------------------------------------------------------------------


def record_to_doc(nlp: Language, record: dict) -> Doc:
    """One paragraph record as a training ``Doc``: ents, ``spans["entities"|"roles"]``, cats
    (1.0/0.0 per paragraph label), ``user_data`` ``doc_id`` and ``para``.

    Raises ``ValueError`` when a span cannot be placed on the tokens."""
    doc = nlp.make_doc(record["text"])
    layers: dict[str, list[Span]] = {ENTITIES_KEY: [], ROLES_KEY: []}
    for key in layers:
        for start, end, kind, *_ in record.get(key) or []:
            span = doc.char_span(start, end, label=kind, alignment_mode="expand")
            if span is None:
                raise ValueError(f"{record.get('doc_id')} para {record.get('para')}: {key} span "
                                 f"[{start}, {end}, {kind}] cannot be placed on the tokens")
            layers[key].append(span)
    doc.ents = filter_spans(layers[ENTITIES_KEY])
    for key, spans in layers.items():
        doc.spans[key] = spans
    doc.cats = {label: float(label in (record.get("labels") or [])) for label in PARAGRAPH_LABELS}
    doc.user_data["doc_id"] = record.get("doc_id")
    doc.user_data["para"] = record.get("para")
    return doc


def doc_to_record(doc: Doc, doc_id: str | None = None, para: int | None = None,
                  threshold: float = 0.5) -> dict:
    """A §6 record from a Doc: entities from ``doc.ents``, roles from ``doc.spans["roles"]``, labels
    from ``doc.cats`` at ``threshold``."""
    roles = doc.spans[ROLES_KEY] if ROLES_KEY in doc.spans else []
    return {
        "doc_id": doc_id if doc_id is not None else doc.user_data.get("doc_id"),
        "para": para if para is not None else doc.user_data.get("para"),
        "text": doc.text,
        "labels": [label for label in PARAGRAPH_LABELS if doc.cats.get(label, 0.0) >= threshold],
        "roles": [[s.start_char, s.end_char, s.label_] for s in roles if s.label_ in ROLES],
        "entities": [[e.start_char, e.end_char, e.label_] for e in doc.ents if e.label_ in ENTITY_TYPES],
    }


def records_to_docbin(records: Iterable[dict], nlp: Language | None = None) -> DocBin:
    """A ``DocBin`` (spans, cats and user data kept) with one Doc per paragraph record."""
    import spacy

    nlp = nlp or spacy.blank("zh")
    docbin = DocBin(store_user_data=True)
    for record in records:
        docbin.add(record_to_doc(nlp, record))
    return docbin


def export_docbin(records: Sequence[dict], path: str | Path) -> int:
    """Write records as a ``.spacy`` file (``spacy train`` reads it); return the count."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    records_to_docbin(records).to_disk(path)
    return len(records)


def read_docbin(path: str | Path, nlp: Language | None = None) -> list[Doc]:
    """The Docs of a ``.spacy`` file."""
    import spacy

    nlp = nlp or spacy.blank("zh")
    return list(DocBin().from_disk(path).get_docs(nlp.vocab))


# ---------------------------------------------------------------------------------------------
# displaCy
# ---------------------------------------------------------------------------------------------


def role_blocks(doc: Doc) -> list[dict]:
    """displaCy ``span`` data (``manual=True``) for the sentence roles: one block per paragraph that has
    roles, its tokens cut at the role boundaries (character tokens would print one space per character).

    >>> import spacy
    >>> doc = record_to_doc(spacy.blank("zh"), {"text": "预算不准。建议加强。", "labels": ["存在问题", "建议"],
    ...     "roles": [[0, 5, "问题"], [5, 10, "措施"]], "entities": []})
    >>> block = role_blocks(doc)[0]
    >>> block["tokens"], [(s["start_token"], s["end_token"], s["label"]) for s in block["spans"]]
    (['预算不准。', '建议加强。'], [(0, 1, '问题'), (1, 2, '措施')])
    """
    roles = list(doc.spans[ROLES_KEY]) if ROLES_KEY in doc.spans else []
    paragraphs = list(doc.spans[PARAGRAPHS_KEY]) if PARAGRAPHS_KEY in doc.spans else []
    if not paragraphs:
        paragraphs = [doc[:]]
    blocks = []
    for para in paragraphs:
        inside = [r for r in roles if para.start_char <= r.start_char and r.end_char <= para.end_char]
        if not inside:
            continue
        base = para.start_char
        cuts = sorted({0, len(para.text)} | {r.start_char - base for r in inside} | {r.end_char - base for r in inside})
        tokens = [para.text[a:b] for a, b in zip(cuts, cuts[1:])]
        index = {c: i for i, c in enumerate(cuts)}
        spans = [{"start_token": index[r.start_char - base], "end_token": index[r.end_char - base], "label": r.label_}
                 for r in inside]
        labels = para._.labels if para.has_extension("labels") and para._.jixiao_paragraph else []
        blocks.append({"text": para.text, "tokens": tokens, "spans": spans,
                       "title": "+".join(labels) if labels else None})
    return blocks


def render_html(doc: Doc, title: str | None = None) -> str:
    """One HTML page: the entities (displaCy ``ent``) and, per paragraph, the sentence roles (displaCy
    ``span``)."""
    import html

    from spacy import displacy

    ents = displacy.render(doc, style="ent", page=False, jupyter=False, options={"colors": COLOURS})
    blocks = role_blocks(doc)
    role_html = "\n".join(displacy.render(block, style="span", manual=True, page=False, jupyter=False,
                                           options={"colors": COLOURS}) for block in blocks) \
        if blocks else "<p>(no sentence roles)</p>"
    cats = ", ".join(f"{k} {v:.2f}" for k, v in doc.cats.items())
    head = html.escape(title or "jixiao")
    return (f'<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8"><title>{head}</title></head>\n'
            f'<body style="font-family: sans-serif; margin: 2em">\n<h1>{head}</h1>\n'
            f"<p>doc.cats (highest paragraph score): {html.escape(cats)}</p>\n"
            f"<h2>Entities</h2>\n{ents}\n<h2>Sentence roles (问题 / 原因 / 措施)</h2>\n{role_html}\n"
            "</body></html>\n")
