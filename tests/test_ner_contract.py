"""Contract of the NER stage (cf. spaCy's test_overfitting_IO): a tiny random model overfits a
handful of paragraphs, saves, loads and predicts the same; empty input; output schema; any HF
token-classification checkpoint loads."""
from __future__ import annotations

import json

import pytest

from jixiao.errors import UsageError
from jixiao.models.ner import ENTITY_TYPES, NerTagger, bio_labels, model_classes
from training.config import config_from_dict
from training.ner import NerConfig, fit, train_ner

TRAIN = [
    {"doc_id": "a", "para": 0, "text": "保费收入5617.38万元，利息收入2.94万元。",
     "entities": [[0, 4, "INDICATOR"], [4, 11, "AMOUNT"], [11, 13, "UNIT"], [14, 18, "INDICATOR"],
                  [18, 22, "AMOUNT"], [22, 24, "UNIT"]]},
    {"doc_id": "a", "para": 1, "text": "增幅为13.43%，享受住院人次数2597人次。",
     "entities": [[3, 8, "AMOUNT"], [8, 9, "UNIT"], [17, 21, "AMOUNT"], [21, 23, "UNIT"]]},
    {"doc_id": "a", "para": 2, "text": "参保人数\t≥41万人\t40.28万人\t5\t4.91",
     "entities": [[0, 4, "INDICATOR"], [5, 10, "TARGET"], [11, 18, "ACTUAL"], [19, 20, "AMOUNT"],
                  [21, 25, "SCORE"]]},
    {"doc_id": "a", "para": 3, "text": "评价得分89.15分，等级良。", "entities": [[4, 10, "SCORE"]]},
    {"doc_id": "a", "para": 4, "text": "2018年2月15日召开会议。", "entities": []},
]
TINY = {"model": {"base": None, "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2,
                  "intermediate_size": 64, "max_length": 64, "jieba_min_freq": None, "dropout": 0.0},
        "data": {"gold": "does-not-exist"},
        "train": {"seed": 7, "epochs": 70, "batch_size": 5, "lr": 0.01, "warmup": 0.05, "threads": 1}}


@pytest.fixture(scope="module")
def trained():
    cfg = config_from_dict(TINY, NerConfig)
    tagger, history, _n = fit(cfg, TRAIN, progress=False)
    return tagger, history


def test_overfits_a_handful_of_examples(trained):
    tagger, history = trained
    assert history[-1] < history[0] / 5
    pred = tagger.predict([r["text"] for r in TRAIN])
    hits = sum(set(map(tuple, r["entities"])) == set(p) for r, p in zip(TRAIN, pred))
    assert hits >= 4, pred


def test_save_load_gives_identical_predictions(trained, tmp_path):
    tagger, _ = trained
    tagger.save(tmp_path)
    assert (tmp_path / "model.safetensors").is_file() and (tmp_path / "tokenizer.json").is_file()
    assert (tmp_path / "jieba_dict.txt").is_file()
    again = NerTagger.load(tmp_path)
    texts = [r["text"] for r in TRAIN] + ["其他收入16.94万元"]
    assert again.predict(texts) == tagger.predict(texts)
    config = json.loads((tmp_path / "config.json").read_text(encoding="utf-8"))
    assert config["id2label"]["1"] == "B-AMOUNT" and config["use_word_boundaries"] is True


def test_empty_input_and_empty_strings(trained):
    tagger, _ = trained
    assert tagger.predict([]) == []
    assert tagger.predict(["", "   ", "一是健全制度。"]) == [[], [], []]
    with pytest.raises(UsageError, match="E404"):
        tagger.predict("保费收入5617.38万元")


def test_output_schema(trained):
    tagger, _ = trained
    texts = ["保费收入5617.38万元，增幅为13.43%", "参保人数\t≥41万人\t40.28万人\t5\t4.91"]
    for text, spans in zip(texts, tagger.predict(texts, batch_size=1)):
        assert isinstance(spans, list)
        last_end = 0
        for s, e, t in spans:
            assert isinstance(s, int) and isinstance(e, int) and t in ENTITY_TYPES
            assert last_end <= s < e <= len(text)
            assert text[s:e] == text[s:e].strip()
            last_end = e


def test_long_paragraph_windows_agree_with_short_ones(trained):
    tagger, _ = trained
    one = "保费收入5617.38万元，利息收入2.94万元。"
    long_text = one * 6  # longer than the 64-token windows
    spans = tagger.predict([long_text])[0]
    short = tagger.predict([one])[0]
    assert len(spans) >= len(short) * 5 and all(e <= len(long_text) for _s, e, _t in spans)


