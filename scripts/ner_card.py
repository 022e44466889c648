"""Put protocol figures into the NER model's metrics.json and card without retraining.

    python scripts/ner_card.py models/ner PROTOCOLS.json

PROTOCOLS.json: ``{protocol: {system: pooled summary (training.metrics.summarize), "_notes": "…"}}`` as
``jixiao cv ner --protocol P --save F`` writes them (take ``["model"]["pooled"]`` and the references).
The card is re-rendered by the same writer as ``jixiao train ner`` (training.ner_card.model_card). The
fresh-text table of ``corpus/blind/fresh_metrics.json`` is copied in as ``fresh_text`` (what ``types: auto`` uses).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path


def main(folder: str, protocols_file: str) -> None:
    from jixiao.models.ner import NerTagger
    from training.card import write_card
    from training.config import load_config
    from training.ner_card import model_card
    from training.ner_config import NerConfig

    out = Path(folder)
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    metrics["protocols"] = json.loads(Path(protocols_file).read_text(encoding="utf-8"))
    fresh = Path(__file__).resolve().parents[1] / "corpus" / "blind" / "fresh_metrics.json"
    if fresh.is_file():  # model vs rules on fresh blind text: what `types: auto` chooses on (nlp/models/ner.py)
        metrics["fresh_text"] = json.loads(fresh.read_text(encoding="utf-8"))["pooled"]
    (out / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    cfg = load_config(out / "config.yaml", NerConfig)
    tagger = NerTagger.load(out)
    write_card(out / "README.md", model_card(cfg, json.loads(json.dumps(metrics)), tagger, cfg.model.base), "ner")
    print(f"wrote {out / 'metrics.json'} and {out / 'README.md'}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
