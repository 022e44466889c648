"""The token-classification stage: characters in, entity spans (ANNOTATION.md §4) out.

The model is a small BERT over characters (:mod:`jixiao.models.char_tokenizer`) whose input
embedding adds a word-boundary embedding: jieba's segmentation gives every character a B/M/E/S
tag (``WordTokenizer.word_boundaries``), so the model sees where words such as 预算执行率 or
万元 start and end. Tags are BIO over the six entity types; decoding is constrained Viterbi
(an ``I-X`` only after ``B-X``/``I-X``), so every output is a valid span.

``NerTagger`` follows preprocess -> forward -> postprocess: only ``forward`` touches torch (or
ONNX Runtime), under ``torch.inference_mode()``. It loads our model folder or any local Hugging
Face token-classification checkpoint (labels from ``config.id2label``).

>>> tagger = NerTagger.load("models/ner")                      # doctest: +SKIP
>>> tagger.predict(["保费收入5617.38万元"])                      # doctest: +SKIP
[[(0, 4, 'INDICATOR'), (4, 11, 'AMOUNT'), (11, 13, 'UNIT')]]
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from jixiao.errors import JixiaoError, UsageError

logger = logging.getLogger(__name__)

from jixiao.models.encoder import (  # noqa: E402,F401  (re-exported: the tagger's model classes)
    BOUNDARY_IDS, MODEL_TYPE, NER_SCHEMA_VERSION, model_classes, quiet_transformers, uses_boundaries, uses_rules)
from jixiao.schema import ENTITY_TYPES  # noqa: E402

# A paragraph can only hold an entity (§4) if it has a digit, a percent sign, a table cell
# separator, or a word that introduces a qualitative target/score: "按时报送" stands in a table
# row (tab) or after 指标值/目标; "满意度较高" after 满意度; a header unit line holds a UNIT.
# Anything else is skipped unread. Matches e.g. "8684万元", "13.43%", "参保人数\t12732人",
# "预期指标值为按时报送", "单位：万元", "资金情况（万元）".
ENTITY_POSSIBLE = re.compile(r"[0-9０-９%％\t]|指标|目标|得分|评分|分值|满意度|完成值|完成率|执行率"
                             r"|单位\s*[:：]|[（(]\s*[千万亿]?元\s*[）)]")

#: Error codes of the tagger, defined in jixiao.errors (re-exported here).
from jixiao.errors import E_MODEL_CONFIG, E_MODEL_FOLDER, E_ONNX, E_TOKENIZER  # noqa: E402,F401
from jixiao.errors import E_NER_INPUT as E_BAD_INPUT  # noqa: E402,F401

#: rule prior from which paragraphs without any rule span are not read (``NerTagger.skip_ruleless``)
RULELESS_PRIOR = 8.0


def bio_labels(types: Sequence[str] = ENTITY_TYPES) -> list[str]:
    """The BIO label list, ``O`` first.

    >>> bio_labels(["AMOUNT"])
    ['O', 'B-AMOUNT', 'I-AMOUNT']
    """
    return ["O"] + [f"{p}-{t}" for t in types for p in ("B", "I")]


# ---------------------------------------------------------------- decoding
def transition_masks(labels: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(start_ok[T], trans_ok[T, T]) for BIO: ``I-X`` only right after ``B-X``/``I-X``, and
    ``B-X`` never right after ``B-X``/``I-X``: two entities of one type never touch (none of the
    2020 gold spans do), so a name is not cut in two at a word boundary (个人|缴纳).

    >>> start, trans = transition_masks(["O", "B-A", "I-A"])
    >>> start.tolist(), trans[0].tolist(), trans[1].tolist()   # from O; from B-A (B-A B-A is banned)
    ([True, True, False], [True, True, False], [True, False, True])
    """
    n = len(labels)
    start = np.ones(n, dtype=bool)
    trans = np.ones((n, n), dtype=bool)
    for j, lab in enumerate(labels):
        if lab == "O":
            continue
        same = (f"B-{lab[2:]}", f"I-{lab[2:]}")
        if lab.startswith("I-"):
            start[j] = False
        for i, prev in enumerate(labels):
            trans[i, j] = (prev in same) if lab.startswith("I-") else (prev not in same)
    return start, trans


def is_valid_path(path: Sequence[int], start_ok: np.ndarray, trans_ok: np.ndarray) -> bool:
    """Whether a tag path respects the BIO constraints."""
    if len(path) == 0:
        return True
    p = np.asarray(path)
    return bool(start_ok[p[0]] and trans_ok[p[:-1], p[1:]].all())


def continue_masks(labels: Sequence[str]) -> np.ndarray:
    """``cont_ok[T, T]``: the transitions allowed *inside* a rule span (see :func:`viterbi_decode`).

    From ``O`` anything valid; from ``B-Y``/``I-Y`` only ``I-Y``: an entity that is open when a
    rule span continues must continue too, so the model cannot cut a rule span short or in two.

    >>> continue_masks(["O", "B-A", "I-A"]).tolist()
    [[True, True, False], [False, False, True], [False, False, True]]
    """
    _start, trans = transition_masks(labels)
    cont = trans.copy()
    for i, lab in enumerate(labels):
        if lab != "O":
            cont[i] = False
            cont[i, labels.index(f"I-{lab[2:]}")] = True
    return cont


