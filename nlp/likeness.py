"""How much a document looks like a performance-evaluation report (绩效评价报告): ``report_likeness``.

The pipeline reads anything that decodes as text, so fiction, source code or random printable
characters come out as confidently structured as a report. This score lets the batch warn (never
refuse) and lets a reader of ``extract.jsonl`` filter. It is deliberately simple and explainable,
four cues in [0, 1] over the first :data:`SAMPLE_CHARS` characters, weighted:

* ``vocabulary`` (0.4): how many distinct terms of the domain list :data:`DOMAIN_TERMS` occur
  (预算, 绩效, 指标, 万元 …), ``distinct / 12`` capped at 1;
* ``density`` (0.2): domain-term occurrences per 1 000 characters, ``/ 10`` capped at 1 (a novel that
  mentions 资金 once in a chapter stays low);
* ``chinese`` (0.2): the share of CJK characters among non-space characters;
* ``structure`` (0.2): Chinese heading lines (一、 （二） 第三部分 …), ``headings / 4`` capped at 1.

Reports of the corpus score 0.8–1.0; a Python file or random characters 0.0; a Chinese novel
~0.2. Below :data:`WARN_BELOW` the batch prints a warning line (E160).

>>> report_likeness("def main():\\n    return (1, 2)\\n")
0.0
>>> report_likeness("一、项目概况\\n二、绩效目标\\n三、指标完成情况\\n四、存在问题\\n"
...                 "项目预算资金8684万元，预算执行率96%，绩效评价得分92分，部门整体支出绩效良好。") >= 0.8
True
"""
from __future__ import annotations

import re
from typing import Any

#: Words that nearly every performance-evaluation report uses and little else does together.
DOMAIN_TERMS: tuple[str, ...] = (
    "绩效", "评价", "预算", "资金", "项目", "指标", "目标", "得分", "分值", "万元", "支出", "执行",
    "完成", "单位", "部门", "基金", "自评", "产出", "效益", "满意度", "问题", "建议", "措施", "年度",
    "财政", "管理", "实施", "资金使用", "预算执行率",
)
WEIGHTS = {"vocabulary": 0.4, "density": 0.2, "chinese": 0.2, "structure": 0.2}
SAMPLE_CHARS = 200_000
WARN_BELOW = 0.4

_TERMS = re.compile("|".join(sorted(map(re.escape, DOMAIN_TERMS), key=len, reverse=True)))
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SPACE = re.compile(r"\s")
_HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十]{1,3}[)）]|第[一二三四五六七八九十\d]{1,3}[部分章节])",
    re.MULTILINE,
)


def likeness_cues(text: str) -> dict[str, float]:
    """The four cues (each in [0, 1]) behind :func:`report_likeness`.

    >>> likeness_cues("资金8684万元")["vocabulary"]
    0.17
    """
    sample = text[:SAMPLE_CHARS]
    chars = len(sample) - len(_SPACE.findall(sample))
    if chars <= 0:
        return {k: 0.0 for k in WEIGHTS}
    hits = _TERMS.findall(sample)
    cues = {
        "vocabulary": min(1.0, len(set(hits)) / 12),
        "density": min(1.0, len(hits) * 1000 / chars / 10),
        "chinese": len(_CJK.findall(sample)) / chars,
        "structure": min(1.0, len(_HEADING.findall(sample)) / 4),
    }
    return {k: round(v, 2) for k, v in cues.items()}


def report_likeness(text: str) -> float:
    """A score in [0, 1]: the weighted cues of :func:`likeness_cues`, rounded to two decimals.

    >>> report_likeness("")
    0.0
    """
    cues = likeness_cues(text)
    return round(sum(WEIGHTS[k] * v for k, v in cues.items()), 2)


def add_report_likeness(doc: Any) -> Any:
    """Set ``doc.meta["report_likeness"]`` from the document's text (paragraphs when present)."""
    paragraphs = getattr(doc, "paragraphs", None) or []
    text = "\n".join(p.text for p in paragraphs) if paragraphs else str(getattr(doc, "text", "") or "")
    doc.meta["report_likeness"] = report_likeness(text)
    return doc


def likeness_warning(score: float | None) -> str | None:
    """The warning the batch prints for a low score, or None.

    >>> likeness_warning(0.9) is None, likeness_warning(0.1)[:24]
    (True, 'does not look like a per')
    """
    if score is None or score >= WARN_BELOW:
        return None
    return (f"does not look like a performance-evaluation report (report_likeness {score:.2f} < "
            f"{WARN_BELOW}: few of its words are report vocabulary); its output is unreliable")
