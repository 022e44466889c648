"""Themes of recurring problems: jieba + TF-IDF + agglomerative clustering, c-TF-IDF names.

Pipeline (all deterministic: rows are sorted, ties broken by row order, no random state):

1. ``ThemeTokenizer`` segments each 问题 sentence with the project's jieba wrapper and drops
   stop-words (built-in function words + ``configs/summarize_stopwords.txt``) and numbers.
2. Identical sentences are clustered once (reports repeat boilerplate) and TF-IDF vectors are
   built over the words.
3. Average-linkage agglomerative clustering on cosine distance with a threshold
   (``ThemeConfig.threshold``) chooses the number of themes from the data. Clusters smaller
   than ``min_theme_size`` sentences dissolve; their sentences join the nearest theme if its
   centroid is within the threshold, otherwise the outlier bucket 「其他/outliers」 (counted,
   listed, never dropped). Above ``max_dense`` distinct sentences the linkage runs on k-means
   micro-cluster centroids (fixed seed) so memory stays bounded.
4. Each theme is named by class-based TF-IDF keywords (BERTopic's c-TF-IDF:
   ``tf(w, c) · log(1 + A / f(w))``) and represented by the sentence nearest its centroid.
5. 原因 and 措施 sentences are linked to each 问题: those after it in the same paragraph, else
   the paragraph(s) that follow (by list position when the problem list and the measure list
   have the same length, else the whole following block).

>>> from jixiao.summarize.aggregate import SentenceRow
>>> def row(i, doc, text):
...     return SentenceRow(f"{doc}:{i}:0", doc, doc, "张掖市", 2023, None, None, i, 0, 0,
...                        len(text), "问题", text, ("存在问题",))
>>> rows = [row(0, "a", "预算编制不准确"), row(1, "b", "预算编制不够准确"),
...         row(2, "c", "档案存储空间不够")]
>>> themes = build_themes(rows, [], ThemeConfig(min_theme_size=2, taxonomy=None))
>>> [(t.id, t.size) for t in themes.themes], len(themes.outliers)
([('T01', 2)], 1)
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from jixiao.errors import (
    E_STOPWORDS, E_TAXONOMY, E_THEME_CONFIG, E_THEME_LABEL, E_THEME_MIN_SIZE, E_THEME_THRESHOLD, UsageError,
)
from jixiao.paths import config_path, model_path, resolve
from jixiao.summarize.aggregate import ROLES, UNKNOWN, SentenceRow

DEFAULT_STOPWORDS = config_path("summarize_stopwords.txt")
DEFAULT_TAXONOMY = config_path("themes.yaml")
OUTLIER_ID = "outliers"
OUTLIER_NAME = "其他/outliers"

# Function words and fillers that carry no topic, whatever the domain (the file adds domain ones).
BUILTIN_STOPWORDS = frozenset(
    "的 了 和 与 及 或 等 在 对 为 是 有 被 把 将 由 从 向 于 以 之 其 该 此 这 那 并 而 且 也 都 "
    "就 又 再 很 较 更 最 已 已经 尚 未 没有 不 无 能 会 要 应 应当 可 可以 可能 个 些 各 各项 "
    "每 一个 一些 这些 那些 上 下 中 内 外 后 前 时 年 月 日 通过 根据 按照 进行 开展 实行 实施 "
    "方面 之间 对于 关于 其中 以上 以下 我们 他们 它们 自身 本 非常 十分 较为 相对 及时 "
    "一 二 三 四 五 六 七 八 九 十 "
    # units and scoring words that survive segmentation next to numbers
    "元 万元 亿元 千元 人 万人 人次 万人次 户 家 个 分 分值 得分 得分率 百分点".split()
)

# list markers at the start of a sentence: 「1.」「（二）」「①」「一是」「3、」
LIST_MARKER_RE = re.compile(
    r"^\s*(?:[（(]?[0-9一二三四五六七八九十]+[)）、.．]|[①-⑳]|[一二三四五六七八九十]是[要，,：:]?)\s*")
# cue phrases that introduce a problem, cause or measure: 「发现的主要问题：」「下一步改进措施：」
# 「偏差的主要原因是」「采取的措施是」「建议」 (they say which role, not what about)
CUE_PREFIX_RE = re.compile(
    r"^(?:(?:发现的?|存在的?)?主要问题[：:]|存在问题[：:]|(?:下一步)?(?:改进|整改)?措施[：:]|"
    r"下一步[：:]|采取的措施是|(?:偏差的?)?主要原因是|偏差原因(?:分析)?[：:]|原因是|原因[：:]|"
    r"建议(?=[\u4e00-\u9fff]))\s*")
# trailing punctuation of a sentence: 「。」「；」「，」
TRAILING_PUNCT_RE = re.compile(r"[。；;，,、！!？?：:\s]+$")
# a token worth keeping: at least one CJK character or Latin letter, and not a number with unit
CONTENT_TOKEN_RE = re.compile(r"[\u4e00-\u9fffA-Za-z]")
# numbers, percentages and amounts: 「96.4%」「2018」「8684万元」
NUMERIC_TOKEN_RE = re.compile(r"^[\d.,%％]+[万亿千百]?[元人次户家个%]*$")


@dataclass(frozen=True)
class ThemeConfig:
    """Knobs of theme building. ``threshold`` is a cosine *distance* (0..1): larger merges more.

    >>> ThemeConfig(threshold=0.8).validated().threshold
    0.8
    """

    threshold: float = 0.8
    min_theme_size: int = 2
    top_keywords: int = 5
    name_keywords: int = 3
    n_quotes: int = 3
    top_links: int = 5
    label: str = "问题"
    stopwords_path: str | None = str(DEFAULT_STOPWORDS)
    max_dense: int = 3000  # above this many distinct sentences, cluster k-means centroids
    taxonomy: str | None = str(DEFAULT_TAXONOMY)  # guided mode: categories file (configs/themes.yaml); None = clusters only
    guided_min_score: float = 1.0  # a sentence joins a category at this score (one seed word = 1)
    vectors: str = "tfidf"  # "tfidf" or "tfidf+encoder" (sentence vectors of the domain encoder beside TF-IDF)
    encoder: str | None = None  # encoder folder for "tfidf+encoder" (default models/encoder)
    encoder_weight: float = 0.5  # share of the encoder cosine in the joined similarity

    def validated(self) -> "ThemeConfig":
        if not 0.0 < self.threshold <= 1.0:
            raise UsageError(E_THEME_THRESHOLD, f"--threshold must be a cosine distance in (0, 1], got "
                                     f"{self.threshold}; 0.8 is a good start, lower = finer themes")
        if self.label not in ROLES + ("经验做法",):
            raise UsageError(E_THEME_LABEL, f"label must be one of 问题, 原因, 措施, 经验做法; got "
                                     f"{self.label!r}")
        if self.vectors not in ("tfidf", "tfidf+encoder"):
            raise UsageError(E_THEME_CONFIG, f"vectors must be tfidf or tfidf+encoder, got {self.vectors!r}")
        if self.min_theme_size < 1:
            raise UsageError(E_THEME_MIN_SIZE, f"--min-theme-size must be at least 1, got "
                                     f"{self.min_theme_size}")
        return self

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["stopwords_path"] = Path(self.stopwords_path).name if self.stopwords_path else None
        d["taxonomy"] = Path(self.taxonomy).name if self.taxonomy else None
        return d


def read_yaml_mapping(p: Path, code: str, what: str, shape: str) -> dict[str, Any]:
    """A YAML file that must hold a mapping (empty file: ``{}``); ``code`` on any problem."""
    import yaml

    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise UsageError(code, f"cannot read {what} ({exc.strerror})", path=str(p)) from exc
    except yaml.YAMLError as exc:
        raise UsageError(code, f"{what} is not valid YAML: {exc}", path=str(p)) from exc
    if not isinstance(data, dict):
        raise UsageError(code, shape, path=str(p))
    return data


def load_theme_config(path: str | Path, **overrides: Any) -> ThemeConfig:
    """A ``ThemeConfig`` from YAML (``configs/summarize.yaml``); ``None`` overrides are ignored.

    A relative ``stopwords_path`` is resolved against the repository root.

    >>> load_theme_config(config_path("summarize.yaml"), threshold=0.6).threshold
    0.6
    """
    import dataclasses

    p = Path(path)
    data = read_yaml_mapping(p, E_THEME_CONFIG, "the config", "the config must be a mapping of option: value")
    fields = {f.name: f for f in dataclasses.fields(ThemeConfig)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise UsageError(E_THEME_CONFIG, f"unknown option(s) {', '.join(unknown)}; valid: "
                                 f"{', '.join(fields)}", path=str(p))
    data.update({k: v for k, v in overrides.items() if v is not None})
    for key, value in data.items():
        want = {"threshold": (int, float), "stopwords_path": (str, type(None)), "taxonomy": (str, type(None)),
                "guided_min_score": (int, float), "label": (str,), "vectors": (str,), "encoder": (str, type(None)),
                "encoder_weight": (int, float)}.get(key, (int,))
        if isinstance(value, bool) or not isinstance(value, want):
            raise UsageError(E_THEME_CONFIG, f"{key} must be {' or '.join(t.__name__ for t in want)}, "
                                     f"got {value!r}", path=str(p))
    for key in ("stopwords_path", "taxonomy"):
        value = data.get(key)
        if isinstance(value, str) and not Path(value).is_absolute():
            data[key] = str(resolve(value))
    for key in ("threshold", "guided_min_score"):
        if key in data:
            data[key] = float(data[key])
    return ThemeConfig(**data).validated()


# --------------------------------------------------------------------------------------------
# Guided themes: the user's categories first (BERTopic's guided topics, with seed words)


@dataclass(frozen=True)
class Category:
    name: str
    description: str
    seeds: tuple[str, ...]


def load_taxonomy(path: str | Path) -> list[Category]:
    """Categories of a taxonomy YAML: ``name: {description: ..., seeds: [...]}`` in file order.

    >>> [c.name for c in load_taxonomy(config_path("themes.yaml"))][:3]
    ['预算编制', '预算执行', '绩效目标']
    """
    p = Path(path)
    data = read_yaml_mapping(p, E_TAXONOMY, "the taxonomy", "the taxonomy must map category: {description, seeds}")
    out = []
    for name, spec in data.items():
        spec = spec if isinstance(spec, dict) else {}
        seeds = spec.get("seeds") or []
        if not isinstance(seeds, list) or not all(isinstance(x, str) for x in seeds):
            raise UsageError(E_TAXONOMY, f"category {name!r}: seeds must be a list of words", path=str(p))
        out.append(Category(str(name), str(spec.get("description") or ""), tuple(x for x in seeds if x.strip())))
    return out


def category_scores(text: str, categories: Sequence[Category], tokenizer: "ThemeTokenizer | None" = None,
                    descs: Sequence[frozenset[str]] | None = None) -> list[float]:
    """Score of each category for one sentence: 1 per seed word it contains, 0.25 per word of the
    category's description (the description only tips a balance, seeds decide).

    >>> cats = [Category("预算执行", "支出进度慢、执行率低", ("执行率", "支出进度")),
    ...         Category("资金拨付", "资金拨付不及时", ("拨付", "不及时"))]
    >>> category_scores("资金拨付不及时，执行率偏低", cats)
    [1.0, 2.0]
    """
    norm = unicodedata.normalize("NFKC", text)
    words = set(tokenizer.tokens(norm)) if tokenizer is not None else set()
    if descs is None:
        descs = description_words(categories, tokenizer)
    scores = []
    for c, desc in zip(categories, descs):
        score = float(sum(1 for w in c.seeds if w in norm))
        if words and desc:
            score += 0.25 * len(words & desc)
        scores.append(score)
    return scores


def description_words(categories: Sequence[Category], tokenizer: "ThemeTokenizer | None") -> list[frozenset[str]]:
    """Words of each category's description that are not its seeds (tokenised once per taxonomy)."""
    return [frozenset(tokenizer.tokens(c.description)) - set(c.seeds) if tokenizer is not None and c.description
            else frozenset() for c in categories]


