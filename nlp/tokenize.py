"""jieba behind one wrapper (cf. spaCy's ``ChineseTokenizer``).

The wrapper owns one private ``jieba.Tokenizer`` (never the global one, so two pipelines with
different dictionaries do not interfere), loads the domain dictionary, warms up at construction
and maps every token back to character offsets.

>>> tok = WordTokenizer()
>>> [t.text for t in tok("基金支出预算执行率96.4%")][:3]
['基金支出', '预算执行率', '96.4%']
"""
from __future__ import annotations

import hashlib
import logging
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from jixiao.paths import config_path

# The domain dictionary (fund names, indicator names, units) is configs/domain_dict.txt, shipped with
# the package (jixiao.paths). Model folders keep their own copy (jieba_dict.txt), so a model segments
# as it did in training.
DEFAULT_DICT = config_path("domain_dict.txt")


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int


_FAST_JIEBA = None


def fast_jieba_class():
    """``jieba.Tokenizer`` with its two hot loops (``get_DAG``, ``calc``) written with local names, one
    dictionary lookup per step and a shortcut for one-way DAG nodes (17 % less time in them, 7 % less
    in segmentation): the same arithmetic in the same order, so the same words (checked on the 45 843
    lines of corpus/raw, corpus/written and the gold texts, raw and with numbers masked, HMM on and off).

    >>> import jieba
    >>> s = "基金支出预算执行率96.4%，参保人数12732人"
    >>> fast_jieba_class()().lcut(s) == jieba.Tokenizer().lcut(s)
    True
    """
    global _FAST_JIEBA
    if _FAST_JIEBA is not None:
        return _FAST_JIEBA
    from math import log

    import jieba

    class FastJieba(jieba.Tokenizer):
        def get_DAG(self, sentence):  # noqa: N802 - jieba's name
            self.check_initialized()
            freq = self.FREQ.get
            dag = {}
            n = len(sentence)
            for k in range(n):
                tmplist = []
                i = k
                f = freq(sentence[k])
                while f is not None:  # jieba: `while i < N and frag in FREQ`
                    if f:
                        tmplist.append(i)
                    i += 1
                    if i >= n:
                        break
                    f = freq(sentence[k:i + 1])
                dag[k] = tmplist or [k]
            return dag

        def calc(self, sentence, DAG, route):  # noqa: N803 - jieba's signature
            freq = self.FREQ.get
            n = len(sentence)
            route[n] = (0, 0)
            logtotal = log(self.total)
            for idx in range(n - 1, -1, -1):
                xs = DAG[idx]
                if len(xs) == 1:
                    x = xs[0]
                    route[idx] = (log(freq(sentence[idx:x + 1]) or 1) - logtotal + route[x + 1][0], x)
                else:
                    route[idx] = max((log(freq(sentence[idx:x + 1]) or 1) - logtotal + route[x + 1][0], x)
                                     for x in xs)

    _FAST_JIEBA = FastJieba
    return FastJieba


def load_prefix_dict(tk) -> None:
    """Initialise a ``jieba.Tokenizer`` from a cache of its prefix dictionary that loads 4× faster than
    jieba's own (0.14 s instead of 0.55 s of every start, measured on this machine): the words as one UTF-8
    text and the frequencies as an int64 array in :func:`jixiao.paths.cache_dir`, keyed by the dictionary
    file's path, size and mtime and jieba's version. The same ``FREQ`` and ``total`` as ``initialize()``;
    a cache that cannot be read or written falls back to jieba's own loading."""
    import hashlib
    import os

    import jieba
    import numpy as np

    from jixiao.paths import cache_dir

    try:
        path = Path(tk.dictionary or Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME)
        st = path.stat()
        key = f"{path}|{st.st_size}|{st.st_mtime_ns}|{jieba.__version__}|1"
        stem = cache_dir() / f"jieba-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    except (OSError, AttributeError, TypeError):
        tk.initialize()
        return
    words_file, freq_file = stem.with_suffix(".words"), stem.with_suffix(".freq")
    try:
        words = words_file.read_bytes().decode("utf-8").split("\n")
        freqs = np.fromfile(freq_file, dtype="<i8").tolist()
        if len(freqs) == len(words) and words[0] == key:
            tk.FREQ, tk.total = dict(zip(words[1:], freqs[1:])), freqs[0]
            tk.initialized = True
            return
    except (OSError, ValueError, UnicodeDecodeError):
        pass
    tk.initialize()
    try:
        stem.parent.mkdir(parents=True, exist_ok=True)
        tmp_w = words_file.with_name(f".{words_file.name}.{os.getpid()}.tmp")
        tmp_f = freq_file.with_name(f".{freq_file.name}.{os.getpid()}.tmp")
        tmp_w.write_bytes("\n".join([key, *tk.FREQ]).encode("utf-8"))
        np.asarray([tk.total, *tk.FREQ.values()], dtype="<i8").tofile(tmp_f)
        os.replace(tmp_f, freq_file)
        os.replace(tmp_w, words_file)
    except (OSError, ValueError):
        pass


