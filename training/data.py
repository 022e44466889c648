"""Training data for the token-classification model: gold, weak labels, synthetic variants.

Everything is a plain module-level function over ANNOTATION.md §6 records
(``{"doc_id", "para", "text", "entities": [[start, end, type], ...], ...}``):

* :func:`align_labels` maps character spans onto sub-tokens through ``offset_mapping``
  (special tokens get -100), as transformers' ``run_ner.py`` does for words.
* :func:`build_examples` cuts paragraphs into windows with labels and word-boundary ids;
  :func:`build_dataset` wraps them in a ``datasets.Dataset``.
* :func:`weak_records` labels unlabelled paragraphs with the rules; :func:`synthetic_records`
  makes variants of gold paragraphs (numbers, units, indicator names swapped).
"""
from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from jixiao.errors import E_NO_CORPUS_TEXT as E_NO_TEXT  # noqa: F401  (re-exported)
from jixiao.errors import E_NO_GOLD, E_TRAIN_DATA as E_BAD_DATA, E_WEAK_LABELS, UsageError  # noqa: F401
from jixiao.models.ner import (ENTITY_TYPES, Encoded, encode_texts, make_windows, may_contain_entity,
                            rule_spans_for_texts, span_tags)

TEXT_SUFFIXES = (".txt", ".md", ".docx", ".pdf")