def viterbi_decode(scores: np.ndarray, start_ok: np.ndarray, trans_ok: np.ndarray,
                   inside: np.ndarray | None = None, cont_ok: np.ndarray | None = None) -> list[int]:
    """Best tag path under the constraints for one sequence of per-token log-probs [L, T].

    ``inside[t]`` (with ``cont_ok`` from :func:`continue_masks`) marks tokens that continue a rule
    span (rule tag ``I-*``): there an open entity may not end, so the model keeps, relabels, drops
    or extends a rule span but never truncates it (held-out models cut the last character of
    rule spans whose final character they had not seen in training: 「按时报送」 → 「按时报」).

    When the per-token argmax is already valid it is the constrained optimum too (the constraint
    only forbids paths), so the dynamic programme runs only when argmax breaks a rule.

    >>> start, trans = transition_masks(["O", "B-A", "I-A"])
    >>> viterbi_decode(np.log(np.array([[.5, .1, .4], [.1, .2, .7]])), start, trans)  # argmax O I-A is invalid
    [0, 1]
    >>> viterbi_decode(np.log(np.array([[.3, .3, .4], [.1, .2, .7]])), start, trans)
    [1, 2]
    >>> s = np.log(np.array([[.1, .8, .1], [.2, .1, .7], [.6, .1, .3]]))     # B-A I-A O: a cut
    >>> cont = continue_masks(["O", "B-A", "I-A"])
    >>> viterbi_decode(s, start, trans), viterbi_decode(s, start, trans, np.array([0, 1, 1]), cont)
    ([1, 2, 0], [1, 2, 2])
    """
    if scores.shape[0] == 0:
        return []
    use_inside = inside is not None and cont_ok is not None and bool(np.any(inside))
    greedy = scores.argmax(-1)
    if is_valid_path(greedy, start_ok, trans_ok) and (
            not use_inside or _keeps_spans(greedy, inside, cont_ok)):
        return greedy.tolist()
    neg = np.float32(-1e9)
    trans = np.where(trans_ok, 0.0, neg).astype(np.float32)
    cont = np.where(cont_ok, 0.0, neg).astype(np.float32) if use_inside else trans
    dp = np.where(start_ok, scores[0], neg)
    back = np.empty((scores.shape[0], scores.shape[1]), dtype=np.int64)
    for t in range(1, scores.shape[0]):
        cand = dp[:, None] + (cont if use_inside and inside[t] else trans)   # [from, to]
        back[t] = cand.argmax(0)
        dp = cand[back[t], np.arange(scores.shape[1])] + scores[t]
    path = [int(dp.argmax())]
    for t in range(scores.shape[0] - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return path[::-1]


def _keeps_spans(path: np.ndarray, inside: np.ndarray, cont_ok: np.ndarray) -> bool:
    """Whether ``path`` respects ``cont_ok`` at every ``inside`` token."""
    t = np.nonzero(np.asarray(inside[1:len(path)], dtype=bool))[0] + 1
    return bool(cont_ok[path[t - 1], path[t]].all()) if len(t) else True


def tags_to_spans(tags: Sequence[str], offsets: Sequence[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Turn BIO tags of tokens with character offsets into ``(start, end, type)`` spans.

    >>> tags_to_spans(["B-AMOUNT", "I-AMOUNT", "B-UNIT", "O"], [(0, 1), (1, 2), (3, 4), (4, 5)])
    [(0, 2, 'AMOUNT'), (3, 4, 'UNIT')]
    """
    spans: list[tuple[int, int, str]] = []
    cur: list[Any] | None = None
    for tag, (s, e) in zip(tags, offsets):
        if tag.startswith("B-") or (tag.startswith("I-") and (cur is None or cur[2] != tag[2:])):
            if cur:
                spans.append(tuple(cur))
            cur = [s, e, tag[2:]]
        elif tag.startswith("I-"):
            cur[1] = max(cur[1], e)
        else:
            if cur:
                spans.append(tuple(cur))
            cur = None
    if cur:
        spans.append(tuple(cur))
    return spans


def span_tags(offsets: Sequence[tuple[int, int]], spans, special: Sequence[int] | None = None) -> list[str | None]:
    """BIO tag of each token from character spans (a token belongs to the span holding its first
    character); ``None`` for special tokens (``special`` 1, or offset ``(0, 0)`` without it).

    >>> span_tags([(0, 0), (0, 1), (1, 2), (3, 4), (0, 0)], [[0, 2, "AMOUNT"], [3, 4, "UNIT"]])
    [None, 'B-AMOUNT', 'I-AMOUNT', 'B-UNIT', None]
    """
    by_char: dict[int, tuple[int, int, str]] = {}
    for s, e, kind, *_ in spans:
        for c in range(int(s), int(e)):
            by_char[c] = (int(s), int(e), str(kind))
    out: list[str | None] = []
    prev = None
    for k, (s, e) in enumerate(offsets):
        if (special[k] if special is not None else (s == 0 and e == 0)):
            out.append(None)
            prev = None
            continue
        span = by_char.get(s)
        out.append("O" if span is None else ("I-" if span == prev else "B-") + span[2])
        prev = span
    return out


#: Rule-feature ids: 0 padding/special, then O, B-AMOUNT, I-AMOUNT, ... (bio_labels order + 1).
RULE_IDS: dict[str, int] = {lab: i + 1 for i, lab in enumerate(bio_labels())}


#: Rule-feature ids of the ``I-*`` tags (a token that continues a rule span).
_RULE_INSIDE_IDS = np.array([i for lab, i in RULE_IDS.items() if lab.startswith("I-")])


def rule_ids_for(offsets: Sequence[tuple[int, int]], spans) -> list[int]:
    """Rule-feature id of each token (see ``RULE_IDS``).

    >>> rule_ids_for([(0, 1), (1, 2), (2, 3)], [[0, 2, "AMOUNT"]])
    [2, 3, 1]
    """
    return [RULE_IDS[t] for t in span_tags(offsets, spans, [0] * len(offsets))]


def rule_spans_for_texts(texts: Sequence[str], doc_id: str = "ner") -> list[list[tuple[int, int, str]]]:
    """The rule extractor over paragraphs taken as one document (header units, table headers).

    >>> rule_spans_for_texts(["保费收入5617.38万元"])[0]  # doctest: +SKIP
    [(0, 4, 'INDICATOR'), (4, 11, 'AMOUNT'), (11, 13, 'UNIT')]
    """
    from jixiao.structure import document_from_paragraphs
    from jixiao.rules.entities import annotate_document as rule_annotate

    doc = rule_annotate(document_from_paragraphs(doc_id, list(texts)))
    out: list[list[tuple[int, int, str]]] = [[] for _ in texts]
    for e in doc.entities:
        if 0 <= e.paragraph < len(texts):
            out[e.paragraph].append((e.start, e.end, e.type))
    return [sorted(x) for x in out]


def may_contain_entity(text: str) -> bool:
    """False when a paragraph provably cannot hold an entity (see ``ENTITY_POSSIBLE``).

    >>> may_contain_entity("一是健全综合内控制度。"), may_contain_entity("结余0万元")
    (False, True)
    """
    return ENTITY_POSSIBLE.search(text) is not None


# ---------------------------------------------------------------- encoding
@dataclass
class Encoded:
    """One paragraph tokenised without special tokens."""

    ids: list[int]
    offsets: list[tuple[int, int]]
    boundaries: list[int]
    rules: list[int] | None = None


def boundary_ids_for(offsets: Sequence[tuple[int, int]], bmes: Sequence[str]) -> list[int]:
    """The B/M/E/S id of each token: the tag of its first character (0 if unknown).

    >>> boundary_ids_for([(0, 1), (1, 2), (3, 4)], ["B", "E", "S", "S"])
    [1, 3, 4]
    """
    n = len(bmes)
    return [BOUNDARY_IDS.get(bmes[s], 0) if s < n else 0 for s, _e in offsets]


def windows(n_tokens: int, size: int, stride: int) -> list[tuple[int, int]]:
    """Overlapping token windows ``[a, b)`` of at most ``size`` covering ``n_tokens``.

    >>> windows(10, 4, 3)
    [(0, 4), (3, 7), (6, 10)]
    >>> windows(0, 4, 3)
    [(0, 0)]
    """
    if n_tokens <= size:
        return [(0, n_tokens)]
    out, a = [], 0
    while True:
        b = min(a + size, n_tokens)
        out.append((a, b))
        if b == n_tokens:
            return out
        a += stride


def special_ids(tokenizer) -> tuple[int | None, int | None]:
    """(cls, sep) ids of a tokenizer: [CLS]/[SEP] for BERT, <s>/</s> for RoBERTa-likes."""
    cls_id = tokenizer.cls_token_id if tokenizer.cls_token_id is not None else tokenizer.bos_token_id
    sep_id = tokenizer.sep_token_id if tokenizer.sep_token_id is not None else tokenizer.eos_token_id
    return cls_id, sep_id


def encode_texts(tokenizer, texts: Sequence[str], word_tokenizer=None,
                 boundaries: Sequence[Sequence[str]] | None = None,
                 rule_spans: Sequence[Sequence] | None = None) -> list[Encoded]:
    """Tokenise paragraphs (no special tokens) with offsets and word-boundary ids.

    ``boundaries`` may hold precomputed B/M/E/S tags per character (from a segment stage);
    else ``word_tokenizer`` computes them; with neither, boundary ids are 0.
    """
    if not texts:
        return []
    enc = tokenizer(list(texts), add_special_tokens=False, return_offsets_mapping=True,
                    return_attention_mask=False, return_token_type_ids=False, verbose=False)
    out = []
    for i, text in enumerate(texts):
        offsets = [tuple(o) for o in enc["offset_mapping"][i]]
        if boundaries is not None:
            bmes = boundaries[i]
        elif word_tokenizer is not None:
            bmes = word_tokenizer.word_boundaries(text)
        else:
            bmes = ()
        rules = rule_ids_for(offsets, rule_spans[i]) if rule_spans is not None else None
        out.append(Encoded(list(enc["input_ids"][i]), offsets, boundary_ids_for(offsets, bmes), rules))
    return out


@dataclass
class Window:
    text_index: int
    start: int            # first token of the paragraph in this window
    input_ids: list[int]  # with special tokens
    boundary_ids: list[int]
    rule_ids: list[int]
    n_prefix: int         # special tokens before the paragraph tokens
    length: int           # paragraph tokens in this window


def make_windows(encoded: Sequence[Encoded], indices: Sequence[int], tokenizer,
                 max_length: int, stride: int | None = None) -> list[Window]:
    """Cut each encoded paragraph into windows of ``max_length`` including special tokens."""
    cls_id, sep_id = special_ids(tokenizer)
    pre = [cls_id] if cls_id is not None else []
    post = [sep_id] if sep_id is not None else []
    size = max_length - len(pre) - len(post)
    if size < 2:
        raise UsageError(E_MODEL_CONFIG, f"max_length {max_length} is too small; use at least 8")
    stride = stride or max(1, (size * 3) // 4)
    out = []
    for i in indices:
        e = encoded[i]
        for a, b in windows(len(e.ids), size, stride):
            rules = e.rules[a:b] if e.rules is not None else [0] * (b - a)
            out.append(Window(i, a, pre + e.ids[a:b] + post,
                              [0] * len(pre) + e.boundaries[a:b] + [0] * len(post),
                              [0] * len(pre) + rules + [0] * len(post), len(pre), b - a))
    return out


def pad_batch(batch: Sequence[Window], pad_id: int) -> dict[str, np.ndarray]:
    """Right-pad windows into int64 arrays ``input_ids``, ``attention_mask``, ``boundary_ids``,
    ``rule_ids``."""
    n = max(len(w.input_ids) for w in batch)
    ids = np.full((len(batch), n), pad_id, dtype=np.int64)
    mask = np.zeros((len(batch), n), dtype=np.int64)
    bnd = np.zeros((len(batch), n), dtype=np.int64)
    rul = np.zeros((len(batch), n), dtype=np.int64)
    for r, w in enumerate(batch):
        k = len(w.input_ids)
        ids[r, :k] = w.input_ids
        mask[r, :k] = 1
        bnd[r, :k] = w.boundary_ids
        rul[r, :k] = w.rule_ids
    return {"input_ids": ids, "attention_mask": mask, "boundary_ids": bnd, "rule_ids": rul}


# ---------------------------------------------------------------- light loading (ONNX)
class OnnxModelStub:
    """Stands in for the torch model when ONNX Runtime runs the forward pass: ``config`` is read
    from ``config.json`` (no torch, no transformers: ``jixiao extract`` starts in a second); any
    other attribute loads the real model on first use (``tagger.model.parameters()``)."""

    def __init__(self, folder: str | Path):
        from types import SimpleNamespace

        self.folder = Path(folder)
        self.config = SimpleNamespace(**json.loads((self.folder / "config.json").read_text(encoding="utf-8")))
        self._real = None

    def __getattr__(self, name: str):
        if name.startswith("__") or name in ("folder", "config", "_real"):
            raise AttributeError(name)
        if self._real is None:
            model_classes()
            from transformers import AutoModelForTokenClassification

            quiet_transformers()
            self._real = AutoModelForTokenClassification.from_pretrained(str(self.folder)).eval()
        return getattr(self._real, name)


class CharLevelPlan:
    """Our character tokenizer's ``tokenizer.json`` run in Python: one-character ``Replace`` normalizers,
    whitespace removed, every other character its own token, a ``WordLevel`` vocabulary. The same ids and
    offsets as ``tokenizers`` (checked on every paragraph of the corpus and the seeds, and by a test), about
    8× faster on paragraphs, since each distinct character is looked up once. :meth:`from_json` returns
    ``None`` for any other tokenizer (a user's HF checkpoint), which then runs through ``tokenizers``.

    >>> plan = CharLevelPlan({"０": "0"}, r"[ \u3000]+", {"0": 5, "资": 6, "[UNK]": 1}, 1)
    >>> plan.encode(["资 ０x"])
    {'input_ids': [[6, 5, 1]], 'offset_mapping': [[(0, 1), (2, 3), (3, 4)]]}
    """

    def __init__(self, fold: dict[str, str], removed: str, vocab: dict[str, int], unk_id: int):
        self.fold, self.vocab, self.unk_id = fold, vocab, unk_id
        self.removed = re.compile(removed)
        self.ids: dict[str, int | None] = {}  # character → token id, None when removed
        self.dropped: set[str] = set()  # the characters seen so far that are removed

    @classmethod
    def from_json(cls, path: str | Path) -> "CharLevelPlan | None":
        try:
            t = json.loads(Path(path).read_text(encoding="utf-8"))
            norm, pre, model = t.get("normalizer"), t.get("pre_tokenizer") or {}, t.get("model") or {}
            fold: dict[str, str] = {}
            steps = [] if norm is None else (norm["normalizers"] if norm.get("type") == "Sequence" else [norm])
            for n in steps:
                src, dst = n["pattern"]["String"], n["content"]
                if n["type"] != "Replace" or len(src) != 1 or len(dst) != 1:
                    return None
                fold = {k: (dst if v == src else v) for k, v in fold.items()}  # replacements apply in order
                fold.setdefault(src, dst)
            splits = pre.get("pretokenizers") or []
            if (pre.get("type") != "Sequence" or len(splits) != 2
                    or [s.get("type") for s in splits] != ["Split", "Split"]
                    or splits[0].get("behavior") != "Removed" or splits[0].get("invert")
                    or splits[1]["pattern"].get("Regex") != "[\\s\\S]" or splits[1].get("behavior") != "Isolated"
                    or model.get("type") != "WordLevel" or "Regex" not in splits[0]["pattern"]):
                return None
            regex = splits[0]["pattern"]["Regex"]
            if not re.fullmatch(r"\[[^\]\[]+\]\+", regex):  # a plain character class: same meaning in Rust and Python
                return None
            vocab = model["vocab"]
            unk = vocab.get(model.get("unk_token"))
            if unk is None:
                return None
            removed = re.compile(regex)
            if any(bool(removed.fullmatch(a)) != bool(removed.fullmatch(b)) for a, b in fold.items()):
                return None  # a normalizer that makes or unmakes whitespace: leave it to tokenizers
            return cls(fold, regex, vocab, unk)
        except (OSError, ValueError, KeyError, TypeError, AttributeError, re.error):
            return None

    def _id(self, c: str) -> int | None:
        f = self.fold.get(c, c)  # normalizers first, then the pre-tokenizer on the normalized character
        v = None if self.removed.fullmatch(f) else self.vocab.get(f, self.unk_id)
        if v is None:
            self.dropped.add(c)
        self.ids[c] = v
        return v

    def encode(self, texts) -> dict[str, list]:
        ids_out, offs_out = [], []
        table = self.ids
        get = table.__getitem__
        for text in texts:
            try:
                vals = list(map(get, text))
            except KeyError:
                for c in set(text).difference(table):
                    self._id(c)
                vals = list(map(get, text))
            if not self.dropped.isdisjoint(text):  # whitespace: no token, the next character keeps its offset
                ids: list[int] = []
                offs: list[tuple[int, int]] = []
                a = 0
                for m in self.removed.finditer(text):
                    ids += vals[a:m.start()]
                    offs += zip(range(a, m.start()), range(a + 1, m.start() + 1))
                    a = m.end()
                ids += vals[a:]
                offs += zip(range(a, len(text)), range(a + 1, len(text) + 1))
                ids_out.append(ids)
                offs_out.append(offs)
            else:
                ids_out.append(vals)
                offs_out.append(list(zip(range(len(text)), range(1, len(text) + 1))))
        return {"input_ids": ids_out, "offset_mapping": offs_out}


class FastTokenizer:
    """The part of a transformers fast tokenizer the tagger uses, over ``tokenizers`` alone
    (the same ``tokenizer.json``, so the same ids and offsets).

    >>> tok = FastTokenizer.from_folder("models/ner")
    >>> enc = tok(["资金8684万元"], add_special_tokens=False, return_offsets_mapping=True)
    >>> enc["offset_mapping"][0][:3], tok.cls_token_id is not None, tok.is_fast
    ([(0, 1), (1, 2), (2, 3)], True, True)
    """

    is_fast = True

    def __init__(self, backend, special: dict[str, str | None]):
        self.backend = backend
        ids = {k: (backend.token_to_id(v) if v else None) for k, v in special.items()}
        self.cls_token_id, self.sep_token_id = ids.get("cls_token"), ids.get("sep_token")
        self.bos_token_id, self.eos_token_id = ids.get("bos_token"), ids.get("eos_token")
        self.pad_token_id, self.unk_token_id = ids.get("pad_token"), ids.get("unk_token")

    @classmethod
    def from_folder(cls, folder: str | Path) -> "FastTokenizer":
        from tokenizers import Tokenizer

        folder = Path(folder)
        cfg_path = folder / "tokenizer_config.json"
        cfg = json.loads(cfg_path.read_text(encoding="utf-8")) if cfg_path.is_file() else {}
        special = {}
        for k in ("cls_token", "sep_token", "bos_token", "eos_token", "pad_token", "unk_token"):
            v = cfg.get(k)
            special[k] = v.get("content") if isinstance(v, dict) else v
        backend = Tokenizer.from_file(str(folder / "tokenizer.json"))
        backend.no_truncation()
        backend.no_padding()
        tok = cls(backend, special)
        tok.char_plan = CharLevelPlan.from_json(folder / "tokenizer.json")
        return tok

    def __call__(self, texts, add_special_tokens: bool = False, return_offsets_mapping: bool = True,
                 **_: Any) -> dict[str, list]:
        plan = self.__dict__.get("char_plan")
        if plan is not None and not add_special_tokens:
            return plan.encode(texts)
        encs = self.backend.encode_batch(list(texts), add_special_tokens=add_special_tokens)
        return {"input_ids": [e.ids for e in encs], "offset_mapping": [e.offsets for e in encs]}

    def convert_tokens_to_ids(self, token: str) -> int | None:
        return self.backend.token_to_id(token)


# ---------------------------------------------------------------- the stage
class NerTagger:
    """Tag entity spans in paragraphs with a token-classification model.

    Args:
        model: a transformers token-classification model (ours or any Auto one).
        tokenizer: its fast tokenizer (offsets are required).
        word_tokenizer: a ``WordTokenizer`` for the word-boundary feature (ours only).
        max_length: tokens per window, special tokens included.
        skip_impossible: skip paragraphs that ``may_contain_entity`` rules out.
        onnx_path: run ``forward`` with ONNX Runtime on this exported model instead of torch.

    >>> tagger = NerTagger.load("models/ner")        # doctest: +SKIP
    >>> tagger.predict(["增幅为13.43%", ""])          # doctest: +SKIP
    [[(3, 8, 'AMOUNT'), (8, 9, 'UNIT')], []]
    """

    def __init__(self, model, tokenizer, word_tokenizer=None, *, max_length: int = 256,
                 skip_impossible: bool = True, onnx_path: str | Path | None = None,
                 num_threads: int | None = None, skip_ruleless: bool | None = None):
        if not getattr(tokenizer, "is_fast", False):
            raise UsageError(E_TOKENIZER, "the tokenizer is not a fast tokenizer, so character "
                             "offsets are unavailable; save the model with a tokenizer.json")
        self.model = model
        self.tokenizer = tokenizer
        self.word_tokenizer = word_tokenizer if uses_boundaries(model) else None
        self.max_length = min(max_length, int(getattr(model.config, "max_position_embeddings", 512)))
        self.skip_impossible = skip_impossible
        self.num_threads = num_threads
        self.chunk_size = 512  # paragraphs encoded at once (memory bound)
        id2label = {int(k): v for k, v in model.config.id2label.items()}
        self.labels = [id2label[i] for i in range(len(id2label))]
        unknown = [lab for lab in self.labels if lab != "O" and lab[2:] not in ENTITY_TYPES]
        if unknown or any(not (lab == "O" or lab[:2] in ("B-", "I-")) for lab in self.labels):
            raise UsageError(E_MODEL_CONFIG, f"the model's labels {self.labels} are not BIO tags over "
                             f"{', '.join(ENTITY_TYPES)}; train it with `jixiao train ner`")
        self.start_ok, self.trans_ok = transition_masks(self.labels)
        # Bonus added to the log-prob of the rule's own tag before decoding (models with rule
        # features): 0 trusts the model, large values reproduce the rules.
        self.rule_prior = float(getattr(model.config, "rule_prior", 0.0) or 0.0)
        # Decode rule spans whole (models with rule features): an entity open inside a rule span
        # may not end before it does (``viterbi_decode``). Off for checkpoints saved before it.
        self.whole_rule_spans = bool(getattr(model.config, "whole_rule_spans", False))
        # Paragraphs where the rules found nothing (models with rule features): with a rule prior of
        # RULELESS_PRIOR or more the model needs odds of e^prior (~3000:1 at 8) against the rules' O
        # to write an entity there, and the shipped model does so in none of the corpora's paragraphs
        # (README "Speed"), so they are not read. None: on for such models; False: read them.
        self.skip_ruleless = (uses_rules(model) and self.rule_prior >= RULELESS_PRIOR) if skip_ruleless is None \
            else bool(skip_ruleless)
        self.cont_ok = continue_masks(self.labels)
        self._ort = None
        if onnx_path is not None:
            from jixiao.models.onnx_runtime import OnnxForward

            self._ort = OnnxForward(onnx_path, num_threads=num_threads)

    # ------------------------------------------------------------ loading
    @classmethod
    def load(cls, path: str | Path, *, onnx: bool | str = False, **kwargs) -> "NerTagger":
        """Load our model folder or any local HF token-classification checkpoint.

        ``onnx=True`` uses ``model.int8.onnx`` (else ``model.onnx``) in the folder: int8 dynamic
        quantisation tags 1.24× faster than fp32 here (``jixiao bench --onnx``) and gives the torch
        model's spans on all 2025 spans of the gold texts; a string names the file. An export made
        from other weights than the folder's ``model.safetensors`` is refused (``onnx.json``).
        """
        folder = Path(path)
        if not (folder / "config.json").is_file():
            raise UsageError(E_MODEL_FOLDER, f"no config.json in '{folder}'; pass a model folder "
                             "written by `jixiao train ner` or a Hugging Face checkpoint folder",
                             path=str(folder))
        light = bool(onnx) and (folder / "tokenizer.json").is_file()
        if light:  # ONNX Runtime runs the forward pass: neither torch nor transformers is imported
            model, tokenizer = OnnxModelStub(folder), FastTokenizer.from_folder(folder)
        else:
            model_classes()
            from transformers import AutoModelForTokenClassification, AutoTokenizer

            quiet_transformers()

            tokenizer = AutoTokenizer.from_pretrained(str(folder))
            model = AutoModelForTokenClassification.from_pretrained(str(folder))
            model.eval()
        word_tok = None
        if uses_boundaries(model):
            from jixiao.tokenize import shared_tokenizer

            d = folder / "jieba_dict.txt"
            word_tok = shared_tokenizer(d if d.is_file() else None)
        onnx_path = None
        if onnx:
            from jixiao.models.onnx_runtime import onnx_is_current

            onnx_path = folder / onnx if isinstance(onnx, str) else next(
                (folder / f for f in ("model.int8.onnx", "model.onnx") if (folder / f).is_file()), None)
            if onnx_path is None or not Path(onnx_path).is_file():
                raise UsageError(E_ONNX, f"no ONNX model in '{folder}'; run `jixiao ner export "
                                 f"{folder}` first", path=str(folder))
            if (folder / "model.safetensors").is_file() and not onnx_is_current(folder):
                raise UsageError(E_ONNX, f"the ONNX export in '{folder}' is not from its current "
                                 "model.safetensors (retrained since?); run `jixiao ner export "
                                 f"{folder}` again", path=str(folder))
        return cls(model, tokenizer, word_tok, onnx_path=onnx_path, **kwargs)

    def save(self, folder: str | Path) -> Path:
        """Write model, tokenizer and jieba dictionary to ``folder``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(str(folder))
        self.tokenizer.save_pretrained(str(folder))
        if self.word_tokenizer is not None:
            self.word_tokenizer.save_dictionary(folder)
        return folder

    # ------------------------------------------------------------ the three steps
    def preprocess(self, texts: Sequence[str], boundaries=None,
                   rule_spans=None) -> tuple[list[Encoded], list[Window]]:
        """Tokenise, compute word boundaries (and rule tags) and cut windows for the paragraphs
        worth reading."""
        keep = [i for i, t in enumerate(texts)
                if t and (not self.skip_impossible or may_contain_entity(t))]
        sub_rules = None
        if uses_rules(self.model):
            if rule_spans is None:
                rule_spans = rule_spans_for_texts(texts)
            if self.skip_ruleless:
                keep = [i for i in keep if len(rule_spans[i])]
            sub_rules = [rule_spans[i] for i in keep]
        sub_texts = [texts[i] for i in keep]
        sub_bnd = [boundaries[i] for i in keep] if boundaries is not None else None
        enc_sub = encode_texts(self.tokenizer, sub_texts,
                               self.word_tokenizer if sub_bnd is None else None, sub_bnd, sub_rules)
        encoded: list[Encoded | None] = [None] * len(texts)
        for i, e in zip(keep, enc_sub):
            encoded[i] = e
        wins = make_windows(encoded, [i for i in keep if encoded[i].ids], self.tokenizer,
                            self.max_length)
        return encoded, wins

    def forward(self, batch: dict[str, np.ndarray]) -> np.ndarray:
        """Per-token log-probabilities [B, L, T] for one padded batch."""
        if self._ort is not None:
            return self._ort(batch)
        import torch

        if self.num_threads:
            torch.set_num_threads(self.num_threads)
        with torch.inference_mode():
            inputs = {"input_ids": torch.from_numpy(batch["input_ids"]),
                      "attention_mask": torch.from_numpy(batch["attention_mask"])}
            if uses_boundaries(self.model):
                inputs["boundary_ids"] = torch.from_numpy(batch["boundary_ids"])
            if uses_rules(self.model):
                inputs["rule_ids"] = torch.from_numpy(batch["rule_ids"])
            logits = self.model(**inputs).logits
            return torch.log_softmax(logits.float(), dim=-1).numpy()

    def average_windows(self, encoded: Sequence[Encoded | None], windows_: Sequence[Window],
                        scores: Sequence[np.ndarray]) -> dict[int, np.ndarray]:
        """Per read paragraph (by index), its tokens' log-probabilities ``[n_tokens, T]`` averaged over
        the windows that hold them."""
        acc: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for w, s in zip(windows_, scores):
            e = encoded[w.text_index]
            if w.text_index not in acc:
                acc[w.text_index] = (np.zeros((len(e.ids), len(self.labels)), np.float32),
                                     np.zeros((len(e.ids), 1), np.float32))
            tot, cnt = acc[w.text_index]
            n = w.length
            tot[w.start:w.start + n] += s[w.n_prefix:w.n_prefix + n]
            cnt[w.start:w.start + n] += 1
        return {i: tot / np.maximum(cnt, 1) for i, (tot, cnt) in acc.items()}

    def postprocess(self, texts: Sequence[str], encoded: Sequence[Encoded | None],
                    windows_: Sequence[Window], scores: Sequence[np.ndarray]) -> list[list[tuple[int, int, str]]]:
        """Average overlapping windows, decode with constrained Viterbi, map tags to char spans."""
        out: list[list[tuple[int, int, str]]] = [[] for _ in texts]
        for i, scores_i in self.average_windows(encoded, windows_, scores).items():
            rules = encoded[i].rules
            rules = np.asarray(rules) if rules is not None and len(rules) == len(scores_i) else None
            if self.rule_prior and rules is not None:
                scores_i[np.arange(len(rules)), rules - 1] += self.rule_prior
            inside = np.isin(rules, _RULE_INSIDE_IDS) if self.whole_rule_spans and rules is not None else None
            path = viterbi_decode(scores_i, self.start_ok, self.trans_ok, inside, self.cont_ok)
            out[i] = tags_to_spans([self.labels[j] for j in path], encoded[i].offsets)
        return out

    def predict(self, texts: Sequence[str], batch_size: int = 32,
                boundaries: Sequence[Sequence[str]] | None = None,
                rule_spans: Sequence[Sequence] | None = None) -> list[list[tuple[int, int, str]]]:
        """Entity spans ``(start, end, type)`` for each paragraph (character offsets).

        ``boundaries``: precomputed B/M/E/S per character; ``rule_spans``: the rule extractor's
        spans per paragraph (for a model with ``use_rule_features``; computed when missing, taking
        ``texts`` as one document).

        >>> tagger.predict(["本年收支结余0万元"])   # doctest: +SKIP
        [[(6, 7, 'AMOUNT'), (7, 9, 'UNIT')]]
        """
        return self._run(texts, batch_size, boundaries, rule_spans, self.postprocess)

    def tag_probabilities(self, texts: Sequence[str], batch_size: int = 32,
                          boundaries: Sequence[Sequence[str]] | None = None,
                          rule_spans: Sequence[Sequence] | None = None) -> list[np.ndarray]:
        """The model's BIO tag probabilities per character, one ``[len(text), len(labels)]`` array per
        paragraph (columns in ``labels`` order): each character gets its token's distribution (windows
        averaged, before the rule prior and decoding); characters the tagger does not read (skipped
        paragraphs, whitespace) are ``O`` with probability 1, as :meth:`predict` leaves them."""
        return self._run(texts, batch_size, boundaries, rule_spans, self._char_probabilities)

    def _char_probabilities(self, texts: Sequence[str], encoded: Sequence[Encoded | None],
                            windows_: Sequence[Window], scores: Sequence[np.ndarray]) -> list[np.ndarray]:
        out = []
        for t in texts:
            p = np.zeros((len(t), len(self.labels)), np.float32)
            p[:, self.labels.index("O")] = 1.0
            out.append(p)
        for i, logp in self.average_windows(encoded, windows_, scores).items():
            z = logp - logp.max(axis=1, keepdims=True)
            probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
            for k, (a, b) in enumerate(encoded[i].offsets):
                out[i][a:b] = probs[k]
        return out

    def _run(self, texts, batch_size, boundaries, rule_spans, finish) -> list:
        """Check the input, read it in chunks (bounded memory) and batches, and ``finish`` each chunk
        (:meth:`postprocess` or the per-character probabilities) from its windows' scores."""
        if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
            raise UsageError(E_BAD_INPUT, "predict() takes a list of paragraph strings")
        if not texts:
            return []
        if uses_rules(self.model) and rule_spans is None:
            rule_spans = rule_spans_for_texts(texts)
        if len(texts) > self.chunk_size:  # bound memory: windows and scores of one chunk at a time
            out: list = []
            for a in range(0, len(texts), self.chunk_size):
                b = a + self.chunk_size
                out += self._run(texts[a:b], batch_size,
                                 boundaries[a:b] if boundaries is not None else None,
                                 rule_spans[a:b] if rule_spans is not None else None, finish)
            return out
        encoded, wins = self.preprocess(texts, boundaries, rule_spans)
        order = sorted(range(len(wins)), key=lambda k: len(wins[k].input_ids))
        scores: list[np.ndarray | None] = [None] * len(wins)
        pad_id = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        for b in range(0, len(order), batch_size):
            idx = order[b:b + batch_size]
            logp = self.forward(pad_batch([wins[k] for k in idx], pad_id))
            for r, k in enumerate(idx):
                scores[k] = logp[r, :len(wins[k].input_ids)]
        return finish(texts, encoded, wins, scores)


def annotate_document(doc, tagger: "NerTagger", types: Sequence[str] = ENTITY_TYPES,
                      batch_size: int = 32):
    """Put the model's entities of ``types`` into ``doc`` (a ``jixiao.doc.Document``).

    Entities of those types already in ``doc`` (from the rules) are replaced; other rule
    entities stay unless they overlap a model span. Values (§5) come from the rules'
    normaliser (``jixiao.rules.entities.fill_values``) with the rules' header-unit context
    (``jixiao.units.table_unit_context``: the unit of the row's table, not in 分值/得分/执行率 columns).
    Returns ``doc``.

    >>> annotate_document(doc, NerTagger.load("models/ner"), types=["AMOUNT", "UNIT"])  # doctest: +SKIP
    """
    from jixiao.doc import Entity
    from jixiao.rules.entities import fill_values
    from jixiao.units import table_unit_context

    keep_types = set(types)
    texts = [p.text for p in doc.paragraphs]
    rule_spans = None
    if uses_rules(tagger.model) and any(e.source == "rules" for e in doc.entities):
        pos = {p.index: i for i, p in enumerate(doc.paragraphs)}
        rule_spans = [[] for _ in texts]
        for e in doc.entities:
            if e.source == "rules" and e.paragraph in pos:
                rule_spans[pos[e.paragraph]].append((e.start, e.end, e.type))
    spans = tagger.predict(texts, batch_size=batch_size, rule_spans=rule_spans)
    # the rules' unit context: the header unit in force at each table row (it lapses at prose and at the header
    # of an indicator/scoring table), never in the columns it skips (分值, 得分, 执行率)
    unit_context = table_unit_context([{"text": t} for t in texts])
    by_para: dict[int, list] = {}
    for e in doc.entities:
        by_para.setdefault(e.paragraph, []).append(e)
    new_entities = []
    for i, p in enumerate(doc.paragraphs):
        model_spans = [(s, e, t) for s, e, t in spans[i] if t in keep_types]
        kept = [e for e in by_para.get(p.index, []) if e.type not in keep_types
                and all(e.end <= s or e.start >= en for s, en, _t in model_spans)]
        merged = sorted([(e.start, e.end, e.type) for e in kept] + model_spans)
        unit, skipped = unit_context[i]
        row = getattr(p, "kind", None) == "table_row"
        rule_by_span = {(e.start, e.end, e.type): e for e in kept}
        for k, (s, e, t) in enumerate(merged):
            if (s, e, t) in rule_by_span:
                new_entities.append(rule_by_span[(s, e, t)])
                continue
            ent = Entity(paragraph=p.index, start=s, end=e, type=t, text=p.text[s:e], source="model")
            fill_values(ent, merged, k, p.text, unit if row and p.text.count("\t", 0, s) not in skipped else None)
            new_entities.append(ent)
    indices = {p.index for p in doc.paragraphs}  # once: in the comprehension it made large documents quadratic
    doc.entities = new_entities + [e for e in doc.entities if e.paragraph not in indices]
    return doc


TIE_POLICIES = ("model", "rules")


def better_sources(cv: Mapping | None, ties: str = "model") -> dict[str, str]:
    """Per entity type, the source with the higher pooled leave-one-document-out F1.

    ``cv`` is the ``leave_one_document_out`` entry of a model folder's ``metrics.json`` (the
    output of ``jixiao cv ner``). The rules keep a type only where they are strictly better; a
    tie (F1 equal to 4 decimals) goes to ``ties``: the model by default, since the model is meant
    to replace the rules unless they measurably beat it (issue 4), and its figure is held-out while
    the rules' is in-sample. Types without figures go to the model.

    >>> cv = {"model": {"pooled": {"per_type": {"AMOUNT": {"f1": .95}, "UNIT": {"f1": .99},
    ...                                          "SCORE": {"f1": .98}}}},
    ...       "rules": {"pooled": {"per_type": {"AMOUNT": {"f1": .97}, "UNIT": {"f1": .98},
    ...                                          "SCORE": {"f1": .98}}}}}
    >>> src = better_sources(cv)
    >>> src["AMOUNT"], src["UNIT"], src["SCORE"], src["TARGET"], better_sources(cv, ties="rules")["SCORE"]
    ('rules', 'model', 'model', 'model', 'rules')
    """
    if ties not in TIE_POLICIES:
        raise UsageError(E_MODEL_CONFIG, f"ties must be one of {', '.join(TIE_POLICIES)}, got {ties!r}")
    out = {t: "model" for t in ENTITY_TYPES}
    try:
        model = cv["model"]["pooled"]["per_type"]
        rules = cv["rules"]["pooled"]["per_type"]
    except (KeyError, TypeError):
        return out
    for t in ENTITY_TYPES:
        m, r = (model.get(t) or {}).get("f1"), (rules.get(t) or {}).get("f1")
        if m is None or r is None:
            continue
        m, r = round(m, 4), round(r, 4)
        if r > m or (r == m and ties == "rules"):
            out[t] = "rules"
    return out


def lodo_from_protocols(protocols: Mapping | None) -> dict | None:
    """The seeds' leave-one-document-out table of a ``protocols`` block (``jixiao train ner
    --protocols-report``: rows named "model (shipped config…)" and "rules…") in the shape
    :func:`better_sources` reads; ``None`` when there is none.

    >>> lodo_from_protocols({"seeds_lodo": {"model (shipped config)": {"per_type": {"UNIT": {"f1": .9}}},
    ...                                    "rules (in-sample)": {"per_type": {"UNIT": {"f1": .95}}}}})["rules"]
    {'pooled': {'per_type': {'UNIT': {'f1': 0.95}}}}
    """
    table = (protocols or {}).get("seeds_lodo") or {}
    rows = {k: v for k, v in table.items() if isinstance(v, Mapping) and "per_type" in v}
    model = next((v for k, v in rows.items() if k.startswith("model (shipped")), None) or \
        next((v for k, v in rows.items() if k.startswith("model")), None)
    rules = next((v for k, v in rows.items() if k.startswith("rules")), None)
    if model is None or rules is None:
        return None
    return {"model": {"pooled": {"per_type": model["per_type"]}}, "rules": {"pooled": {"per_type": rules["per_type"]}}}


def auto_types(path: str | Path, ties: str = "model") -> list[str]:
    """The types a model folder should write under ``types: auto`` (see :func:`better_sources`).

    Uses, in this order: the ``fresh_text`` table in ``metrics.json`` (model and rules on blind text measured before
    anyone read its errors, ``corpus/blind/fresh_metrics.json``: both figures held out), the LODO table (written by
    ``jixiao train ner --cv``, or the seeds' LODO of its ``protocols``, where the rules are in-sample), its
    ``entity_sources``, else every type (a checkpoint without our metrics).
    """
    metrics = read_model_card_metrics(path) or {}
    cv = metrics.get("fresh_text") or metrics.get("leave_one_document_out") or lodo_from_protocols(metrics.get("protocols"))
    sources = better_sources(cv, ties) if cv else (metrics.get("entity_sources") or {})
    return [t for t in ENTITY_TYPES if sources.get(t, "model") == "model"]


def ner_stage(path: str | Path = "models/ner", types: Sequence[str] | str = ENTITY_TYPES,
              onnx: bool | str = False, batch_size: int | None = None, num_threads: int | None = None,
              ties: str = "model"):
    """A pipeline stage ``Document -> Document`` writing the entities layer with the model.

    ``onnx``: False (torch), True (``model.int8.onnx``, else ``model.onnx``), a file name, or
    ``"auto"``: the ONNX export (int8 first) when it is current (exported from these weights), else torch.
    ``types`` may be a comma-separated string (``"AMOUNT,UNIT"``) from a manifest, or ``"auto"``:
    the types on which the model is not worse than the rules leave-one-document-out
    (:func:`auto_types`, ``ties`` deciding equal F1); the rule entities of the other types stay
    (each entity's ``source`` says which wrote it).
    """
    if isinstance(types, str) and types.strip() == "auto":
        types = auto_types(path, ties)
        logger.info("ner stage %s: model for %s, rules for the rest (leave-one-document-out, "
                    "metrics.json)", path, ", ".join(types) or "no type")
        rules_kept = [t for t in ENTITY_TYPES if t not in types]
        note = (f"entities from the model ({path}) for {', '.join(types) or 'no type'}; from the rules for "
                f"{', '.join(rules_kept) or 'no type'} (leave-one-document-out F1 per type; the rules keep "
                f"a type only where strictly better, a tie goes to the {ties}; see the model card)")
        if not types:  # the rules won every type: nothing to load or run
            def keep(doc):
                return doc
            keep.note, keep.entity_types = note, []
            return keep
    else:
        note = None
    kinds = [t.strip() for t in types.split(",") if t.strip()] if isinstance(types, str) else list(types)
    unknown = [t for t in kinds if t not in ENTITY_TYPES]
    if unknown:
        raise UsageError(E_MODEL_CONFIG, f"unknown entity types {unknown} for the ner stage; "
                         f"valid: {', '.join(ENTITY_TYPES)}")
    if isinstance(onnx, str) and onnx.strip() == "auto":
        try:  # load refuses a missing or stale export (E403)
            tagger = NerTagger.load(path, onnx=True, num_threads=num_threads)
        except UsageError as exc:
            if exc.code != E_ONNX:
                raise
            logger.warning("ner stage %s: %s; using torch", path, exc)
            tagger = NerTagger.load(path, num_threads=num_threads)
    else:
        tagger = NerTagger.load(path, onnx=onnx, num_threads=num_threads)

    if batch_size is None:
        # ONNX int8: windows of a document sorted by length, 4 a batch: 2.3x less forward time than 32
        # (padding: 1.13 vs 2.24 tokens run per token; int8 quantisation ranges are per batch, yet the
        # spans are the same on all 21 891 entities of 251 reports)
        batch_size = 4 if tagger._ort is not None else 32

    def stage(doc):
        return annotate_document(doc, tagger, kinds, batch_size=batch_size)
    stage.note = note or f"entities from the model ({path}) for {', '.join(kinds)}"
    stage.entity_types = kinds  # what the model writes (jixiao.bench: whether the extract ran the tagger)
    return stage


def read_model_card_metrics(folder: str | Path) -> dict | None:
    """The ``metrics.json`` of a model folder, or None."""
    p = Path(folder) / "metrics.json"
    return json.loads(p.read_text(encoding="utf-8")) if p.is_file() else None


__all__ = [
    "ENTITY_TYPES", "NerTagger", "bio_labels", "model_classes", "viterbi_decode", "tags_to_spans",
    "transition_masks", "may_contain_entity", "encode_texts", "make_windows", "windows",
    "boundary_ids_for", "annotate_document", "ner_stage", "span_tags", "rule_ids_for",
    "rule_spans_for_texts", "uses_rules", "JixiaoError", "better_sources", "auto_types",
]
