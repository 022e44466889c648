"""Paragraph labels (经验做法 / 存在问题 / 建议, multi-label, ANNOTATION.md §2).

Two interchangeable estimators behind the interface of :mod:`jixiao.models.estimator`:

* :class:`TfidfLogReg` (``tfidf_logreg.v1``): jieba words, character 1–3-grams and the words of the
  nearest headings, TF-IDF, one logistic regression per label. Saved as plain arrays + JSON.
* :class:`TransformerCls` (``transformer_cls.v1``): a sequence-classification head
  (``problem_type="multi_label_classification"``) on the shared character encoder.

Both tune one threshold per label on out-of-fold scores of their *own training data* (inner
cross-validation over the training documents), so a held-out document never sets a threshold.

:class:`ParagraphClassifier` is the runtime stage: ``load(folder).predict_proba(items)`` gives one
``{label: p}`` dict per paragraph.

>>> items = [{"text": "1. 预算编制不准确，执行工作重视不够。", "section": ["五、存在问题"]}]
>>> feats = paragraph_features(items[0], WordTokenizer(None).words)
>>> "h1:存在" in feats and "c:预算" in feats
True
"""
from __future__ import annotations

import functools
import json
import math
import re
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from jixiao.errors import JixiaoError, UsageError
from jixiao.models.estimator import (
    E_BAD_ARRAYS, E_BAD_CONFIG, E_BAD_DATA, E_BAD_LABEL, Estimator, Item, best_threshold, check_items, group_folds,
    load_arrays, read_config, read_json, register, save_arrays, write_config, write_json,
)
from jixiao.tokenize import DEFAULT_DICT, WordTokenizer, shared_tokenizer

#: The paragraph labels, in the fixed order of every probability column.
from jixiao.schema import PARAGRAPH_LABELS as LABELS  # noqa: E402

# Runs of digits (with decimal point / thousands separators): 「8,183.32」 → one placeholder, so
# amounts do not fragment the vocabulary.
NUMBER_RE = re.compile(r"\d[\d,，.．]*")
# A list marker at the start: 「一是」「二、」「（三）」「1.」「2、」「①」.
MARKER_RE = re.compile(r"^\s*(?:[一二三四五六七八九十]+是|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]"
                       r"|\d+\s*[、.．]|[①②③④⑤⑥⑦⑧⑨⑩])")
# Characters that end a sentence (ANNOTATION.md §1).
SENTENCE_END_RE = re.compile(r"[。！？；]")
# Tokens that are only punctuation or space: no word feature.
PUNCT_ONLY_RE = re.compile(r"^[\s\W_]+$")


# ---------------------------------------------------------------------------------------------
# Features


@functools.lru_cache(maxsize=4)
def word_tokenizer(dict_path: str | None) -> WordTokenizer:
    return shared_tokenizer(Path(dict_path) if dict_path else None)


def normalize_for_ngrams(text: str) -> str:
    """Collapse numbers to ``0`` and whitespace to one space (n-gram input).

    >>> normalize_for_ngrams("支出 8,183.32万元\\t完成 99%")
    '支出 0万元 完成 0%'
    """
    return re.sub(r"\s+", " ", NUMBER_RE.sub("0", text)).strip()


def char_ngrams(text: str, n_min: int = 1, n_max: int = 3) -> list[str]:
    """Character n-grams of ``text`` (spaces skipped as unigrams).

    >>> char_ngrams("加强管理", 2, 2)
    ['加强', '强管', '管理']
    """
    out: list[str] = []
    size = len(text)
    for n in range(n_min, n_max + 1):
        if n == 1:
            out += [c for c in text if not c.isspace()]
        else:
            out += [text[i:i + n] for i in range(size - n + 1)]
    return out


def length_bucket(n: int) -> str:
    """A coarse length class: headings are short, bodies long."""
    for limit, name in ((12, "xs"), (30, "s"), (80, "m"), (200, "l")):
        if n <= limit:
            return name
    return "xl"


def rule_features(item: Item) -> list[str]:
    """The rule baseline's verdict as features (``r:`` label on, ``rs:`` label weakly scored), so
    the model starts from the rules and learns where they go wrong.

    >>> rule_features({"text": "1. 预算编制不准确，执行工作重视不够。", "section": ["五、存在问题"]})
    ['r:存在问题']
    """
    from jixiao.rules.labels import label_paragraph

    text = item["text"]
    scores = label_paragraph(text, list(item.get("section") or []), "table_row" if "\t" in text else "text")
    return [f"r:{l}" if v >= 0.5 else f"rs:{l}" for l, v in scores.items() if v > 0]


