"""A character-level tokenizer that is a real transformers fast tokenizer.

Chinese NER is done on characters: every character (every digit too) is one token, so a
character span maps to tokens exactly through ``offset_mapping``. Spaces, non-breaking and
ideographic spaces are dropped (they carry no token; offsets still point into the original text),
tabs are kept as a token because they separate table cells. Full-width digits and a few
full-width symbols are folded to their ASCII forms by the tokenizer's normaliser, which keeps
offsets into the original text.

>>> tok = build_char_tokenizer(["单位：万元 355,212"])
>>> enc = tok("355,212 万元", add_special_tokens=False, return_offsets_mapping=True)
>>> enc["offset_mapping"][-2:]
[(8, 9), (9, 10)]
"""
from __future__ import annotations

import collections
import string
from collections.abc import Iterable
from pathlib import Path

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

# Removed before splitting: a run of ASCII spaces, no-break spaces, ideographic spaces, CR/LF
# e.g. the blank in "355,212 万元" or "2022 年" (PDF conversion debris).
DROPPED_WHITESPACE = r"[ \u00a0\u3000\u2002\u2003\u2009\r\n\f\v]+"
# Every remaining character becomes its own piece: "96.4%" -> "9" "6" "." "4" "%".
ANY_CHAR = r"[\s\S]"

# Full-width forms folded to ASCII (length-preserving, so offsets stay exact). The full-width
# comma "，" is NOT folded: it is sentence punctuation, while "," is a thousands separator.
FOLDED_FULLWIDTH = {chr(0xFF10 + i): str(i) for i in range(10)} | {
    "％": "%", "．": ".", "＋": "+", "－": "-", "＜": "<", "＞": ">", "＝": "=", "／": "/",
}

# Always in the vocabulary: ASCII letters, digits, punctuation, the tab, and the comparators
# and symbols that occur in indicator values (≥95%, 105%≤≥95%, ±5%).
BASE_CHARS = (
    string.digits + string.ascii_letters + string.punctuation + "\t"
    + "≥≤＞＜±×÷·—–…‰℃°￥¥《》（）【】〔〕「」『』“”‘’：；，。、！？①②③④⑤⑥⑦⑧⑨⑩"
)


def jieba_dict_path() -> Path:
    """The path of jieba's bundled dictionary (``jieba/dict.txt``)."""
    import jieba

    return Path(jieba.__file__).resolve().parent / "dict.txt"


def jieba_dict_chars(min_freq: int = 100, path: str | Path | None = None) -> list[str]:
    """Characters of jieba's dictionary whose summed word frequency is at least ``min_freq``.

    >>> "的" in jieba_dict_chars(min_freq=1000)
    True
    """
    counts: collections.Counter[str] = collections.Counter()
    with open(path or jieba_dict_path(), encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                for ch in parts[0]:
                    counts[ch] += int(parts[1])
    return sorted(ch for ch, n in counts.items() if n >= min_freq)


def char_vocabulary(texts: Iterable[str], extra_chars: Iterable[str] = ()) -> dict[str, int]:
    """Token -> id: special tokens first, then base chars, text chars and extra chars, sorted.

    >>> v = char_vocabulary(["万元"])
    >>> v["[PAD]"], "万" in v, " " in v
    (0, True, False)
    """
    chars: set[str] = set(BASE_CHARS) | set(extra_chars)
    for t in texts:
        chars.update(t)
    chars = {FOLDED_FULLWIDTH.get(c, c) for c in chars}
    chars -= {" ", "\u00a0", "\u3000", "\u2002", "\u2003", "\u2009", "\r", "\n", "\f", "\v"}
    vocab = {tok: i for i, tok in enumerate(SPECIAL_TOKENS)}
    for ch in sorted(chars):
        vocab.setdefault(ch, len(vocab))
    return vocab


def tokenizer_from_vocab(vocab: dict[str, int], model_max_length: int = 256):
    """Wrap a char vocabulary into a ``PreTrainedTokenizerFast`` with offsets and BERT specials."""
    from tokenizers import Regex, Tokenizer, normalizers, pre_tokenizers, processors
    from tokenizers.models import WordLevel
    from transformers import PreTrainedTokenizerFast

    tk = Tokenizer(WordLevel(vocab=vocab, unk_token="[UNK]"))
    tk.normalizer = normalizers.Sequence(
        [normalizers.Replace(src, dst) for src, dst in FOLDED_FULLWIDTH.items()]
    )
    tk.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(DROPPED_WHITESPACE), behavior="removed"),
            pre_tokenizers.Split(Regex(ANY_CHAR), behavior="isolated"),
        ]
    )
    cls_id, sep_id = vocab["[CLS]"], vocab["[SEP]"]
    tk.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tk,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=model_max_length,
        padding_side="right",
    )


def build_char_tokenizer(
    texts: Iterable[str],
    *,
    jieba_min_freq: int | None = None,
    extra_chars: Iterable[str] = (),
    model_max_length: int = 256,
):
    """Build the char tokenizer from texts (+ jieba dictionary chars when ``jieba_min_freq``).

    >>> tok = build_char_tokenizer(["预算执行率96.4%"])
    >>> tok.convert_ids_to_tokens(tok("率９６％")["input_ids"])
    ['[CLS]', '率', '9', '6', '%', '[SEP]']
    """
    extra = list(extra_chars)
    if jieba_min_freq is not None:
        extra += jieba_dict_chars(jieba_min_freq)
    return tokenizer_from_vocab(char_vocabulary(texts, extra), model_max_length=model_max_length)


def load_char_tokenizer(folder: str | Path):
    """Load a tokenizer saved with ``save_pretrained`` (ours or any fast tokenizer)."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(folder))
