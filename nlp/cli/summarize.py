"""`jixiao summarize`: themes of recurring problems across extraction outputs.

    jixiao summarize out/extract.jsonl [more.jsonl ...] -o report/ [--region 喀什] [--by province] [--year 2022]
        [--fund 医疗] [--label 问题] [--min-theme-size 2] [--threshold 0.8]
        [--config configs/summarize.yaml] [--screenshot]

writes report/summary.html, report/summary.xlsx, report/summary.json and prints the theme table.
"""
from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from jixiao.cli.app import app
from jixiao.paths import resolve


class Label(str, Enum):
    """Which rows the table keeps and the themes group (问题 by default)."""

    problem = "问题"
    cause = "原因"
    measure = "措施"
    experience = "经验做法"


class GroupBy(str, Enum):
    """What the regional tables and charts group by."""

    region = "region"
    province = "province"


@app.command("summarize")
def summarize(
    inputs: List[Path] = typer.Argument(..., help="extraction output .jsonl files or folders"),
    out: Path = typer.Option(Path("report"), "-o", "--out", help="report folder"),
    region: Optional[str] = typer.Option(None, "--region", help="keep regions (wording, province, prefecture or "
                                         "county) containing this; none matching: exit 2 listing the regions"),
    by: GroupBy = typer.Option(GroupBy.region, "--by", help="group the regional tables by the report's region "
                               "or roll them up by province"),
    year: Optional[int] = typer.Option(None, "--year", help="keep this evaluated year"),
    fund: Optional[str] = typer.Option(None, "--fund", help="keep funds containing this"),
    label: Optional[Label] = typer.Option(None, "--label", help="keep rows of this label; "
                                          "themes group it (default 问题)"),
    min_theme_size: Optional[int] = typer.Option(
        None, "--min-theme-size", min=1, help="smaller clusters go to 其他/outliers [2]"),
    threshold: Optional[float] = typer.Option(
        None, "--threshold", help="cosine distance for merging, lower = finer themes [0.8]"),
    config: Optional[Path] = typer.Option(None, "--config",
                                          help="theme options (configs/summarize.yaml)"),
    screenshot: bool = typer.Option(False, "--screenshot",
                                    help="also render summary.png with headless Chromium"),
    audit: Optional[Path] = typer.Option(None, "--audit",
                                         help="folder (or findings.jsonl) of `jixiao audit`: adds its section"),
) -> None:
    """Aggregate extraction output and summarise recurring problems into a report."""
    from rich.console import Console

    from jixiao.summarize.aggregate import Filters, check_region_filter, load_documents
    from jixiao.summarize.report import (
        build_summary,
        print_theme_table,
        write_report,
    )
    from jixiao.summarize.report import screenshot as shoot
    from jixiao.summarize.themes import ThemeConfig, load_theme_config

    lab = label.value if label else None
    filters = Filters(region=region, year=year, fund=fund, label=lab,
                      by=None if by == GroupBy.region else by.value)
    flags = {"threshold": threshold, "min_theme_size": min_theme_size, "label": lab}
    if config is not None:
        cfg = load_theme_config(resolve(config), **flags)
    else:
        cfg = ThemeConfig(**{k: v for k, v in flags.items() if v is not None}).validated()
    loaded = load_documents(inputs)
    check_region_filter(loaded.documents, filters)  # a --region matching nothing: exit 2, list what there is
    summary = build_summary(loaded, filters, cfg)
    if audit is not None:
        from jixiao.audit.output import load_findings

        summary["audit"] = load_findings(audit)
    paths = write_report(summary, out)
    console = Console(width=None if sys.stdout.isatty() else 160)
    for w in summary["warnings"]:
        console.print(f"[yellow]{w}[/yellow]")
    print_theme_table(summary, console)
    if screenshot:
        paths["png"] = shoot(paths["html"], Path(out) / "summary.png")
    console.print("wrote " + ", ".join(str(p) for p in paths.values()))
