"""The corpus markup: a written report and its labels in one reviewable text file.

Written documents (``corpus/written/src/*.md``) are authored in this markup and compiled into the
ANNOTATION.md §6 records (gold), the raw text a reader meets (with its layout debris) and one line
of document metadata. The format is specified in ``corpus/written/WRITING.md``; in short::

    ---
    doc_id: wA01
    kind: 项目支出绩效自评报告
    ...
    ---
    {经验做法} （二）强化基金监管。全年开展专项检查«12|AMOUNT»«次|UNIT»。
    {存在问题 #预算执行} ⟦问题:资金拨付不及时。⟧⟦原因:由于……⟧
    项目⇥«预算执行率|INDICATOR»⇥«≥95%|TARGET»⇥«96.2%|ACTUAL»

The module uses the standard library only, so it runs as a script before the package is installed::

    python3 nlp/labels/markup.py compile corpus/written/src/wA01.md      # check one file, write its outputs
    python3 nlp/labels/markup.py build corpus/written                     # every file + documents.json (metadata and counts)

>>> doc = parse_markup('''---
... doc_id: t1
... kind: 整改报告
... fund: 低保
... level: 县
... province: 河北省
... region: 正定县
... year: 2021
... layout: fullwidth
... table_layout: tabs
... planted: none
... ---
... {存在问题 #资金拨付} ⟦问题:发放资金«3.2|AMOUNT»«万元|UNIT»不及时。⟧⟪[bookmark: _Toc1]⟫
... ''', "t1.md")
>>> rec = doc.records[0]
>>> rec["text"], rec["entities"], rec["roles"], rec["themes"]
('发放资金3.2万元不及时。', [[4, 7, 'AMOUNT'], [7, 9, 'UNIT']], [[0, 13, '问题']], ['资金拨付'])
>>> doc.raw_text()
'发放资金3.2万元不及时。[bookmark: _Toc1]\\n'
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

PARAGRAPH_LABELS = ("经验做法", "存在问题", "建议")
ROLES = ("问题", "原因", "措施")
ENTITY_TYPES = ("AMOUNT", "UNIT", "INDICATOR", "TARGET", "ACTUAL", "SCORE")
ROLE_BEARING = {"存在问题", "建议"}

#: Problem categories of 绩效 reports (the default theme taxonomy; configs/themes.yaml describes them).
THEMES = ("预算编制", "预算执行", "绩效目标", "资金拨付", "基金可持续", "扩面征缴", "基金监管", "信息化",
          "人员队伍", "制度建设", "会计核算", "评价质量", "项目实施", "宣传服务", "其他")
KINDS = ("项目支出绩效自评报告", "部门整体支出绩效评价报告", "第三方绩效评价报告", "社会保险基金预算绩效报告",
         "绩效自评表", "绩效目标表", "绩效运行监控报告", "直达资金报告", "整改报告", "审计结果公告", "部门决算绩效说明")
LEVELS = ("省", "市", "县", "乡镇")
LAYOUTS = ("fullwidth", "ascii_punct", "period_end", "tabs", "cell_per_line", "two_row_header", "transposed",
           "header_unit", "thousands_sep", "number_spaces", "negative", "masked", "page_break", "ocr", "latex",
           "bookmark", "debris")
TABLE_LAYOUTS = ("tabs", "cells")
META_KEYS = ("doc_id", "kind", "fund", "level", "province", "region", "year", "layout", "table_layout", "planted")
PLANTED_KINDS = ("rate", "sum", "score_sum", "score_over", "weight_sum", "grade", "met", "duplicate")

ENTITY = re.compile(r"«([^«»|]+)\|([A-Z]+)»")
RAW_ONLY = re.compile(r"⟪([^⟪⟫]*)⟫")
LINE_PREFIX = re.compile(r"^\{([^{}]*)\}\s?")


class MarkupError(ValueError):
    """A problem in a markup file, with its file and line."""


@dataclass
class WrittenDocument:
    meta: dict
    records: list[dict] = field(default_factory=list)
    raw_lines: list[str] = field(default_factory=list)   # the raw rendering, one entry per paragraph
    tables: int = 0

    def raw_text(self) -> str:
        return "".join(line + "\n" for line in self.raw_lines)


def _parse_meta(lines: list[str], path: str) -> tuple[dict, int]:
    if not lines or lines[0].strip() != "---":
        raise MarkupError(f"{path}:1: the file must start with a '---' metadata block")
    meta: dict = {}
    for n, line in enumerate(lines[1:], 2):
        if line.strip() == "---":
            break
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise MarkupError(f"{path}:{n}: metadata line needs 'key: value'")
        meta[key.strip()] = value.strip()
    else:
        raise MarkupError(f"{path}: the metadata block is not closed with '---'")
    missing = [k for k in META_KEYS if k not in meta]
    if missing:
        raise MarkupError(f"{path}: metadata lacks {', '.join(missing)}")
    if Path(path).stem != meta["doc_id"]:
        raise MarkupError(f"{path}: doc_id {meta['doc_id']!r} differs from the file name")
    problems = []
    if meta["kind"] not in KINDS:
        problems.append(f"kind {meta['kind']!r} not in {KINDS}")
    if meta["level"] not in LEVELS:
        problems.append(f"level {meta['level']!r} not in {LEVELS}")
    if not re.fullmatch(r"20[12]\d", meta["year"]):
        problems.append(f"year {meta['year']!r} is not 2010-2029")
    meta["layout"] = [x.strip() for x in re.split(r"[,，\s]+", meta["layout"]) if x.strip()]
    bad = set(meta["layout"]) - set(LAYOUTS)
    if bad:
        problems.append(f"layout tags {sorted(bad)} not in {LAYOUTS}")
    if meta["table_layout"] not in TABLE_LAYOUTS:
        problems.append(f"table_layout {meta['table_layout']!r} not in {TABLE_LAYOUTS}")
    planted = meta["planted"]
    if planted in ("", "none", "无"):
        meta["planted"] = []
    else:
        items = [p.strip() for p in planted.split(";") if p.strip()]
        meta["planted"] = []
        for item in items:
            kind, _, desc = item.partition(":")
            if kind.strip() not in PLANTED_KINDS:
                problems.append(f"planted kind {kind.strip()!r} not in {PLANTED_KINDS}")
            meta["planted"].append({"kind": kind.strip(), "description": desc.strip()})
    if problems:
        raise MarkupError(f"{path}: " + "; ".join(problems))
    meta["year"] = int(meta["year"])
    return meta, n


def _parse_body(body: str, where: str) -> tuple[str, str, list, list]:
    """One paragraph body → (gold text, raw text, entities, roles)."""
    gold, raw, ents, roles = [], [], [], []
    pos = 0        # length of gold text so far
    role_open: tuple[int, str] | None = None
    i = 0
    while i < len(body):
        ch = body[i]
        if body.startswith("«", i):
            m = ENTITY.match(body, i)
            if not m:
                raise MarkupError(f"{where}: malformed entity near {body[i:i + 20]!r} (write «text|TYPE»)")
            text, etype = m.group(1), m.group(2)
            if etype not in ENTITY_TYPES:
                raise MarkupError(f"{where}: unknown entity type {etype!r}")
            if text != text.strip():
                raise MarkupError(f"{where}: entity {text!r} starts or ends with a space")
            if "⇥" in text or "⟦" in text or "⟧" in text or "⟪" in text or "↵" in text:
                raise MarkupError(f"{where}: entity {text!r} holds markup")
            ents.append([pos, pos + len(text), etype])
            gold.append(text)
            raw.append(text)
            pos += len(text)
            i = m.end()
        elif ch == "⟦":
            if role_open is not None:
                raise MarkupError(f"{where}: a role opens inside another role")
            m = re.match(r"⟦(问题|原因|措施)[:：]", body[i:])
            if not m:
                raise MarkupError(f"{where}: a role must start ⟦问题: ⟦原因: or ⟦措施: (near {body[i:i + 12]!r})")
            role_open = (pos, m.group(1))
            i += m.end()
        elif ch == "⟧":
            if role_open is None:
                raise MarkupError(f"{where}: ⟧ without an open role")
            if pos == role_open[0]:
                raise MarkupError(f"{where}: empty role")
            roles.append([role_open[0], pos, role_open[1]])
            role_open = None
            i += 1
        elif ch == "⟪":
            m = RAW_ONLY.match(body, i)
            if not m:
                raise MarkupError(f"{where}: ⟪ without ⟫")
            raw_part, sep, clean_part = m.group(1).partition("|")
            raw.append(raw_part.replace("↵", "\n").replace("⇥", "\t"))
            if sep:
                gold.append(clean_part)
                pos += len(clean_part)
            i = m.end()
        elif ch == "↵":
            raw.append("\n")
            i += 1
        elif ch == "⇥":
            gold.append("\t")
            raw.append("\t")
            pos += 1
            i += 1
        else:
            gold.append(ch)
            raw.append(ch)
            pos += 1
            i += 1
    if role_open is not None:
        raise MarkupError(f"{where}: role {role_open[1]} is not closed with ⟧")
    text = "".join(gold)
    for stray in "«»⟦⟧⟪⟫":
        if stray in text:
            raise MarkupError(f"{where}: stray {stray!r} in the text")
    return text, "".join(raw), ents, roles


def _check_spans(text: str, ents: list, roles: list, where: str) -> None:
    ents = sorted(ents)
    for a, b in zip(ents, ents[1:]):
        if b[0] < a[1]:
            raise MarkupError(f"{where}: entities overlap")
    for s, e, _ in roles:
        if not text[s:e].strip():
            raise MarkupError(f"{where}: a role covers only spaces")
    for s, e, t in ents:
        for rs, re_, _ in roles:
            if s < rs < e or s < re_ < e:
                raise MarkupError(f"{where}: entity {text[s:e]!r} crosses a role boundary")


def parse_markup(content: str, path: str) -> WrittenDocument:
    lines = content.splitlines()
    meta, start = _parse_meta(lines, path)
    doc = WrittenDocument(meta=meta)
    in_table = False
    for n, line in enumerate(lines[start:], start + 1):
        where = f"{path}:{n}"
        if not line.strip() or line.startswith("%%"):
            continue
        labels, themes = [], []
        m = LINE_PREFIX.match(line)
        body = line
        if m:
            body = line[m.end():]
            for tok in re.split(r"[\s,，]+", m.group(1).strip()):
                if not tok:
                    continue
                if tok.startswith("#"):
                    if tok[1:] not in THEMES:
                        raise MarkupError(f"{where}: theme {tok[1:]!r} not in {THEMES}")
                    themes.append(tok[1:])
                elif tok in PARAGRAPH_LABELS:
                    if tok in labels:
                        raise MarkupError(f"{where}: label {tok} twice")
                    labels.append(tok)
                else:
                    raise MarkupError(f"{where}: unknown label {tok!r} (one of {PARAGRAPH_LABELS} or #theme)")
        if "存在问题" in labels and not themes:
            raise MarkupError(f"{where}: a 存在问题 paragraph needs a #theme ({', '.join(THEMES)})")
        if themes and "存在问题" not in labels:
            raise MarkupError(f"{where}: #theme only on 存在问题 paragraphs")
        text, raw, ents, roles = _parse_body(body, where)
        if not text.strip():
            raise MarkupError(f"{where}: the paragraph has no text")
        if text != text.strip(" \u3000") or not text.strip():
            raise MarkupError(f"{where}: the paragraph starts or ends with a space")
        if roles and not ROLE_BEARING & set(labels):
            raise MarkupError(f"{where}: roles need a 存在问题 or 建议 label")
        _check_spans(text, ents, roles, where)
        is_row = "\t" in text
        if is_row and not in_table:
            doc.tables += 1
        in_table = is_row
        rec = {"doc_id": meta["doc_id"], "para": len(doc.records), "text": text, "labels": labels,
               "roles": sorted(roles), "entities": sorted(ents)}
        if themes:
            rec["themes"] = themes
        doc.records.append(rec)
        if is_row and meta["table_layout"] == "cells":
            cells = raw.split("\t")
            raw = "\n".join(" \t" + c for c in cells) + "\n"
        doc.raw_lines.append(raw)
    if not doc.records:
        raise MarkupError(f"{path}: no paragraphs")
    return doc


def counts(doc: WrittenDocument) -> dict:
    c: dict = {"paragraphs": len(doc.records), "tables": doc.tables, "chars": sum(len(r["text"]) for r in doc.records)}
    for lab in PARAGRAPH_LABELS:
        c[lab] = sum(lab in r["labels"] for r in doc.records)
    for role in ROLES:
        c[role] = sum(x[2] == role for r in doc.records for x in r["roles"])
    for t in ENTITY_TYPES:
        c[t] = sum(x[2] == t for r in doc.records for x in r["entities"])
    return c


def compile_file(src: Path, root: Path) -> WrittenDocument:
    doc = parse_markup(src.read_text(encoding="utf-8"), str(src))
    (root / "gold").mkdir(parents=True, exist_ok=True)
    (root / "raw").mkdir(parents=True, exist_ok=True)
    with open(root / "gold" / f"{src.stem}.jsonl", "w", encoding="utf-8") as f:
        for rec in doc.records:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    (root / "raw" / f"{src.stem}.txt").write_text(doc.raw_text(), encoding="utf-8")
    return doc


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("compile", "build"):
        print(__doc__)
        return 2
    status = 0
    if argv[0] == "compile":
        for name in argv[1:]:
            src = Path(name)
            try:
                doc = compile_file(src, src.resolve().parent.parent)
            except MarkupError as exc:
                print(f"error: {exc}")
                status = 1
                continue
            print(f"{src}: " + ", ".join(f"{k} {v}" for k, v in counts(doc).items()))
        return status
    root = Path(argv[1])
    index = []
    total: dict = {}
    for src in sorted((root / "src").glob("*.md")):
        try:
            doc = compile_file(src, root)
        except MarkupError as exc:
            print(f"error: {exc}")
            status = 1
            continue
        c = counts(doc)
        for k, v in c.items():
            total[k] = total.get(k, 0) + v
        index.append({**doc.meta, "counts": c})
    (root / "documents.json").write_text(json.dumps(index, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(index)} documents: " + ", ".join(f"{k} {v}" for k, v in total.items()))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
