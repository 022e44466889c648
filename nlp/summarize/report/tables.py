"""Tables shared by the Excel workbook and the HTML page."""
from __future__ import annotations

from collections import Counter
from typing import Any

from jixiao.summarize.themes import OUTLIER_ID


def theme_table(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per theme plus the outlier bucket: the table printed, shown and saved."""
    rows = []
    for t in summary["themes"] + [summary["outliers"]]:
        rep = t["representative"]
        rows.append({
            "theme": t["id"], "name": t["name"], "keywords": "、".join(t["keywords"]),
            "sentences": t["sentences"], "documents": t["documents"],
            "regions": t["n_regions"],
            "years": "、".join(f"{y}:{v['sentences']}" for y, v in t["by_year"].items()),
            "single_document": t["single_document"],
            "representative": rep["text"] if rep else "",
            "source": cite_source(rep) if rep else "",
            "top_cause": t["top_causes"][0]["text"] if t["top_causes"] else "",
            "top_measure": t["top_measures"][0]["text"] if t["top_measures"] else "",
        })
    return rows


def cite_source(q: dict[str, Any]) -> str:
    year = "" if q.get("year") is None else f" {q['year']}"
    return f"{q['file']} ¶{q['paragraph']} · {q['region']}{year}"


def quote_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"theme": t["id"], "name": t["name"], "text": q["text"], "file": q["file"],
             "doc_id": q["doc_id"], "paragraph": q["paragraph"], "region": q["region"],
             "year": q["year"], "similarity": q.get("similarity")}
            for t in summary["themes"] for q in t["quotes"]]


def link_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Problem → cause / measure pairs, one row each (problems without links once)."""
    rows = []
    for t in summary["themes"] + [summary["outliers"]]:
        for m in t["members"]:
            pairs = [("原因", c) for c in m["causes"]] + [("措施", x) for x in m["measures"]]
            for role, text in pairs or [("", "")]:
                rows.append({"theme": t["id"], "region": m["region"], "year": m["year"],
                             "file": m["file"], "paragraph": m["paragraph"],
                             "problem": m["text"], "role": role, "linked": text})
    return rows


def theme_region_matrix(summary: dict[str, Any]) -> tuple[list[str], list[str],
                                                          dict[tuple[str, str], int]]:
    """Regions, theme ids (outliers last) and sentence counts per (region, theme)."""
    cells: dict[tuple[str, str], int] = Counter()
    for r in summary["theme_region_year"]:
        cells[(r["region"], r["theme"])] += r["sentences"]
    themes = [t["id"] for t in summary["themes"]]
    if summary["outliers"]["sentences"]:
        themes.append(OUTLIER_ID)
    regions = sorted({r for r, _ in cells})
    return regions, themes, dict(cells)
