"""Whole-word masking and the pretrain -> train-from-encoder round trip (tiny sizes)."""
from __future__ import annotations

import json
import random

from training.pretrain import mask_tokens, pretrain, word_ids_for
from training.config import config_from_dict
from training.ner import NerConfig, fit
from training.pretrain import PretrainConfig


def test_mask_tokens_masks_whole_words_only():
    ids = list(range(10, 30))
    word_ids = [k // 4 for k in range(20)]  # five words of four tokens
    for seed in range(20):
        inp, lab = mask_tokens(ids, word_ids, random.Random(seed), mask_id=4, vocab_size=40,
                               n_special=5, prob=0.2)
        masked = {i for i, x in enumerate(lab) if x != -100}
        assert masked, "at least one word is masked"
        for w in {word_ids[i] for i in masked}:  # every chosen word is masked entirely
            assert all(i in masked for i in range(20) if word_ids[i] == w)
        assert all(lab[i] == ids[i] for i in masked)
        assert all(inp[i] == ids[i] for i in range(20) if i not in masked)


def test_word_ids_follow_jieba_words():
    from jixiao.tokenize import WordTokenizer

    wt = WordTokenizer()
    text = "预算执行率96.4%"
    offsets = [(i, i + 1) for i in range(len(text))]
    ids = word_ids_for(offsets, text, wt)
    assert ids[0] == ids[4] and ids[4] != ids[5]  # 预算执行率 is one word of the domain dictionary


def test_pretrain_then_train_ner_from_the_encoder(tmp_path):
    src = tmp_path / "reports"
    src.mkdir()
    (src / "a.txt").write_text("保费收入5617.38万元，利息收入2.94万元。\n增幅为13.43%。\n", encoding="utf-8")
    (src / "b.txt").write_text("参保人数\t≥41万人\t40.28万人\n评价得分89.15分。\n", encoding="utf-8")
    cfg = PretrainConfig()
    cfg.encoder.hidden_size, cfg.encoder.num_hidden_layers, cfg.encoder.num_attention_heads = 32, 1, 2
    cfg.encoder.intermediate_size, cfg.encoder.max_position_embeddings = 64, 64
    cfg.encoder.jieba_min_freq = None
    cfg.mlm.epochs, cfg.mlm.batch_size, cfg.mlm.threads = 2, 4, 1
    enc = tmp_path / "encoder"
    m = pretrain(src, cfg, out=enc, progress=False)
    assert m["paragraphs"] == 4 and len(m["loss_per_epoch"]) == 2
    for name in ("config.json", "model.safetensors", "tokenizer.json", "README.md", "jieba_dict.txt"):
        assert (enc / name).is_file(), name
    assert "evaluation documents" in (enc / "README.md").read_text(encoding="utf-8")
    ner_cfg = config_from_dict({"model": {"base": str(enc), "max_length": 64},
                                "train": {"epochs": 1, "batch_size": 2, "threads": 1}}, NerConfig)
    recs = [{"text": "保费收入5617.38万元", "entities": [[0, 4, "INDICATOR"], [4, 11, "AMOUNT"], [11, 13, "UNIT"]]}]
    tagger, _h, _n = fit(ner_cfg, recs, progress=False)
    from safetensors.numpy import load_file

    enc_w = load_file(str(enc / "model.safetensors"))
    assert tagger.model.config.hidden_size == 32
    assert json.loads((enc / "config.json").read_text())["model_type"] == "jixiao_char_bert"
    # a character absent from the NER data keeps its pre-trained embedding: the encoder was loaded
    row = tagger.tokenizer.convert_tokens_to_ids("评")
    got = tagger.model.bert.embeddings.word_embeddings.weight[row].detach().numpy()
    assert abs(got - enc_w["bert.embeddings.word_embeddings.weight"][row]).max() < 1e-6
