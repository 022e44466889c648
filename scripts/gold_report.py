"""Counts for corpus/README.md: per document paragraphs, labels, roles, entity types, and how much
of the rule draft (corpus/drafts_rules/) the hand correction changed (the rules' error rate).

    python scripts/gold_report.py corpus/gold corpus/drafts_rules > /tmp/counts.md
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gold_markup import parse_markup  # noqa: E402

LABELS = ["经验做法", "存在问题", "建议"]
ROLES = ["问题", "原因", "措施"]
TYPES = ["AMOUNT", "UNIT", "INDICATOR", "TARGET", "ACTUAL", "SCORE"]


def load(path: Path) -> list[dict]:
    return [json.loads(l) for l in path.read_text("utf-8").splitlines() if l.strip()]


def main(gold_dir: str, drafts_dir: str) -> None:
    rows, diff_rows = [], []
    tot = Counter()
    for g in sorted(Path(gold_dir).glob("*.jsonl")):
        gold = load(g)
        c = Counter(paragraphs=len(gold))
        for r in gold:
            c.update(r["labels"])
            c.update(x[2] for x in r["roles"])
            c.update(x[2] for x in r["entities"])
        tot.update(c)
        rows.append((g.stem, c))
        draft_md = Path(drafts_dir) / f"{g.stem}.md"
        if draft_md.exists():
            draft, _ = parse_markup(str(draft_md))
            d = Counter()
            for gr, dr in zip(gold, draft):
                if gr["text"] != dr["text"]:
                    d["paragraphs_resegmented"] += 1
                    continue
                gl, dl = set(gr["labels"]), set(dr["labels"])
                d["label_decisions"] += len(LABELS)
                d["labels_changed"] += len(gl ^ dl)
                ge = {tuple(x) for x in gr["entities"]}
                de = {tuple(x) for x in dr["entities"]}
                d["draft_spans"] += len(de)
                d["gold_spans"] += len(ge)
                d["spans_removed_or_changed"] += len(de - ge)
                d["spans_added"] += len(ge - de)
                groles = {tuple(x) for x in gr["roles"]}
                droles = {tuple(x) for x in dr["roles"]}
                d["draft_roles"] += len(droles)
                d["roles_removed_or_changed"] += len(droles - groles)
                d["roles_added"] += len(groles - droles)
                d["paragraphs_changed"] += int(gl != dl or ge != de or groles != droles)
            diff_rows.append((g.stem, d))
    cols = ["paragraphs"] + LABELS + ROLES + TYPES
    print("| document | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for name, c in rows + [("**total**", tot)]:
        print(f"| {name} | " + " | ".join(str(c[k]) for k in cols) + " |")
    print()
    dcols = ["paragraphs_changed", "labels_changed", "draft_spans", "spans_removed_or_changed", "spans_added",
             "draft_roles", "roles_removed_or_changed", "roles_added", "paragraphs_resegmented"]
    print("| document | " + " | ".join(dcols) + " |")
    print("|---" * (len(dcols) + 1) + "|")
    dt = Counter()
    for name, d in diff_rows:
        dt.update(d)
        print(f"| {name} | " + " | ".join(str(d[k]) for k in dcols) + " |")
    print("| **total** | " + " | ".join(str(dt[k]) for k in dcols) + " |")
    if dt["draft_spans"]:
        print(f"\nRule draft spans wrong (removed or changed): {dt['spans_removed_or_changed']}/{dt['draft_spans']} "
              f"= {dt['spans_removed_or_changed'] / dt['draft_spans']:.1%}; gold spans the draft missed: "
              f"{dt['spans_added']}/{dt['gold_spans']} = {dt['spans_added'] / max(1, dt['gold_spans']):.1%}; "
              f"paragraph label decisions changed: {dt['labels_changed']}/{dt['label_decisions']} = "
              f"{dt['labels_changed'] / max(1, dt['label_decisions']):.1%}; draft roles wrong: "
              f"{dt['roles_removed_or_changed']}/{dt['draft_roles']}.")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
