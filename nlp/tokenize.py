"""jieba behind one wrapper (cf. spaCy's ``ChineseTokenizer``).

The wrapper owns one private ``jieba.Tokenizer`` (never the global one, so two pipelines with
different dictionaries do not interfere), loads the domain dictionary, warms up at construction
and maps every token back to character offsets.

>>> tok = WordTokenizer()
>>> [t.text for t in tok("基金支出预算执行率96.4%")][:3]
['基金支出', '预算执行率', '96.4%']
"""
from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

# The domain dictionary (fund names, indicator names, units) is kept in configs/domain_dict.txt;
# nlp/resources/domain_dict.txt links to it so an installed package carries it too. Model folders
# keep their own copy (jieba_dict.txt), so a model segments as it did in training.
DEFAULT_DICT = Path(__file__).resolve().parent / "resources" / "domain_dict.txt"


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int


class WordTokenizer:
    """Segment Chinese text into words with offsets, using jieba plus a domain dictionary.

    Args:
        user_dict: path of a jieba user dictionary (``word [freq] [tag]`` per line);
            defaults to the packaged domain dictionary. ``None`` disables it.
        hmm: let jieba guess unknown words with its HMM (slower, fewer splits of names).
    """

    def __init__(self, user_dict: str | Path | None = DEFAULT_DICT, hmm: bool = True):
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self.user_dict = Path(user_dict) if user_dict else None
        self.hmm = hmm
        self._tk = jieba.Tokenizer()
        self._tk.initialize()
        if self.user_dict is not None and self.user_dict.exists():
            self._tk.load_userdict(str(self.user_dict))
        self._tk.lcut("预算执行率")  # warm-up: first call builds caches

    def __call__(self, text: str) -> list[Token]:
        return [Token(w, s, e) for w, s, e in self._tk.tokenize(text, HMM=self.hmm)]

    def words(self, text: str) -> list[str]:
        return self._tk.lcut(text, HMM=self.hmm)

    def word_boundaries(self, text: str) -> list[str]:
        """One B/M/E/S tag per character from the segmentation (a feature for char models)."""
        tags: list[str] = []
        for w, _s, _e in self._tk.tokenize(text, HMM=self.hmm):
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


_DEFAULT: WordTokenizer | None = None


def default_tokenizer() -> WordTokenizer:
    """A process-wide tokenizer with the packaged domain dictionary (built once)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = WordTokenizer()
    return _DEFAULT
