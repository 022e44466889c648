"""Measure entities, indicator records, money and metadata on the blind set (``corpus/blind``).

    python scripts/blind_eval.py [--split dev,dev2,dev3,dev4,test,test2|all] [--json corpus/blind/metrics.json] [--systems shipped,rules]

``corpus/blind`` holds report excerpts written by helper sessions that never saw the rules, the models, the
written corpus or its notes, and never ran the project on their text (``corpus/blind/README.md``). Writers K, L
(and P, added later for PDF-like layouts) are the **dev** split (their errors may be read and fixed); writers M
and N are the **test** split: only their totals are printed, and nobody fixes anything by reading their errors.
Writers Q, R and S (written later, same isolation) are **dev2**: model variants are chosen on it before anyone reads
its errors; writers U, V, W and then X, Y, Z (session 8, later) are **dev3** and **dev4**, used the same way; writer T is **test2** (totals
only, like test). Like every written text this is
not the final evaluation (real reports are), but it is text that no rule and no model was written on.

For each split and system (``shipped`` = ``configs/pipeline.yaml``, ``rules`` = ``configs/pipeline_rules.yaml``):

* **end to end**: ``jixiao extract`` on the raw excerpts (with their layout debris), scored by ``jixiao eval``'s
  scorer after paragraph alignment: entity P/R/F1 per type, money ``value_yuan`` accuracy, paragraph labels;
* **records**: the pipeline on the gold paragraph texts, indicator records and typed values scored as
  ``scripts/tables_eval.py`` scores them (a gold record = an INDICATOR with a TARGET/ACTUAL/SCORE after it in
  one table row or sentence);
* **metadata**: region found and year correct against each excerpt's header (``scripts/meta_eval.py``'s
  measure), whole excerpt and with its first line removed.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from jixiao.doc import paragraph_records  # noqa: E402
from jixiao.evaluation import evaluate, load_gold  # noqa: E402
from jixiao.evaluation.predictions import load_predictions  # noqa: E402
from jixiao.pipeline import load_pipeline  # noqa: E402
from jixiao.structure import document_from_paragraphs  # noqa: E402

import meta_eval  # noqa: E402
import tables_eval  # noqa: E402

BLIND = ROOT / "corpus" / "blind"
# dev: errors read and rules fixed on them; dev2 (written later): picks among model variants first, then its errors
# may be read too; test and test2: totals only.
SPLITS = {"dev": ("K", "L", "P"), "dev2": ("Q", "R", "S"), "dev3": ("U", "V", "W"), "dev4": ("X", "Y", "Z"), "dev5": ("A", "B", "C"), "dev6": ("E", "F", "G"), "dev7": ("I", "J", "O"),
          "test": ("M", "N"), "test2": ("T",), "test3": ("D",), "test4": ("H",)}
SYSTEMS = {"shipped": ROOT / "configs" / "pipeline.yaml", "rules": ROOT / "configs" / "pipeline_rules.yaml"}
TYPES = ("AMOUNT", "UNIT", "INDICATOR", "TARGET", "ACTUAL", "SCORE")


def ner_manifest(model: Path, out: Path) -> Path:
    """The shipped manifest with another NER model folder, written for every entity type (no per-type choice)."""
    import yaml

    data = yaml.safe_load(SYSTEMS["shipped"].read_text("utf-8"))
    for stage in data["stages"]:
        if stage.get("type") == "ner_entities.v1":
            stage["path"] = str(model.resolve())
            stage["options"] = {**stage.get("options", {}), "types": ",".join(TYPES), "onnx": False}
    out.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return out


def split_ids(split: str) -> list[str]:
    if split not in SPLITS and split != "all":
        raise SystemExit(f"unknown split {split!r}: one of {', '.join(SPLITS)}, all")
    writers = SPLITS[split] if split in SPLITS else tuple(w for ws in SPLITS.values() for w in ws)
    return sorted(p.stem for p in (BLIND / "src").glob("b*.md") if p.stem[1] in writers)


def entity_figures(report) -> dict:
    out = {t: {"p": round(s.precision, 3), "r": round(s.recall, 3), "f1": round(s.f1, 3), "support": s.support}
           for t, s in report.entities.per_type.items()}
    m = report.entities.micro
    out["micro"] = {"p": round(m.precision, 3), "r": round(m.recall, 3), "f1": round(m.f1, 3), "support": m.support}
    return out


def measure(ids: list[str], system: str, manifest: Path) -> dict:
    gold_all = load_gold(BLIND / "gold")
    gold = {d: gold_all[d] for d in ids if d in gold_all}
    res: dict = {"documents": len(gold)}
    with tempfile.TemporaryDirectory() as tmp:
        raws = [str(BLIND / "raw" / f"{d}.txt") for d in ids]
        subprocess.run([sys.executable, "-m", "jixiao", "extract", *raws, "-o", tmp, "--pipeline", str(manifest),
                        "-q", "--workers", "1"], check=True, capture_output=True)
        rep = evaluate(gold, load_predictions(Path(tmp) / "extract.jsonl"))
    res["end_to_end"] = {"entities": entity_figures(rep),
                         "money": {"correct": rep.money.correct, "total": rep.money.gold_amounts},
                         "labels_macro_f1": round(rep.labels.macro.f1, 3) if rep.labels else None,
                         "aligned": f"{rep.alignment.matched_exact + rep.alignment.matched_normalised}/{rep.alignment.gold_paragraphs}"}
    pipe = load_pipeline(manifest)
    docs = {d: pipe(document_from_paragraphs(d, [r["text"] for r in recs]), disable=("meta",))
            for d, recs in gold.items()}
    res["records"] = tables_eval.score_records(gold, docs, [])
    rep2 = evaluate(gold, {d: paragraph_records(doc, with_values=True) for d, doc in docs.items()})
    res["gold_text"] = {"entities": entity_figures(rep2)}
    return res


def measure_meta(ids: list[str]) -> dict:
    index = {d["doc_id"]: d for d in json.loads((BLIND / "documents.json").read_text("utf-8"))}
    items = [(BLIND / "raw" / f"{d}.txt", index[d]) for d in ids if d in index]
    pipe = meta_eval.meta_pipeline()
    out = {}
    for drop in (0, 1):
        rows = meta_eval.evaluate(items, pipe, drop)
        out[f"drop_head_{drop}"] = {
            "documents": len(rows),
            "region_found": sum(r["region_found"] for r in rows),
            "province_correct": sum(r["province_correct"] for r in rows),
            "year_correct": sum(r["year_correct"] for r in rows),
            "misses": [r["doc_id"] for r in rows if not (r["region_found"] and r["year_correct"])],
        }
    return out


def render(split: str, results: dict) -> str:
    lines = [f"## {split}", "", "| system | run | " + " | ".join(TYPES) + " | micro | money | records P / R / F1 | typed (matched) |",
             "|---|---|" + "---|" * (len(TYPES) + 4)]
    for system, res in results["systems"].items():
        for run in ("end_to_end", "gold_text"):
            e = res[run]["entities"]
            cells = [f"{e[t]['f1']:.3f}" if t in e else "–" for t in (*TYPES, "micro")]
            mo = res["end_to_end"]["money"]
            money = f"{mo['correct']}/{mo['total']}" if run == "end_to_end" else ""
            r = res["records"]
            rec = f"{r['precision']:.3f} / {r['recall']:.3f} / {r['f1']:.3f} ({r['gold_records']})" if run == "gold_text" else ""
            typed = str(r["typed_accuracy_matched"]) if run == "gold_text" else ""
            lines.append(f"| {system} | {run.replace('_', ' ')} | " + " | ".join(cells) + f" | {money} | {rec} | {typed} |")
    m = results["meta"]
    for k, v in m.items():
        lines.append(f"\nmeta ({k.replace('_', ' ')}): region found {v['region_found']}/{v['documents']}, "
                     f"province {v['province_correct']}/{v['documents']}, year {v['year_correct']}/{v['documents']}")
        if not split.startswith("test") and v["misses"]:
            lines.append(f"misses: {', '.join(v['misses'])}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", default="all", help="dev, dev2, test, test2, a comma list, or all")
    ap.add_argument("--systems", default="shipped,rules")
    ap.add_argument("--ner", action="append", default=[], metavar="NAME=PATH",
                    help="also run the shipped pipeline with this NER model folder, the model writing every type")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    tmp = tempfile.TemporaryDirectory()
    systems = {s: SYSTEMS[s] for s in args.systems.split(",") if s}
    for item in args.ner:
        name, _, path = item.partition("=")
        systems[name] = ner_manifest(Path(path), Path(tmp.name) / f"{name}.yaml")
    splits = tuple(SPLITS) if args.split == "all" else tuple(args.split.split(","))
    splits = tuple(s for s in splits if split_ids(s))  # a split with no documents yet is skipped
    out = {}
    for split in splits:
        ids = split_ids(split)
        out[split] = {"documents": ids, "systems": {s: measure(ids, s, m) for s, m in systems.items()},
                      "meta": measure_meta(ids)}
        print(render(split, out[split]) + "\n")
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
