"""The label contract of ANNOTATION.md in one place: labels, roles, entity types, units.

Every module that needs these names imports them from here.

>>> PARAGRAPH_LABELS, ROLES
(('经验做法', '存在问题', '建议'), ('问题', '原因', '措施'))
>>> HEADER_UNIT_RE.search("资金情况 (万元)").group(2)
'万元'
"""
from __future__ import annotations

import re
from decimal import Decimal

#: Paragraph labels (ANNOTATION.md §2); an empty list means 其他.
PARAGRAPH_LABELS: tuple[str, ...] = ("经验做法", "存在问题", "建议")
#: Name used in tables and stats for a paragraph with no label.
OTHER_LABEL = "其他"
#: Sentence roles (ANNOTATION.md §3).
ROLES: tuple[str, ...] = ("问题", "原因", "措施")
#: Entity types (ANNOTATION.md §4).
ENTITY_TYPES: tuple[str, ...] = ("AMOUNT", "UNIT", "INDICATOR", "TARGET", "ACTUAL", "SCORE")
#: Paragraph labels under which roles may appear (ANNOTATION.md §3).
ROLE_BEARING_LABELS: frozenset[str] = frozenset({"存在问题", "建议"})

#: Currency units and their value in 元 (ANNOTATION.md §5).
CURRENCY_MULTIPLIERS: dict[str, Decimal] = {
    "元": Decimal(1),
    "千元": Decimal(1000),
    "万元": Decimal(10000),
    "亿元": Decimal(100000000),
}

# A paragraph that states the money unit of the table numbers below it:
#   「单位：万元」, 「单位: 元」, 「(万元)」, 「（万元）」, 「资金情况 (万元)」, 「预算执行情况(万元)」
HEADER_UNIT_RE = re.compile(r"单位\s*[:：]\s*(千元|万元|亿元|元)|[（(]\s*(千元|万元|亿元|元)\s*[）)]")
# The same, also for non-money 「单位：人」「单位：%」 (the rules tag any header unit as UNIT).
HEADER_UNIT_ANY_RE = re.compile(
    r"(?:单位\s*[:：]\s*(?P<u1>万元|亿元|千元|元|万人|人次|人|%)|[（(]\s*(?P<u2>万元|亿元|千元|元)\s*[）)])")
# A table row that opens a new (indicator/scoring) table, whose bare numbers are not money:
#   「一级指标\t二级指标\t三级指标\t…」, 「指标\t分值\t得分」, 「预期指标值\t实际完成值」
NEW_TABLE_HEADER_RE = re.compile(r"[一二三]级指标|指标值|分值")
# A header cell of a column that holds no money even under a money header unit:
#   「分值」, 「得分」, 「执行率」, 「权重」, 「完成比例(%)」
NON_MONEY_COLUMN_RE = re.compile(r"分值|得分|率|权重|比例|%")