def assign_categories(texts: Sequence[str], categories: Sequence[Category], min_score: float = 1.0,
                      tokenizer: "ThemeTokenizer | None" = None) -> list[int]:
    """Index of the category each text joins (-1: none reaches ``min_score``; ties: file order).

    >>> cats = [Category("预算执行", "", ("执行率",)), Category("其他", "", ())]
    >>> assign_categories(["执行率偏低", "档案不全"], cats)
    [0, -1]
    """
    descs = description_words(categories, tokenizer)
    out = []
    for t in texts:
        sc = category_scores(t, categories, tokenizer, descs)
        best = max(range(len(sc)), key=lambda i: (sc[i], -i)) if sc else -1
        out.append(best if best >= 0 and sc[best] >= min_score else -1)
    return out


LEAD_CONJ_RE = re.compile(r"^(?:而且|并且|同时|但是|但|而|且|并|还|也|又|由于|因)")


def key_phrase(texts: Sequence[str], keywords: Sequence[str], max_chars: int = 16) -> str | None:
    """A short readable name for a theme: the clause of its sentences that holds the most of its
    keywords (ties: the clause most sentences share, then the shorter, then the first).

    >>> key_phrase(["1. 预算执行进度慢，年底突击支出。", "预算执行进度慢。", "执行进度偏慢"], ["预算", "执行", "进度"])
    '预算执行进度慢'
    """
    counts: Counter = Counter()
    first: dict[str, int] = {}
    for t in texts:
        for clause in re.split(r"[，。；：,;:！？、]", strip_marker(t)):
            clause = TRAILING_PUNCT_RE.sub("", clause.strip()).rstrip(".")
            clause = LEAD_CONJ_RE.sub("", clause)  # 「且相关经费不足」 → 「相关经费不足」
            if 2 <= len(clause) <= max_chars and not re.search(r"\d", clause):
                counts[clause] += 1
                first.setdefault(clause, len(first))
    if not counts:
        return None

    def rank(c: str):
        return (-sum(1 for k in keywords if k in c), -counts[c], len(c), first[c])

    best = min(counts, key=rank)
    return best if any(k in best for k in keywords) or counts[best] > 1 else None


