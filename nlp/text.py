"""Text with a character map back to the source, so cleaning never loses offsets.

``MappedText`` pairs a string with ``origin``: for every character, the offset of the source
character it came from. Each cleaning step returns a new ``MappedText``; inserted characters
point at the start of the source span they replace.

>>> t = MappedText.from_source("a[bookmark: x]b")
>>> t = t.sub(re.compile(r"\\[bookmark: [^\\]]*\\]"), "")
>>> t.text, t.origin
('ab', [0, 14])
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

# Full-width digits, letters and ％ → ASCII; other full-width punctuation (，：（）) is Chinese usage.
FULLWIDTH: dict[int, str] = {c: chr(c - 0xFEE0) for c in range(0xFF10, 0xFF1A)}
FULLWIDTH.update({c: chr(c - 0xFEE0) for c in range(0xFF21, 0xFF3B)})
FULLWIDTH.update({c: chr(c - 0xFEE0) for c in range(0xFF41, 0xFF5B)})
FULLWIDTH.update({0xFF05: "%", 0x3000: " ", 0x00A0: " "})
# A full-width full stop between digits is a decimal point: 「１２．９万人」 → 「12.9万人」 (not 「12．9」)
FULLWIDTH_DECIMAL = re.compile(r"(?<=\d)．(?=\d)")


def fold_fullwidth(text):  # noqa: ANN001, ANN201  (a str or a MappedText, returned as the same kind)
    """Full-width digits, letters, ％ and a decimal 「．」 folded to ASCII, one character for one (offsets unchanged):
    what cleaning does to a raw line, and what the evaluator and the gold-text harness do to gold paragraphs.

    >>> fold_fullwidth("１２．９万人．")
    '12.9万人．'
    """
    if isinstance(text, str):
        return FULLWIDTH_DECIMAL.sub(".", text.translate(FULLWIDTH))
    return text.translate(FULLWIDTH).sub(FULLWIDTH_DECIMAL, ".")


@dataclass
class MappedText:
    text: str
    origin: list[int] = field(default_factory=list)

    @classmethod
    def from_source(cls, text: str, start: int = 0) -> "MappedText":
        return cls(text, list(range(start, start + len(text))))

    def __len__(self) -> int:
        return len(self.text)

    def __add__(self, other: "MappedText") -> "MappedText":
        return MappedText(self.text + other.text, self.origin + other.origin)

    def slice(self, start: int, end: int) -> "MappedText":
        return MappedText(self.text[start:end], self.origin[start:end])

    def sub(self, pattern: re.Pattern, repl: str | Callable[[re.Match], str]) -> "MappedText":
        """``re.sub`` that keeps the map: replacement characters map to the match start."""
        out: list[str] = []
        origin: list[int] = []
        pos = 0
        for m in pattern.finditer(self.text):
            out.append(self.text[pos : m.start()])
            origin.extend(self.origin[pos : m.start()])
            new = repl(m) if callable(repl) else m.expand(repl)
            anchor = self.origin[m.start()] if m.start() < len(self.origin) else (self.origin[-1] + 1 if self.origin else 0)
            # Keep one-to-one positions where the replacement has the same length (e.g. ０→0).
            if len(new) == m.end() - m.start():
                origin.extend(self.origin[m.start() : m.end()])
            else:
                origin.extend([anchor] * len(new))
            out.append(new)
            pos = m.end()
        out.append(self.text[pos:])
        origin.extend(self.origin[pos:])
        return MappedText("".join(out), origin)

    def translate(self, table: dict[int, str]) -> "MappedText":
        """Character-for-character translation (lengths equal, so the map is unchanged)."""
        return MappedText(self.text.translate(table), self.origin)

    def strip(self, chars: str | None = None) -> "MappedText":
        left = len(self.text) - len(self.text.lstrip(chars))
        right = len(self.text.rstrip(chars))
        if right <= left:
            return MappedText("", [])
        return self.slice(left, right)

    def source_span(self, start: int = 0, end: int | None = None) -> tuple[int, int]:
        """Source offsets [start, end) covered by characters ``start..end`` of this text."""
        end = len(self.text) if end is None else end
        if not self.origin or start >= end:
            return (0, 0)
        return (self.origin[start], self.origin[end - 1] + 1)


import re  # noqa: E402  (used in the doctest above)
