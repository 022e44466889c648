"""The theme table on the console, and a screenshot of the page in headless Chromium."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from jixiao.errors import E_NO_CHROMIUM, E_SCREENSHOT, JixiaoError
from jixiao.summarize.report.page import label_noun, truncate
from jixiao.summarize.report.tables import theme_table


def print_theme_table(summary: dict[str, Any], console: Any = None) -> None:
    """Print the theme table with rich (the CLI's output)."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console(width=None if _is_tty() else 160)
    c = summary["counts"]
    noun = label_noun(c["label"])
    table = Table(title=f"{c['documents']} 份报告 · {c['subject_sentences']} 条{noun} · "
                        f"{c['themes']} 个主题 · {c['outliers']} 条 outliers")
    for col, kw in (("主题", {}), ("关键词", {}), ("句", {"justify": "right"}),
                    ("文档", {"justify": "right"}), ("地区", {"justify": "right"}),
                    ("年度", {}), ("代表句", {"max_width": 60})):
        table.add_column(col, **kw)
    for r in theme_table(summary):
        tid = r["theme"] + (" *" if r["single_document"] else "") + ("\n" + r["name"] if r.get("name") else "")
        table.add_row(tid, r["keywords"], str(r["sentences"]), str(r["documents"]),
                      str(r["regions"]), r["years"], truncate(r["representative"], 60))
    console.print(table)
    if c.get("problem_paragraphs"):
        left = c.get("problem_paragraphs_left_out", 0)
        console.print(f"存在问题段落 {c['problem_paragraphs']} 个：进入主题 {c['problem_paragraphs_themed']}，"
                      f"未归类 {c['problem_paragraphs_outliers']}，遗漏 {left}"
                      + (f"（{c['problem_paragraphs_left_out_why']}）" if left else ""))
    if c["single_document_themes"]:
        console.print("* 主题只出现在一份文档中 (single_document)")


def _is_tty() -> bool:
    import sys

    return sys.stdout.isatty()


CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars")


def find_chromium() -> str | None:
    """Path of a Chromium binary on PATH, or ``None``."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def screenshot(html_path: str | Path, png_path: str | Path, width: int = 1280,
               height: int = 2400, timeout: float = 90.0) -> Path:
    """Render ``html_path`` in headless Chromium to ``png_path``.

    >>> screenshot("report/summary.html", "report/summary.png")  # doctest: +SKIP
    PosixPath('report/summary.png')
    """
    binary = find_chromium()
    if binary is None:
        raise JixiaoError(E_NO_CHROMIUM, "chromium not found; install it (`apt-get install -y chromium`) "
                                  "to take screenshots")
    src, dst = Path(html_path).resolve(), Path(png_path).resolve()
    dst.parent.mkdir(parents=True, exist_ok=True)
    if dst.exists():
        dst.unlink()
    with tempfile.TemporaryDirectory(prefix="jixiao-chromium-") as profile:
        cmd = [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
               f"--screenshot={dst}", f"--window-size={width},{height}", src.as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise JixiaoError(E_SCREENSHOT, f"chromium did not finish within {timeout:.0f} s",
                              path=str(src)) from exc
    if not dst.exists() or dst.stat().st_size == 0:
        tail = (proc.stderr or "").strip().splitlines()[-3:]
        raise JixiaoError(E_SCREENSHOT, f"chromium wrote no screenshot (exit {proc.returncode}: "
                                  f"{' | '.join(tail)})", path=str(src))
    return dst
