"""Rule baseline for paragraph labels (经验做法/存在问题/建议) and sentence roles (问题/原因/措施).

Headings are strong evidence, cue words in the body decide (ANNOTATION.md §2–3). The classifier
models must beat these rules leave-one-document-out.
"""
from __future__ import annotations

import re

from jixiao.clean import SENTENCE_END  # sentence ends (ANNOTATION §1): 。！？；, kept in the sentence
from jixiao.doc import Document, Sentence
from jixiao.structure import heading_level

# Clause markers that start a role unit inside a sentence: "一是", "二是", "①"
CLAUSE_MARKER = re.compile(r"(?<=[，,：:；;。])\s*(?=(?:[一二三四五六七八九十]是|[①-⑳]))")
# A clause that opens with an explicit cause cue after a comma starts a unit of its own
# (ANNOTATION.md §7: split only at 由于 / 因 / 受……影响 / 主要原因是 / 究其原因; 导致 / 致使 / 造成 do not split).
CAUSE_SPLIT = re.compile(r"(?<=[，,])\s*(?=(?:主要原因是|主要原因在于|原因是|原因在于|究其原因|主要是由于|主要由于|由于|因为"
                         r"|因(?![此而地病材素时为此公私])|主要受|受[^，。；,;]{1,20}影响|一方面是|另一方面是))")

SECTION_PRACTICE = re.compile(r"经验|做法|成效|亮点|特色|工作措施|重点工作")
SECTION_PROBLEM = re.compile(r"问题|不足|困难|偏差|原因分析")
SECTION_ADVICE = re.compile(r"建议|下一步|改进|对策|计划|打算|措施|整改|后续工作")
# Sections whose numbered items are duties, definitions or facts, never practices: "基本职能及主要工作"
SECTION_OTHER = re.compile(r"其他需要说明|基本情况|概况|名词解释|附表|附件|评价结论$|职能|职责")

