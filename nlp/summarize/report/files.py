"""Writing the report folder: summary.json, summary.xlsx and summary.html, each atomically."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jixiao.errors import E_REPORT_WRITE, JixiaoError
from jixiao.summarize.report.excel import write_excel
from jixiao.summarize.report.page import render_html


FILES = {"json": "summary.json", "xlsx": "summary.xlsx", "html": "summary.html"}


def summary_json(summary: dict[str, Any]) -> str:
    """Canonical JSON text: same summary → same bytes."""
    return json.dumps(summary, ensure_ascii=False, indent=1, sort_keys=False) + "\n"


def write_report(summary: dict[str, Any], out_dir: str | Path) -> dict[str, Path]:
    """Write summary.json, summary.xlsx and summary.html into ``out_dir`` (created).

    >>> import tempfile
    >>> from jixiao.summarize.aggregate import LoadResult
    >>> from jixiao.summarize.report import build_summary
    >>> write_report(build_summary(LoadResult(documents=[])), tempfile.mkdtemp())["html"].name
    'summary.html'
    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise JixiaoError(E_REPORT_WRITE, f"cannot create the report folder ({exc.strerror}); choose "
                                  "another -o", path=str(out)) from exc
    paths = {k: out / v for k, v in FILES.items()}
    _atomic_write(paths["json"], summary_json(summary).encode("utf-8"))
    _atomic_write(paths["html"], render_html(summary).encode("utf-8"))
    tmp = paths["xlsx"].with_suffix(".xlsx.tmp")
    write_excel(summary, tmp)
    tmp.replace(paths["xlsx"])
    return paths


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        raise JixiaoError(E_REPORT_WRITE, f"cannot write the report ({exc.strerror}); check the folder",
                          path=str(path)) from exc