# jieba's own character classes (jieba.re_han_default, jieba.re_skip_default, jieba.finalseg.re_skip): the
# rules by which Python jieba cuts a run of characters that is not a dictionary word
_JIEBA_BLOCK = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+)", re.U)
_JIEBA_SPACE = re.compile("(\r\n|\\s)", re.U)
_FINALSEG_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")
_HAN = re.compile("[\u4E00-\u9FD5]")
_ASCII_WORD = re.compile(r"[a-zA-Z0-9]+(?:\.\d+)?%?")
_NOT_HAN = re.compile("[^\u4E00-\u9FD5]")


def jieba_pieces(word: str) -> list[str] | None:
    """How Python jieba cuts ``word``, a run of characters that is no dictionary word and holds no Chinese
    character: blocks of jieba's word characters go through its non-Chinese rule (runs of letters and digits,
    a decimal and a % kept together), anything else one character at a time (whitespace runs per character).
    ``None`` for a run with Chinese characters (not handled here).

    >>> jieba_pieces("1-6"), jieba_pieces("93.O%"), jieba_pieces("S_i")
    (['1', '-', '6'], ['93', '.', 'O%'], ['S', '_', 'i'])
    """
    if _HAN.search(word):
        return None
    out: list[str] = []
    for blk in _JIEBA_BLOCK.split(word):
        if not blk:
            continue
        if _JIEBA_BLOCK.fullmatch(blk):
            out += [p for p in _FINALSEG_SKIP.split(blk) if p]
        else:
            for piece in _JIEBA_SPACE.split(blk):
                if piece:
                    out += [piece] if _JIEBA_SPACE.fullmatch(piece) else list(piece)
    return out


class RustJieba:
    """jieba-rs (``rjieba``, the Rust port of jieba: the same dictionary and HMM) with jieba's Python
    cutting of non-Chinese runs restored, so that it gives Python jieba's words with the domain dictionary
    (the same tokens and offsets on every line of corpus/raw, corpus/written and the gold texts, raw and
    with numbers masked: ``tests/test_tokenize_cache.py``) about 9× faster. jieba-rs keeps ``1-6``,
    ``S_i`` or ``93.O%`` whole where Python jieba cuts them; such tokens are cut as jieba would
    (:func:`jieba_pieces`). A token mixing Chinese and other characters that is no dictionary word, which
    Python jieba never makes, sends the paragraph to Python jieba (``fallback``)."""

    def __init__(self, words: list[tuple[str, int | None, str | None]], fallback):
        import rjieba

        self._rs = rjieba.Jieba()
        for w, f, t in words:
            self._rs.add_word(w, f, t)
        self._fallback = fallback  # () -> a Python jieba Tokenizer with the same dictionary
        self.fallbacks = 0

    def tokenize(self, text: str, HMM: bool = True):  # noqa: N803 - jieba's signature
        toks = self._rs.tokenize(text, "default", HMM)
        out = None
        for k, (w, a, b) in enumerate(toks):
            if b - a < 2 or _ASCII_WORD.fullmatch(w) or not _NOT_HAN.search(w) or self._rs.has_word(w):
                if out is not None:  # as Python jieba cuts it
                    out.append((w, a, b))
                continue
            pieces = jieba_pieces(w)
            if pieces is None:  # Chinese and other characters in one non-dictionary token
                self.fallbacks += 1
                return list(self._fallback().tokenize(text, HMM=HMM))
            if out is None:
                out = list(toks[:k])
            for piece in pieces:
                out.append((piece, a, a + len(piece)))
                a += len(piece)
        return toks if out is None else out


_USERDICT_LINE = re.compile("^(.+?)( [0-9]+)?( [a-z]+)?$", re.U)  # jieba.re_userdict


def segmenter() -> str:
    """``rust`` (jieba-rs through ``rjieba``, with Python jieba's cutting of non-Chinese runs) when it is
    installed, else ``python`` (jieba). ``JIXIAO_SEGMENTER=python`` forces Python jieba."""
    import os

    if os.environ.get("JIXIAO_SEGMENTER", "").lower() == "python":
        return "python"
    try:
        import rjieba  # noqa: F401
    except ImportError:
        return "python"
    return "rust"


