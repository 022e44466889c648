"""Lossless conversion between label records (ANNOTATION.md §6) and doccano / Label Studio.

doccano (JSONL, one paragraph a line), for a *Sequence labeling* project with "Allow overlapping
spans" ticked (roles contain entities)::

    {"doc_id": "d", "para": 3, "text": "预算执行率96.4%。",
     "label": [[0, 11, "问题"], [0, 5, "INDICATOR"], [5, 9, "AMOUNT"], [9, 10, "UNIT"]],
     "cats": ["存在问题"]}

- ``label`` holds roles and entities together; their names never clash, so import splits them
  by name. On import the span key may also be ``labels`` (older doccano) or ``entities``
  (intent-detection projects), spans may be ``{"start_offset", "end_offset", "label"}`` objects
  (relation projects), and the text key may be ``data``.
- Paragraph labels travel in ``cats``: the key doccano's intent-detection format uses for
  categories. A sequence-labelling project keeps ``cats``, ``doc_id``, ``para`` and any other
  extra key as metadata and writes them back on export. To *change* paragraph labels inside such a
  project, label any stretch of the paragraph with 经验做法/存在问题/建议: a span whose name is a
  paragraph label is read back as that paragraph label (its offsets are ignored). A ``label``
  holding plain strings (a text-classification export) is read as paragraph labels too.
- doccano counts offsets in UTF-16 code units unless the project counts grapheme clusters
  (doccano issue #2290), so ``unit=OffsetUnit.UTF16`` is the default both ways; grapheme mode is
  not supported.
- doccano exports carry no timestamps: when one paragraph appears several times (several
  annotators, told apart by ``username``/``user``), the last one in the file is imported.

Label Studio, with the config from :func:`labelstudio_config` (``<Labels name="entity">``,
``<Labels name="role">``, ``<Choices name="para_label">`` on ``<Text name="text">``):

- full JSON export: a list of tasks ``{"id", "data": {"text", "doc_id", "para", ...},
  "annotations": [{"id", "completed_by", "created_at", "updated_at", "result": [...]}]}``; a span
  result is ``{"from_name": "entity", "to_name": "text", "type": "labels",
  "value": {"start", "end", "text", "labels": ["AMOUNT"]}}``, paragraph labels are one
  ``{"type": "choices", "value": {"choices": [...]}}`` result.
- JSON_MIN: one flat object per annotation: the task's data fields, ``id``, each control's
  results under its name (``entity``/``role``: list of ``{start, end, text, labels}``;
  ``para_label``: a string for one choice, ``{"choices": [...]}`` for several) and ``annotator``,
  ``annotation_id``, ``created_at``, ``updated_at``, ``lead_time``.
- Offsets are UTF-16 code units (Label Studio issue #1347). On import every span is checked
  against its ``value.text``: as code points, as UTF-16 units, then by searching the span text
  within :data:`REANCHOR_WINDOW` characters of the offset; a span found nowhere is dropped with an
  E321 message naming file, task and span. Export writes UTF-16 offsets.
- Names are read by *value*, not by control name: any span label or choice that is an entity
  type, a role or a paragraph label lands in the right field, so a hand-made config works too.
- Several annotations on one task: all are kept in :attr:`ImportResult.versions`; the latest
  (``updated_at``, then ``created_at``, then ``id``) is imported, or the latest by ``annotator``
  (user id or e-mail) when one is given. Cancelled (skipped) annotations and predictions are
  never imported, unless ``accept_predictions`` takes a task's prediction where it has no
  annotation. ``jixiao labels export --to labelstudio`` writes the draft as *predictions* (with
  ``model_version``), so what comes back as annotations is what a person submitted.

>>> rec = {"doc_id": "d", "para": 0, "text": "😀8684万元", "labels": [], "roles": [],
...        "entities": [[1, 5, "AMOUNT"], [5, 7, "UNIT"]]}
>>> tasks = to_labelstudio([rec])
>>> tasks[0]["annotations"][0]["result"][0]["value"]["start"]   # UTF-16: the emoji counts 2
2
>>> from_labelstudio(tasks, "x.json").records == [rec]
True
"""
# The package, one module a concern: base (offset units, tool formats, import results), records (helpers
# shared by the readers), annotators (who annotated, which version is imported), doccano, labelstudio,
# files (read/sniff/import/export tool files), configs (the tools' project configs).
from jixiao.errors import (  # noqa: F401  (the codes, defined in jixiao.errors, re-exported here)
    E_SHAPE, E_SPAN_REFUSED, E_SPAN_MOVED, E_UNKNOWN_NAME, E_NO_ANNOTATOR, E_NO_ANNOTATION, E_VERSIONS,
    E_ITEM_NO_TEXT as E_NO_TEXT, E_NO_META, E_RESERVED, E_READ_TOOL, E_INVALID_INPUT, E_PREDICTION, E_NOTHING,
    LabelFileError,
)
from jixiao.labels.convert.base import (
    AnnotationVersion, ImportMessage, ImportResult, OffsetUnit, ToolFormat,
)
from jixiao.labels.convert.configs import doccano_label_config, labelstudio_config
from jixiao.labels.convert.doccano import DOCCANO_RESERVED, from_doccano, to_doccano
from jixiao.labels.convert.files import (
    export_records, import_file, read_tool_file, sniff_format, write_versions,
)
from jixiao.labels.convert.labelstudio import (
    LS_CHOICES, LS_ENTITY, LS_MIN_META_KEYS, LS_RESERVED, LS_ROLE, LS_TEXT, REANCHOR_WINDOW,
    from_labelstudio, resolve_span, to_labelstudio,
)

__all__ = [
    "AnnotationVersion", "DOCCANO_RESERVED", "ImportMessage", "ImportResult", "LS_CHOICES", "LS_ENTITY",
    "LS_MIN_META_KEYS", "LS_RESERVED", "LS_ROLE", "LS_TEXT", "OffsetUnit", "REANCHOR_WINDOW", "ToolFormat",
    "doccano_label_config", "export_records", "from_doccano", "from_labelstudio", "import_file",
    "labelstudio_config", "read_tool_file", "resolve_span", "sniff_format", "to_doccano", "to_labelstudio",
    "write_versions",
]
