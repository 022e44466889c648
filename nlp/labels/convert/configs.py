"""Project configs for the labelling tools: Label Studio's labelling XML, doccano's label definitions."""
from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import quoteattr

from jixiao.labels.convert.labelstudio import LS_CHOICES, LS_ENTITY, LS_ROLE, LS_TEXT
from jixiao.labels.schema import ENTITY_TYPES, PARAGRAPH_LABELS, ROLES

#: Colours for the labelling UIs (entity types, roles, paragraph labels).
_COLOURS = {
    "AMOUNT": "#1f77b4", "UNIT": "#17becf", "INDICATOR": "#2ca02c", "TARGET": "#ff7f0e",
    "ACTUAL": "#d62728", "SCORE": "#9467bd",
    "问题": "#e377c2", "原因": "#bcbd22", "措施": "#8c564b",
    "经验做法": "#98df8a", "存在问题": "#ff9896", "建议": "#aec7e8",
}


def labelstudio_config() -> str:
    """Label Studio labelling config XML: entity and role span labels, paragraph-label choices.

    >>> xml = labelstudio_config()
    >>> '<Labels name="entity" toName="text"' in xml and 'choice="multiple"' in xml
    True
    """
    def labels(tag: str, names: Sequence[str]) -> str:
        return "\n".join(f'    <{tag} value={quoteattr(n)} background={quoteattr(_COLOURS[n])}/>'
                         for n in names)

    choices = "\n".join(f"    <Choice value={quoteattr(n)}/>" for n in PARAGRAPH_LABELS)
    return (
        "<View>\n"
        '  <Header value="$doc_id · 段落 $para"/>\n'
        f'  <Labels name="{LS_ENTITY}" toName="{LS_TEXT}" showInline="true">\n'
        f"{labels('Label', ENTITY_TYPES)}\n"
        "  </Labels>\n"
        f'  <Labels name="{LS_ROLE}" toName="{LS_TEXT}" showInline="true">\n'
        f"{labels('Label', ROLES)}\n"
        "  </Labels>\n"
        f'  <Text name="{LS_TEXT}" value="$text"/>\n'
        '  <Header value="段落标签（不选 = 其他）"/>\n'
        f'  <Choices name="{LS_CHOICES}" toName="{LS_TEXT}" choice="multiple" '
        'showInline="true">\n'
        f"{choices}\n"
        "  </Choices>\n"
        "</View>\n"
    )


def doccano_label_config() -> list[dict]:
    """doccano span-label definitions (Labels → Import) for a sequence-labelling project.

    Paragraph labels are span labels too: marking any stretch with 存在问题 sets that label.

    >>> [d["text"] for d in doccano_label_config()][:2]
    ['AMOUNT', 'UNIT']
    """
    names = [*ENTITY_TYPES, *ROLES, *PARAGRAPH_LABELS]
    keys = "amuitcspyrzjwg"
    return [{"text": n, "suffix_key": keys[i] if i < len(keys) else None,
             "background_color": _COLOURS[n], "text_color": "#ffffff"}
            for i, n in enumerate(names)]
