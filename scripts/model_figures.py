"""The README's model figures, from the metrics the training commands wrote.

    python scripts/model_figures.py            # print the Markdown
    python scripts/model_figures.py --write    # replace the block between the README markers

Reads models/cls/metrics.json, models/roles/metrics.json (``jixiao train cls|roles --cv``),
models/themes_metrics.json (``jixiao cv themes --save``) and models/ner/metrics.json (``protocols``,
from ``jixiao train ner --protocols-report``). Nothing is computed here: every figure is one the
training or evaluation commands measured.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- model-figures:begin -->", "<!-- model-figures:end -->"
PROTOS = [("seeds_lodo", "seeds LODO (real, 5 folds)"), ("corpus_loko", "corpus leave-one-kind-out (written, dev signal)"),
          ("transfer", "transfer: corpus → seeds (real)")]
LABELS = ("经验做法", "存在问题", "建议")
ROLES = ("问题", "原因", "措施")
TYPES = ("AMOUNT", "UNIT", "INDICATOR", "TARGET", "ACTUAL", "SCORE")


def _load(rel: str) -> dict | None:
    p = ROOT / rel
    return json.loads(p.read_text(encoding="utf-8")) if p.is_file() else None


def cls_table(m: dict) -> list[str]:
    out = ["| protocol | system | macro-F1 | " + " | ".join(f"{l} P / R" for l in LABELS) + " |",
           "|---|---|---|" + "---|" * len(LABELS)]
    for proto, title in PROTOS:
        for name, res in (m.get("cv", {}).get(proto) or {}).items():
            p = res["pooled"]
            cells = [f"{p['per_label'][l]['precision']:.2f} / {p['per_label'][l]['recall']:.2f}" for l in LABELS]
            out.append(f"| {title} | {name} | {p['macro_f1']:.3f} | " + " | ".join(cells) + " |")
    return out


def roles_table(m: dict) -> list[str]:
    out = ["| protocol | system | span macro-F1 | unit macro-F1 | " + " | ".join(f"{r} F1" for r in ROLES) + " |",
           "|---|---|---|---|" + "---|" * len(ROLES)]
    for proto, title in PROTOS:
        for name, res in (m.get("cv", {}).get(proto) or {}).items():
            per = res["spans"]["pooled"]["per_role"]
            cells = [f"{per[r]['f1']:.3f}" if r in per else "–" for r in ROLES]
            out.append(f"| {title} | {name} | {res['spans']['pooled']['macro_f1']:.3f} | "
                       f"{res['units']['pooled']['macro_f1']:.3f} | " + " | ".join(cells) + " |")
    return out


def themes_table(m: dict) -> list[str]:
    out = ["| themes | roles | problem paragraphs reaching a theme or the outliers | AMI vs the corpus' categories | themes (guided) |",
           "|---|---|---|---|---|"]
    for name, r in m["results"].items():
        how, roles = name.split(", ")
        out.append(f"| {how} | {roles} | {r['covered']}/{r['problem_paragraphs']} ({r['coverage']:.2f}) | {r['ami']:.3f} | "
                   f"{r['themes']} ({r['guided_themes']}) |")
    return out


def ner_table(m: dict) -> list[str]:
    out = ["| protocol | system | " + " | ".join(TYPES) + " | micro | value_yuan |", "|---|---|" + "---|" * (len(TYPES) + 2)]
    titles = dict(PROTOS)
    for proto, systems in (m.get("protocols") or {}).items():
        for name, s in systems.items():
            if name.startswith("_"):
                continue
            cells = [f"{s['per_type'][t]['f1']:.3f}" if t in s["per_type"] else "–" for t in TYPES]
            acc = s.get("money", {}).get("accuracy")
            out.append(f"| {titles.get(proto, proto)} | {name} | " + " | ".join(cells)
                       + f" | {s['micro']['f1']:.3f} | {'–' if acc is None else f'{acc:.3f}'} |")
    return out


def figures() -> str:
    lines: list[str] = []
    cls, roles, themes, ner = (_load("models/cls/metrics.json"), _load("models/roles/metrics.json"),
                               _load("models/themes_metrics.json"), _load("models/ner/metrics.json"))
    if cls:
        lines += [f"**Paragraph labels** (`jixiao train cls --config configs/cls.yaml --cv --out models/cls`; trained on "
                  f"{cls['data']['seeds']} seeds + {cls['data']['corpus']} written reports, {cls['n_paragraphs']} "
                  "paragraphs; pooled over each protocol's folds; `@no_rules` = without the rule verdicts as features, "
                  "`rules` = the hand-written baseline, both written on the seeds):", "", *cls_table(cls), ""]
    if roles:
        lines += ["**Sentence roles** (`jixiao train roles --config configs/roles.yaml --cv --out models/roles`; gold "
                  "paragraph labels given, units = sentences, 一是/1. items and clauses split at explicit cause cues):", "",
                  *roles_table(roles), ""]
    if themes:
        lines += ["**Themes** (`jixiao cv themes --encoder models/encoder --save models/themes_metrics.json`: every 存在问题 paragraph of the "
                  f"written corpus ({themes['documents']} documents), its first problem sentence's theme against the "
                  "category the writers gave it; guided = `configs/themes.yaml` first, the rest clustered):", "",
                  *themes_table(themes), ""]
    if ner and ner.get("protocols"):
        lines += ["**Entities** (NER model; commands in the card `models/ner/README.md`):", "", *ner_table(ner), ""]
    return "\n".join(lines)


def main() -> None:
    text = figures()
    if "--write" not in sys.argv:
        print(text)
        return
    readme = ROOT / "README.md"
    s = readme.read_text(encoding="utf-8")
    a, b = s.index(BEGIN) + len(BEGIN), s.index(END)
    readme.write_text(s[:a] + "\n" + text + "\n" + s[b:], encoding="utf-8")
    print(f"wrote the figures into {readme}")


if __name__ == "__main__":
    main()