# Cue classes that carry across reports whatever the wording (issue: aspect, modality, deficiency,
# negation, cause). Each class gives ``q:<class>`` (present) and ``q:<class>2`` (two or more hits).
CUES: dict[str, re.Pattern] = {
    "done": re.compile(r"已[经]?|完成|实现了?|开展了|建立了?|出台了?|落实了|取得了?|累计|全年共|先后"),
    "future": re.compile(r"将|要|应当?|需要?|须|力争|下一步|今后|持续|继续|进一步|加大|着力|切实"),
    "advise": re.compile(r"建议|要求|责令|应当|务必|整改措施|改进措施"),
    "deficit": re.compile(r"不足|不够|不到位|不规范|不及时|不完善|不健全|不准确|不合理|不充分|缺乏|缺少|有待|偏低|偏高|"
                          r"滞后|薄弱|较弱|较低|较慢|偏慢|困难|难度|隐患|风险|短板|欠缺|差距|问题"),
    "negation": re.compile(r"[不未没无非]"),
    "cause": re.compile(r"由于|因为|受[^，。]{1,15}影响|原因|究其|导致|致使|造成"),
    "contrast": re.compile(r"但|然而|但是|仍|仍然|尚|还"),
    "practice": re.compile(r"健全|完善|强化|加强|规范|推进|建立|制定|开展|组织|落实|压实|坚持|创新"),
    "result": re.compile(r"\d+(?:\.\d+)?\s*(?:%|万元|元|人次|万人|人|户|家|个)"),
}
# The kind of list marker an item starts with (structure that carries across reports).
MARKER_KINDS = [("shi", re.compile(r"^\s*[一二三四五六七八九十]+是")),
                ("cn", re.compile(r"^\s*[一二三四五六七八九十]+、")),
                ("pcn", re.compile(r"^\s*[（(][一二三四五六七八九十]+[)）]")),
                ("num", re.compile(r"^\s*\d+\s*[、.．]")),
                ("pnum", re.compile(r"^\s*[（(]\d+[)）]")),
                ("circ", re.compile(r"^\s*[①②③④⑤⑥⑦⑧⑨⑩]"))]


def cue_features(item: Item) -> list[str]:
    """Cue classes, marker kind, place in the section and the shape of the neighbours.

    ``position`` (index among the paragraphs under the same heading) and ``prev`` (the previous
    paragraph's text) come from :func:`paragraph_items`; items without them get no such feature.

    >>> cue_features({"text": "二是资金拨付不及时，由于审核环节多。", "position": 0})
    ['q:deficit', 'q:negation', 'q:cause', 'ql:deficit', 'm:shi', 'p:0']
    """
    text = item["text"][:300]
    feats: list[str] = []
    for name, pat in CUES.items():
        n = len(pat.findall(text))
        if n:
            feats.append(f"q:{name}")
            if n >= 2:
                feats.append(f"q:{name}2")
    # the item's lead clause alone (a heading stating a practice or a problem)
    lead = re.split(r"[。；;:：]", text, maxsplit=1)[0]
    if lead != text and len(lead) <= 40:
        for name in ("deficit", "practice", "advise"):
            if CUES[name].search(lead):
                feats.append(f"ql:{name}")
    for name, pat in MARKER_KINDS:
        if pat.match(text):
            feats.append(f"m:{name}")
            break
    pos = item.get("position")
    if isinstance(pos, int):
        feats.append(f"p:{min(pos, 3)}")
    prev = item.get("prev")
    if isinstance(prev, str):
        if not prev.strip():
            feats.append("n:first")
        elif not SENTENCE_END_RE.search(prev) and len(prev.strip()) <= 40:
            feats.append("n:after_heading")
    return feats


def paragraph_items(texts: Sequence[str], sections: Sequence[Sequence[str]]) -> list[Item]:
    """Classifier items of a document's paragraphs in order: text, section path, position under
    its heading and the previous paragraph's text (what :func:`cue_features` reads).

    >>> [it["position"] for it in paragraph_items(["一、问题", "甲。", "乙。", "二、建议", "丙。"],
    ...                                              [[], ["一、问题"], ["一、问题"], [], ["二、建议"]])]
    [0, 0, 1, 0, 0]
    """
    items: list[Item] = []
    last: tuple[str, ...] | None = None
    pos = 0
    prev = ""
    for text, section in zip(texts, sections):
        key = tuple(section or ())
        pos = pos + 1 if key == last else 0
        last = key
        items.append({"text": text, "section": list(section or []), "position": pos, "prev": prev})
        prev = text
    return items


def paragraph_features(item: Item, words: Callable[[str], list[str]], *, ngram_max: int = 3,
                       max_chars: int = 300, section_depth: int = 2, rules: bool = False,
                       cues: bool = False) -> list[str]:
    """Feature strings of one paragraph item; the prefix before ``:`` names the feature block.

    Blocks: ``w`` jieba words, ``c`` character n-grams, ``h1`` words of the nearest heading,
    ``h`` words of the ``section_depth - 1`` headings above it, ``f`` shape flags, ``r``/``rs``
    the rule baseline's labels (with ``rules``).

    >>> f = paragraph_features({"text": "一是加强管理。", "section": ["四、问题", "（二）建议"]}, list)
    >>> [x for x in f if x.startswith(("h1:", "h:", "f:"))][:4]
    ['h1:二', 'h1:建', 'h1:议', 'h:四']
    """
    text = item["text"]
    head = text[:max_chars]
    norm = normalize_for_ngrams(head)
    feats = [f"w:{w}" for w in words(norm) if not PUNCT_ONLY_RE.match(w)]
    feats += [f"c:{g}" for g in char_ngrams(norm, 1, ngram_max)]
    section = [s for s in (item.get("section") or []) if isinstance(s, str)]
    if section:
        feats += [f"h1:{w}" for w in words(normalize_for_ngrams(section[-1])) if not PUNCT_ONLY_RE.match(w)]
        for heading in section[-section_depth:-1] if section_depth > 1 else []:
            feats += [f"h:{w}" for w in words(normalize_for_ngrams(heading)) if not PUNCT_ONLY_RE.match(w)]
    else:
        feats.append("f:nosection")
    stripped = text.strip()
    feats.append(f"f:len_{length_bucket(len(stripped))}")
    if "\t" in text:
        feats.append("f:table")
    marker = MARKER_RE.match(text)
    if marker:
        feats.append("f:marker")
        if not SENTENCE_END_RE.search(stripped) and len(stripped) <= 40:
            feats.append("f:headinglike")
    if not SENTENCE_END_RE.search(stripped):
        feats.append("f:nosentence")
    if rules:
        feats += rule_features(item)
    if cues:
        feats += cue_features(item)
    return feats