# --------------------------------------------------------------------------------------------
# Tokenising


def load_stopwords(path: str | Path | None) -> frozenset[str]:
    """Built-in stop-words plus those of ``path`` (one per line, ``#`` comments).

    >>> "进一步" in load_stopwords(DEFAULT_STOPWORDS), "的" in load_stopwords(None)
    (True, True)
    """
    words = set(BUILTIN_STOPWORDS)
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise UsageError(E_STOPWORDS, "stop-word file not found; pass an existing file or none",
                             path=str(p))
        for line in p.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                words.add(line)
    return frozenset(words)


def strip_marker(text: str) -> str:
    """Sentence text without list marker and trailing punctuation.

    >>> strip_marker("一是要大力推进全民参保计划。")
    '大力推进全民参保计划'
    >>> strip_marker("发现的主要问题：存储空间不够。")
    '存储空间不够'
    """
    s = unicodedata.normalize("NFKC", text).strip()
    prev = None
    while prev != s:
        prev, s = s, LIST_MARKER_RE.sub("", s, count=1)
        s = CUE_PREFIX_RE.sub("", s, count=1)
    return TRAILING_PUNCT_RE.sub("", s)


class ThemeTokenizer:
    """jieba words (through ``jixiao.tokenize``) minus stop-words, numbers and single characters.

    >>> ThemeTokenizer(stopwords=frozenset()).tokens("预算编制不准确")  # doctest: +SKIP
    ['预算', '编制', '准确']
    """

    def __init__(self, stopwords: frozenset[str]):
        self.stopwords = stopwords
        self._words = _word_segmenter()

    def tokens(self, text: str) -> list[str]:
        out = []
        for w in self._words(strip_marker(text)):
            w = w.strip().lower()
            if len(w) < 2 or w in self.stopwords or not CONTENT_TOKEN_RE.search(w):
                continue
            if NUMERIC_TOKEN_RE.match(w):
                continue
            out.append(w)
        return out


