"""The summary as an Excel workbook."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jixiao.summarize.report.tables import link_rows, quote_rows, theme_table


SHEETS = ("overview", "themes", "theme_region_year", "quotes", "links", "sentences",
          "indicators", "indicators_by_region", "documents")


def write_excel(summary: dict[str, Any], path: str | Path) -> Path:
    """An analyst's workbook: one sheet per table, header frozen, autofilter on.

    >>> import openpyxl
    >>> import tempfile
    >>> from jixiao.summarize.aggregate import LoadResult
    >>> from jixiao.summarize.report import build_summary
    >>> p = write_excel(build_summary(LoadResult(documents=[])), Path(tempfile.mkdtemp()) / "s.xlsx")
    >>> openpyxl.load_workbook(p).sheetnames[:3]
    ['overview', 'themes', 'theme_region_year']
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    wb.remove(wb.active)
    overview = [{"key": k, "value": json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict))
                 else v} for k, v in summary["counts"].items()]
    overview += [{"key": f"filter.{k}", "value": v} for k, v in summary["filters"].items()]
    overview += [{"key": f"config.{k}", "value": v} for k, v in summary["config"].items()]
    overview += [{"key": "input", "value": p} for p in summary["inputs"]]
    overview += [{"key": "warning", "value": w} for w in summary["warnings"]]
    tables = {
        "overview": overview,
        "themes": theme_table(summary),
        "theme_region_year": summary["theme_region_year"],
        "quotes": quote_rows(summary),
        "links": link_rows(summary),
        "sentences": [{k: v for k, v in r.items() if k != "paragraph_labels"}
                      | {"paragraph_labels": "、".join(r["paragraph_labels"])}
                      for r in summary["rows"]],
        "indicators": summary["indicators"],
        "indicators_by_region": summary["indicators_by_region"],
        "documents": summary["documents"],
    }
    header_fill = PatternFill("solid", fgColor="DCE6F2")
    for name in SHEETS:
        rows = tables[name]
        ws = wb.create_sheet(name)
        columns = list(rows[0]) if rows else _EMPTY_COLUMNS.get(name, ["(empty)"])
        ws.append(columns)
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.fill = header_fill
        for r in rows:
            ws.append([_cell(r.get(c)) for c in columns])
        ws.freeze_panes = "A2"
        if rows:
            ws.auto_filter.ref = ws.dimensions
        for i, c in enumerate(columns, 1):
            longest = max([len(str(c))] + [len(str(r.get(c) or "")) for r in rows[:200]])
            letter = ws.cell(row=1, column=i).column_letter
            ws.column_dimensions[letter].width = min(max(8, longest * 1.6), 60)
            if longest > 40:
                for cell in ws[letter][1:]:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    wb.save(path)
    return Path(path)


_EMPTY_COLUMNS = {
    "themes": ["theme", "name", "keywords", "sentences", "documents", "regions", "years",
               "single_document", "representative", "source", "top_cause", "top_measure"],
    "theme_region_year": ["theme", "theme_name", "region", "year", "sentences", "documents"],
    "quotes": ["theme", "name", "text", "file", "doc_id", "paragraph", "region", "year"],
    "links": ["theme", "region", "year", "file", "paragraph", "problem", "role", "linked"],
    "sentences": ["row_id", "doc_id", "source", "region", "year", "fund", "section",
                  "paragraph", "sentence", "start", "end", "label", "text"],
    "indicators": ["doc_id", "region", "year", "name", "target", "actual", "met", "score", "origin"],
    "indicators_by_region": ["region", "indicators", "met", "not_met", "unknown"],
    "documents": ["doc_id", "source", "title", "region", "year", "fund"],
}


def _cell(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
        return value
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False)
    s = str(value)
    # numeric strings from Decimal (scores, weights) become numbers an analyst can sum
    try:
        if s and s.replace(".", "", 1).lstrip("-").isdigit():
            return float(s) if "." in s else int(s)
    except ValueError:
        pass
    return s