class BlockTfidf:
    """TF-IDF over prefixed feature strings, each block (``w``, ``c``, ``h1``…) L2-normalised
    separately and scaled by its weight, so 600 character n-grams do not drown 3 heading words.

    >>> v = BlockTfidf(min_df=1).fit([["w:加强", "c:加"], ["w:问题"]])
    >>> v.transform([["w:加强", "w:未知"]]).toarray().round(3).tolist()
    [[0.0, 1.0, 0.0]]
    """

    def __init__(self, min_df: int = 1, weights: Mapping[str, float] | None = None):
        self.min_df = min_df
        self.weights = dict(weights or {})

    def fit(self, docs: Sequence[Sequence[str]]) -> "BlockTfidf":
        df: Counter[str] = Counter()
        for d in docs:
            df.update(set(d))
        # Sorted vocabulary: the same data always gives the same column order.
        features = sorted(f for f, c in df.items() if c >= self.min_df)
        n = len(docs)
        self.features_ = features
        self.vocabulary_ = {f: i for i, f in enumerate(features)}
        self.idf_ = np.array([math.log((1 + n) / (1 + df[f])) + 1.0 for f in features], dtype=np.float64)
        return self

    def transform(self, docs: Sequence[Sequence[str]]):
        """The TF-IDF rows of ``docs``: ``(1 + log count) · idf`` per feature, L2-normalised within each block
        and scaled by the block's weight. The arithmetic runs in numpy over all rows at once, in the order the
        per-feature loop used (each block's sum of squares in order of first occurrence; the same IEEE
        operations), so the matrix is bit-identical to that loop's (``tests/test_cls_units.py`` keeps the loop
        and compares) and 3× faster."""
        from itertools import repeat

        from scipy import sparse

        vocab = self.vocabulary_
        fast = self.__dict__.get("_fast")
        if fast is None or fast[0] is not vocab or fast[1] is not self.idf_:
            blocks = [f.split(":", 1)[0] for f in self.features_]
            names = sorted(set(blocks))
            code = {b: i for i, b in enumerate(names)}
            fast = self._fast = (vocab, self.idf_, np.array([code[b] for b in blocks], dtype=np.int64),
                                 np.array([self.weights.get(b, 1.0) for b in names], dtype=np.float64), len(names))
        block_code, block_weight, n_blocks = fast[2], fast[3], fast[4]
        get = vocab.get
        js_parts, cs_parts, lens = [], [], []
        for d in docs:
            counts = Counter(d)  # first-occurrence order
            n = len(counts)
            js_parts.append(np.fromiter(map(get, counts, repeat(-1)), dtype=np.int64, count=n))
            cs_parts.append(np.fromiter(counts.values(), dtype=np.int64, count=n))
            lens.append(n)
        n_docs, n_feat = len(docs), len(self.features_)
        if not n_docs:
            return sparse.csr_matrix((0, n_feat), dtype=np.float64)
        js = np.concatenate(js_parts) if js_parts else np.zeros(0, np.int64)
        cs = np.concatenate(cs_parts) if cs_parts else np.zeros(0, np.int64)
        rows = np.repeat(np.arange(n_docs, dtype=np.int64), lens)
        keep = js >= 0
        js, cs, rows = js[keep], cs[keep], rows[keep]
        if not len(js):
            return sparse.csr_matrix((n_docs, n_feat), dtype=np.float64)
        uc, inv = np.unique(cs, return_inverse=True)  # math.log, as the loop did, once per distinct count
        lc = np.array([1.0 + math.log(c) for c in uc.tolist()], dtype=np.float64)[inv]
        v = lc * self.idf_[js]
        key = rows * n_blocks + block_code[js]
        # each (row, block) sum of squares adds its entries in first-occurrence order, as the loop did
        # (bincount adds in input order); the matrix sorts each row's columns, whatever the entry order
        norm = np.sqrt(np.bincount(key, weights=v * v, minlength=n_docs * n_blocks))
        norm[norm == 0] = 1.0
        vals = block_weight[key % n_blocks] * v / norm[key]
        return sparse.csr_matrix((vals, (rows, js)), shape=(n_docs, n_feat), dtype=np.float64)

    # Plain-data state for saving without pickle.
    def state(self) -> tuple[list[str], np.ndarray]:
        return list(self.features_), self.idf_

    @classmethod
    def from_state(cls, features: list[str], idf: np.ndarray, min_df: int, weights: Mapping[str, float]) -> "BlockTfidf":
        v = cls(min_df=min_df, weights=weights)
        v.features_ = list(features)
        v.vocabulary_ = {f: i for i, f in enumerate(features)}
        v.idf_ = np.asarray(idf, dtype=np.float64)
        if len(v.idf_) != len(v.features_):
            raise JixiaoError(E_BAD_ARRAYS, f"vocabulary has {len(features)} features but idf has {len(v.idf_)}; "
                                            "the model folder is inconsistent, re-train it")
        return v


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def binarize(y: Sequence[Sequence[str]], labels: Sequence[str]) -> np.ndarray:
    """Label sets → a 0/1 matrix in ``labels`` order; unknown labels raise E505.

    >>> binarize([["建议"], []], LABELS).tolist()
    [[0, 0, 1], [0, 0, 0]]
    """
    index = {l: i for i, l in enumerate(labels)}
    Y = np.zeros((len(y), len(labels)), dtype=np.int64)
    for r, row in enumerate(y):
        if isinstance(row, str):
            raise JixiaoError(E_BAD_DATA, f"target {r} is a string {row!r}; give a list of labels per paragraph")
        for lab in row:
            if lab not in index:
                raise JixiaoError(E_BAD_LABEL, f"unknown label {lab!r} in target {r}; allowed: {', '.join(labels)}")
            Y[r, index[lab]] = 1
    return Y