def cluster_features(words: Sequence[str], stopwords: frozenset[str] = frozenset()) -> list[str]:
    """Clustering features: the words plus the character bigrams of words of 3+ characters.

    Bigrams let 「档案资料」 meet 「档案」 and 「存储空间」 meet 「空间」 when jieba segments the
    same idea differently; they are used for distances only, theme names use whole words.

    >>> cluster_features(["档案资料", "整理"])
    ['档案资料', '整理', '档案', '案资', '资料']
    """
    out = list(words)
    for w in words:
        if len(w) >= 3:
            out.extend(bg for bg in (w[i:i + 2] for i in range(len(w) - 1))
                       if bg not in stopwords and CONTENT_TOKEN_RE.search(bg))
    return out


def _word_segmenter():
    """The project's jieba wrapper; plain jieba when it is not importable."""
    try:
        from jixiao.tokenize import default_tokenizer

        return default_tokenizer().words
    except ImportError:  # pragma: no cover - the wrapper ships with nlp
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        tk = jieba.Tokenizer()
        return lambda text: tk.lcut(text, HMM=True)


# --------------------------------------------------------------------------------------------
# Vectors and clustering


def tfidf_matrix(token_lists: Sequence[list[str]]):
    """L2-normalised TF-IDF rows (sparse) and the sorted vocabulary, rows in input order.

    The same weighting as scikit-learn's ``TfidfVectorizer(sublinear_tf=True)``
    (``1 + ln tf`` times the smoothed ``ln((1 + n) / (1 + df)) + 1``), without importing it.

    >>> X, vocab = tfidf_matrix([["预算", "编制"], ["预算"]])
    >>> X.shape, vocab
    ((2, 2), ['编制', '预算'])
    """
    from scipy.sparse import csr_matrix, diags

    vocab = sorted({t for toks in token_lists for t in toks})
    index = {t: i for i, t in enumerate(vocab)}
    n = len(token_lists)
    df = np.zeros(len(vocab))
    rows, cols, vals = [], [], []
    for r, toks in enumerate(token_lists):
        counts = Counter(toks)
        for t in sorted(counts):
            rows.append(r)
            cols.append(index[t])
            vals.append(1.0 + math.log(counts[t]))
            df[index[t]] += 1
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0 if len(vocab) else df
    X = csr_matrix((np.asarray(vals, dtype=float), (rows, cols)), shape=(n, len(vocab)))
    if len(vocab):
        X = (X @ diags(idf)).tocsr()
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return (diags(1.0 / norms) @ X).tocsr(), vocab


def agglomerate(X, threshold: float, max_dense: int = 3000) -> np.ndarray:
    """Cluster labels from average-linkage agglomerative clustering on cosine distance.

    Clusters are cut where the average distance between them exceeds ``threshold``, so the
    number of themes follows from the data. Rows must be L2-normalised and non-zero. Labels
    are renumbered by first occurrence: the same rows in the same order give the same labels.

    >>> from scipy.sparse import csr_matrix
    >>> agglomerate(csr_matrix([[1.0, 0], [0.99, 0.14], [0, 1.0]]), 0.5).tolist()
    [0, 0, 1]
    """
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    n = X.shape[0]
    if n <= 1:
        return np.zeros(n, dtype=int)
    if n > max_dense:
        return _renumber(_agglomerate_large(X, threshold, max_dense))
    sim = (X @ X.T).toarray() if hasattr(X, "toarray") else X @ X.T
    dist = np.clip(1.0 - sim, 0.0, 2.0)
    np.fill_diagonal(dist, 0.0)
    dist = np.round((dist + dist.T) / 2.0, 10)  # symmetric, and stable across BLAS builds
    Z = linkage(squareform(dist, checks=False), method="average")
    return _renumber(fcluster(Z, t=threshold, criterion="distance"))


