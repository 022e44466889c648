"""Read extraction output, write findings (JSONL, Excel, summary JSON) and read them back.

``jixiao audit OUT.jsonl -o audit/`` writes ``audit/findings.jsonl`` (one finding a line, with the
quoted paragraphs of its evidence), ``audit/audit.xlsx`` (sheets ``findings`` and ``evidence``) and
``audit/audit.json`` (counts per kind and check, the grade bands used).

>>> import tempfile
>>> out = write_findings([], tempfile.mkdtemp(), documents=0)
>>> sorted(p.name for p in out.values())
['audit.json', 'audit.xlsx', 'findings.jsonl']
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from jixiao.audit.registry import Finding
from jixiao.errors import E_AUDIT, E_AUDIT_WRITE, JixiaoError, UsageError

FILES = {"jsonl": "findings.jsonl", "xlsx": "audit.xlsx", "json": "audit.json"}
QUOTE_CHARS = 160  # characters of context kept either side of the evidence in a quote


def input_files(paths: Iterable[str | Path]) -> list[Path]:
    """JSONL files from files and folders (``*.jsonl`` inside, recursively); E711 if none."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(q for q in p.rglob("*.jsonl") if q.name != FILES["jsonl"])
        elif p.is_file():
            out.append(p)
        else:
            raise UsageError(E_AUDIT, "input not found; pass the extract.jsonl that `jixiao extract` wrote", path=str(p))
    if not out:
        raise UsageError(E_AUDIT, "no .jsonl input found")
    return out


def read_documents(paths: Iterable[str | Path]) -> Iterator[dict[str, Any]]:
    """Documents of the output contract from JSONL files (E711 for a line that is not one)."""
    for path in input_files(paths):
        with open(path, encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    doc = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise UsageError(E_AUDIT, f"line {number} is not JSON ({exc.msg}); pass extraction output",
                                     path=str(path)) from None
                if not isinstance(doc, dict) or "paragraphs" not in doc or "doc_id" not in doc:
                    raise UsageError(E_AUDIT, f"line {number} is not an extracted document (no doc_id/paragraphs)",
                                     path=str(path))
                yield doc


def quotes(finding: Finding, texts: Mapping[int, str]) -> list[dict[str, Any]]:
    """The paragraphs of a finding's evidence, each with the spans to highlight (offsets into ``text``)."""
    by_par: dict[int, list[tuple[int, int]]] = {}
    for e in finding.evidence:
        by_par.setdefault(int(e["paragraph"]), []).append((int(e["start"]), int(e["end"])))
    out = []
    for p, spans in sorted(by_par.items()):
        text = texts.get(p, "")
        lo = max(0, min(s for s, _ in spans) - QUOTE_CHARS)
        hi = min(len(text), max(e for _, e in spans) + QUOTE_CHARS)
        out.append({"paragraph": p, "offset": lo, "text": text[lo:hi],
                    "spans": sorted({(s - lo, e - lo) for s, e in spans})})
    return out


def finding_record(f: Finding, texts: Mapping[int, str] | None = None) -> dict[str, Any]:
    d = f.to_dict()
    if texts is not None:
        d["quotes"] = [q | {"spans": [list(s) for s in q["spans"]]} for q in quotes(f, texts)]
    return d


def summary(records: Sequence[Mapping[str, Any]], documents: int, extra: Mapping[str, Any] | None = None) -> dict:
    """Counts per kind, check, severity and document."""
    return {"generator": "jixiao audit", "documents": documents, "findings": len(records),
            "documents_with_findings": len({r["doc_id"] for r in records}),
            "by_kind": dict(sorted(Counter(r["kind"] for r in records).items())),
            "by_check": dict(sorted(Counter(r["check"] for r in records).items())),
            "by_severity": dict(sorted(Counter(r["severity"] for r in records).items())),
            **dict(extra or {})}


def write_findings(records: Sequence[Mapping[str, Any]], out_dir: str | Path, *, documents: int,
                   extra: Mapping[str, Any] | None = None) -> dict[str, Path]:
    """Write findings.jsonl, audit.xlsx and audit.json into ``out_dir`` (created)."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        paths = {k: out / v for k, v in FILES.items()}
        tmp = paths["jsonl"].with_suffix(".jsonl.tmp")
        tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        tmp.replace(paths["jsonl"])
        paths["json"].write_text(json.dumps(summary(records, documents, extra), ensure_ascii=False, indent=1) + "\n",
                                 encoding="utf-8")
        write_excel(records, paths["xlsx"])
    except OSError as exc:
        raise JixiaoError(E_AUDIT_WRITE, f"cannot write the audit ({exc.strerror}); choose another -o", path=str(out)) from exc
    return paths


FINDING_COLUMNS = ("doc_id", "source", "kind", "check", "severity", "message", "stated", "computed", "difference",
                   "tolerance", "tolerance_rule", "unit", "paragraphs")
EVIDENCE_COLUMNS = ("finding", "doc_id", "kind", "role", "value", "unit", "paragraph", "start", "end", "text")


def write_excel(records: Sequence[Mapping[str, Any]], path: str | Path) -> Path:
    """Two sheets: ``findings`` (one row per finding) and ``evidence`` (one row per number involved)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font, PatternFill

    def cell(v: Any) -> Any:
        if isinstance(v, str):
            v = ILLEGAL_CHARACTERS_RE.sub("", v)
            return "'" + v if v.startswith("=") else v
        return v

    wb = Workbook()
    wb.remove(wb.active)
    rows = {"findings": [], "evidence": []}
    for i, r in enumerate(records, 1):
        pars = sorted({e["paragraph"] for e in r["evidence"]})
        rows["findings"].append([i] + [cell("、".join(map(str, pars)) if c == "paragraphs" else r.get(c))
                                       for c in FINDING_COLUMNS])
        for e in r["evidence"]:
            rows["evidence"].append([i, r["doc_id"], r["kind"]] + [cell(e.get(c)) for c in EVIDENCE_COLUMNS[3:]])
    heads = {"findings": ("finding",) + FINDING_COLUMNS, "evidence": EVIDENCE_COLUMNS}
    for name in ("findings", "evidence"):
        ws = wb.create_sheet(name)
        ws.append(list(heads[name]))
        for c in ws[1]:
            c.font = Font(bold=True)
            c.fill = PatternFill("solid", fgColor="DCE6F2")
        for row in rows[name]:
            ws.append(row)
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
        for i, h in enumerate(heads[name], 1):
            width = 60 if h in ("message", "tolerance_rule") else max(10, len(h) + 2)
            ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = width
    wb.save(path)
    return Path(path)


def load_findings(path: str | Path) -> list[dict[str, Any]]:
    """Findings from an audit folder (its findings.jsonl) or a findings file; E711 if missing."""
    p = Path(path)
    if p.is_dir():
        p = p / FILES["jsonl"]
    if not p.is_file():
        raise UsageError(E_AUDIT, "no audit findings here; run `jixiao audit OUT.jsonl -o DIR` first", path=str(p))
    return [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]


__all__ = ["FILES", "finding_record", "input_files", "load_findings", "quotes", "read_documents", "summary",
           "write_excel", "write_findings"]
