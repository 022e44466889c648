"""The rows one output document contributes to each table, every value coerced to its column's kind
(money exact: a Decimal that fits the Parquet column)."""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Context, Decimal, InvalidOperation
from typing import Any

from jixiao.errors import E_OUTPUT_CONTRACT, JixiaoError
from jixiao.io.jsonl import dumps
from jixiao.io.tables.columns import COLUMNS, LIST_SEPARATOR, META_COLUMNS, MONEY_SCALE, ROW_META
from jixiao.schema import PARAGRAPH_LABELS


def document_rows(doc: Mapping[str, Any], where: str) -> dict[str, list[dict[str, Any]]]:
    """The rows one contract document contributes to each table, values already coerced."""
    doc_id = doc.get("doc_id")
    meta = doc.get("meta") or {}
    paragraphs = doc.get("paragraphs") or []
    entities = doc.get("entities") or []
    indicators = doc.get("indicators") or []
    base = {"doc_id": doc_id, "source": doc.get("source"), "sha256": doc.get("sha256"),
            "schema_version": doc.get("schema_version")}
    doc_row = dict(base)
    for key in META_COLUMNS:
        doc_row[key] = meta.get(key)
    row_meta = {"doc_id": doc_id, **{name: meta.get(name) for name, _ in ROW_META}}

    para_rows, sent_rows = [], []
    for p in paragraphs:
        row = {k: p.get(k) for k in ("index", "section", "kind", "heading_level", "table", "text", "labels")}
        if isinstance(row["section"], str):
            row["section"] = [row["section"]]
        scores = p.get("label_scores") or {}
        if not isinstance(scores, Mapping):
            raise JixiaoError(E_OUTPUT_CONTRACT, f"paragraphs.label_scores = {scores!r} is not a mapping ({where}); "
                              "the JSONL does not follow the output contract", path=where.rsplit(":", 1)[0])
        row.update({f"score_{lab}": scores.get(lab) for lab in PARAGRAPH_LABELS})
        sentences = p.get("sentences") or []
        row["roles"] = [s.get("role") for s in sentences if s.get("role")]
        para_rows.append({**row_meta, **row})
        text = p.get("text") or ""
        for i, s in enumerate(sentences):
            if s.get("role"):
                start, end = s.get("start"), s.get("end")
                cut = text[start:end] if isinstance(start, int) and isinstance(end, int) else None
                sent_rows.append({**row_meta, "paragraph": p.get("index"), "sentence": i, "section": row["section"],
                                  "labels": row["labels"], "role": s.get("role"), "start": start, "end": end,
                                  "text": cut})
    doc_row.update(n_paragraphs=len(paragraphs), n_entities=len(entities), n_indicators=len(indicators),
                   n_sentences=len(sent_rows))
    ent_rows = [{**row_meta, **e} for e in entities]
    ind_rows = [{**row_meta, **r, **_typed_columns(r)} for r in indicators]
    raw = {"documents": [doc_row], "paragraphs": para_rows, "entities": ent_rows, "indicators": ind_rows,
           "sentences": sent_rows}
    return {table: [_coerce_row(table, r, where) for r in rows] for table, rows in raw.items()}


def _typed_columns(record: Mapping[str, Any]) -> dict[str, Any]:
    """The numeric columns of an indicator record's typed target/actual (``target_value`` …) and ``met``.

    >>> _typed_columns({"target_value": {"number": "95", "unit": "%", "comparator": "≥"}, "met": True})["target_number"]
    '95'
    """
    out: dict[str, Any] = {}
    for field in ("target", "actual"):
        tv = record.get(f"{field}_value")
        tv = tv if isinstance(tv, Mapping) else {}
        out[f"{field}_number"], out[f"{field}_unit"], out[f"{field}_comparator"] = (
            tv.get("number"), tv.get("unit"), tv.get("comparator"))
    met = record.get("met")
    out["met"] = None if met is None else ("是" if met else "否")
    return out


def _coerce_row(table: str, row: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Values of one row in the column kinds of ``COLUMNS`` (Decimal for num/money)."""
    out: dict[str, Any] = {}
    for name, kind, coerce in _COERCERS[table]:
        value = row.get(name)
        if value is None:
            out[name] = None
            continue
        try:
            out[name] = coerce(value)
        except (ValueError, TypeError, InvalidOperation):
            raise JixiaoError(
                E_OUTPUT_CONTRACT, f"{table}.{name} = {value!r} is not a valid {kind} value ({where}); "
                "the JSONL does not follow the output contract", path=where.rsplit(":", 1)[0],
            ) from None
    return out


def _coerce_str(value: Any) -> str:
    """Text; lists/dicts as JSON."""
    if value.__class__ is str:
        return value
    return dumps(value) if isinstance(value, (list, dict)) else str(value)


def _coerce_int(value: Any) -> int:
    """An integer from int, integral Decimal or digit string; bools refused."""
    if value.__class__ is int:
        return value
    if isinstance(value, bool):
        raise TypeError("bool")
    if isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise ValueError("not an integer")
        return int(value)
    return int(value.strip()) if isinstance(value, str) else int(value)


def _coerce_num(value: Any) -> Decimal:
    """A finite Decimal from a Decimal, number or numeric string."""
    if isinstance(value, (bool, list, dict)):
        raise TypeError(type(value).__name__)
    d = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    if not d.is_finite():
        raise ValueError("not finite")
    return d


def _coerce_money(value: Any) -> Decimal:
    """A num that also fits the Parquet money column exactly (checked here, where the row is known)."""
    d = _coerce_num(value)
    money_to_parquet(d)
    return d


def _coerce_list(value: Any) -> list[str]:
    """A list of strings (a scalar becomes a one-element list)."""
    items = value if isinstance(value, list) else [value]
    return [v if v.__class__ is str else str(v) for v in items if v is not None]


def _coerce_json(value: Any) -> str:
    """Any value as compact JSON text."""
    if not value and isinstance(value, (list, dict)):
        return "[]" if isinstance(value, list) else "{}"
    return dumps(value)


_COERCE_BY_KIND = {"str": _coerce_str, "int": _coerce_int, "num": _coerce_num, "money": _coerce_money,
                   "list": _coerce_list, "json": _coerce_json}
_COERCERS = {t: [(n, k, _COERCE_BY_KIND[k]) for n, k in cols] for t, cols in COLUMNS.items()}


_MONEY_CONTEXT = Context(prec=60)  # room for 38 digits; the default 28 would refuse big sums
_MONEY_QUANTUM = Decimal(1).scaleb(-MONEY_SCALE)


def money_to_parquet(d: Decimal) -> Decimal:
    """A value_yuan for decimal128(38, MONEY_SCALE); refuses anything that would lose digits.

    >>> money_to_parquet(Decimal("86840000"))
    Decimal('86840000.0000000000')
    """
    q = d.quantize(_MONEY_QUANTUM, context=_MONEY_CONTEXT)
    if q != d or len(q.as_tuple().digits) > 38:
        raise ValueError(f"value_yuan {d} does not fit decimal128(38, {MONEY_SCALE}) exactly")
    return q


def text_cell(value: Any, kind: str) -> Any:
    """CSV/Excel text form: lists joined with '|', Decimal in plain notation."""
    if value is None:
        return None
    if kind == "list":
        return LIST_SEPARATOR.join(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return value
