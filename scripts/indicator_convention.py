"""List the INDICATOR spans of a gold folder that break the qualifier convention (corpus/gold_src/NOTES_indicator.md).

    python scripts/indicator_convention.py [corpus/written/gold] [--documents corpus/written/documents.json]

Three kinds of span are listed, each with its document, paragraph, span and context:

* **category**: a cell of a scoring table that names the framework's 一级/二级 category (决策, 项目立项, 产出数量,
  满意度 …) tagged INDICATOR: the table's header names 一级/二级 columns and no 三级/指标名称 column, or the cell is
  a category word (``jixiao.rules.entities.EVAL_CATEGORY``) in a row with a SCORE and no TARGET/ACTUAL
  (ANNOTATION.md §4: first- and second-level categories are not INDICATOR);
* **rectification header**: a column-header cell of a rectification table (涉及金额, 已整改金额, 整改率 …) tagged
  INDICATOR: it names neither a performance indicator nor a fund line item (§4);
* **qualifier outside**: an INDICATOR right after (no gap, no other span between) a period word before a line item
  (年末«滚存结余», 全年«实际支出») or a fund/scheme name (失业保险«参保人数», 企业职工基本养老保险基金«收入»): the
  qualifier defines the measure and belongs in the span (§7; NOTES_indicator.md). A bare anaphoric 基金/资金 after
  a period or scope word (年末基金«累计结余», 全年资金«预算执行率») is listed apart as *kept outside by decision*: the
  period word is cut off by it and 基金 refers back to the fund already named.

It reads gold only (no rules or model). Exit status 1 when a span of the first three kinds is found.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VALUE_TYPES = {"AMOUNT", "TARGET", "ACTUAL", "SCORE"}
# a line item that a period word defines (as jixiao.rules.entities.PERIOD_HEAD, plus 执行 and 实际支出)
PERIOD_HEAD = re.compile(r"(收入|支出|结余|预算|预算数|执行|执行数|资产|负债)$")
PERIOD = re.compile(r"(年末|本年|年初|全年|当期|当年)$")
SCHEME = re.compile(r"([\u4e00-\u9fff（）()]{2,20}?(?:保险基金|保险|资金|基金))$")
ANAPHORIC = re.compile(r"(?:^|年末|年初|全年|当年|本年|当期|[，。；：,.;:\t、）)])(?:基金|资金|项目资金)$")
RECTIFICATION_HEADER = re.compile(r"涉及|整改|追回|清退|退还")


def _category_re():
    from jixiao.rules.entities import EVAL_CATEGORY

    return EVAL_CATEGORY


def scan(gold_dir: Path, kinds: dict[str, str]) -> dict[str, list[tuple]]:
    category = _category_re()
    out: dict[str, list[tuple]] = defaultdict(list)
    for path in sorted(gold_dir.glob("*.jsonl")):
        header: list[str] | None = None
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            r = json.loads(line)
            t, ents = r["text"], r["entities"]
            has_value = any(e[2] in VALUE_TYPES for e in ents)
            if "\t" not in t:
                header = None
            elif not has_value and re.search(r"一级指标|二级指标", t):
                header = t.split("\t")
            for s, e, k in ents:
                if k != "INDICATOR":
                    continue
                span, col = t[s:e], t.count("\t", 0, s)
                cell = t.split("\t")[col].strip() if "\t" in t else None
                where = (path.stem, r["para"])
                types = {x[2] for x in ents}
                if cell is not None and has_value:
                    by_header = (header is not None and col < len(header) and re.search(r"一级|二级", header[col])
                                 and not any(re.search(r"三级|指标名称|绩效指标", h) for h in header))
                    by_word = (category.fullmatch(cell) is not None and "SCORE" in types
                               and not types & {"TARGET", "ACTUAL"})
                    if by_header or by_word:
                        out["category"].append((*where, span, t[:80]))
                if cell is not None and col >= 1 and not has_value and RECTIFICATION_HEADER.search(span):
                    out["rectification header"].append((*where, span, t[:80]))
                start = t.rfind("\t", 0, s) + 1
                start = max([x[1] for x in ents if x[1] <= s] + [start])
                before = t[start:s]
                m_p, m_f = PERIOD.search(before), SCHEME.search(before)
                if ANAPHORIC.search(before) and (m_f or m_p):
                    out["kept outside by decision (anaphoric 基金/资金)"].append((*where, f"{before[-6:]}«{span}»", t[:80]))
                elif m_p and PERIOD_HEAD.search(span):
                    out["qualifier outside"].append((*where, f"{m_p.group(1)}«{span}»", t[:80]))
                elif m_f:
                    out["qualifier outside"].append((*where, f"{m_f.group(1)}«{span}»", t[:80]))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("gold", nargs="?", default=str(ROOT / "corpus" / "written" / "gold"))
    ap.add_argument("--documents", default=str(ROOT / "corpus" / "written" / "documents.json"))
    args = ap.parse_args(argv)
    docs = Path(args.documents)
    kinds = {d["doc_id"]: d.get("kind") for d in json.loads(docs.read_text("utf-8"))} if docs.is_file() else {}
    found = scan(Path(args.gold), kinds)
    bad = 0
    for kind in ("category", "rectification header", "qualifier outside", "kept outside by decision (anaphoric 基金/资金)"):
        rows = found.get(kind, [])
        print(f"## {kind}: {len(rows)}")
        for doc, para, span, text in rows:
            print(f"  {doc} p{para}\t{span}\t{text}")
        if not kind.startswith("kept"):
            bad += len(rows)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
