"""A peer users know: spaCy's own ``ner`` + ``textcat_multilabel``, trained with ``spacy train`` on the
same gold and folds as jixiao's models, scored with jixiao's evaluation (exact spans per type,
seqeval; paragraph labels macro-F1), so the figures sit beside the model cards'.

    .venv/bin/python scripts/spacy_peer.py                      # both settings, writes models/spacy_peer_metrics.json
    .venv/bin/python scripts/spacy_peer.py --max-steps 300 --settings transfer   # a quick look

Settings:

* ``lodo``: leave one of the five real seed reports (corpus/gold) out; train on the other four plus the
  written corpus (corpus/written/gold), predict the held-out report. Pooled = all folds' predictions.
* ``transfer``: train on the written corpus alone, predict the five seed reports.

The config is ``spacy init config --lang zh --pipeline ner,textcat_multilabel --optimize efficiency``
(CPU; spaCy's zh tokenizer splits characters; no pretrained vectors) with overrides given in the
metrics file: a fixed number of steps (``--max-steps``, default 600 batches of about 1000 character
tokens from the first step, some two epochs of the written corpus' 278 K characters; no early stopping;
``model-last`` is used, so the held-out report never selects a model) and ``ngram_size`` 3 for the
bag-of-ngrams text classifier (its default 1 would be single characters under the zh tokenizer;
jixiao's TF-IDF uses 1–3). The dev set spaCy's trainer asks for is 200 paragraphs of the training
data, for its log only.

Every training fold runs ``python -m spacy train`` as a subprocess; the exact commands are stored.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NER_TYPES = ("AMOUNT", "UNIT", "INDICATOR", "TARGET", "ACTUAL", "SCORE")


def shown(cmd: list[str]) -> str:
    """A command as stored: ``python`` for the interpreter, paths relative to the repository."""
    return " ".join("python" if i == 0 else c.replace(f"{ROOT}/", "") for i, c in enumerate(cmd))


def init_config(path: Path) -> list[str]:
    cmd = [sys.executable, "-m", "spacy", "init", "config", str(path), "--lang", "zh",
           "--pipeline", "ner,textcat_multilabel", "--optimize", "efficiency", "--force"]
    subprocess.run(cmd, check=True, capture_output=True)
    return cmd


def train(config: Path, train_path: Path, dev_path: Path, out: Path, max_steps: int, log: Path) -> tuple[list[str], float]:
    cmd = [sys.executable, "-m", "spacy", "train", str(config), "--output", str(out),
           "--paths.train", str(train_path), "--paths.dev", str(dev_path),
           "--training.max_steps", str(max_steps), "--training.eval_frequency", str(max_steps),
           "--training.patience", "0", "--training.batcher.size.start", "1000",
           "--components.textcat_multilabel.model.ngram_size", "3"]
    t0 = time.time()
    with log.open("w", encoding="utf-8") as fh:
        subprocess.run(cmd, check=True, stdout=fh, stderr=subprocess.STDOUT,
                       env={**os.environ, "PYTHONHASHSEED": "0"})
    return cmd, time.time() - t0


def predict(model_dir: Path, gold: dict[str, list[dict]]) -> dict[str, list[dict]]:
    import spacy

    from jixiao.spacy_ext import doc_to_record

    nlp = spacy.load(model_dir)
    threshold = float(nlp.get_pipe("textcat_multilabel").cfg.get("threshold", 0.5))
    out: dict[str, list[dict]] = {}
    for doc_id, records in gold.items():
        docs = nlp.pipe([r["text"] for r in records], batch_size=64)
        out[doc_id] = [doc_to_record(doc, doc_id, r["para"], threshold=threshold) for doc, r in zip(docs, records)]
    return out


def summary(report) -> dict:
    d = report.to_dict()
    ents = d["entities"]
    labels = d["labels"]
    return {
        "entities": {"per_type_f1": {t: round(ents["per_type"][t]["f1"], 4) for t in NER_TYPES if t in ents["per_type"]},
                     "support": {t: ents["per_type"][t]["support"] for t in NER_TYPES if t in ents["per_type"]},
                     "micro_f1": round(ents["micro"]["f1"], 4), "micro_p": round(ents["micro"]["precision"], 4),
                     "micro_r": round(ents["micro"]["recall"], 4)},
        "labels": {"macro_f1": round(labels["macro"]["f1"], 4), "micro_f1": round(labels["micro"]["f1"], 4),
                   "per_class": {k: {m: round(v[m], 4) for m in ("precision", "recall", "f1")} | {"support": v["support"]}
                                 for k, v in labels["per_class"].items()}},
        "alignment_match_rate": d["alignment"]["match_rate"],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--max-steps", type=int, default=600, help="spaCy training steps per fold (default 600)")
    ap.add_argument("--settings", default="lodo,transfer", help="lodo, transfer or both (default)")
    ap.add_argument("--folds", default="", help="only these held-out seed ids (comma-separated prefixes)")
    ap.add_argument("--work", type=Path, default=ROOT / "build" / "spacy_peer", help="models and DocBins (not shipped)")
    ap.add_argument("--out", type=Path, default=ROOT / "models" / "spacy_peer_metrics.json")
    args = ap.parse_args(argv)

    import spacy

    from jixiao.evaluation import evaluate, load_gold
    from jixiao.spacy_ext import export_docbin

    seeds = load_gold(ROOT / "corpus" / "gold")
    written = load_gold(ROOT / "corpus" / "written" / "gold")
    written_records = [r for d in sorted(written) for r in written[d]]
    args.work.mkdir(parents=True, exist_ok=True)
    config = args.work / "config.cfg"
    init_cmd = init_config(config)
    dev = args.work / "dev.spacy"
    export_docbin(written_records[:200], dev)
    settings = [s.strip() for s in args.settings.split(",") if s.strip()]
    result: dict = {
        "what": "spaCy ner + textcat_multilabel (spacy init config --optimize efficiency, zh char tokens, CPU) "
                "scored with jixiao.evaluation (exact spans per type, seqeval; paragraph labels)",
        "spacy": spacy.__version__, "max_steps": args.max_steps,
        "init_config": shown(init_cmd),
        "overrides": {"training.max_steps": args.max_steps, "training.eval_frequency": args.max_steps,
                      "training.patience": 0,
                      "training.batcher.size.start": 1000, "components.textcat_multilabel.model.ngram_size": 3},
        "model_used": "model-last", "dev": "first 200 paragraphs of the written corpus (log only)",
        "data": {"seeds": sorted(seeds), "written_documents": len(written), "written_paragraphs": len(written_records)},
        "command": "python scripts/spacy_peer.py " + " ".join(argv if argv is not None else sys.argv[1:]),
    }
    if args.out.exists():  # keep the other setting's figures when only one is rerun
        old = json.loads(args.out.read_text(encoding="utf-8"))
        result.update({k: old[k] for k in ("lodo", "transfer") if k in old and k not in settings})

    if "transfer" in settings:
        tdir = args.work / "transfer"
        tdir.mkdir(parents=True, exist_ok=True)
        n = export_docbin(written_records, tdir / "train.spacy")
        cmd, secs = train(config, tdir / "train.spacy", dev, tdir / "model", args.max_steps, tdir / "train.log")
        pred = predict(tdir / "model" / "model-last", seeds)
        rep = summary(evaluate(seeds, pred))
        per_doc = {d: summary(evaluate({d: seeds[d]}, {d: pred[d]})) for d in sorted(seeds)}
        result["transfer"] = {"train_paragraphs": n, "train_seconds": round(secs, 1), "pooled": rep,
                              "train_command": shown(cmd),
                              "per_document": {d: {"entity_micro_f1": r["entities"]["micro_f1"],
                                                   "label_macro_f1": r["labels"]["macro_f1"]} for d, r in per_doc.items()}}
        print(f"transfer: entity micro-F1 {rep['entities']['micro_f1']}, label macro-F1 {rep['labels']['macro_f1']} "
              f"({secs:.0f}s)", flush=True)
        save(result, args.out)
    if "lodo" in settings:
        folds, pooled_pred = [], {}
        for test_id in sorted(seeds):
            if args.folds and not any(test_id.startswith(f) for f in args.folds.split(",")):
                continue
            train_ids = [d for d in sorted(seeds) if d != test_id]
            fold_dir = args.work / f"lodo_{test_id}"
            fold_dir.mkdir(parents=True, exist_ok=True)
            train_path = fold_dir / "train.spacy"
            n = export_docbin([r for d in train_ids for r in seeds[d]] + written_records, train_path)
            cmd, secs = train(config, train_path, dev, fold_dir / "model", args.max_steps, fold_dir / "train.log")
            pred = predict(fold_dir / "model" / "model-last", {test_id: seeds[test_id]})
            pooled_pred.update(pred)
            rep = summary(evaluate({test_id: seeds[test_id]}, pred))
            folds.append({"test_id": test_id, "train_paragraphs": n, "train_seconds": round(secs, 1), **rep})
            print(f"lodo {test_id}: entity micro-F1 {rep['entities']['micro_f1']}, label macro-F1 "
                  f"{rep['labels']['macro_f1']} ({secs:.0f}s)", flush=True)
            tested = {d: seeds[d] for d in pooled_pred}
            result["lodo"] = {"folds": folds, "pooled": summary(evaluate(tested, pooled_pred)),
                              "train_command": shown(cmd),
                              "complete": len(folds) == len(seeds)}
            save(result, args.out)
    save(result, args.out)
    print(f"wrote {args.out}")
    return 0


def save(result: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
