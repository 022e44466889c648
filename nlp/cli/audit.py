"""`jixiao audit`: check the arithmetic of extracted reports.

    jixiao audit out/extract.jsonl [more.jsonl | folder ...] -o audit/ [--grades configs/grades.yaml]
        [--check rate_in_prose --check table_sum ...] [--list-checks]

writes audit/findings.jsonl, audit/audit.xlsx, audit/audit.json and prints a table of findings.
Exit status 0 whether or not there are findings (they are results, not errors); 2 for bad arguments.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from jixiao.cli.app import app
from jixiao.errors import E_AUDIT


@app.command("audit")
def audit(
    inputs: Optional[List[Path]] = typer.Argument(None, help="extraction output .jsonl files or folders"),
    out: Path = typer.Option(Path("audit"), "-o", "--out", help="output folder"),
    grades: Optional[Path] = typer.Option(None, "--grades", help="grade bands (configs/grades.yaml)"),
    check: Optional[List[str]] = typer.Option(None, "--check", help="run only these checks (repeatable)"),
    list_checks: bool = typer.Option(False, "--list-checks", help="list the registered checks and exit"),
) -> None:
    """Check each report's own arithmetic: rates, sums, scores, grades, indicator status."""
    from rich.console import Console
    from rich.table import Table

    from jixiao.audit import CHECKS, audit_document, load_bands
    from jixiao.audit.output import finding_record, read_documents, write_findings
    from jixiao.errors import UsageError

    console = Console(width=None if sys.stdout.isatty() else 160)
    if list_checks:
        for name, spec in sorted(CHECKS.items()):
            console.print(f"{name:22} {spec.kind:11} {spec.description}")
        return
    if not inputs:
        raise UsageError(E_AUDIT, "give the extraction output to audit, e.g. `jixiao audit out/extract.jsonl -o audit/`")
    bands = load_bands(grades)
    records, n_docs = [], 0
    for doc in read_documents(inputs):
        n_docs += 1
        texts = {int(p["index"]): p.get("text") or "" for p in doc.get("paragraphs") or []}
        records += [finding_record(f, texts) for f in audit_document(doc, checks=check, grades=bands)]
    paths = write_findings(records, out, documents=n_docs,
                           extra={"grades": bands.as_dict(), "checks": sorted(check or CHECKS)})
    table = Table(title=f"{n_docs} 份报告 · {len(records)} 条发现")
    for col in ("doc_id", "kind", "severity", "¶", "message"):
        table.add_column(col, max_width=90 if col == "message" else None)
    for r in records[:200]:
        pars = "、".join(str(p) for p in sorted({e["paragraph"] for e in r["evidence"]}))
        table.add_row(r["doc_id"], r["kind"], r["severity"], pars, r["message"])
    console.print(table)
    console.print("wrote " + ", ".join(str(p) for p in paths.values()))