def groups_of(items: Sequence[Item]) -> list[str]:
    """The document of each item (``context.doc_id``), for inner CV that keeps documents whole."""
    return [str((it.get("context") or {}).get("doc_id", "")) for it in items]


def decide(proba: np.ndarray, labels: Sequence[str], thresholds: Mapping[str, float]) -> list[list[str]]:
    """Label sets from probabilities and per-label thresholds (``p >= t``)."""
    t = np.array([thresholds.get(l, 0.5) for l in labels])
    return [[l for l, on in zip(labels, row) if on] for row in (proba >= t)]


# ---------------------------------------------------------------------------------------------
# TF-IDF + logistic regression


def threshold_grid(band: Sequence[float] | None = None, step: float = 0.025) -> np.ndarray | None:
    """Candidate thresholds inside ``band = [low, high]`` (both included) on the 0.025 grid of
    :func:`jixiao.models.estimator.best_threshold`; ``None`` for no band (that function's own grid).

    >>> threshold_grid([0.4, 0.6]).tolist()
    [0.4, 0.425, 0.45, 0.475, 0.5, 0.525, 0.55, 0.575, 0.6]
    """
    if band is None:
        return None
    lo, hi = (float(x) for x in band)
    if not 0.0 < lo <= 0.5 <= hi < 1.0:
        raise UsageError(E_BAD_CONFIG, f"threshold_band {list(band)} must be [low, high] with 0 < low <= 0.5 <= high < 1; "
                                      "e.g. [0.4, 0.6]")
    return np.round(np.arange(lo, hi + step / 2, step), 3)


# Training features of the same paragraph in the same setting are computed once per process
# (cross-validation featurises every training paragraph once per fold otherwise); prediction never uses it.
_FEATURE_CACHE: dict[tuple, list[str]] = {}


