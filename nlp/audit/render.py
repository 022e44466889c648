"""The audit section of the HTML report: one card per finding, its evidence quoted with the numbers highlighted.

>>> rec = {"doc_id": "d", "source": "a.txt", "kind": "rate", "check": "rate_in_prose", "severity": "error",
...        "message": "m", "stated": "96.8", "computed": "94.79", "tolerance": "0.16", "tolerance_rule": "r",
...        "evidence": [], "quotes": [{"paragraph": 4, "offset": 0, "text": "执行率96.8%", "spans": [[3, 8]]}]}
>>> "<mark>96.8%</mark>" in audit_section_html([rec])
True
"""
from __future__ import annotations

import html
from collections import Counter
from typing import Any, Mapping, Sequence

KIND_NAMES = {"rate": "比率与分子分母不符", "sum": "分项与合计不符", "score_sum": "得分合计不符",
              "weight_sum": "分值合计不符", "score_over": "得分高于分值", "grade": "等级与得分区间不符",
              "met": "完成情况与目标/实际不符", "duplicate": "同一数字前后不一致"}
LIMIT = 300
CSS = ("<style>.audit mark{background:#ffe08a;padding:0 2px;border-radius:2px}"
       ".audit .finding{background:#fff;border-radius:8px;padding:10px 14px;margin:10px 0;"
       "box-shadow:0 1px 2px rgba(0,0,0,.06)}.audit .sev-error{border-left:4px solid #c0392b}"
       ".audit .sev-warning{border-left:4px solid #d9822b}</style>")


def _e(v: Any) -> str:
    return html.escape("" if v is None else str(v), quote=True)


def highlight(text: str, spans: Sequence[Sequence[int]]) -> str:
    """Escape ``text`` and wrap each span in ``<mark>``.

    >>> highlight("a<b 12 c", [[4, 6]])
    'a&lt;b <mark>12</mark> c'
    """
    out, pos = [], 0
    for s, e in sorted((int(a), int(b)) for a, b in spans):
        if s < pos:
            continue
        out.append(_e(text[pos:s]) + "<mark>" + _e(text[s:e]) + "</mark>")
        pos = e
    out.append(_e(text[pos:]))
    return "".join(out).replace("\t", " │ ")


def audit_section_html(records: Sequence[Mapping[str, Any]]) -> str:
    """The section body (no heading): counts per kind, then the findings with quoted evidence."""
    if not records:
        return '<p class="muted">数字核对未发现不一致（或未运行 jixiao audit）。</p>'
    kinds = Counter(r["kind"] for r in records)
    head = "，".join(f"{KIND_NAMES.get(k, k)} {n}" for k, n in sorted(kinds.items()))
    parts = [CSS, f'<div class="audit"><p class="sub">共 {len(records)} 条发现，涉及 '
                  f'{len({r["doc_id"] for r in records})} 份报告：{_e(head)}。容差按所写精度推算（见每条的 tolerance）。</p>']
    for r in list(records)[:LIMIT]:
        quotes = "".join(f"<blockquote>{highlight(q['text'], q['spans'])}<cite>{_e(r.get('source') or r['doc_id'])} "
                         f"¶{q['paragraph']}</cite></blockquote>" for q in r.get("quotes") or [])
        calc = (f"报告值 {_e(r.get('stated'))} · 核算值 {_e(r.get('computed'))} · 容差 ±{_e(r.get('tolerance'))}"
                if r.get("computed") is not None else "")
        parts.append(f'<div class="finding sev-{_e(r["severity"])}"><b>{_e(KIND_NAMES.get(r["kind"], r["kind"]))}</b> '
                     f'<span class="badge">{_e(r["severity"])}</span> <span class="sub">{_e(r["doc_id"])} · '
                     f'{_e(r["check"])}</span><div>{_e(r["message"])}</div><div class="sub">{calc}</div>{quotes}</div>')
    if len(records) > LIMIT:
        parts.append(f'<p class="sub">另 {len(records) - LIMIT} 条见 audit.xlsx。</p>')
    parts.append("</div>")
    return "".join(parts)


__all__ = ["KIND_NAMES", "audit_section_html", "highlight"]
