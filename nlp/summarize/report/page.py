"""The summary as a self-contained HTML page: inline CSS and SVG charts, no scripts, no network."""
from __future__ import annotations

import html
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Sequence

from jixiao.summarize.aggregate import EXPERIENCE, UNKNOWN
from jixiao.summarize.report.tables import cite_source, theme_region_matrix, theme_table
from jixiao.summarize.themes import OUTLIER_ID


PALETTE = ("#2f6db5", "#d9822b", "#3a9a5b", "#c0392b", "#7d5ba6", "#8c6d31", "#d16ba5",
           "#5f7a8a", "#b5a642", "#17a2b8")
HTML_LIST_LIMIT = 300  # longer lists stay in the workbook, the page stays light
FONT = ("'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',"
        "'WenQuanYi Micro Hei',sans-serif")

CSS = """
*{box-sizing:border-box}
body{font-family:%(font)s;margin:0;background:#f4f6f9;color:#1d2733;line-height:1.55;font-size:14px}
main{max-width:1220px;margin:0 auto;padding:24px 28px 60px}
h1{font-size:24px;margin:0 0 4px}
h2{font-size:18px;margin:32px 0 10px;padding-bottom:4px;border-bottom:2px solid #2f6db5}
h3{font-size:15px;margin:0 0 6px}
.sub{color:#5b6775;font-size:13px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:16px 0}
.card{background:#fff;border-radius:8px;padding:10px 14px;min-width:120px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.card b{display:block;font-size:22px;color:#2f6db5}
.card span{font-size:12px;color:#5b6775}
table{border-collapse:collapse;width:100%%;background:#fff;font-size:13px;box-shadow:0 1px 2px rgba(0,0,0,.06)}
th,td{border-bottom:1px solid #e3e8ef;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#e8eef7;font-weight:600;white-space:nowrap}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.outlier td{color:#6b7785;background:#fafbfc}
.badge{display:inline-block;font-size:11px;padding:1px 6px;border-radius:9px;background:#fdecea;color:#b03a2e;white-space:nowrap}
.badge.ok{background:#e8f5ec;color:#2d7a45}
.badge.grey{background:#eef0f3;color:#5b6775}
.chart{background:#fff;border-radius:8px;padding:12px;box-shadow:0 1px 2px rgba(0,0,0,.06);overflow-x:auto}
svg text{font-family:%(font)s}
.theme{background:#fff;border-radius:8px;padding:14px 16px;margin:12px 0;box-shadow:0 1px 2px rgba(0,0,0,.06)}
.kw{display:inline-block;background:#eef3fb;color:#24528a;border-radius:4px;padding:0 6px;margin:0 4px 4px 0;font-size:12px}
blockquote{margin:6px 0;padding:4px 10px;border-left:3px solid #2f6db5;background:#f7f9fc}
cite{display:block;font-style:normal;font-size:12px;color:#5b6775}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:16px;margin-top:8px}
.cols ul{margin:4px 0;padding-left:18px}
.cols li{margin-bottom:4px}
.muted{color:#7b8794}
details{margin:8px 0}
summary{cursor:pointer;font-weight:600}
.warn{background:#fff7e0;border:1px solid #f0d48a;padding:8px 12px;border-radius:6px;font-size:13px}
""" % {"font": FONT}


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def truncate(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def render_html(summary: dict[str, Any]) -> str:
    """The whole report page as one string (no external references).

    >>> from jixiao.summarize.aggregate import LoadResult
    >>> from jixiao.summarize.report import build_summary
    >>> page = render_html(build_summary(LoadResult(documents=[])))
    >>> "<svg" in page or "没有" in page, "http" in page
    (True, False)
    """
    c = summary["counts"]
    parts = [
        "<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>绩效评价报告{_e(summary['config']['label'])}主题汇总</title>", f"<style>{CSS}</style></head><body><main>",
        f"<h1>绩效评价报告 · {_e(summary['config']['label'])}主题汇总</h1>",
        f'<div class="sub">{_e(_filters_text(summary))}</div>',
        _cards(c),
    ]
    if summary["warnings"]:
        items = "".join(f"<li>{_e(w)}</li>" for w in summary["warnings"][:20])
        parts.append(f'<div class="warn"><b>跳过的输入</b><ul>{items}</ul></div>')
    parts += [
        "<h2>主题一览</h2>", _theme_table_html(summary),
        "<h2>主题频次</h2>", f'<div class="chart">{svg_theme_bars(summary)}</div>',
        "<h2>地区 × 主题</h2>", f'<div class="chart">{svg_heatmap(summary)}</div>',
    ]
    trend = svg_year_trend(summary)
    if trend:
        parts += ["<h2>年度趋势</h2>", f'<div class="chart">{trend}</div>']
    parts += ["<h2>主题详情：原因、措施与引文</h2>", _theme_details_html(summary)]
    parts += ["<h2>指标目标与实际：未完成情况</h2>", _indicator_html(summary)]
    if summary.get("audit") is not None:  # findings of `jixiao audit`, passed with `summarize --audit DIR`
        from jixiao.audit.render import audit_section_html

        parts += ["<h2>数字核对（jixiao audit）</h2>", audit_section_html(summary["audit"])]
    parts += ["<h2>其他/outliers</h2>", _outliers_html(summary)]
    parts += ["<h2>经验做法</h2>", _experience_html(summary)]
    parts.append(f'<p class="sub">由 jixiao summarize 生成 · 输入：'
                 f'{_e("、".join(Path(p).name for p in summary["inputs"]))}</p>')
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"


def _filters_text(summary: dict[str, Any]) -> str:
    f = {k: v for k, v in summary["filters"].items() if v is not None}
    cfg = summary["config"]
    parts = [f"{k}={v}" for k, v in f.items()] or ["无筛选"]
    return (f"筛选：{'，'.join(parts)} · 聚类阈值（余弦距离）{cfg['threshold']} · "
            f"最小主题 {cfg['min_theme_size']} 句 · 主题对象：{cfg['label']}")


def label_noun(label: str) -> str:
    """What the themes group, in words: 问题句, 措施句, 经验做法段落."""
    return "经验做法段落" if label == EXPERIENCE else f"{label}句"


def _cards(c: dict[str, Any]) -> str:
    years = c["years"]
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (years[0] if years else "—")
    items = [(c["documents"], "份报告"), (c["regions"], "个地区"), (span, "年度"),
             (c["subject_sentences"], f"条{label_noun(c['label'])}"), (c["themes"], "个主题"),
             (c["outliers"], "条未归类（outliers）"),
             (f'{c.get("problem_paragraphs", 0) - c.get("problem_paragraphs_left_out", 0)}/{c.get("problem_paragraphs", 0)}',
              "个存在问题段落进入主题或未归类"),
             (f'{c["indicators_not_met"]}/{c["indicators"]}', "项指标未达标")]
    body = "".join(f'<div class="card"><b>{_e(v)}</b><span>{_e(k)}</span></div>'
                   for v, k in items)
    return f'<div class="cards">{body}</div>'


def _theme_table_html(summary: dict[str, Any]) -> str:
    rows = theme_table(summary)
    if len(rows) == 1 and rows[0]["sentences"] == 0:
        return f'<p class="muted">没有可聚类的{label_noun(summary["config"]["label"])}。</p>'
    out = ["<table><thead><tr><th>主题</th><th>关键词</th><th>句数</th><th>文档</th><th>地区</th>"
           "<th>年度（句数）</th><th>代表句</th></tr></thead><tbody>"]
    for r in rows:
        cls = ' class="outlier"' if r["theme"] == OUTLIER_ID else ""
        badge = ' <span class="badge">仅一份文档</span>' if r["single_document"] else ""
        out.append(
            f"<tr{cls}><td><b>{_e(r['theme'])}</b> {_e(r.get('name') or '')}{badge}</td><td>{_e(r['keywords'])}</td>"
            f"<td class=n>{r['sentences']}</td><td class=n>{r['documents']}</td>"
            f"<td class=n>{r['regions']}</td><td>{_e(r['years'])}</td>"
            f"<td>{_e(truncate(r['representative'], 90))}<cite>{_e(r['source'])}</cite></td></tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _svg(width: int, height: int, body: Iterable[str]) -> str:
    return (f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'role="img">{"".join(body)}</svg>')


def _text(x: float, y: float, s: str, size: int = 12, anchor: str = "start",
          fill: str = "#1d2733", weight: str = "normal", extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="{fill}" font-weight="{weight}"{extra}>{_e(s)}</text>')


def svg_theme_bars(summary: dict[str, Any], width: int = 1160) -> str:
    """Horizontal bars: sentences per theme (documents in the label), outliers greyed."""
    items = [(t["id"], t["name"], t["sentences"], t["documents"], PALETTE[0])
             for t in summary["themes"]]
    if summary["outliers"]["sentences"]:
        o = summary["outliers"]
        items.append((o["id"], o["name"], o["sentences"], o["documents"], "#aab4c0"))
    if not items:
        return '<p class="muted">没有主题。</p>'
    left, bar_h, gap, top = 300, 20, 8, 26
    height = top + len(items) * (bar_h + gap) + 10
    vmax = max(i[2] for i in items) or 1
    scale = (width - left - 110) / vmax
    body = [_text(left, 16, "句数（括号内为文档数）", 12, fill="#5b6775")]
    for k, (tid, name, n, docs, color) in enumerate(items):
        y = top + k * (bar_h + gap)
        label = f"{tid}  {truncate(name, 18)}"
        body.append(_text(left - 10, y + bar_h - 5, label, 13, "end"))
        body.append(f'<rect x="{left}" y="{y}" width="{max(n * scale, 2):.1f}" height="{bar_h}" '
                    f'rx="3" fill="{color}"/>')
        body.append(_text(left + n * scale + 6, y + bar_h - 5, f"{n}（{docs}）", 12))
    return _svg(width, height, body)


def _heat(value: int, vmax: int) -> str:
    """White → blue by value share."""
    if value <= 0:
        return "#f5f7fa"
    t = 0.18 + 0.82 * (value / vmax)
    lo, hi = (235, 242, 252), (31, 78, 156)
    rgb = tuple(round(lo[i] + (hi[i] - lo[i]) * t) for i in range(3))
    return "#%02x%02x%02x" % rgb


def svg_heatmap(summary: dict[str, Any], width: int = 1160) -> str:
    """Region × theme heat map of problem sentences, numbers in the cells."""
    regions, themes, cells = theme_region_matrix(summary)
    if not regions or not themes:
        return '<p class="muted">没有数据。</p>'
    left, top, row_h = 170, 70, 30
    col_w = max(44, min(90, (width - left - 20) // len(themes)))
    width = left + col_w * len(themes) + 20
    height = top + row_h * len(regions) + 14
    vmax = max(cells.values()) or 1
    names = {t["id"]: t["name"] for t in summary["themes"]}
    names[OUTLIER_ID] = "其他"
    body = []
    for j, tid in enumerate(themes):
        x = left + j * col_w + col_w / 2
        body.append(_text(x, top - 34, "其他" if tid == OUTLIER_ID else tid, 12, "middle",
                          weight="bold"))
        body.append(_text(x, top - 18, truncate(names[tid].split("、")[0], 5), 11, "middle",
                          fill="#5b6775"))
    for i, region in enumerate(regions):
        y = top + i * row_h
        body.append(_text(left - 8, y + row_h / 2 + 4, truncate(region, 12), 13, "end"))
        for j, tid in enumerate(themes):
            v = cells.get((region, tid), 0)
            x = left + j * col_w
            body.append(f'<rect x="{x + 1}" y="{y + 1}" width="{col_w - 2}" height="{row_h - 2}" '
                        f'rx="2" fill="{_heat(v, vmax)}"><title>{_e(region)} · {_e(tid)}: {v}'
                        f'</title></rect>')
            if v:
                fill = "#ffffff" if v / vmax > 0.45 else "#1d2733"
                body.append(_text(x + col_w / 2, y + row_h / 2 + 4, str(v), 12, "middle", fill))
    return _svg(width, height, body)


def svg_year_trend(summary: dict[str, Any], width: int = 1160, max_rows: int = 12) -> str | None:
    """Per theme and year, the share of that year's reports raising the theme; ``None`` when all
    reports are of one year.

    Small multiples (one row of bars per theme) rather than overlapping lines, and a share
    rather than a count, so a year with more reports does not look like a year with more
    problems. Each bar is labelled ``reports with the theme / reports of the year``.
    """
    per_year = summary["counts"]["documents_by_year"]
    years = sorted(int(y) for y in per_year if y.isdigit())
    if len(years) < 2:
        return None
    themes = summary["themes"][:max_rows]
    left, top, row_h, bar_w = 300, 44, 40, 26
    col_w = max(70, min(130, (width - left - 20) // len(years)))
    width = left + col_w * len(years) + 20
    height = top + row_h * len(themes) + 10
    body = [_text(8, 16, "提出该主题的报告 / 当年报告数", 12, fill="#5b6775")]
    for k, y in enumerate(years):
        cx = left + k * col_w + col_w / 2
        body.append(_text(cx, top - 22, str(y), 12, "middle", weight="bold"))
        body.append(_text(cx, top - 8, f"{per_year[str(y)]} 份报告", 11, "middle", "#5b6775"))
    for n, t in enumerate(themes):
        y0 = top + n * row_h
        if n % 2 == 0:
            body.append(f'<rect x="0" y="{y0}" width="{width}" height="{row_h}" fill="#f7f9fc"/>')
        body.append(_text(left - 12, y0 + row_h / 2 + 4, f"{t['id']}  {truncate(t['name'], 16)}",
                          13, "end"))
        base = y0 + row_h - 6
        prev = None
        for k, y in enumerate(years):
            docs = t["by_year"].get(str(y), {}).get("documents", 0)
            share = docs / per_year[str(y)]
            cx = left + k * col_w + col_w / 2
            h = max(share * (row_h - 12), 1.5)
            color = PALETTE[0] if docs else "#d5dbe3"
            body.append(f'<rect x="{cx - bar_w / 2 - 10:.1f}" y="{base - h:.1f}" width="{bar_w}" '
                        f'height="{h:.1f}" fill="{color}"><title>{_e(t["id"])} {y}: '
                        f'{docs}/{per_year[str(y)]}</title></rect>')
            if docs:
                body.append(_text(cx + bar_w / 2 - 6, base - 2, f"{docs}/{per_year[str(y)]}", 11,
                                  fill="#1d2733"))
            top_y = base - h
            if prev is not None:
                body.append(f'<line x1="{prev[0]:.1f}" y1="{prev[1]:.1f}" x2="{cx - 10:.1f}" '
                            f'y2="{top_y:.1f}" stroke="#9fb6d8" stroke-dasharray="3,3"/>')
            prev = (cx - 10, top_y)
    return _svg(width, height, body)


def svg_indicator_bars(summary: dict[str, Any], width: int = 1160) -> str:
    """Stacked bars per region: indicators met / not met / unknown."""
    rows = sorted(summary["indicators_by_region"],
                  key=lambda r: (-r["not_met"], -r["indicators"], r["region"]))
    if not rows:
        return '<p class="muted">没有指标记录。</p>'
    left, bar_h, gap, top = 170, 22, 10, 34
    height = top + len(rows) * (bar_h + gap) + 10
    vmax = max(r["indicators"] for r in rows) or 1
    scale = (width - left - 160) / vmax
    colors = (("met", "#3a9a5b", "达标"), ("not_met", "#c0392b", "未达标"),
              ("unknown", "#aab4c0", "无法判断"))
    body = []
    for k, (_key, color, label) in enumerate(colors):
        body.append(f'<rect x="{left + k * 110}" y="6" width="14" height="12" fill="{color}"/>')
        body.append(_text(left + k * 110 + 20, 17, label, 12))
    for i, r in enumerate(rows):
        y = top + i * (bar_h + gap)
        body.append(_text(left - 8, y + bar_h - 6, truncate(r["region"], 12), 13, "end"))
        x = float(left)
        for key, color, label in colors:
            w = r[key] * scale
            if w:
                body.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                            f'fill="{color}"><title>{_e(label)} {r[key]}</title></rect>')
                if w > 18:
                    body.append(_text(x + w / 2, y + bar_h - 6, str(r[key]), 12, "middle",
                                      "#ffffff"))
            x += w
        body.append(_text(x + 8, y + bar_h - 6, f"未达标 {r['not_met']} / 共 {r['indicators']}",
                          12, fill="#5b6775"))
    return _svg(width, height, body)


def _list(items: Sequence[dict[str, Any]], empty: str) -> str:
    if not items:
        return f'<p class="muted">{_e(empty)}</p>'
    lis = []
    for it in items:
        src = it["sources"][0]
        more = f"，另 {len(it['sources']) - 1} 处" if len(it["sources"]) > 1 else ""
        lis.append(f"<li>{_e(truncate(it['text'], 120))} <cite>{_e(src['file'])} "
                   f"¶{src['paragraph']} · {_e(src['region'])}{more} · "
                   f"{it['documents']} 份文档</cite></li>")
    return "<ul>" + "".join(lis) + "</ul>"


def _theme_details_html(summary: dict[str, Any]) -> str:
    if not summary["themes"]:
        return '<p class="muted">没有形成主题（问题句太少或彼此不相近；可提高 --threshold 或降低 ' \
               '--min-theme-size）。</p>'
    out = []
    for t in summary["themes"]:
        badge = ('<span class="badge">仅一份文档</span>' if t["single_document"]
                 else f'<span class="badge ok">{t["documents"]} 份文档 · {t["n_regions"]} 个地区</span>')
        kws = "".join(f'<span class="kw">{_e(k)}</span>' for k in t["keywords"])
        quotes = "".join(f"<blockquote>{_e(q['text'])}<cite>{_e(cite_source(q))}</cite></blockquote>"
                         for q in t["quotes"])
        years = "，".join(f"{y} 年 {v['sentences']} 句" for y, v in t["by_year"].items())
        out.append(
            f'<div class="theme"><h3>{_e(t["id"])} · {_e(t["name"])} {badge}</h3>'
            f'<div>{kws}</div><div class="sub">{t["sentences"]} 句 · 地区：'
            f'{_e("、".join(t["regions"]))} · {_e(years)}</div>{quotes}'
            f'<div class="cols"><div><b>常见原因</b>'
            f'{_list(t["top_causes"], "未提取到原因句")}</div>'
            f'<div><b>提出的措施</b>{_list(t["top_measures"], "未提取到措施句")}</div></div></div>')
    return "".join(out)


def _indicator_html(summary: dict[str, Any]) -> str:
    c = summary["counts"]
    head = (f'<p class="sub">共 {c["indicators"]} 项指标：达标 {c["indicators_met"]}，未达标 '
            f'{c["indicators_not_met"]}，无法判断 {c["indicators_unknown"]}（目标或实际为文字、'
            f'单位不一致）。无比较符的目标按「≥」理解。</p>')
    missed = sorted((r for r in summary["indicators"] if r["met"] is False),
                    key=lambda r: (r["region"], str(r["year"]), r["doc_id"]))
    table = ['<table><thead><tr><th>地区</th><th>年度</th><th>指标</th><th>目标</th><th>实际</th>'
             '<th>得分/分值</th><th>说明</th></tr></thead><tbody>']
    for r in missed[:HTML_LIST_LIMIT]:
        score = "" if r["score"] is None else f"{r['score']}/{r['weight'] or '—'}"
        table.append(f"<tr><td>{_e(r['region'])}</td><td>{_e(r['year'])}</td>"
                     f"<td>{_e(r['name'])}</td><td>{_e(r['target'])}</td><td>{_e(r['actual'])}</td>"
                     f"<td class=n>{_e(score)}</td><td>{_e(truncate(r['note'] or '', 60))}</td></tr>")
    table.append("</tbody></table>")
    if len(missed) > HTML_LIST_LIMIT:
        table.append(f'<p class="sub">另 {len(missed) - HTML_LIST_LIMIT} 项见 summary.xlsx'
                     f'（indicators 表，筛选 met = FALSE）。</p>')
    body = head + f'<div class="chart">{svg_indicator_bars(summary)}</div>'
    if missed:
        body += "<h3 style='margin-top:14px'>未达标指标</h3>" + "".join(table)
    return body


def _outliers_html(summary: dict[str, Any]) -> str:
    o = summary["outliers"]
    if not o["sentences"]:
        return '<p class="muted">所有问题句都归入了主题。</p>'
    shown = o["members"][:HTML_LIST_LIMIT]
    items = "".join(f"<li>{_e(m['text'])} <cite>{_e(cite_source(m))}</cite></li>" for m in shown)
    if len(o["members"]) > len(shown):
        items += f"<li class=muted>另 {len(o['members']) - len(shown)} 条见 summary.xlsx（links 表）</li>"
    noun = label_noun(summary["config"]["label"])
    return (f'<p class="sub">{o["sentences"]} 条{noun}与任何主题都不够相近（来自 {o["documents"]} '
            f'份文档），单独列出，不丢弃。</p><details><summary>展开 {o["sentences"]} 条</summary>'
            f"<ul>{items}</ul></details>")


def _experience_html(summary: dict[str, Any]) -> str:
    rows = [r for r in summary["rows"] if r["label"] == EXPERIENCE]
    if not rows:
        return '<p class="muted">没有标为经验做法的段落（或已被 --label 筛掉）。</p>'
    by = Counter((r["region"], UNKNOWN if r["year"] is None else r["year"]) for r in rows)
    table = "".join(f"<tr><td>{_e(reg)}</td><td>{_e(y)}</td><td class=n>{n}</td></tr>"
                    for (reg, y), n in sorted(by.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))))
    items = "".join(f"<li>{_e(truncate(r['text'], 160))} <cite>{_e(Path(r['source']).name)} "
                    f"¶{r['paragraph']} · {_e(r['region'])}</cite></li>"
                    for r in rows[:HTML_LIST_LIMIT])
    if len(rows) > HTML_LIST_LIMIT:
        items += f"<li class=muted>另 {len(rows) - HTML_LIST_LIMIT} 段见 summary.xlsx（sentences 表）</li>"
    return (f"<table style='max-width:520px'><thead><tr><th>地区</th><th>年度</th><th>段落</th>"
            f"</tr></thead><tbody>{table}</tbody></table><details><summary>展开 {len(rows)} 段"
            f"</summary><ul>{items}</ul></details>")