@register("tfidf_logreg.v1")
class TfidfLogReg(Estimator):
    """One-vs-rest logistic regression over TF-IDF of words, character n-grams and headings.

    Args:
        labels: label order of the probability columns.
        C: inverse regularisation strength of each logistic regression.
        ngram_max: longest character n-gram.
        max_chars: only the first ``max_chars`` characters of a paragraph give text features.
        section_depth: how many headings of the section path give features.
        min_df: features seen in fewer training paragraphs are dropped.
        section_weight: scale of the heading blocks relative to the text blocks.
        threshold_folds: inner CV folds (over training documents) to tune per-label thresholds;
            0 or 1 keeps 0.5.
        threshold_beta: F-beta the thresholds maximise (< 1 favours precision).
        threshold_min_precision: only thresholds reaching this out-of-fold precision compete.
        threshold_band: ``[low, high]``: tuned thresholds stay inside this band (``None``: the whole
            0.05–0.95 grid). The inner models see one training document fewer than the model they
            tune for, so their scores run low and an unbounded search follows them down; a band
            around 0.5 lets the training documents move a threshold, but only so far.
        rule_features: add the rule baseline's labels (:func:`rule_features`) as features.
        rule_weight: scale of the rule block.
        seed: random state of the solver.
        cue_features: add cue classes, marker kind, place in the section and neighbour shape
            (:func:`cue_features`).
        cue_weight: scale of those blocks.
        class_weight: ``"balanced"`` or None, passed to each logistic regression.
    """

    def __init__(self, labels: Sequence[str] = LABELS, C: float = 4.0, ngram_max: int = 3, max_chars: int = 300,
                 section_depth: int = 2, min_df: int = 2, section_weight: float = 1.0, threshold_folds: int = 4,
                 threshold_beta: float = 1.0, threshold_min_precision: float | None = None, rule_features: bool = True,
                 rule_weight: float = 3.0, threshold_band: Sequence[float] | None = None, seed: int = 0,
                 cue_features: bool = False, cue_weight: float = 1.0, class_weight: str | None = "balanced"):
        self.labels = labels
        self.C = C
        self.ngram_max = ngram_max
        self.max_chars = max_chars
        self.section_depth = section_depth
        self.min_df = min_df
        self.section_weight = section_weight
        self.threshold_folds = threshold_folds
        self.threshold_beta = threshold_beta
        self.threshold_min_precision = threshold_min_precision
        self.threshold_band = threshold_band
        self.rule_features = rule_features
        self.rule_weight = rule_weight
        self.seed = seed
        self.cue_features = cue_features
        self.cue_weight = cue_weight
        self.class_weight = class_weight

    # -- features ------------------------------------------------------------------------------
    def _dict_path(self) -> str | None:
        return getattr(self, "dict_path_", None) or str(DEFAULT_DICT)

    def _featurize(self, items: Sequence[Item], cache: bool = False) -> list[list[str]]:
        """Feature strings of each item; ``cache`` (training only: cross-validation fits the same
        paragraphs once per fold) memoises them process-wide, never at prediction time."""
        words = word_tokenizer(self._dict_path()).words
        if not cache:
            return [paragraph_features(it, words, ngram_max=self.ngram_max, max_chars=self.max_chars,
                                       section_depth=self.section_depth, rules=self.rule_features,
                                       cues=self.cue_features) for it in items]
        setting = (self._dict_path(), self.ngram_max, self.max_chars, self.section_depth, self.rule_features,
                   self.cue_features)
        out = []
        for it in items:
            key = (setting, it["text"], tuple(it.get("section") or ()), it.get("position"), it.get("prev"))
            feats = _FEATURE_CACHE.get(key)
            if feats is None:
                feats = paragraph_features(it, words, ngram_max=self.ngram_max, max_chars=self.max_chars,
                                           section_depth=self.section_depth, rules=self.rule_features,
                                           cues=self.cue_features)
                if len(_FEATURE_CACHE) < 200_000:
                    _FEATURE_CACHE[key] = feats
            out.append(feats)
        return out

    def _weights(self) -> dict[str, float]:
        w = self.cue_weight
        return {"h1": self.section_weight, "h": self.section_weight, "r": self.rule_weight, "rs": self.rule_weight,
                "q": w, "ql": w, "m": w, "p": w, "n": w}

    def _fit_features(self, feats: Sequence[Sequence[str]], Y: np.ndarray):
        from sklearn.linear_model import LogisticRegression

        vec = BlockTfidf(min_df=self.min_df, weights=self._weights()).fit(feats)
        Xv = vec.transform(feats)
        L = Y.shape[1]
        coef = np.zeros((L, Xv.shape[1]))
        intercept = np.zeros(L)
        for j in range(L):
            pos = int(Y[:, j].sum())
            if pos == 0 or pos == len(Y):
                # One class only: a constant score at the smoothed prior.
                intercept[j] = math.log((pos + 0.5) / (len(Y) - pos + 0.5))
                continue
            lr = LogisticRegression(C=self.C, class_weight=self.class_weight, solver="liblinear", max_iter=2000,
                                    random_state=self.seed)
            lr.fit(Xv, Y[:, j])
            coef[j] = lr.coef_[0]
            intercept[j] = lr.intercept_[0]
        return vec, coef, intercept

    # -- estimator API ---------------------------------------------------------------------------
    def fit(self, X: Sequence[Item], y: Sequence[Sequence[str]]) -> "TfidfLogReg":
        items = check_items(X, y)
        if not items:
            raise JixiaoError(E_BAD_DATA, "cannot fit on zero paragraphs; give at least one labelled paragraph")
        labels = list(self.labels)
        Y = binarize(y, labels)
        feats = self._featurize(items, cache=True)
        self.vectorizer_, self.coef_, self.intercept_ = self._fit_features(feats, Y)
        self.thresholds_ = {l: 0.5 for l in labels}
        if self.threshold_folds and self.threshold_folds > 1:
            oof = np.full(Y.shape, np.nan)
            for tr, held in group_folds(groups_of(items), self.threshold_folds):
                vec, coef, icpt = self._fit_features([feats[i] for i in tr], Y[tr])
                oof[held] = sigmoid(vec.transform([feats[i] for i in held]) @ coef.T + icpt)
            seen = ~np.isnan(oof[:, 0])
            grid = threshold_grid(self.threshold_band)
            self.thresholds_ = {l: best_threshold(Y[seen, j], oof[seen, j], beta=self.threshold_beta, grid=grid,
                                                  min_precision=self.threshold_min_precision)
                                for j, l in enumerate(labels)}
        return self

    def decision_function(self, X: Sequence[Item]) -> np.ndarray:
        self._check_fitted("coef_")
        items = check_items(X)
        if not items:
            return np.zeros((0, len(self.labels)))
        return np.asarray(self.vectorizer_.transform(self._featurize(items)) @ self.coef_.T) + self.intercept_

    def predict_proba(self, X: Sequence[Item]) -> np.ndarray:
        """Probabilities, shape ``(len(X), len(labels))``, columns in ``labels`` order."""
        return sigmoid(self.decision_function(X))

    def predict(self, X: Sequence[Item]) -> list[list[str]]:
        """Label sets (probability ≥ the label's tuned threshold)."""
        self._check_fitted("coef_")
        return decide(self.predict_proba(X), list(self.labels), self.thresholds_)

    # -- persistence -----------------------------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        """Write config.json, vocab.json, model.safetensors (idf, coef, intercept), thresholds.json,
        the jieba dictionary and a README.md card. No pickle."""
        self._check_fitted("coef_")
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        features, idf = self.vectorizer_.state()
        write_config(folder, self, {"labels": list(self.labels), "id2label": dict(enumerate(self.labels)),
                                    "n_features": len(features), "files": ["vocab.json", "model.safetensors",
                                                                         "thresholds.json", "jieba_dict.txt"]})
        write_json(folder / "vocab.json", {"features": features})
        save_arrays(folder / "model.safetensors", {"idf": idf, "coef": self.coef_, "intercept": self.intercept_})
        write_json(folder / "thresholds.json", self.thresholds_)
        word_tokenizer(self._dict_path()).save_dictionary(folder)
        card = folder / "README.md"
        if not card.exists():
            card.write_text(_basic_card(self, len(features)), encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> "TfidfLogReg":
        folder = Path(folder)
        cfg = read_config(folder, expect=cls.registered_name)
        est = cls(**known_params(cls, cfg.get("params", {})))
        arrays = load_arrays(folder / "model.safetensors")
        features = read_json(folder / "vocab.json")["features"]
        est.vectorizer_ = BlockTfidf.from_state(features, arrays["idf"], est.min_df, est._weights())
        est.coef_ = arrays["coef"].astype(np.float64)
        est.intercept_ = arrays["intercept"].astype(np.float64)
        if est.coef_.shape != (len(est.labels), len(features)):
            raise JixiaoError(E_BAD_ARRAYS, f"coef has shape {est.coef_.shape}, expected "
                                            f"({len(est.labels)}, {len(features)}); re-train the model", path=str(folder))
        est.thresholds_ = {k: float(v) for k, v in read_json(folder / "thresholds.json").items()}
        d = folder / "jieba_dict.txt"
        est.dict_path_ = str(d) if d.exists() else None
        return est


def known_params(cls: type, params: Mapping[str, Any]) -> dict[str, Any]:
    """Constructor parameters from a config, refusing unknown keys; lists back to tuples for labels."""
    import inspect

    valid = set(inspect.signature(cls.__init__).parameters) - {"self"}
    unknown = set(params) - valid
    if unknown:
        raise JixiaoError(E_BAD_DATA, f"config.json has parameters {sorted(unknown)} unknown to {cls.__name__}; "
                                      "the folder was written by another version, re-train it")
    out = dict(params)
    if "labels" in out:
        out["labels"] = tuple(out["labels"])
    return out


def _basic_card(est: Estimator, n_features: int) -> str:
    return (f"# {est.registered_name}\n\nParagraph-label classifier ({', '.join(getattr(est, 'labels', []))}).\n"
            f"Features: {n_features}. Thresholds: {getattr(est, 'thresholds_', {})}.\n"
            "Trained without a metrics run; `jixiao train cls` writes the full model card.\n")


# ---------------------------------------------------------------------------------------------
# Runtime stage


class ParagraphClassifier:
    """The pipeline's paragraph-label stage around any registered paragraph estimator.

    >>> clf = ParagraphClassifier.load("models/cls")          # doctest: +SKIP
    >>> clf.predict_proba([{"text": "1. 加强预算绩效管理。", "section": ["六、有关对策建议"]}])  # doctest: +SKIP
    [{'经验做法': 0.03, '存在问题': 0.05, '建议': 0.97}]
    """

    def __init__(self, estimator: Estimator):
        self.estimator = estimator
        self.labels = list(getattr(estimator, "labels", LABELS))

    @classmethod
    def load(cls, folder: str | Path) -> "ParagraphClassifier":
        from jixiao.models.estimator import load_estimator

        return cls(load_estimator(folder))

    def predict_proba(self, items: Sequence[Item]) -> list[dict[str, float]]:
        """One ``{label: probability}`` dict per item."""
        items = list(items)
        if not items:
            return []
        proba = self.estimator.predict_proba(items)
        return [{l: float(p) for l, p in zip(self.labels, row)} for row in proba]

    def predict(self, items: Sequence[Item]) -> list[list[str]]:
        """Label sets using the model's tuned thresholds."""
        items = list(items)
        return self.estimator.predict(items) if items else []

    @property
    def thresholds(self) -> dict[str, float]:
        return dict(getattr(self.estimator, "thresholds_", {}))