def _agglomerate_large(X, threshold: float, max_dense: int) -> np.ndarray:
    """Many sentences: k-means micro-clusters (fixed seed), then exact linkage on their centroids.

    Memory stays O(max_dense²) instead of O(n²); SVD to 128 dimensions keeps k-means fast.
    """
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    dims = min(128, X.shape[1] - 1)
    Z = TruncatedSVD(n_components=dims, random_state=0).fit_transform(X) if dims >= 2 \
        else X.toarray()
    Z = normalize(Z)
    k = max(2, min(max(max_dense // 3, 2), X.shape[0] // 4))
    km = MiniBatchKMeans(n_clusters=k, random_state=0, n_init=1, batch_size=4096,
                         max_iter=100)
    micro = km.fit_predict(Z)
    used = np.unique(micro)
    centers = normalize(np.vstack([Z[micro == c].mean(axis=0) for c in used]))
    from scipy.sparse import csr_matrix

    top = agglomerate(csr_matrix(centers), threshold, max_dense=len(used) + 1)
    of_micro = {int(c): int(t) for c, t in zip(used, top, strict=True)}
    return np.array([of_micro[int(m)] for m in micro])


def _renumber(labels: np.ndarray) -> np.ndarray:
    mapping: dict[int, int] = {}
    out = np.empty(len(labels), dtype=int)
    for i, lab in enumerate(labels.tolist()):
        out[i] = mapping.setdefault(lab, len(mapping))
    return out


def c_tf_idf(class_tokens: Sequence[Sequence[str]]) -> list[dict[str, float]]:
    """Class-based TF-IDF (BERTopic): per class, ``tf(w,c)/|c| · log(1 + A / f(w))``.

    ``A`` is the average number of words per class and ``f(w)`` the frequency of ``w`` over all
    classes, so words frequent in one class and rare elsewhere score highest.

    >>> scores = c_tf_idf([["预算", "预算", "监管"], ["监管", "档案"]])
    >>> max(scores[0], key=scores[0].get)
    '预算'
    """
    counts = [Counter(toks) for toks in class_tokens]
    total: Counter = Counter()
    for c in counts:
        total.update(c)
    n_classes = max(len(counts), 1)
    avg_words = sum(total.values()) / n_classes
    out = []
    for c in counts:
        size = sum(c.values()) or 1
        out.append({w: (n / size) * math.log(1 + avg_words / total[w]) for w, n in c.items()})
    return out


def top_words(scores: dict[str, float], k: int) -> list[str]:
    """The ``k`` best words, ties broken alphabetically (deterministic)."""
    return [w for w, _ in sorted(scores.items(), key=lambda kv: (-round(kv[1], 12), kv[0]))[:k]]


# --------------------------------------------------------------------------------------------
# Linking causes and measures to problems


@dataclass(frozen=True)
class Link:
    row: SentenceRow
    how: str  # same_paragraph | list_position | following_block


def link_context(problems: Sequence[SentenceRow],
                 context: Sequence[SentenceRow],
                 search_window: int = 20) -> dict[str, list[Link]]:
    """原因/措施 rows linked to each problem row (keyed by ``row_id``).

    1. Same paragraph: the 原因/措施 sentences after the problem up to the next 问题 (all of the
       paragraph's when it states one problem only).
       A paragraph's measures serve all its problems when none follows a problem directly.
    2. No 措施 in the paragraph: the block of paragraphs (within ``search_window`` paragraph
       indexes) that follows the run of problem paragraphs (the
       「存在问题」 list followed by the 「建议」 list). Lists of equal length pair up by position;
       otherwise the problem gets the whole following block.

    >>> from jixiao.summarize.aggregate import SentenceRow
    >>> def r(p, s, role, text):
    ...     return SentenceRow(f"d:{p}:{s}", "d", "d", "R", 2023, None, "S" if role == "问题"
    ...                        else "T", p, 0, s, s + 1, role, text, ())
    >>> ps = [r(1, 0, "问题", "预算编制不准确"), r(2, 0, "问题", "监管不足")]
    >>> ms = [r(4, 0, "措施", "加强预算管理"), r(5, 0, "措施", "加强监管")]
    >>> links = link_context(ps, ps + ms)
    >>> [(l.row.text, l.how) for l in links["d:2:0"]]
    [('加强监管', 'list_position')]
    """
    by_doc: dict[str, list[SentenceRow]] = defaultdict(list)
    for row in context:
        if row.label in ROLES:
            by_doc[row.doc_id].append(row)
    out: dict[str, list[Link]] = {}
    wanted = {p.row_id for p in problems}
    for doc_rows in by_doc.values():
        doc_rows.sort(key=lambda r: (r.paragraph, r.start, r.end))
        paras: dict[int, list[SentenceRow]] = defaultdict(list)
        for row in doc_rows:
            paras[row.paragraph].append(row)
        order = sorted(paras)
        for pos, pidx in enumerate(order):
            rows = paras[pidx]
            probs = [r for r in rows if r.label == "问题"]
            for i, prob in enumerate(probs):
                if prob.row_id not in wanted:
                    continue
                if len(probs) == 1:
                    same = [r for r in rows if r.label != "问题"]
                else:
                    nxt = probs[i + 1].start if i + 1 < len(probs) else None
                    same = [r for r in rows if r.label != "问题" and r.start > prob.start
                            and (nxt is None or r.start < nxt)]
                links = [Link(r, "same_paragraph") for r in same]
                if not any(r.label == "措施" for r in same):
                    # a measure stated once for the paragraph's problems (「下一步改进措施：」)
                    para_measures = [r for r in rows if r.label == "措施" and r not in same]
                    links.extend(Link(r, "same_paragraph") for r in para_measures)
                    if not para_measures:
                        links.extend(_following_links(paras, order, pos, search_window))
                out[prob.row_id] = links
    return out


def _following_links(paras: dict[int, list[SentenceRow]], order: list[int], pos: int,
                     window: int) -> list[Link]:
    """Measures of the block after the run of problem paragraphs containing ``order[pos]``."""
    def has(p: int, role: str) -> bool:
        return any(r.label == role for r in paras[p])

    section = paras[order[pos]][0].section
    start = pos
    while start > 0 and has(order[start - 1], "问题") and \
            paras[order[start - 1]][0].section == section:
        start -= 1
    end = pos
    while end + 1 < len(order) and has(order[end + 1], "问题") and \
            paras[order[end + 1]][0].section == section:
        end += 1
    run = [p for p in order[start:end + 1]]
    block: list[int] = []
    j = end + 1
    while j < len(order) and order[j] - order[end] <= window:
        p = order[j]
        if has(p, "问题"):
            break
        if has(p, "措施"):
            if block and paras[p][0].section != paras[block[0]][0].section:
                break
            block.append(p)
        elif block:
            break
        j += 1
    if not block:
        return []
    if len(block) == len(run):
        target = block[run.index(order[pos])]
        return [Link(r, "list_position") for r in paras[target] if r.label == "措施"]
    return [Link(r, "following_block") for p in block for r in paras[p] if r.label == "措施"]


# --------------------------------------------------------------------------------------------
# Themes


@dataclass
class Theme:
    id: str
    name: str
    keywords: list[str]
    members: list[SentenceRow]
    similarities: list[float]
    links: dict[str, list[Link]] = field(default_factory=dict)
    category: str | None = None  # the taxonomy category of a guided theme

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def documents(self) -> list[str]:
        return sorted({m.doc_id for m in self.members})

    @property
    def regions(self) -> list[str]:
        return sorted({m.region for m in self.members})

    @property
    def single_document(self) -> bool:
        return len(self.documents) == 1


@dataclass
class ThemeResult:
    themes: list[Theme]
    outliers: list[SentenceRow]
    outlier_theme: Theme
    config: ThemeConfig
    links: dict[str, list[Link]]


def _sort_rows(rows: Iterable[SentenceRow]) -> list[SentenceRow]:
    return sorted(rows, key=lambda r: (r.doc_id, r.paragraph, r.start, r.end, r.row_id))


def build_themes(rows: Sequence[SentenceRow], context: Sequence[SentenceRow],
                 config: ThemeConfig | None = None,
                 tokenizer: ThemeTokenizer | None = None) -> ThemeResult:
    """Cluster the rows whose label is ``config.label`` (default 问题) into themes.

    Example: see the module docstring.
    """
    config = (config or ThemeConfig()).validated()
    tokenizer = tokenizer or ThemeTokenizer(load_stopwords(config.stopwords_path))
    subject_all = _sort_rows(r for r in rows if r.label == config.label)
    links = link_context(subject_all, context) if config.label == "问题" else {}
    guided: list[tuple[Category, list[SentenceRow]]] = []
    subject = subject_all
    if config.taxonomy:
        categories = load_taxonomy(config.taxonomy)
        picks = assign_categories([strip_marker(r.text) for r in subject_all], categories,
                                  config.guided_min_score, tokenizer)
        for ci, cat in enumerate(categories):
            members = [r for r, k in zip(subject_all, picks) if k == ci]
            if members:
                guided.append((cat, members))
        subject = [r for r, k in zip(subject_all, picks) if k < 0]

    # distinct texts are clustered once; members of a text share its cluster
    key_of = [strip_marker(r.text) for r in subject]
    uniq: dict[str, int] = {}
    for k in key_of:
        uniq.setdefault(k, len(uniq))
    uniq_texts = list(uniq)
    uniq_tokens = [tokenizer.tokens(t) for t in uniq_texts]
    X, _vocab = tfidf_matrix([cluster_features(t, tokenizer.stopwords) for t in uniq_tokens])
    if config.vectors == "tfidf+encoder" and uniq_texts and X.shape[1]:
        from jixiao.summarize.vectors import combine, encoder_vectors

        X = combine(X, encoder_vectors(uniq_texts, config.encoder or str(model_path("encoder"))),
                    config.encoder_weight)
    nonzero = [i for i, toks in enumerate(uniq_tokens) if toks and X.shape[1] > 0
               and X[i].nnz > 0]
    labels_u = np.full(len(uniq_texts), -1, dtype=int)
    if nonzero:
        sub = X[nonzero]
        labs = agglomerate(sub, config.threshold, config.max_dense)
        labels_u[nonzero] = labs
    counts = Counter()
    for k in key_of:
        if labels_u[uniq[k]] >= 0:
            counts[labels_u[uniq[k]]] += 1
    keep = {c for c, n in counts.items() if n >= config.min_theme_size}

    # centroids of kept clusters; dissolved members join the nearest one within the threshold
    weight_u = np.bincount([uniq[k] for k in key_of], minlength=len(uniq_texts)).astype(float)

    def centroid(members_u: list[int]) -> np.ndarray:
        v = np.asarray(weight_u[members_u] @ X[members_u]).ravel()
        norm = np.linalg.norm(v)
        return v / norm if norm else v

    kept = sorted(keep)
    members_of: dict[int, list[int]] = defaultdict(list)
    for i, lab in enumerate(labels_u.tolist()):
        members_of[lab].append(i)
    cents = {c: centroid(members_of[c]) for c in kept}
    final_u = np.full(len(uniq_texts), -1, dtype=int)
    if kept:
        C = np.vstack([cents[c] for c in kept])
        S = np.asarray(X @ C.T) if X.shape[1] else np.zeros((len(uniq_texts), len(kept)))
    for i in range(len(uniq_texts)):
        if labels_u[i] in keep:
            final_u[i] = labels_u[i]
        elif labels_u[i] >= 0 and kept:
            sims = np.round(S[i], 10)
            best = int(np.argmax(sims))  # first maximum: the lowest cluster id wins ties
            if 1.0 - sims[best] <= config.threshold:
                final_u[i] = kept[best]

    # recompute centroids with the rescued members, then build themes
    groups: dict[int, list[int]] = defaultdict(list)
    for j, k in enumerate(key_of):
        groups[int(final_u[uniq[k]])].append(j)
    cluster_ids = [c for c in groups if c >= 0]
    cents = {c: centroid(sorted({uniq[key_of[j]] for j in groups[c]})) for c in cluster_ids}

    def sims_of(c: int) -> list[float]:
        rows_u = [uniq[key_of[j]] for j in groups[c]]
        return [round(float(x), 6) for x in np.asarray(X[rows_u] @ cents[c]).ravel()]

    # order: biggest first, then more documents, then first appearance
    ordered = sorted(cluster_ids, key=lambda c: (-len(groups[c]),
                                                 -len({subject[j].doc_id for j in groups[c]}),
                                                 groups[c][0]))
    class_tokens = [[t for j in groups[c] for t in uniq_tokens[uniq[key_of[j]]]] for c in ordered]
    outlier_tokens = [t for j in groups.get(-1, []) for t in uniq_tokens[uniq[key_of[j]]]]
    scores = c_tf_idf(class_tokens + [outlier_tokens])
    themes = guided_themes(guided, config, tokenizer, links)
    for n, c in enumerate(ordered):
        kws = top_words(scores[n], config.top_keywords)
        members = [subject[j] for j in groups[c]]
        phrase = key_phrase([m.text for m in members], kws)
        theme = Theme(id=f"T{n + 1:02d}", name=phrase or "、".join(kws[:config.name_keywords]) or "(无关键词)",
                      keywords=kws, members=members, similarities=sims_of(c))
        theme.links = {m.row_id: links.get(m.row_id, []) for m in members}
        themes.append(theme)
    outlier_members = [subject[j] for j in groups.get(-1, [])]
    outlier_theme = Theme(id=OUTLIER_ID, name=OUTLIER_NAME,
                          keywords=top_words(scores[-1], config.top_keywords),
                          members=outlier_members, similarities=[0.0] * len(outlier_members),
                          links={m.row_id: links.get(m.row_id, []) for m in outlier_members})
    return ThemeResult(themes, outlier_members, outlier_theme, config, links)


def guided_themes(guided: Sequence[tuple[Category, list[SentenceRow]]], config: ThemeConfig,
                  tokenizer: ThemeTokenizer, links: dict[str, list[Link]]) -> list[Theme]:
    """One theme per taxonomy category that received sentences, biggest first (ids G01, G02, …).

    The name is the category's; its most telling clause (:func:`key_phrase`) follows it
    (「预算执行：执行进度偏慢」), keywords by c-TF-IDF against the other categories.
    """
    if not guided:
        return []
    toks = [[t for m in members for t in tokenizer.tokens(strip_marker(m.text))] for _, members in guided]
    scores = c_tf_idf(toks)
    order = sorted(range(len(guided)), key=lambda i: (-len(guided[i][1]), i))
    out = []
    for n, i in enumerate(order):
        cat, members = guided[i]
        members = _sort_rows(members)
        kws = top_words(scores[i], config.top_keywords)
        phrase = key_phrase([m.text for m in members], kws)
        # similarity of each member to the category: its share of the theme's keywords
        sims = [round(sum(1 for k in kws if k in m.text) / max(len(kws), 1), 6) for m in members]
        theme = Theme(id=f"G{n + 1:02d}", name=f"{cat.name}：{phrase}" if phrase else cat.name,
                      keywords=kws, members=members, similarities=sims)
        theme.category = cat.name
        theme.links = {m.row_id: links.get(m.row_id, []) for m in members}
        out.append(theme)
    return out


# --------------------------------------------------------------------------------------------
# Per-theme statistics (plain dicts, ready for JSON / Excel / HTML)


def _year_key(year: int | None) -> str:
    return UNKNOWN if year is None else str(year)


def quote(row: SentenceRow, similarity: float | None = None) -> dict[str, Any]:
    """A quote with its source (file, paragraph) for reports."""
    q = {"text": row.text, "doc_id": row.doc_id, "source": row.source,
         "file": Path(row.source).name if row.source else row.doc_id,
         "paragraph": row.paragraph, "section": row.section, "region": row.region,
         "year": row.year}
    if similarity is not None:
        q["similarity"] = similarity
    return q


def _bigrams(text: str) -> set[str]:
    s = strip_marker(text)
    return {s[i:i + 2] for i in range(len(s) - 1)} or {s}


def near_duplicate(a: str, b: str, jaccard: float = 0.6) -> bool:
    """Whether two sentences say the same in nearly the same characters (bigram Jaccard).

    >>> near_duplicate("二是自我评价工作还存在局限性", "二是自评价工作还存在局限性")
    True
    >>> near_duplicate("预算编制不准确", "档案存储空间不够")
    False
    """
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / len(x | y) >= jaccard


def pick_quotes(theme: Theme, n: int) -> list[dict[str, Any]]:
    """The ``n`` sentences nearest the centroid: one per document first, no near-duplicates."""
    order = sorted(range(theme.size), key=lambda i: (-theme.similarities[i], i))
    chosen: list[int] = []

    def fresh(i: int) -> bool:
        return all(not near_duplicate(theme.members[i].text, theme.members[j].text)
                   for j in chosen)

    docs: set[str] = set()
    for i in order:
        if len(chosen) == n:
            break
        if theme.members[i].doc_id not in docs and fresh(i):
            chosen.append(i)
            docs.add(theme.members[i].doc_id)
    for i in order:
        if len(chosen) == n:
            break
        if i not in chosen and fresh(i):
            chosen.append(i)
    return [quote(theme.members[i], theme.similarities[i]) for i in chosen]


def top_linked(theme: Theme, role: str, k: int, tokenizer: ThemeTokenizer | None = None
               ) -> tuple[list[dict[str, Any]], list[str]]:
    """Most common linked causes or measures (same text merged) and their frequent words."""
    seen: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    for m in theme.members:
        for link in theme.links.get(m.row_id, []):
            if link.row.label != role:
                continue
            key = strip_marker(link.row.text)
            if key not in seen:
                seen[key] = {"text": link.row.text, "problems": set(), "documents": set(),
                             "sources": [], "how": link.how, "_row_ids": set()}
                order.append(key)
            entry = seen[key]
            entry["problems"].add(m.row_id)
            entry["documents"].add(link.row.doc_id)
            if link.row.row_id not in entry["_row_ids"]:
                entry["_row_ids"].add(link.row.row_id)
                entry["sources"].append({"file": Path(link.row.source).name or link.row.doc_id,
                                         "doc_id": link.row.doc_id,
                                         "paragraph": link.row.paragraph,
                                         "region": link.row.region, "year": link.row.year})
    ranked = sorted(order, key=lambda key: (-len(seen[key]["documents"]),
                                           -len(seen[key]["problems"]), order.index(key)))
    items = []
    for key in ranked[:k]:
        e = seen[key]
        items.append({"text": e["text"], "documents": len(e["documents"]),
                      "problems": len(e["problems"]), "link": e["how"], "sources": e["sources"]})
    words: list[str] = []
    if tokenizer is not None and order:
        df: Counter = Counter()
        for key in order:
            df.update(set(tokenizer.tokens(key)))
        words = [w for w, _ in sorted(df.items(), key=lambda kv: (-kv[1], kv[0]))[:k]]
    return items, words


def theme_record(theme: Theme, config: ThemeConfig,
                 tokenizer: ThemeTokenizer | None = None) -> dict[str, Any]:
    """All statistics of one theme as a JSON-ready dict."""
    by_year: dict[str, dict[str, int]] = {}
    for m in sorted(theme.members, key=lambda r: (_year_key(r.year), r.doc_id)):
        y = by_year.setdefault(_year_key(m.year), {"sentences": 0, "documents": 0})
        y["sentences"] += 1
    for y in by_year:
        by_year[y]["documents"] = len({m.doc_id for m in theme.members
                                       if _year_key(m.year) == y})
    causes, cause_words = top_linked(theme, "原因", config.top_links, tokenizer)
    measures, measure_words = top_linked(theme, "措施", config.top_links, tokenizer)
    rep = None
    if theme.members:
        best = min(range(theme.size), key=lambda i: (-theme.similarities[i], i))
        rep = quote(theme.members[best], theme.similarities[best])
    return {
        "id": theme.id,
        "name": theme.name,
        "category": theme.category,
        "keywords": theme.keywords,
        "sentences": theme.size,
        "documents": len(theme.documents),
        "regions": theme.regions,
        "n_regions": len(theme.regions),
        "years": sorted(by_year),
        "by_year": by_year,
        "single_document": bool(theme.members) and theme.id != OUTLIER_ID
                           and theme.single_document,
        "representative": rep,
        "quotes": pick_quotes(theme, config.n_quotes) if theme.id != OUTLIER_ID else [],
        "top_causes": causes,
        "cause_keywords": cause_words,
        "top_measures": measures,
        "measure_keywords": measure_words,
        "members": [
            {**quote(m, theme.similarities[i]), "row_id": m.row_id,
             "causes": [l.row.text for l in theme.links.get(m.row_id, [])
                        if l.row.label == "原因"],
             "measures": [l.row.text for l in theme.links.get(m.row_id, [])
                          if l.row.label == "措施"]}
            for i, m in enumerate(theme.members)],
    }


def theme_region_year(result: ThemeResult) -> list[dict[str, Any]]:
    """Long table theme × region × year: sentences and documents per cell (outliers included).

    >>> theme_region_year(build_themes([], []))
    []
    """
    table = []
    for theme in result.themes + [result.outlier_theme]:
        cells: dict[tuple[str, str], list[SentenceRow]] = defaultdict(list)
        for m in theme.members:
            cells[(m.region, _year_key(m.year))].append(m)
        for (region, year) in sorted(cells):
            ms = cells[(region, year)]
            table.append({"theme": theme.id, "theme_name": theme.name, "region": region,
                          "year": year, "sentences": len(ms),
                          "documents": len({m.doc_id for m in ms})})
    return table


__all__ = [
    "BUILTIN_STOPWORDS", "DEFAULT_STOPWORDS", "Link", "OUTLIER_ID", "OUTLIER_NAME", "Theme",
    "ThemeConfig", "ThemeResult", "ThemeTokenizer", "agglomerate", "build_themes", "c_tf_idf",
    "Category", "assign_categories", "category_scores", "guided_themes", "key_phrase", "load_taxonomy",
    "cluster_features", "link_context", "load_stopwords", "load_theme_config", "near_duplicate", "pick_quotes", "strip_marker", "tfidf_matrix",
    "theme_record", "theme_region_year", "top_linked", "top_words",
]
