"""Aligning predicted with gold paragraphs, and predicted spans with gold offsets."""
from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict, deque
from typing import Any, Iterable, Sequence

from jixiao.units import normalise_text


def _key(text: str) -> str:
    """The second pass's key: no whitespace, full-width digits, letters and ％ folded as cleaning folds them
    (one character for one, so offsets still map): 「１２．９万人」 and 「12.9万人」 align.

    >>> _key("１２．９ 万人")
    '12.9万人'
    """
    from jixiao.text import fold_fullwidth

    return normalise_text(fold_fullwidth(text))


def align_paragraphs(gold_texts: Sequence[str], pred_texts: Sequence[str]) -> list[tuple[int, int, str]]:
    """Pairs ``(gold index, pred index, "exact"|"normalised")`` matching predicted to gold paragraphs.

    First pass: exact text; second pass over what is left: text with whitespace removed and full-width
    forms folded (what cleaning changes in a paragraph, one character for one). Each
    gold paragraph is used at most once; repeated texts pair up in document order.

    >>> align_paragraphs(["甲", "乙 丙", "甲"], ["甲", "乙丙", "丁"])
    [(0, 0, 'exact'), (1, 1, 'normalised')]
    """
    pairs: list[tuple[int, int, str]] = []
    free_pred = list(range(len(pred_texts)))
    free_gold = set(range(len(gold_texts)))
    for how, key in (("exact", lambda t: t), ("normalised", _key)):
        queues: dict[str, deque[int]] = defaultdict(deque)
        for g in sorted(free_gold):
            queues[key(gold_texts[g])].append(g)
        still_free = []
        for p in free_pred:
            queue = queues.get(key(pred_texts[p]))
            if queue:
                g = queue.popleft()
                free_gold.discard(g)
                pairs.append((g, p, how))
            else:
                still_free.append(p)
        free_pred = still_free
    return sorted(pairs)


def map_span(pred_text: str, gold_text: str, start: int, end: int) -> tuple[int, int] | None:
    """Map ``[start, end)`` in ``pred_text`` onto ``gold_text`` when they differ only in whitespace.

    The span's first and last non-space characters are carried over; None when it holds none.

    >>> map_span("收入355,212万元", "收入 355,212 万元", 2, 9)
    (3, 10)
    >>> map_span("为12.9万人", "为１２．９　万人", 1, 7)
    (1, 8)
    """
    pred_pos = [i for i, ch in enumerate(pred_text) if not ch.isspace()]
    gold_pos = [i for i, ch in enumerate(gold_text) if not ch.isspace()]
    if len(pred_pos) != len(gold_pos):
        raise ValueError("texts differ in more than whitespace")
    first = bisect_left(pred_pos, start)
    last = bisect_left(pred_pos, end) - 1
    if last < first:
        return None
    return gold_pos[first], gold_pos[last] + 1


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without leading/trailing whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def clean_pred_spans(text: str, spans: Iterable[tuple[int, int, str, Any]],
                      known: Sequence[str]) -> tuple[list[tuple[int, int, str, Any]], int]:
    """Valid, trimmed, non-overlapping predicted spans (first by start wins) and how many were dropped."""
    kept: list[tuple[int, int, str, Any]] = []
    dropped = 0
    for s, e, kind, value in sorted(spans, key=lambda x: (x[0], -x[1])):
        if not (0 <= s < e <= len(text)) or kind not in known:
            dropped += 1
            continue
        s, e = trim(text, s, e)
        if s >= e or (kept and s < kept[-1][1]):
            dropped += 1
            continue
        kept.append((s, e, kind, value))
    return kept, dropped