# Problem cues: "难度大", "有待完善", "不准确", "缺乏", "匮乏", "不够"
PROBLEM_CUE = re.compile(
    r"不足|不够|不全面|不准确|不到位|不完善|不规范|不健全|不合理|不明确|不及时|不高|不强|不畅|有待|欠缺|缺乏|匮乏|短缺|"
    r"难度大|难度增加|压力大|薄弱|滞后|偏低|偏高|较弱|风险|矛盾|问题|尚未|未能|未达到|没有|偏差|困难|严重|较少|缺少|重视不够|需进一步|需要进一步|还需"
)
# Cause cues: "主要原因是", "由于", "受疫情影响"
CAUSE_CUE = re.compile(r"原因|由于|受.{0,12}影响|因为|导致|造成|致使")
# Measure/suggestion cues: "建议", "下一步", "进一步加强", "要", "应"
ADVICE_CUE = re.compile(
    r"建议|下一步|改进措施|采取的措施|整改|进一步|加强|加大|强化|完善|提高|提升|推进|健全|规范|做好|持续|确保|落实|优化|"
    r"细化|严格|建立|应当|应该|^应|[，。]应|要|需要|拟|计划|将"
)
# Practice cues: things already done ("实现了", "建立了", "通过", "坚持")
PRACTICE_CUE = re.compile(r"了|通过|坚持|实行|实现|开展|建立|制定|落实|严格执行|抓|确保了|取得|有效")
RESULT_ONLY = re.compile(r"^[^。]*(完成率|执行率|满意度|覆盖率)\s*\d")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Role units: sentences ending in 。！？； (or the paragraph end), split again at 一是/二是/①
    and before a clause that opens with an explicit cause cue (ANNOTATION.md §7).

    >>> t = "结余459万元，主要原因是资金下达晚，因此未能拨付。"
    >>> [t[s:e] for s, e in split_sentences(t)]
    ['结余459万元，', '主要原因是资金下达晚，因此未能拨付。']

    >>> t = "基金扩面征缴难度大。一是受经济下行影响，二是企业欠费严重。"
    >>> [t[s:e] for s, e in split_sentences(t)]
    ['基金扩面征缴难度大。', '一是受经济下行影响，', '二是企业欠费严重。']
    """
    cuts = {0, len(text)}
    cuts.update(m.end() for m in SENTENCE_END.finditer(text))
    cuts.update(m.end() for m in CLAUSE_MARKER.finditer(text))
    cuts.update(m.end() for m in CAUSE_SPLIT.finditer(text))
    bounds = sorted(cuts)
    out = []
    for s, e in zip(bounds, bounds[1:]):
        while s < e and text[s] in " \t\u3000":
            s += 1
        while e > s and text[e - 1] in " \t\u3000":
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def _nearest_telling_heading(section: list[str]) -> str:
    """The closest heading above that says what its section holds (经验/问题/建议), else ''."""
    for h in reversed(section):
        h = re.sub(r"其他需要说明的(问题|事项)", "", h)
        if SECTION_PRACTICE.search(h) or SECTION_PROBLEM.search(h) or SECTION_ADVICE.search(h):
            return h
        if SECTION_OTHER.search(h) or heading_level(h) in (1, 2):
            return ""
    return ""


def label_paragraph(text: str, section: list[str], kind: str = "text") -> dict[str, float]:
    """Scores in [0, 1] for each paragraph label; a label is predicted when its score ≥ 0.5.

    >>> label_paragraph("1. 预算编制不准确，执行工作重视不够。", ["五、存在问题"])["存在问题"]
    1.0
    """
    scores = {"经验做法": 0.0, "存在问题": 0.0, "建议": 0.0}
    t = text.strip()
    lvl = heading_level(t)
    if kind == "table_row" or "\t" in t or len(t) < 8 or (lvl is not None and lvl <= 3):
        return scores
    if re.match(r"^[（(]\s*(包括|注|说明)", t) or re.fullmatch(r"[（(][^）)]*[）)]", t):
        return scores  # instructions copied from the form, "(2019年度)"
    near = _nearest_telling_heading(section)
    problem = bool(PROBLEM_CUE.search(t))
    cause = bool(CAUSE_CUE.search(t))
    advice = bool(ADVICE_CUE.search(t))
    if SECTION_PRACTICE.search(near) and not SECTION_PROBLEM.search(near.split("存在")[0] if "存在" in near else ""):
        in_advice_or_problem = SECTION_PROBLEM.search(near) or SECTION_ADVICE.search(near)
        if not in_advice_or_problem or not (problem or "建议" in t):
            scores["经验做法"] = 0.9 if (PRACTICE_CUE.search(t) or len(t) > 15) else 0.4
    if SECTION_PROBLEM.search(near):
        if problem or cause:
            scores["存在问题"] = 1.0
        elif not SECTION_ADVICE.search(near):
            scores["存在问题"] = 0.6
        # A problem worded as a need ("需进一步加强") stays a problem (ANNOTATION §2); only a stated fix adds 建议.
        if re.search(r"下一步|改进措施|建议|采取的措施|应当|要进一步", t) and SECTION_ADVICE.search(near):
            scores["建议"] = 0.8
    # Need-words state a problem ("还需要进一步加强"), 要求 is not 要: neither makes a suggestion.
    t_advice = re.sub(r"还?需要?进一步|还?需要|要求|主要|重要|需", "", t)
    strong_advice = bool(re.search(r"建议|下一步|应当|^应|[，。；]应|要|进一步|继续|拟|计划", t_advice))
    mixed = SECTION_ADVICE.search(near) and (SECTION_PRACTICE.search(near) or SECTION_PROBLEM.search(near))
    if mixed and not strong_advice:
        advice = False
    if SECTION_ADVICE.search(near):
        if advice:
            scores["建议"] = max(scores["建议"], 0.9)
        if problem and not advice:
            scores["存在问题"] = max(scores["存在问题"], 0.7)
    # Inline problem + fix anywhere: "发现的主要问题：……。下一步改进措施：……", deviation analysis.
    if re.search(r"(主要问题|存在的问题|偏差(的主要)?原因)", t):
        scores["存在问题"] = max(scores["存在问题"], 0.8)
    if re.search(r"(下一步改进措施|采取的措施|改进措施)[:：是为]", t):
        scores["建议"] = max(scores["建议"], 0.8)
    if not any(v >= 0.5 for v in scores.values()) and not near.strip() or (
        not (SECTION_PRACTICE.search(near) or SECTION_PROBLEM.search(near) or SECTION_ADVICE.search(near))
    ):
        # No telling heading: a numbered item that opens with a measure verb is a suggestion.
        if re.match(r"^\s*(?:[（(]?\d{1,2}[）)、.]|[一二三四五六七八九十]是)?\s*(建议|继续|进一步|加大|建立健全|健全|完善|强化)", t):
            scores["建议"] = 0.6
    if RESULT_ONLY.search(t) and not problem:
        scores["经验做法"] = min(scores["经验做法"], 0.3)
    return scores


def role_of(sentence: str, labels: list[str]) -> str | None:
    """Role of one sentence of a 存在问题/建议 paragraph (None outside them)."""
    if not ({"存在问题", "建议"} & set(labels)):
        return None
    s = sentence
    if re.search(r"主要原因|原因[是为:：]|偏差原因|由于|受.{0,12}影响|因为", s):
        return "原因"
    if re.search(r"下一步|改进措施|采取的措施|建议|整改", s):
        return "措施"
    if "建议" in labels and "存在问题" not in labels:
        return "措施"
    if PROBLEM_CUE.search(s):
        return "问题"
    if ADVICE_CUE.search(s) and "建议" in labels:
        return "措施"
    # A numbered, title-like problem statement ("1. 基金扩面征缴难度大。") is a 问题; a plain figure
    # or result sentence in a problem paragraph is not.
    if "存在问题" in labels and re.match(r"^\s*(?:\d{1,2}\s*[、.．]|[（(]\d{1,2}[）)]|[一二三四五六七八九十]是)", s):
        return "问题"
    return None


def annotate_labels(doc: Document, threshold: float = 0.5) -> Document:
    """Rule labels, label scores and sentence roles for every paragraph of ``doc``."""
    for p in doc.paragraphs:
        scores = label_paragraph(p.text, p.section, p.kind)
        p.label_scores = scores
        p.labels = [k for k, v in scores.items() if v >= threshold]
        p.sentences = [
            Sentence(s, e, role_of(p.text[s:e], p.labels)) for s, e in split_sentences(p.text)
        ]
    return doc
