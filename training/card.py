"""The Hugging Face metadata header (YAML front matter) that every model card (README.md) starts with.

One helper for every card writer (``training/ner_card.py``, ``cls.py``, ``roles.py``, ``pretrain.py``):
the Hub reads language, license, library, task, tags and metrics from it.
"""
from __future__ import annotations

from collections.abc import Sequence

#: Per model folder: the Hub task and the tags beyond the common ones.
CARDS: dict[str, dict] = {
    "ner": {"pipeline_tag": "token-classification", "tags": ["ner", "bert", "jixiao_char_bert"],
            "metrics": ["f1", "precision", "recall"]},
    "cls": {"pipeline_tag": "text-classification", "tags": ["multi-label-classification"],
            "metrics": ["f1", "precision", "recall"]},
    "roles": {"pipeline_tag": "text-classification", "tags": ["sentence-classification"],
              "metrics": ["f1", "precision", "recall"]},
    "encoder": {"pipeline_tag": "fill-mask", "tags": ["bert", "masked-lm", "jixiao_char_bert"],
                "metrics": ["perplexity"]},
}
COMMON_TAGS = ["jixiao", "chinese", "government", "performance-evaluation", "绩效评价"]


def card_header(kind: str, *, license: str = "apache-2.0", library_name: str = "jixiao",
                extra_tags: Sequence[str] = ()) -> str:
    """The YAML front matter of a model card of ``kind`` (ner, cls, roles, encoder).

    ``library_name`` is ``jixiao``: the models need jixiao's inputs (word boundaries, rule tags)
    and decoding, so a plain ``transformers.pipeline`` refuses them.

    >>> print(card_header("ner"))  # doctest: +ELLIPSIS
    ---
    language: zh
    license: apache-2.0
    library_name: jixiao
    pipeline_tag: token-classification
    tags:
    - jixiao
    ...
    metrics:
    - f1
    ...
    ---
    <BLANKLINE>
    <BLANKLINE>
    """
    spec = CARDS[kind]
    tags = list(dict.fromkeys([*COMMON_TAGS, *spec["tags"], *extra_tags]))
    lines = ["---", "language: zh", f"license: {license}", f"library_name: {library_name}",
             f"pipeline_tag: {spec['pipeline_tag']}", "tags:", *[f"- {t}" for t in tags],
             "metrics:", *[f"- {m}" for m in spec["metrics"]], "---", ""]
    return "\n".join(lines) + "\n"


def with_card_header(card: str, kind: str, **kwargs) -> str:
    """``card`` (Markdown) with the metadata header of ``kind`` in front, replacing any it had.

    >>> with_card_header("# NER", "ner").startswith("---\\nlanguage: zh") and "# NER" in with_card_header("# NER", "ner")
    True
    >>> with_card_header(with_card_header("# X", "cls"), "cls").count("language: zh")
    1
    """
    return card_header(kind, **kwargs) + strip_card_header(card).lstrip("\n")


def strip_card_header(card: str) -> str:
    """The card without its YAML front matter.

    >>> strip_card_header("---\\nlanguage: zh\\n---\\n# T")
    '# T'
    """
    if card.startswith("---\n"):
        end = card.find("\n---\n", 4)
        if end != -1:
            return card[end + 5:].lstrip("\n")
    return card


#: Card sections written by other tools (``scripts/spacy_peer.py``) that a retrained card keeps.
KEPT_SECTIONS = ("## spaCy peer",)


def write_card(path, card: str, kind: str) -> None:
    """Write ``card`` with its metadata header to ``path`` (a model folder's README.md), keeping
    the sections of :data:`KEPT_SECTIONS` that the previous card had (they come from other tools).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "README.md"
    >>> p.write_text("# Old\\n\\n## spaCy peer\\n\\npeer table\\n", encoding="utf-8") > 0
    True
    >>> write_card(p, "# New\\n", "cls"); "peer table" in p.read_text(encoding="utf-8")
    True
    """
    from pathlib import Path

    path = Path(path)
    kept: list[str] = []
    if path.is_file():
        old = path.read_text(encoding="utf-8")
        for title in KEPT_SECTIONS:
            at = old.find("\n" + title)
            if at != -1 and title not in card:
                rest = old[at + 1:]
                nxt = rest.find("\n## ", len(title))
                kept.append(rest if nxt == -1 else rest[:nxt + 1])
    text = with_card_header(card, kind).rstrip("\n") + "\n"
    for section in kept:
        text += "\n" + section.rstrip("\n") + "\n"
    path.write_text(text, encoding="utf-8")