# ---------------------------------------------------------------------------------------------
# Transformer sequence classifier on the shared character encoder

def seq_cls_class() -> Any:
    """``CharBertForSequenceClassification`` (:mod:`jixiao.models.char_encoder`): the shared character
    encoder (with its word-boundary embedding) plus mean pooling and a linear multi-label head,
    registered with the Auto classes."""
    from jixiao.models.encoder import model_classes, quiet_transformers

    quiet_transformers()
    return model_classes().sequence_classification


def section_text(section: Sequence[str] | None, depth: int = 2, max_chars: int = 40) -> str:
    """The last ``depth`` headings joined with ``／``, cut to ``max_chars`` (the first segment).

    >>> section_text(["四、其他需要说明的问题", "（二）存在问题和建议"])
    '四、其他需要说明的问题／（二）存在问题和建议'
    """
    parts = [s for s in (section or []) if isinstance(s, str)][-depth:] if depth > 0 else []
    return "／".join(parts)[-max_chars:]


@register("transformer_cls.v1")
class TransformerCls(Estimator):
    """Multi-label sequence classification on the shared character encoder.

    Input is ``section path [SEP] paragraph text``. With ``encoder=None`` a small random model is
    built from ``tiny`` (tests); otherwise the encoder folder (``models/encoder``, written by
    ``jixiao pretrain``) provides tokenizer and weights.

    Args:
        encoder: folder of the pre-trained character encoder (None: random init from ``tiny``).
        labels: label order of the probability columns.
        max_length: tokens per input, special tokens included (longer paragraphs are cut).
        epochs, batch_size, lr, weight_decay, warmup: optimisation.
        threshold_folds: inner CV folds over training documents for per-label thresholds (each
            trains one more model); 0 or 1 keeps 0.5.
        threshold_beta: F-beta the thresholds maximise.
        section_depth: headings of the section path in the first segment.
        rule_hints: start the first segment with the rule baseline's labels (「规则:存在问题」), so the
            model can lean on the rules as the TF-IDF model does through its rule features.
        tiny: config overrides of the random model (hidden_size, num_hidden_layers, …).
        num_threads: torch CPU threads while training and predicting (None: leave as is).
        seed: seed of initialisation, shuffling and dropout.
    """

    def __init__(self, encoder: str | None = "models/encoder", labels: Sequence[str] = LABELS, max_length: int = 160,
                 epochs: int = 6, batch_size: int = 16, lr: float = 1e-4, weight_decay: float = 0.01,
                 warmup: float = 0.1, threshold_folds: int = 2, threshold_beta: float = 1.0, section_depth: int = 2,
                 rule_hints: bool = True, tiny: Mapping[str, Any] | None = None, num_threads: int | None = 1,
                 seed: int = 0):
        self.encoder = encoder
        self.labels = labels
        self.max_length = max_length
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.warmup = warmup
        self.threshold_folds = threshold_folds
        self.threshold_beta = threshold_beta
        self.section_depth = section_depth
        self.rule_hints = rule_hints
        self.tiny = tiny
        self.num_threads = num_threads
        self.seed = seed

    # -- building ----------------------------------------------------------------------------------
    def _new_model(self, items: Sequence[Item]):
        from jixiao.models.char_tokenizer import build_char_tokenizer, load_char_tokenizer
        from jixiao.models.encoder import MODEL_TYPE, model_classes

        cls = seq_cls_class()
        labels = list(self.labels)
        kw = dict(num_labels=len(labels), problem_type="multi_label_classification",
                  id2label=dict(enumerate(labels)), label2id={l: i for i, l in enumerate(labels)})
        if self.encoder:
            folder = Path(self.encoder)
            if not (folder / "config.json").is_file():
                from jixiao.models.estimator import E_NO_ENCODER

                raise JixiaoError(E_NO_ENCODER, "no pre-trained encoder here; run `jixiao pretrain` first, or set "
                                                "transformer_cls.encoder to null for a randomly initialised model",
                                  path=str(folder))
            tokenizer = load_char_tokenizer(folder)
            cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            if cfg.get("model_type") == MODEL_TYPE:
                model = cls.from_pretrained(str(folder), **kw)
            else:  # any local Hugging Face checkpoint (BERT, RoBERTa…)
                from transformers import AutoModelForSequenceClassification

                model = AutoModelForSequenceClassification.from_pretrained(str(folder), **kw)
            return model, tokenizer
        texts = [it["text"] for it in items] + [self._first_segment(it) for it in items]
        tokenizer = build_char_tokenizer(texts, model_max_length=self.max_length)
        conf = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
                    max_position_embeddings=max(self.max_length, 16), use_word_boundaries=True)
        conf.update(self.tiny or {})
        config = model_classes().config(vocab_size=len(tokenizer), **conf, **kw)
        return cls(config), tokenizer

    def _encode(self, tokenizer, model, items: Sequence[Item]) -> list[dict[str, list[int]]]:
        from jixiao.models.encoder import BOUNDARY_IDS, uses_boundaries

        words = word_tokenizer(self._dict_path()).word_boundaries if uses_boundaries(model) else None
        firsts = [self._first_segment(it) for it in items]
        seconds = [it["text"] for it in items]
        enc = tokenizer(firsts, seconds, truncation="only_second", max_length=self.max_length,
                        return_offsets_mapping=True, return_token_type_ids=True)
        out = []
        for i in range(len(items)):
            ids = enc["input_ids"][i]
            row = {"input_ids": ids, "token_type_ids": enc["token_type_ids"][i], "boundary_ids": [0] * len(ids)}
            if words is not None:
                seq_ids = enc.sequence_ids(i)
                tags = (words(firsts[i]), words(seconds[i]))
                row["boundary_ids"] = [
                    0 if s is None or o[1] <= o[0] or o[0] >= len(tags[s]) else BOUNDARY_IDS.get(tags[s][o[0]], 0)
                    for s, o in zip(seq_ids, enc["offset_mapping"][i])]
            out.append(row)
        return out

    def _first_segment(self, item: Item) -> str:
        """``规则:label,… ／ section path`` (rule part only with ``rule_hints``)."""
        sec = section_text(item.get("section"), self.section_depth)
        if not self.rule_hints:
            return sec
        hints = [f[2:] for f in rule_features(item) if f.startswith("r:")]
        return f"规则:{'、'.join(hints) or '无'}／{sec}"

    @staticmethod
    def _batch(rows: Sequence[dict[str, list[int]]], pad_id: int):
        import torch

        n = max(len(r["input_ids"]) for r in rows)
        arr = {k: torch.full((len(rows), n), pad_id if k == "input_ids" else 0, dtype=torch.long)
               for k in ("input_ids", "token_type_ids", "boundary_ids", "attention_mask")}
        for r, row in enumerate(rows):
            k = len(row["input_ids"])
            for key in ("input_ids", "token_type_ids", "boundary_ids"):
                arr[key][r, :k] = torch.tensor(row[key])
            arr["attention_mask"][r, :k] = 1
        return arr

    def _dict_path(self) -> str | None:
        return getattr(self, "dict_path_", None) or str(DEFAULT_DICT)

    def _train(self, items: Sequence[Item], Y: np.ndarray):
        import torch

        if self.num_threads:
            torch.set_num_threads(self.num_threads)
        torch.manual_seed(self.seed)
        model, tokenizer = self._new_model(items)
        rows = self._encode(tokenizer, model, items)
        pos = Y.sum(0)
        model.pos_weight = torch.tensor(np.clip((len(Y) - pos) / np.maximum(pos, 1), 1.0, 10.0), dtype=torch.float32)
        opt = torch.optim.AdamW(model.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        steps_per_epoch = max(1, math.ceil(len(rows) / self.batch_size))
        total = steps_per_epoch * self.epochs
        warm = max(1, int(total * self.warmup))
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm))))
        rng = np.random.RandomState(self.seed)
        labels_t = torch.tensor(Y, dtype=torch.float32)
        model.train()
        for _epoch in range(self.epochs):
            order = rng.permutation(len(rows))
            for b in range(0, len(order), self.batch_size):
                idx = order[b : b + self.batch_size]
                batch = self._batch([rows[i] for i in idx], tokenizer.pad_token_id)
                out = model(**batch, labels=labels_t[idx])
                out.loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                opt.step()
                sched.step()
                opt.zero_grad()
        model.eval()
        del model.pos_weight
        return model, tokenizer

    def _proba(self, model, tokenizer, items: Sequence[Item], batch_size: int = 64) -> np.ndarray:
        import torch

        if not items:
            return np.zeros((0, len(self.labels)))
        if self.num_threads:
            torch.set_num_threads(self.num_threads)
        rows = self._encode(tokenizer, model, items)
        # Sort by length so padding stays small; restore the order afterwards.
        order = sorted(range(len(rows)), key=lambda i: len(rows[i]["input_ids"]))
        out = np.zeros((len(rows), len(self.labels)))
        with torch.inference_mode():
            for b in range(0, len(order), batch_size):
                idx = order[b : b + batch_size]
                logits = model(**self._batch([rows[i] for i in idx], tokenizer.pad_token_id)).logits
                out[idx] = torch.sigmoid(logits.float()).numpy()
        return out

    # -- estimator API -------------------------------------------------------------------------------
    def fit(self, X: Sequence[Item], y: Sequence[Sequence[str]]) -> "TransformerCls":
        items = check_items(X, y)
        if not items:
            raise JixiaoError(E_BAD_DATA, "cannot fit on zero paragraphs; give at least one labelled paragraph")
        labels = list(self.labels)
        Y = binarize(y, labels)
        self.model_, self.tokenizer_ = self._train(items, Y)
        self.thresholds_ = {l: 0.5 for l in labels}
        if self.threshold_folds and self.threshold_folds > 1:
            oof = np.full(Y.shape, np.nan)
            for tr, held in group_folds(groups_of(items), self.threshold_folds):
                m, tok = self._train([items[i] for i in tr], Y[tr])
                oof[held] = self._proba(m, tok, [items[i] for i in held])
            seen = ~np.isnan(oof[:, 0])
            self.thresholds_ = {l: best_threshold(Y[seen, j], oof[seen, j], beta=self.threshold_beta)
                                for j, l in enumerate(labels)}
        return self

    def predict_proba(self, X: Sequence[Item]) -> np.ndarray:
        """Probabilities, shape ``(len(X), len(labels))``, columns in ``labels`` order."""
        self._check_fitted("model_")
        return self._proba(self.model_, self.tokenizer_, check_items(X))

    def predict(self, X: Sequence[Item]) -> list[list[str]]:
        self._check_fitted("model_")
        return decide(self.predict_proba(X), list(self.labels), self.thresholds_)

    def save(self, folder: str | Path) -> Path:
        """config.json (ours), ``hf/`` (save_pretrained model + tokenizer), thresholds.json, jieba dict."""
        self._check_fitted("model_")
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        write_config(folder, self, {"labels": list(self.labels), "id2label": dict(enumerate(self.labels)),
                                    "files": ["hf/", "thresholds.json", "jieba_dict.txt"]})
        self.model_.save_pretrained(str(folder / "hf"))
        self.tokenizer_.save_pretrained(str(folder / "hf"))
        write_json(folder / "thresholds.json", self.thresholds_)
        word_tokenizer(self._dict_path()).save_dictionary(folder)
        card = folder / "README.md"
        if not card.exists():
            card.write_text(_basic_card(self, 0), encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> "TransformerCls":
        from jixiao.models.char_tokenizer import load_char_tokenizer

        folder = Path(folder)
        cfg = read_config(folder, expect=cls.registered_name)
        est = cls(**known_params(cls, cfg.get("params", {})))
        hf = folder / "hf"
        if not (hf / "config.json").is_file():
            raise JixiaoError(E_BAD_ARRAYS, "hf/ (model weights) missing; the model folder is incomplete, re-train it",
                              path=str(folder))
        hf_cfg = json.loads((hf / "config.json").read_text(encoding="utf-8"))
        from jixiao.models.encoder import MODEL_TYPE

        if hf_cfg.get("model_type") == MODEL_TYPE:
            est.model_ = seq_cls_class().from_pretrained(str(hf))
        else:
            from transformers import AutoModelForSequenceClassification

            est.model_ = AutoModelForSequenceClassification.from_pretrained(str(hf))
        est.model_.eval()
        est.tokenizer_ = load_char_tokenizer(hf)
        est.thresholds_ = {k: float(v) for k, v in read_json(folder / "thresholds.json").items()}
        d = folder / "jieba_dict.txt"
        est.dict_path_ = str(d) if d.exists() else None
        return est