def test_any_hf_token_classification_checkpoint_loads(tmp_path):
    """A plain BertForTokenClassification + WordPiece fast tokenizer folder (no word boundaries)."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import BertConfig, BertForTokenClassification, PreTrainedTokenizerFast

    chars = sorted(set("".join(r["text"] for r in TRAIN)) - {" ", "\t"})
    vocab = {t: i for i, t in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + chars)}
    tk = Tokenizer(models.WordPiece(vocab=vocab, unk_token="[UNK]"))
    tk.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok = PreTrainedTokenizerFast(tokenizer_object=tk, unk_token="[UNK]", pad_token="[PAD]",
                                  cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")
    labels = bio_labels()
    cfg = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=64, num_labels=len(labels),
                     id2label=dict(enumerate(labels)), label2id={v: k for k, v in enumerate(labels)})
    BertForTokenClassification(cfg).save_pretrained(tmp_path)
    tok.save_pretrained(tmp_path)
    tagger = NerTagger.load(tmp_path)
    assert tagger.word_tokenizer is None
    out = tagger.predict(["保费收入5617.38万元"])
    assert len(out) == 1 and all(t in ENTITY_TYPES for _s, _e, t in out[0])


def test_load_rejects_a_folder_without_config(tmp_path):
    with pytest.raises(UsageError, match="E400"):
        NerTagger.load(tmp_path)


def test_train_command_writes_a_complete_model_folder(tmp_path):
    gold = tmp_path / "gold"
    gold.mkdir()
    with open(gold / "a.jsonl", "w", encoding="utf-8") as fh:
        for r in TRAIN:
            fh.write(json.dumps({**r, "labels": [], "roles": []}, ensure_ascii=False) + "\n")
    cfg = config_from_dict({**TINY, "data": {"gold": str(gold)}, "train": {**TINY["train"], "epochs": 2}}, NerConfig)
    out = tmp_path / "model"
    m1 = train_ner(cfg, out=out, progress=False)
    for name in ("config.json", "model.safetensors", "tokenizer.json", "jieba_dict.txt", "metrics.json",
                 "config.yaml", "README.md"):
        assert (out / name).is_file(), name
    m2 = train_ner(cfg, out=tmp_path / "again", progress=False)
    assert m1["loss_per_epoch"] == m2["loss_per_epoch"] and m1["data_hash"] == m2["data_hash"]
    assert "data hash" in (out / "README.md").read_text(encoding="utf-8")
    # the run re-exports ONNX from the new weights, and the ONNX path gives the torch spans
    from jixiao.models.onnx_runtime import onnx_is_current

    assert (out / "model.int8.onnx").is_file() and onnx_is_current(out)
    texts = [r["text"] for r in TRAIN]
    assert NerTagger.load(out, onnx="model.onnx").predict(texts) == NerTagger.load(out).predict(texts)


def test_stale_onnx_exports_are_refused_and_the_stage_falls_back_to_torch(tmp_path, caplog):
    import shutil

    from jixiao.models.ner import ner_stage
    from jixiao.models.onnx_export import export_onnx
    from jixiao.models.onnx_runtime import onnx_is_current

    cfg = config_from_dict({**TINY, "train": {**TINY["train"], "epochs": 1}}, NerConfig)
    tagger, _h, _n = fit(cfg, TRAIN[:2], progress=False)
    tagger.save(tmp_path / "m")
    export_onnx(tmp_path / "m", quantize=True)
    assert onnx_is_current(tmp_path / "m")
    NerTagger.load(tmp_path / "m", onnx=True)            # current: loads
    # new weights in the folder (a retrain that did not export): the old export must not run
    other, _h, _n = fit(config_from_dict({**TINY, "train": {**TINY["train"], "epochs": 2}}, NerConfig), TRAIN[:2],
                        progress=False)
    other.save(tmp_path / "new")
    shutil.copyfile(tmp_path / "new" / "model.safetensors", tmp_path / "m" / "model.safetensors")
    assert not onnx_is_current(tmp_path / "m")
    with pytest.raises(UsageError, match="E403"):
        NerTagger.load(tmp_path / "m", onnx=True)
    stage = ner_stage(tmp_path / "m", types="AMOUNT", onnx="auto")
    assert "using torch" in caplog.text and stage.entity_types == ["AMOUNT"]


def test_model_classes_register_with_auto():
    from transformers import AutoConfig

    classes = model_classes()
    assert AutoConfig.for_model("jixiao_char_bert").__class__ is classes.config


def test_annotate_document_puts_model_entities_with_values(trained):
    from jixiao.models.ner import annotate_document
    from jixiao.pipeline import document_from_paragraphs

    tagger, _ = trained
    doc = document_from_paragraphs("d", [TRAIN[0]["text"], "一是健全制度。"])
    annotate_document(doc, tagger, types=["AMOUNT", "UNIT"])
    amounts = [e for e in doc.entities if e.type == "AMOUNT"]
    assert amounts and all(e.source == "model" for e in amounts)
    by_text = {e.text: e for e in amounts}
    if "5617.38" in by_text:  # the overfitted model finds it; its value comes from the rules' parser
        assert str(by_text["5617.38"].value_yuan) == "56173800.00" or by_text["5617.38"].value_yuan == 56173800
    assert all(e.paragraph == 0 for e in doc.entities)


def test_rule_features_can_be_switched_off():
    cfg = config_from_dict({**TINY, "model": {**TINY["model"], "use_rule_features": False},
                            "train": {**TINY["train"], "epochs": 1}}, NerConfig)
    tagger, _h, _n = fit(cfg, TRAIN[:2], progress=False)
    assert not tagger.model.config.use_rule_features
    assert not hasattr(tagger.model, "rule_embeddings")
    assert len(tagger.predict(["保费收入5617.38万元"])) == 1


def test_a_large_rule_prior_reproduces_the_rules(trained):
    from jixiao.models.ner import rule_spans_for_texts

    tagger, _ = trained
    texts = ["保费收入5617.38万元，增幅为13.43%", "参保人数\t≥41万人\t40.28万人\t5\t4.91"]
    tagger.rule_prior = 1e4
    try:
        assert tagger.predict(texts) == [[tuple(s) for s in spans] for spans in rule_spans_for_texts(texts)]
    finally:
        tagger.rule_prior = 0.0


def test_whole_rule_spans_is_saved_with_the_model(tmp_path):
    cfg = config_from_dict({**TINY, "model": {**TINY["model"], "whole_rule_spans": True},
                            "train": {**TINY["train"], "epochs": 1}}, NerConfig)
    tagger, _h, _n = fit(cfg, TRAIN[:2], progress=False)
    assert tagger.whole_rule_spans
    tagger.save(tmp_path)
    assert NerTagger.load(tmp_path).whole_rule_spans
    # a model decoded with whole rule spans never ends an entity inside a rule span
    from jixiao.models.ner import rule_spans_for_texts

    texts = ["保费收入5617.38万元，增幅为13.43%", "实际完成值为按时报送，得分5分"]
    for spans, rules in zip(tagger.predict(texts), rule_spans_for_texts(texts)):
        for s, e, _t in spans:
            assert not any(rs < e < re and s >= rs for rs, re, _rt in rules), (spans, rules)


def test_nested_cv_never_trains_on_the_outer_document(tmp_path, monkeypatch):
    import training.ner as tn

    gold = tmp_path / "gold"
    gold.mkdir()
    for d in ("a", "b", "c"):
        with open(gold / f"{d}.jsonl", "w", encoding="utf-8") as fh:
            for k, r in enumerate(TRAIN[:4]):
                fh.write(json.dumps({**r, "doc_id": d, "para": k, "labels": [], "roles": []},
                                    ensure_ascii=False) + "\n")
    seen: list[set] = []
    real_fit = tn.fit

    def spy(cfg, records, **kw):
        seen.append({r["doc_id"] for r in records})
        return real_fit(cfg, records, **kw)

    monkeypatch.setattr(tn, "fit", spy)
    cfg = config_from_dict({**TINY, "data": {"gold": str(gold)}, "train": {**TINY["train"], "epochs": 1}}, NerConfig)
    out = tn.nested_cv_ner(cfg, progress=False, priors=(1.0, 8.0))
    assert set(out["chosen"]) == {"a", "b", "c"}
    assert len(seen) == 3 * 2 + 3            # per outer fold: 2 inner fits + the outer fit
    for k, test in enumerate(("a", "b", "c")):
        assert all(test not in docs for docs in seen[3 * k:3 * k + 3])
    for c in out["chosen"].values():
        assert c["rule_prior"] in (1.0, 8.0) and isinstance(c["whole_rule_spans"], bool)
    assert "micro" in out["model"]["pooled"]


def test_training_data_is_a_datasets_dataset_and_empty_data_is_refused():
    import datasets

    from training.data import build_dataset

    tagger = NerTagger.load("models/ner")
    label2id = {lab: i for i, lab in enumerate(tagger.labels)}
    ds = build_dataset(TRAIN, tagger.tokenizer, label2id, rule_features=True)
    assert isinstance(ds, datasets.Dataset) and len(ds) == 5
    assert set(ds.column_names) == {"input_ids", "attention_mask", "boundary_ids", "rule_ids", "labels"}
    assert all(len(a) == len(b) for a, b in zip(ds["input_ids"], ds["labels"]))
    cfg = config_from_dict({**TINY, "train": {**TINY["train"], "epochs": 1}}, NerConfig)
    with pytest.raises(UsageError, match="E414"):
        fit(cfg, [{"doc_id": "a", "para": 0, "text": "", "entities": []}], progress=False)