class WordTokenizer:
    """Segment Chinese text into words with offsets, using jieba plus a domain dictionary.

    Args:
        user_dict: path of a jieba user dictionary (``word [freq] [tag]`` per line);
            defaults to the packaged domain dictionary. ``None`` disables it.
        hmm: let jieba guess unknown words with its HMM (slower, fewer splits of names).
    """

    def __init__(self, user_dict: str | Path | None = DEFAULT_DICT, hmm: bool = True):
        self.user_dict = Path(user_dict) if user_dict else None
        self.hmm = hmm
        self._py = None
        self.engine = segmenter()
        if self.engine == "rust":
            self._tk = RustJieba(self._user_words(), self._python_jieba)
        else:
            self._tk = self._python_jieba()
        self._tk.tokenize("预算执行率")  # warm-up: first call builds caches

    def _user_words(self) -> list[tuple[str, int | None, str | None]]:
        """The user dictionary's entries as jieba's ``load_userdict`` reads them (``word [freq] [tag]``)."""
        words = []
        if self.user_dict is not None and self.user_dict.exists():
            for line in self.user_dict.read_text(encoding="utf-8").splitlines():
                m = _USERDICT_LINE.match(line.strip())
                if m and m.group(1):
                    freq, tag = m.group(2), m.group(3)
                    words.append((m.group(1), int(freq) if freq else None, tag.strip() if tag else None))
        return words

    def _python_jieba(self):
        """Python jieba with the same dictionary (the reference; built on first need)."""
        if self._py is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tk = fast_jieba_class()()
            load_prefix_dict(tk)
            if self.user_dict is not None and self.user_dict.exists():
                tk.load_userdict(str(self.user_dict))
            self._py = tk
        return self._py

    CACHE_SIZE = 20_000  # paragraphs whose segmentation is kept (the stages of a pipeline share it)

    def _segment(self, text: str) -> tuple[tuple[str, int, int], ...]:
        """jieba's words with offsets, memoised: the rules, the NER features, the paragraph and
        role classifiers all segment the same paragraphs."""
        if self.CACHE_SIZE <= 0:  # memoising switched off (jixiao.bench times stages on repeated text)
            return tuple(self._tk.tokenize(text, HMM=self.hmm))
        cache = self.__dict__.setdefault("_cache", {})
        hit = cache.get(text)
        if hit is None:
            if len(cache) >= self.CACHE_SIZE:
                cache.clear()
            hit = cache[text] = tuple(self._tk.tokenize(text, HMM=self.hmm))
        return hit

    def __call__(self, text: str) -> list[Token]:
        return [Token(w, s, e) for w, s, e in self._segment(text)]

    def words(self, text: str) -> list[str]:
        return [w for w, _s, _e in self._segment(text)]

    def word_boundaries(self, text: str) -> list[str]:
        """One B/M/E/S tag per character from the segmentation (a feature for char models)."""
        tags: list[str] = []
        for w, _s, _e in self._segment(text):
            n = len(w)
            tags.extend(["S"] if n == 1 else ["B"] + ["M"] * (n - 2) + ["E"])
        return tags

    def save_dictionary(self, folder: str | Path) -> Path | None:
        """Copy the user dictionary into a model folder so the model carries its segmentation."""
        if self.user_dict is None or not self.user_dict.exists():
            return None
        dst = Path(folder) / "jieba_dict.txt"
        shutil.copyfile(self.user_dict, dst)
        return dst


_SHARED: dict[tuple[str, bool], WordTokenizer] = {}  # (sha256 of the dictionary, hmm) → tokenizer
_BY_FILE: dict[tuple[str, int, int, bool], WordTokenizer] = {}  # (path, mtime, size, hmm) → the same


def shared_tokenizer(user_dict: str | Path | None = DEFAULT_DICT, hmm: bool = True) -> WordTokenizer:
    """One tokenizer per dictionary *content* in the process: model folders carry copies of the same
    dictionary, and their stages then share one jieba instance and its segmentation cache.

    >>> shared_tokenizer() is default_tokenizer()
    True
    """
    path = Path(user_dict) if user_dict else None
    stat = path.stat() if path is not None and path.is_file() else None
    # called per paragraph (rules) and per predict call (classifiers): hash a dictionary file only
    # the first time it is seen in this state
    seen = (str(path), stat.st_mtime_ns, stat.st_size, hmm) if stat else ("", 0, 0, hmm)
    if seen not in _BY_FILE:
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if stat else ""
        if (digest, hmm) not in _SHARED:
            _SHARED[(digest, hmm)] = WordTokenizer(path if stat else None, hmm=hmm)
        _BY_FILE[seen] = _SHARED[(digest, hmm)]
    return _BY_FILE[seen]


def clear_caches() -> None:
    """Forget memoised segmentations (``jixiao.pipeline.Pipeline`` does this at each new document, so
    stages share the segmentation of one document and a benchmark that repeats its corpus does not
    time cache hits)."""
    for tok in _SHARED.values():
        tok.__dict__.pop("_cache", None)


def default_tokenizer() -> WordTokenizer:
    """A process-wide tokenizer with the packaged domain dictionary (built once; the rules call this
    per paragraph)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = shared_tokenizer(DEFAULT_DICT)
    return _DEFAULT


_DEFAULT: WordTokenizer | None = None
