"""The character tokenizer: one token per character, offsets back into the original text."""
from __future__ import annotations

import pytest

from jixiao.models.char_tokenizer import build_char_tokenizer, char_vocabulary, load_char_tokenizer

FIXTURE = ["保费收入5617.38万元，增幅13.43%", "单位：万元\t355,212 万元", "预期指标值为≥ 41 万人"]


@pytest.fixture(scope="module")
def tok():
    return build_char_tokenizer(FIXTURE)


def _pieces(tok, text):
    enc = tok(text, add_special_tokens=False, return_offsets_mapping=True)
    return [(tok.convert_ids_to_tokens(i), text[s:e]) for i, (s, e) in zip(enc["input_ids"], enc["offset_mapping"])]


def test_every_character_and_digit_is_one_token(tok):
    assert [t for t, _ in _pieces(tok, "5617.38万元")] == list("5617.38万元")


def test_spaces_carry_no_token_but_offsets_still_map_back(tok):
    text = "355,212 万元"
    enc = tok(text, add_special_tokens=False, return_offsets_mapping=True)
    assert len(enc["input_ids"]) == 9
    assert enc["offset_mapping"][7] == (8, 9)  # 万 after the space
    assert [text[s:e] for s, e in enc["offset_mapping"]] == list("355,212万元")


def test_ideographic_space_and_fullwidth_digits_fold_with_exact_offsets(tok):
    text = "增幅\u3000１３．４３％"
    pieces = _pieces(tok, text)
    assert [t for t, _ in pieces] == ["增", "幅", "1", "3", ".", "4", "3", "%"]
    assert [orig for _, orig in pieces] == ["增", "幅", "１", "３", "．", "４", "３", "％"]


def test_tab_is_a_token_and_fullwidth_comma_is_not_folded(tok):
    tokens = [t for t, _ in _pieces(tok, "单位\t万元，")]
    assert tokens == ["单", "位", "\t", "万", "元", "，"]


def test_unknown_character_maps_to_unk(tok):
    assert [t for t, _ in _pieces(tok, "鬣")] == ["[UNK]"]


def test_special_tokens_and_ids(tok):
    enc = tok("万元")
    assert tok.convert_ids_to_tokens(enc["input_ids"]) == ["[CLS]", "万", "元", "[SEP]"]
    assert tok.pad_token_id == 0 and tok.mask_token == "[MASK]"


def test_save_and_load_round_trip(tok, tmp_path):
    tok.save_pretrained(tmp_path)
    again = load_char_tokenizer(tmp_path)
    text = "增幅 13.43％\t≥95%"
    a = tok(text, return_offsets_mapping=True)
    b = again(text, return_offsets_mapping=True)
    assert a["input_ids"] == b["input_ids"] and a["offset_mapping"] == b["offset_mapping"]


def test_vocabulary_has_no_whitespace_and_specials_first():
    vocab = char_vocabulary(["a b\u3000c"])
    assert list(vocab)[:5] == ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    assert " " not in vocab and "\u3000" not in vocab and "\t" in vocab


def test_python_char_plan_gives_the_ids_and_offsets_of_tokenizers():
    """The shipped tagger's tokenizer.json runs in Python (CharLevelPlan); tokenizers is the reference."""
    import glob

    from jixiao.models.ner import FastTokenizer

    tok = FastTokenizer.from_folder("models/ner")
    assert tok.char_plan is not None
    texts = ["全角１２３ＡＢＣ\t表格\u3000空格\u00a0x\u2003y 😀 𠀀字\u200b\ufeff", "", "   ", "\r\n"]
    for f in sorted(glob.glob("corpus/raw/*.txt"))[:2]:
        texts += open(f, encoding="utf-8").read().splitlines()
    ours = tok.char_plan.encode(texts)
    ref = tok.backend.encode_batch(texts, add_special_tokens=False)
    assert ours["input_ids"] == [e.ids for e in ref]
    assert ours["offset_mapping"] == [[tuple(o) for o in e.offsets] for e in ref]


def test_other_tokenizers_are_left_to_tokenizers(tmp_path):
    import json

    from jixiao.models.ner import CharLevelPlan

    t = json.loads(open("models/ner/tokenizer.json", encoding="utf-8").read())
    t["normalizer"] = {"type": "Lowercase"}
    (tmp_path / "tokenizer.json").write_text(json.dumps(t), encoding="utf-8")
    assert CharLevelPlan.from_json(tmp_path / "tokenizer.json") is None
    assert CharLevelPlan.from_json(tmp_path / "missing.json") is None
