"""Reading predictions: output-contract documents or ANNOTATION-format records, as paragraphs."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from jixiao.errors import E_NO_PRED, E_PRED_DUPLICATE, E_PRED_JSON, E_PRED_KIND, E_PRED_MALFORMED, JixiaoError
from jixiao.evaluation.records import Para, expand_paths, para_from_record, read_jsonl, record_from_para, span_tuple

def is_output_document(obj: Any) -> bool:
    return isinstance(obj, Mapping) and "paragraphs" in obj and "doc_id" in obj


def is_paragraph_record(obj: Any) -> bool:
    return isinstance(obj, Mapping) and "text" in obj and "para" in obj and "paragraphs" not in obj


def document_to_paras(doc: Mapping[str, Any]) -> list[Para]:
    """Paragraph records of one output-contract document (roles from sentences with a role)."""
    doc_id = str(doc["doc_id"])
    entities_by_para: dict[int, list[tuple[int, int, str, Any]]] = defaultdict(list)
    for entity in doc.get("entities") or []:
        entities_by_para[int(entity["paragraph"])].append(span_tuple(entity))
    paras = []
    for paragraph in doc["paragraphs"]:
        index = int(paragraph["index"])
        roles = tuple(
            (int(s["start"]), int(s["end"]), str(s["role"]), None)
            for s in paragraph.get("sentences") or [] if s.get("role") is not None
        )
        paras.append(Para(doc_id, index, paragraph["text"], tuple(paragraph.get("labels") or []),
                           roles, tuple(entities_by_para.get(index, ()))))
    return paras


def collect_paras(items: Iterable[Any], default_doc_id: str | None = None) -> dict[str, list[Para]]:
    """Group output documents and/or paragraph records into paragraphs per document."""
    grouped: dict[str, list[Para]] = defaultdict(list)
    documents_seen: set[str] = set()
    for position, obj in enumerate(items):
        try:
            if is_output_document(obj):
                doc_id = str(obj["doc_id"])
                if doc_id in documents_seen:
                    raise JixiaoError(E_PRED_DUPLICATE, f"document {doc_id} appears twice in the predictions; "
                                      "keep one (re-run extract with --resume)")
                documents_seen.add(doc_id)
                grouped[doc_id].extend(document_to_paras(obj))
            elif is_paragraph_record(obj):
                para = para_from_record(obj, default_doc_id)
                grouped[para.doc_id].append(para)
            else:
                raise JixiaoError(E_PRED_KIND, f"prediction item {position} is neither an output document "
                                  "(doc_id, paragraphs) nor a paragraph record (doc_id, para, text)")
        except (KeyError, ValueError, TypeError) as exc:
            raise JixiaoError(E_PRED_MALFORMED, f"prediction item {position} is malformed ({exc!r}); see the "
                              "output contract (issue 2) or ANNOTATION.md §6") from exc
    result = {}
    for doc_id, paras in grouped.items():
        numbers = [p.para for p in paras]
        if len(set(numbers)) != len(numbers):
            raise JixiaoError(E_PRED_DUPLICATE, f"document {doc_id} has a paragraph number twice in the "
                              "predictions; keep one record per paragraph")
        result[doc_id] = sorted(paras, key=lambda p: p.para)
    return result


def predictions_from_output(docs: Iterable[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Paragraph records (ANNOTATION format) per document from extractor output.

    Accepts output-contract documents (``paragraphs`` with ``sentences``, document-level
    ``entities`` with ``paragraph``) and records already in ANNOTATION format. Entities become
    ``[start, end, type, value_yuan]`` (``value_yuan`` a Decimal or None).

    Example::

        >>> doc = {"doc_id": "d", "paragraphs": [{"index": 0, "text": "收入8684万元", "labels": [],
        ...        "sentences": [{"start": 0, "end": 8, "role": None}]}],
        ...        "entities": [{"paragraph": 0, "start": 2, "end": 6, "type": "AMOUNT",
        ...                      "value_yuan": "86840000"}]}
        >>> predictions_from_output([doc])["d"][0]["entities"]
        [[2, 6, 'AMOUNT', Decimal('86840000')]]
    """
    return {doc_id: [record_from_para(p) for p in paras] for doc_id, paras in collect_paras(docs).items()}


def load_predictions(dir_or_files: str | Path | Iterable[str | Path]) -> dict[str, list[dict[str, Any]]]:
    """Read predictions (``jixiao extract`` JSONL or ANNOTATION-format JSONL) into paragraph records.

    In a directory, ``*.jsonl`` files whose first line is neither format (an errors file) are
    skipped; a file named explicitly must be readable throughout.

    Example::

        pred = load_predictions("out/documents.jsonl")
    """
    sources = [dir_or_files] if isinstance(dir_or_files, (str, Path)) else list(dir_or_files)
    items: list[Any] = []
    for source in sources:
        from_dir = Path(source).is_dir()
        for path in expand_paths(source, E_NO_PRED, "prediction"):
            objects = [obj for _, obj in read_jsonl(path, E_PRED_JSON)]
            if from_dir and objects and not (is_output_document(objects[0]) or is_paragraph_record(objects[0])):
                continue
            for number, obj in enumerate(objects, start=1):
                if not (is_output_document(obj) or is_paragraph_record(obj)):
                    raise JixiaoError(E_PRED_KIND, f"line {number} is neither an output document (doc_id, "
                                      "paragraphs) nor a paragraph record (doc_id, para, text)",
                                      path=str(path))
            items.extend(objects)
    return predictions_from_output(items)


def as_paras(data: Mapping[str, Sequence[Any]] | Iterable[Any]) -> dict[str, list[Para]]:
    """Normalise ``{doc_id: [records]}``, a list of records, or output documents, to paragraphs."""
    if isinstance(data, Mapping):
        items: list[Any] = []
        for doc_id, records in data.items():
            for record in records:
                if isinstance(record, Para):
                    items.append(record_from_para(record))
                elif is_output_document(record):
                    items.append(record)
                else:
                    items.append({"doc_id": doc_id, **record})
        return collect_paras(items)
    return collect_paras(list(data))
