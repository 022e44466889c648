"""Building the summary: everything the report shows, as one JSON-ready dict."""
from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Iterable, Sequence

from jixiao.summarize.aggregate import UNKNOWN, Filters, LoadResult, aggregate, load_documents
from jixiao.summarize.themes import (
    ThemeConfig, ThemeTokenizer, build_themes, load_stopwords, theme_record, theme_region_year,
)


SCHEMA_VERSION = 1


def build_summary(loaded: LoadResult, filters: Filters | None = None,
                  config: ThemeConfig | None = None) -> dict[str, Any]:
    """Everything the report shows, as one JSON-ready dict (deterministic for the same input).

    >>> from jixiao.summarize.aggregate import LoadResult
    >>> s = build_summary(LoadResult(documents=[]))
    >>> s["counts"]["themes"], s["outliers"]["sentences"]
    (0, 0)
    """
    filters = filters or Filters()
    config = (config or ThemeConfig()).validated()
    agg = aggregate(loaded.documents, filters)
    tokenizer = ThemeTokenizer(load_stopwords(config.stopwords_path))
    result = build_themes(agg.rows, agg.context_rows, config, tokenizer)
    themes = [theme_record(t, config, tokenizer) for t in result.themes]
    outliers = theme_record(result.outlier_theme, config, tokenizer)
    indicators = [r.as_dict() for r in agg.indicators]
    subject = [r for r in agg.rows if r.label == config.label]
    counts = {
        "documents": len(agg.documents),
        "regions": len({d.region for d in agg.documents}),
        "years": sorted({str(d.year) for d in agg.documents if d.year is not None}),
        "documents_by_year": dict(sorted(Counter(UNKNOWN if d.year is None else str(d.year)
                                                 for d in agg.documents).items())),
        "rows": len(agg.rows),
        "by_label": dict(sorted(Counter(r.label for r in agg.rows).items())),
        "label": config.label,
        "subject_sentences": len(subject),
        "themes": len(themes),
        "themed_sentences": sum(t["sentences"] for t in themes),
        "outliers": outliers["sentences"],
        "single_document_themes": sum(1 for t in themes if t["single_document"]),
        **problem_coverage(loaded.documents, filters, themes, outliers),
        "indicators": len(indicators),
        "indicators_met": sum(1 for r in indicators if r["met"] is True),
        "indicators_not_met": sum(1 for r in indicators if r["met"] is False),
        "indicators_unknown": sum(1 for r in indicators if r["met"] is None),
        "duplicates_skipped": loaded.duplicates,
    }
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": "jixiao summarize",
        "inputs": [Path(p).as_posix() for p in loaded.inputs],
        "filters": filters.as_dict(),
        "config": config.as_dict(),
        "warnings": list(loaded.warnings),
        "counts": counts,
        "documents": [
            {"doc_id": d.doc_id, "source": d.source, "title": d.title, "region": d.region,
             "year": d.year, "fund": d.fund, "unit": d.unit, "score": d.score, "grade": d.grade}
            for d in agg.documents],
        "themes": themes,
        "outliers": outliers,
        "theme_region_year": theme_region_year(result),
        "indicators_by_region": indicators_by_region(indicators),
        "indicators": indicators,
        "rows": [r.as_dict() for r in agg.rows],
    }


def indicators_by_region(indicators: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per region: indicators, met, not met, unknown.

    >>> indicators_by_region([{"region": "A", "met": False}, {"region": "A", "met": None}])
    [{'region': 'A', 'indicators': 2, 'met': 0, 'not_met': 1, 'unknown': 1}]
    """
    acc: dict[str, Counter] = defaultdict(Counter)
    for r in indicators:
        c = acc[r["region"]]
        c["indicators"] += 1
        c["met" if r["met"] is True else "not_met" if r["met"] is False else "unknown"] += 1
    return [{"region": region, "indicators": c["indicators"], "met": c["met"],
             "not_met": c["not_met"], "unknown": c["unknown"]} for region, c in sorted(acc.items())]


def summarize_files(paths: Iterable[str | Path], filters: Filters | None = None,
                    config: ThemeConfig | None = None) -> dict[str, Any]:
    """Read JSONL files and build the summary.

    >>> s = summarize_files(["tests/fixtures/summarize_docs.jsonl"])  # doctest: +SKIP
    """
    return build_summary(load_documents(paths), filters, config)


def problem_coverage(documents, filters, themes, outliers) -> dict[str, Any]:
    """How many 存在问题 paragraphs reached a theme, the outlier bucket, or neither (and why).

    A problem paragraph reaches the themes through its 问题 sentences, or, when none was marked,
    through its lead sentence (``sentence == -2`` rows); it is left out only when it has no text.
    """
    from jixiao.summarize.aggregate import doc_meta

    themed: set[tuple[str, int]] = set()
    outl: set[tuple[str, int]] = set()
    fallback: set[tuple[str, int]] = set()
    for t in themes:
        for m in t["members"]:
            doc_id, para, _ = m["row_id"].rsplit(":", 2)
            themed.add((doc_id, int(para)))
    for m in outliers["members"]:
        doc_id, para, _ = m["row_id"].rsplit(":", 2)
        outl.add((doc_id, int(para)))
    total = 0
    empty = 0
    for doc in documents:
        try:
            meta = doc_meta(doc)
        except (KeyError, TypeError):
            continue
        if filters is not None and not filters.keeps_doc(meta):
            continue
        for pos, para in enumerate(doc.get("paragraphs") or []):
            if isinstance(para, dict) and "存在问题" in (para.get("labels") or []):
                total += 1
                if not str(para.get("text") or "").strip():
                    empty += 1
    reached = len(themed | outl)
    return {"problem_paragraphs": total, "problem_paragraphs_themed": len(themed),
            "problem_paragraphs_outliers": len(outl - themed), "problem_paragraphs_left_out": max(total - reached, 0),
            "problem_paragraphs_left_out_why": ("no text" if empty else "") if total > reached else ""}

