"""Label alignment, training windows, synthetic variants and config loading for the NER model."""
from __future__ import annotations

import random

import pytest

from jixiao.errors import UsageError
from jixiao.models.char_tokenizer import build_char_tokenizer
from jixiao.models.ner import bio_labels
from training.data import align_labels, build_examples, data_hash, synthetic_records, vary_record
from training.config import apply_overrides, config_from_dict, load_config
from training.ner import NerConfig, length_batches

LABEL2ID = {lab: i for i, lab in enumerate(bio_labels())}
REC = {"doc_id": "d", "para": 0, "text": "保费收入5617.38万元，增幅13.43%",
       "entities": [[0, 4, "INDICATOR"], [4, 11, "AMOUNT"], [11, 13, "UNIT"], [16, 21, "AMOUNT"],
                    [21, 22, "UNIT"]]}


def test_align_labels_special_tokens_begin_inside_outside():
    offsets = [(0, 0), (0, 1), (1, 2), (2, 3), (3, 4), (0, 0)]
    spans = [[0, 2, "AMOUNT"], [2, 3, "UNIT"]]
    got = align_labels(offsets, spans, LABEL2ID)
    assert got == [-100, LABEL2ID["B-AMOUNT"], LABEL2ID["I-AMOUNT"], LABEL2ID["B-UNIT"], LABEL2ID["O"], -100]


def test_align_labels_multi_character_tokens_and_space_gap():
    # a word-piece tokenizer may give "5617" as one token; "355,212 万元" has a space with no token
    got = align_labels([(0, 4), (4, 5), (5, 7), (8, 10)], [[0, 7, "AMOUNT"], [8, 10, "UNIT"]], LABEL2ID,
                       special_mask=[0, 0, 0, 0])
    assert got == [LABEL2ID["B-AMOUNT"], LABEL2ID["I-AMOUNT"], LABEL2ID["I-AMOUNT"], LABEL2ID["B-UNIT"]]


def test_align_labels_adjacent_spans_of_one_type_both_begin():
    got = align_labels([(0, 1), (1, 2)], [[0, 1, "AMOUNT"], [1, 2, "AMOUNT"]], LABEL2ID, [0, 0])
    assert got == [LABEL2ID["B-AMOUNT"], LABEL2ID["B-AMOUNT"]]


def test_build_examples_labels_round_trip_to_the_spans():
    tok = build_char_tokenizer([REC["text"]])
    (ex,) = build_examples([REC], tok, LABEL2ID, max_length=64)
    assert len(ex["input_ids"]) == len(ex["labels"]) == len(ex["boundary_ids"]) == len(REC["text"]) + 2
    assert ex["labels"][0] == ex["labels"][-1] == -100
    id2label = {v: k for k, v in LABEL2ID.items()}
    from jixiao.models.ner import tags_to_spans

    tags = [id2label[i] for i in ex["labels"][1:-1]]
    offsets = [(i, i + 1) for i in range(len(REC["text"]))]
    assert [list(s) for s in tags_to_spans(tags, offsets)] == REC["entities"]


def test_build_examples_windows_long_paragraphs():
    text = "收入8684万元，" * 30  # 270 characters
    rec = {"text": text, "entities": [[i * 9 + 2, i * 9 + 6, "AMOUNT"] for i in range(30)]}
    tok = build_char_tokenizer([text])
    exs = build_examples([rec], tok, LABEL2ID, max_length=64)
    assert len(exs) > 4 and all(len(e["input_ids"]) <= 64 for e in exs)


def test_build_examples_drops_paragraphs_that_cannot_hold_entities():
    tok = build_char_tokenizer(["一是健全制度。"])
    assert build_examples([{"text": "一是健全制度。", "entities": []}], tok, LABEL2ID) == []
    assert len(build_examples([{"text": "一是健全制度。", "entities": []}], tok, LABEL2ID,
                              only_possible=False)) == 1


def test_vary_record_keeps_offsets_consistent():
    rng = random.Random(3)
    for _ in range(20):
        v = vary_record(REC, rng, ["参保人数", "预算执行率"])
        kinds = [t for _s, _e, t in v["entities"]]
        assert kinds == [t for _s, _e, t in REC["entities"]]
        ind = v["text"][v["entities"][0][0]:v["entities"][0][1]]
        assert ind in ("保费收入", "参保人数", "预算执行率")
        amount = v["text"][v["entities"][1][0]:v["entities"][1][1]]
        assert len(amount) == 7 and amount[4] == "." and not amount.startswith("0")
        assert v["text"][v["entities"][2][0]:v["entities"][2][1]] in ("元", "万元", "亿元", "千元")


def test_synthetic_records_are_seeded():
    a = synthetic_records([REC], 3, seed=1)
    assert a == synthetic_records([REC], 3, seed=1) and len(a) == 3
    assert synthetic_records([REC], 0) == []


def test_data_hash_changes_with_labels():
    other = {**REC, "entities": REC["entities"][:-1]}
    assert data_hash([REC]) != data_hash([other]) and data_hash([REC]) == data_hash([dict(REC)])


def test_config_overrides_and_errors(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("train:\n  epochs: 3\nmodel:\n  base: null\n", encoding="utf-8")
    cfg = load_config(p, NerConfig, ["train.lr=3e-4", "model.jieba_min_freq=null"])
    assert cfg.train.epochs == 3 and cfg.train.lr == pytest.approx(3e-4)
    assert cfg.model.base is None and cfg.model.jieba_min_freq is None
    with pytest.raises(UsageError, match="E420.*train.nope"):
        config_from_dict({"train": {"nope": 1}}, NerConfig)
    with pytest.raises(UsageError, match="E420"):
        load_config(p, NerConfig, ["train.epochs=many"])
    assert apply_overrides({}, ["a.b=1"]) == {"a": {"b": 1}}


def test_length_batches_cover_every_example_once():
    batches = length_batches(list(range(50)), 8, random.Random(0))
    assert sorted(i for b in batches for i in b) == list(range(50))