# ---------------------------------------------------------------- reading
def read_records(path: str | Path) -> list[dict]:
    """ANNOTATION.md §6 records of one JSONL file, every ``*.jsonl`` of a folder, or a glob pattern
    (``corpus/blind/gold/b[KLPQRS]*.jsonl``: the blind set without its test writers)."""
    p = Path(path)
    if any(c in str(path) for c in "*?["):
        files = sorted(Path().glob(str(path))) if not p.is_absolute() else sorted(
            Path(p.anchor).glob(str(p.relative_to(p.anchor))))
    else:
        files = sorted(p.glob("*.jsonl")) if p.is_dir() else [p]
    if not files or not all(f.is_file() for f in files):
        raise UsageError(E_BAD_DATA, f"no label file at '{p}'; pass ANNOTATION.md §6 JSONL files "
                         "(e.g. corpus/gold)", path=str(p))
    out: list[dict] = []
    for f in files:
        try:
            from jixiao.labels.schema import read_label_file

            recs = read_label_file(f)
        except ImportError:  # pragma: no cover - the schema module ships with the package
            recs = [json.loads(line) for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
        for r in recs:
            if "text" not in r or "entities" not in r:
                raise UsageError(E_BAD_DATA, f"a record without 'text'/'entities' in '{f}'; "
                                 "use the ANNOTATION.md §6 format", path=str(f))
            r.setdefault("doc_id", f.stem)
        out.extend(recs)
    return out


def read_gold(folder: str | Path) -> dict[str, list[dict]]:
    """``{doc_id: records}`` of ``folder/*.jsonl``, records in paragraph order: the gold reader of the
    package, :func:`jixiao.evaluation.load_gold` (validated; E350 naming the folder when it has no gold file).
    """
    from jixiao.evaluation import load_gold

    return load_gold(Path(folder))


def document_paragraphs(path: str | Path) -> list[str]:
    """Cleaned paragraphs of one report file (reader + cleaner of the pipeline when present)."""
    p = Path(path)
    try:
        from jixiao.io.readers import read_document

        text = read_document(p).text
    except ImportError:  # pragma: no cover - before the readers existed
        text = p.read_text(encoding="utf-8", errors="replace")
    try:
        from jixiao.clean import clean_text

        return [m.text for m in clean_text(text) if m.text.strip()]
    except ImportError:  # pragma: no cover
        return [line.strip() for line in text.splitlines() if line.strip()]


def corpus_documents(folder: str | Path) -> dict[str, list[str]]:
    """``{doc_id: paragraphs}`` of every readable report under ``folder`` (recursive)."""
    folder = Path(folder)
    files = sorted(f for f in folder.rglob("*") if f.is_file() and f.suffix.lower() in TEXT_SUFFIXES) \
        if folder.is_dir() else ([folder] if folder.is_file() else [])
    docs: dict[str, list[str]] = {}
    for f in files:
        try:
            paras = document_paragraphs(f)
        except Exception:  # noqa: BLE001 - a bad file in an archive is skipped, not fatal
            continue
        if paras:
            docs[f.stem] = paras
    if not docs:
        raise UsageError(E_NO_TEXT, f"no readable report (.txt/.md/.docx/.pdf) under '{folder}'",
                         path=str(folder))
    return docs


# ---------------------------------------------------------------- labels
def align_labels(offsets: Sequence[tuple[int, int]], spans: Iterable[Sequence[Any]],
                 label2id: dict[str, int], special_mask: Sequence[int] | None = None) -> list[int]:
    """Label ids per token from character spans: ``B-X`` on the first token inside a span,
    ``I-X`` on the following ones, ``O`` elsewhere, -100 on special tokens.

    A token belongs to a span when its first character does. Special tokens are those with
    ``special_mask`` 1 or (without a mask) an empty offset ``(0, 0)``.

    >>> lab = {"O": 0, "B-AMOUNT": 1, "I-AMOUNT": 2, "B-UNIT": 3, "I-UNIT": 4}
    >>> align_labels([(0, 0), (0, 1), (1, 2), (3, 4), (4, 5), (0, 0)],
    ...              [[0, 2, "AMOUNT"], [3, 5, "UNIT"]], lab)
    [-100, 1, 2, 3, 4, -100]
    """
    tags = span_tags(offsets, spans, special_mask)
    return [-100 if t is None else label2id[t] for t in tags]


def record_rule_spans(records: Sequence[dict]) -> list[list[tuple[int, int, str]]]:
    """Rule spans for each record, the rules seeing each document's paragraphs together (in the
    order given; a record without ``doc_id`` is its own document)."""
    groups: dict[Any, list[int]] = {}
    for i, r in enumerate(records):
        key = (r.get("doc_id"), bool(r.get("synthetic"))) if r.get("doc_id") and not r.get("synthetic") \
            else ("#", i)
        groups.setdefault(key, []).append(i)
    out: list[list[tuple[int, int, str]]] = [[] for _ in records]
    for idx in groups.values():
        for i, spans in zip(idx, rule_spans_for_texts([records[i]["text"] for i in idx])):
            out[i] = spans
    return out


def build_examples(records: Sequence[dict], tokenizer, label2id: dict[str, int], *,
                   word_tokenizer=None, max_length: int = 256, only_possible: bool = True,
                   rule_features: bool = False) -> list[dict]:
    """Windows with ``input_ids``, ``attention_mask``, ``boundary_ids``, ``rule_ids``, ``labels``.

    ``only_possible`` drops paragraphs that cannot hold an entity (the tagger skips them too);
    ``rule_features`` fills ``rule_ids`` with the rule extractor's tags (else zeros).
    """
    rules = record_rule_spans(records) if rule_features else None
    keep = [i for i, r in enumerate(records) if r["text"] and (
        not only_possible or may_contain_entity(r["text"]) or r.get("entities"))]
    recs = [records[i] for i in keep]
    encoded: list[Encoded] = encode_texts(tokenizer, [r["text"] for r in recs], word_tokenizer,
                                          rule_spans=[rules[i] for i in keep] if rules else None)
    wins = make_windows(encoded, [i for i, e in enumerate(encoded) if e.ids], tokenizer, max_length)
    out = []
    for w in wins:
        e = encoded[w.text_index]
        offs = e.offsets[w.start:w.start + w.length]
        inner = align_labels(offs, recs[w.text_index]["entities"], label2id, [0] * len(offs))
        n_post = len(w.input_ids) - w.n_prefix - w.length
        out.append({
            "input_ids": w.input_ids,
            "attention_mask": [1] * len(w.input_ids),
            "boundary_ids": w.boundary_ids,
            "rule_ids": w.rule_ids,
            "labels": [-100] * w.n_prefix + inner + [-100] * n_post,
        })
    return out


def build_dataset(records: Sequence[dict], tokenizer, label2id: dict[str, int], **kwargs):
    """A ``datasets.Dataset`` of :func:`build_examples` windows."""
    import datasets

    rows = build_examples(records, tokenizer, label2id, **kwargs)
    features = datasets.Features({
        "input_ids": datasets.Sequence(datasets.Value("int64")),
        "attention_mask": datasets.Sequence(datasets.Value("int64")),
        "boundary_ids": datasets.Sequence(datasets.Value("int64")),
        "rule_ids": datasets.Sequence(datasets.Value("int64")),
        "labels": datasets.Sequence(datasets.Value("int64")),
    })
    if not rows:  # from_list cannot infer an empty table
        return datasets.Dataset.from_dict({k: [] for k in features}, features=features)
    return datasets.Dataset.from_list(rows, features=features)


def data_hash(records: Iterable[dict]) -> str:
    """sha256 over the texts and entities of the training records (order-sensitive).

    >>> data_hash([{"text": "a", "entities": []}])[:12]
    '3f275c4d16b1'
    """
    h = hashlib.sha256()
    for r in records:
        h.update(json.dumps([r["text"], [list(x[:3]) for x in r["entities"]]],
                            ensure_ascii=False).encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


# ---------------------------------------------------------------- weak labels
RULES_MANIFEST = """stages:
  - {name: structure, type: structure.v1}
  - {name: indicators, type: indicators.v1}
  - {name: entities, type: rule_entities.v1}
"""


def rules_pipeline():
    """A pipeline of the rule stages only (structure, indicators, rule entities)."""
    import tempfile

    try:
        from jixiao.pipeline import load_pipeline
    except ImportError as exc:
        raise UsageError(E_WEAK_LABELS, f"weak labels need the rule pipeline (jixiao.pipeline): {exc}") from exc
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rules.yaml"
        path.write_text(RULES_MANIFEST, encoding="utf-8")
        return load_pipeline(path)


def rules_documents(docs: dict[str, list[str]], pipeline=None) -> dict[str, list[list[tuple]]]:
    """Rule entities ``(start, end, type, value_yuan)`` per paragraph of each document.

    The rules see the whole document (table headers, header units), as in ``jixiao extract``.
    """
    from jixiao.pipeline import document_from_paragraphs

    pipeline = pipeline or rules_pipeline()
    out = {}
    for doc_id, texts in docs.items():
        doc = pipeline(document_from_paragraphs(doc_id, list(texts)))
        per: list[list[tuple]] = [[] for _ in texts]
        for e in doc.entities:
            if 0 <= e.paragraph < len(texts):
                per[e.paragraph].append((e.start, e.end, e.type, e.value_yuan))
        for spans in per:
            spans.sort()
        out[doc_id] = per
    return out


def weak_records(docs: dict[str, list[str]]) -> list[dict]:
    """Rule-labelled records for unlabelled documents ``{doc_id: paragraphs}``."""
    labelled = rules_documents(docs)
    out = []
    for doc_id, paras in docs.items():
        for i, t in enumerate(paras):
            if may_contain_entity(t):
                ents = [[s, e, k] for s, e, k, _v in labelled[doc_id][i]]
                out.append({"doc_id": doc_id, "para": i, "text": t, "entities": ents, "weak": True})
    return out


# ---------------------------------------------------------------- synthetic variants
# A number as written in reports: "8684", "5617.38", "355,212", "0.5" (not the comparator).
NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
UNIT_GROUPS: tuple[tuple[str, ...], ...] = (
    ("元", "万元", "亿元", "千元"),
    ("人", "人次", "万人", "万人次", "户", "家", "个"),
    ("%",),
    ("分",),
)


def _random_number_like(s: str, rng: random.Random) -> str:
    """A random number with the same shape (digit count, decimals, separators) as ``s``."""
    out = []
    for i, ch in enumerate(s):
        if ch.isdigit():
            first_of_run = i == 0 or not (s[i - 1].isdigit() or s[i - 1] == ",")
            more = i + 1 < len(s) and (s[i + 1].isdigit() or s[i + 1] == ",")
            out.append(str(rng.randint(1 if first_of_run and more else 0, 9)))
        else:
            out.append(ch)
    return "".join(out)


def vary_record(record: dict, rng: random.Random, indicator_names: Sequence[str] = ()) -> dict:
    """One synthetic variant: numbers inside entities redrawn, units swapped within their group,
    INDICATOR names replaced by other known indicator names. Offsets are recomputed.

    >>> r = {"doc_id": "d", "para": 0, "text": "保费收入5617.38万元",
    ...      "entities": [[0, 4, "INDICATOR"], [4, 11, "AMOUNT"], [11, 13, "UNIT"]]}
    >>> v = vary_record(r, random.Random(0), ["参保人数"])
    >>> [v["text"][s:e] for s, e, _ in v["entities"]][2], len(v["entities"])
    ('亿元', 3)
    """
    text = record["text"]
    ents = sorted(([int(s), int(e), t] for s, e, t, *_ in record["entities"]), key=lambda x: x[0])
    pieces, new_ents, pos, shift = [], [], 0, 0
    for s, e, kind in ents:
        pieces.append(text[pos:s])
        span = text[s:e]
        if kind == "INDICATOR" and indicator_names and rng.random() < 0.5:
            new = rng.choice(list(indicator_names))
        elif kind == "UNIT":
            group = next((g for g in UNIT_GROUPS if span in g), (span,))
            new = rng.choice(group)
        else:
            new = NUMBER.sub(lambda m: _random_number_like(m.group(0), rng), span)
        start = s + shift
        new_ents.append([start, start + len(new), kind])
        shift += len(new) - len(span)
        pieces.append(new)
        pos = e
    pieces.append(text[pos:])
    return {**record, "text": "".join(pieces), "entities": new_ents, "synthetic": True}


def synthetic_records(records: Sequence[dict], copies: int, seed: int = 0) -> list[dict]:
    """``copies`` variants of every record that has entities (see :func:`vary_record`)."""
    if copies <= 0:
        return []
    rng = random.Random(seed)
    names = sorted({r["text"][s:e] for r in records for s, e, t, *_ in r["entities"]
                    if t == "INDICATOR"})
    out = []
    for r in records:
        if r["entities"]:
            out.extend(vary_record(r, rng, names) for _ in range(copies))
    return out


def entity_counts(records: Iterable[dict]) -> dict[str, int]:
    """Number of spans per entity type."""
    counts = {t: 0 for t in ENTITY_TYPES}
    for r in records:
        for _s, _e, t, *_ in r["entities"]:
            counts[t] = counts.get(t, 0) + 1
    return counts
