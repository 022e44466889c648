"""Rule-based entities of ANNOTATION.md §4 (AMOUNT, UNIT, INDICATOR, TARGET, ACTUAL, SCORE).

``extract_entities(text)`` works on one paragraph; ``annotate_document(doc)`` adds the table
context (indicator-table columns, header units such as ``单位：万元``) and normalised values.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from jixiao.doc import Document, Entity
from jixiao.normalize import CURRENCY_MULTIPLIER, parse_number, parse_value, to_yuan
from jixiao.schema import HEADER_UNIT_ANY_RE
from jixiao.units import table_unit_context
from jixiao.structure import NAME_PREFIX, classify_header, dec_unit, split_pair

# Units after a number, longest first: "8684万元", "2597人次", "13.43%", "40.28万人", "692家"
UNIT_ALTERNATION = (
    "万亿元|亿元|万元|千元|元/人/年|元/人/月|元/人·年|元/人·月|元/户·月|元/人|元/月|元|万人次|人次|万人|万名|万户|人|名|户|家次|家|个百分点|个月|万个|"
    "个(?!工作日)|份|起|项|件|笔|所|批次|次|辆|例|种|%|‰|分|"
    # counts the writers tag as units (「招聘会128场」, 「培训班386期」, 「课程1,420门」, 「差异137条」, 「1.3倍」, 「40学时」)
    "场次|场|期|门(?!诊|户|槛|类)|万条|条|倍|学时|课时|座|处(?!理|置|罚|室|级)|万张|张|台(?!账)|套|万|亿"
)
# number (optionally with thousands separators, commas or spaces), spaces, unit
#   "355,212 万元", "8684万元", "1290505 人次", "96.4%", "12 846.5 万元" (groups of three after a space)
NUMBER_WITH_UNIT = re.compile(
    rf"(?<![\d.A-Za-z])(?<!\d[,，])(?<!\d[ \u00a0\u2009])(?P<num>[-+]?\d{{1,3}}(?:[,，]\d{{3}})+(?:\.\d+)?"
    rf"|[-+]?\d{{1,3}}(?:[ \u00a0\u2009]\d{{3}})+(?:\.\d+)?(?![\d年月日])|[-+]?\d+(?:\.\d+)?)"
    rf"(?P<sp>[ \u3000]*)(?P<unit>{UNIT_ALTERNATION})?"
)
# What may follow a number that makes it a date/duration/ordinal/document number, not an AMOUNT:
#   "2018年", "2月", "15日", "30日内", "3年", "12月31日", "126号", "60岁", "5个工作日", "7次调整"(kept)
NOT_AMOUNT_AFTER = re.compile(r"^[ \u3000]*(?:年|月|日|号|岁|周岁|天|小时|时|点|个工作日|个月|期(?:间|末|初|限|内)|批|级|版|项目)")
NOT_AMOUNT_BEFORE = re.compile(r"(?:第|【|〔|\[|［|（|\(|No\.?|电话[:：]?|编号|号)\s*$")
# A list marker at the paragraph start: "1、", "2.", "（3）"
LIST_MARKER = re.compile(r"^\s*(?:\d{1,2}\s*(?:、|[．.](?!\d))|[（(]\d{1,2}[）)])")
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)|(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
# A header unit for bare numbers: "单位：万元", "(万元)", "（万元）"
HEADER_UNIT = HEADER_UNIT_ANY_RE
# A unit in a header cell: 「参保人数（万人）」, 「金额(万元)」
HEADER_CELL_UNIT = re.compile(r"[（(]\s*(?:单位\s*[:：]\s*)?(?P<unit>万元|亿元|千元|元|万人次|人次|万人|人|户|家|个|%)\s*[）)]")
# Score cues in prose: "评价得分 89.15分", "得分4.91分", "最终评分96.18分", "自评得分93分"
SCORE_CUE = re.compile(
    r"(?:评价得分|自评得分|综合得分|最终得分|最终评分|综合评分|评价分值|总得分|得分|总分)\s*(?:为|是|[:：])?\s*"
    r"(?P<val>\d+(?:\.\d+)?\s*分?)"
)
# A score awarded in running text: "得 2 分", "得10分" (not "得分" itself, handled above)
AWARDED = re.compile(r"(?<![获取])得\s*(?P<val>\d+(?:\.\d+)?\s*分)")
# Target cues in prose: "预期指标值为 ≥ 41 万人", "指标值为 ≤ 228462 万元", "预期指标值基本符合"
# A value never starts with a function or modal word: "设定目标值的考核指标", "指标值要进一步优化" are not values.
_NOT_VALUE_START = r"(?!的|要|和|及|与|等|进行|设定|进一步|得|相比|相较|比较|对比|多|少)"
TARGET_CUE = re.compile(r"(?<![低高于较超出])(?<!(?<!占)比)(?:预期指标值|年度指标值|预期目标值|目标值|指标值|年初任务数|目标任务数?|下达任务(?:人数|数)?|(?<=[数率])任务数?|指标为|(?<![年季]度)(?<=[度率数限间平])目标为(?![:：]))"
                        r"[ \u3000]*均?(?P<link>为|是|[:：])?[ \u3000]*"
                        + _NOT_VALUE_START + r"(?P<val>(?:(?<=\d),(?=\d{3})|[^，。；;,（(）)\t、])+)")
# A bare 目标 directly followed by a number: "全年预算支出执行目标95%至105%"
TARGET_NUMBER_CUE = re.compile(r"(?<![超出于比较])目标(?!值)(?!\d{1,2}(?:[:：、]|[.．](?!\d)|(?:完成|实现|执行)情况|完成))[ \u3000]*均?(?:为|是|[:：])?[ \u3000]*"
                               r"(?P<val>(?:[≥≤<>＞＜=]|不低于|不少于|不高于|不超过)*[ \u3000]*\d(?:(?<=\d),(?=\d{3})|[^，。；;,（(）)\t])*)")
# A qualitative target after any measure: 「参保群众看病就医负担预期目标为“有效减轻”」, 「基金运行目标为总体平稳」
QUALITATIVE_TARGET = re.compile(r"(?<!工作)(?<!整改)(?<=[\u4e00-\u9fff])(?:(?:预期)?目标(?:值)?均?(?:为|是)|预期(?:为|是)?)[ \u3000]*[“\"]?"
                                r"(?P<val>[\u4e00-\u9fff]{0,6}(?:提升|提高|改善|减轻|增强|保障|健全|完善|缩小|稳定|平稳|下降|降低|"
                                r"防范|可持续|满意|结余|平衡|达标|清零|到位|及时|按时|足额|覆盖|规范|不发生|未发生)[\u4e00-\u9fff]{0,5}?"
                                r"(?:、[\u4e00-\u9fff]{2,6})?)[”\"]?(?=[，,。；;.]|$)")
# A deadline target: 「上线时间计划为2024年6月底前」, 「发放时限目标为每月10日前发放到位」 (the date only)
DEADLINE = r"(?:(?:\d{4}年)?(?:\d{1,2}月|次月|每月|当月)(?:\d{1,2}日|底|末|中旬|上旬|下旬)?(?:前|以前|之前))"
TARGET_DEADLINE = re.compile(r"(?<=[间限期])(?:(?:计划|目标(?:值)?|指标值?|要求)(?:为|是|[:：])?|为|是|[:：])[ \u3000]*(?P<val>" + DEADLINE + ")")
# 「参保人数稳定在73万人以上」, 「支付比例保持在70%左右」: a level to hold is a target when its value is a bound
HELD_LEVEL = re.compile(r"(?:稳定在|保持在)[ \u3000]*[“\"]?(?=\S{0,20}?(?:以上|以内|以下|左右|之间))")
# A heading of the targets as set, not of their completion: 「二、绩效目标」, 「（一）年度绩效目标」, 「项目绩效目标」
PLANNED_HEADING = re.compile(r"目标(?:设定|设置)?(?:情况)?\s*$|^[^完实]*目标(?!完成|实现|.*情况)")
# Values listed after one cue: 「实际完成值分别为100%、100%和99.6%」, 「目标任务分别为0.85万人和0.3万人」
LISTED_VALUES = re.compile(r"(?P<cue>实际(?:完成值?)?|目标(?:值|任务)?|年初任务数?|计划)[^，。；;,]{0,6}?(?:分别|依次)(?:为|是|达到?|完成)[ \u3000]*")
# 「个人账户记账准确率力争达到99.5%以上」: a value the report aims at
AIMED_VALUE = re.compile(r"力争(?:全年)?(?:达到|实现|控制在|保持在|提高到|提升到)?[ \u3000]*")
# A scored item heading its paragraph: "(1) 立项依据充分性：……该指标得 1.21 分" (the name is the INDICATOR)
SCORED_ITEM = re.compile(r"^\s*(?:[（(]\d{1,2}[）)]|\d{1,2}[、.．](?!\d))\s*(?P<name>[\u4e00-\u9fff]{3,12})\s*[:：]")
# 「1. 残疾儿童康复救助人数（分值6分，得分5.4分）」: a numbered item names the measure its weight and score belong to
WEIGHTED_ITEM = re.compile(r"^\s*(?:[（(][\d一二三四五六七八九十]{1,2}[）)]|\d{1,2}[、.．](?!\d)|[一二三四五六七八九十]{1,2}[、.．])\s*"
                           r"(?P<name>[\u4e00-\u9fff]{3,20})\s*[（(](?:分值|权重|满分|标准分)")
# An indicator after its category: "满意度指标：享受待遇人员满意度 95%"
NAMED_AFTER_CATEGORY = re.compile(r"指标\s*[:：]\s*(?P<name>[\u4e00-\u9fff]{2,16}?)\s*(?=[≥≤<>]?\s*\d)")
# A score breakdown: "具体得分情况为：项目决策9.21分、项目产出46.97分、项目效益40分"
SCORE_LIST_CUE = re.compile(r"(?:得分情况|得分如下|各项得分|分别得分|得分分别为|得分依次为)[ \u3000]*(?:为|是)?[ \u3000]*[:：]?")
SCORE_LIST_ITEM = re.compile(r"[ \u3000]*(?:[\u4e00-\u9fff“”]{2,12}[ \u3000]*(?:为|得)?)?[ \u3000]*(?P<val>\d+(?:\.\d+)?[ \u3000]*分)[ \u3000]*[、，,；;]?")
# Points per evaluation dimension after a total score: 「综合评价分值92。其中决策14分、过程24.1分…」 (47 of 47 tagged SCORE)
DIMENSION_SCORE = re.compile(r"(?:^|(?<=[，,；;。：:、])|(?<=其中)|(?<=[\s（(]))(?:项目)?(?:决策|过程|产出|效益|管理|投入)(?:指标|部分|方面)?"
                             r"(?:得分|得)?[为:：]?[ \u3000]*(?P<val>\d+(?:\.\d+)?[ \u3000]*分)(?!值)")
# Planned values in prose (ANNOTATION §7): 「控制在4.5%以内」, 「计划……达到6.5万人」, 「目标为：参保率稳定在95%以上」
VALUE_EXPR = (r"(?P<val>(?:(?:每[人户月年次季]){1,3}|人均|户均)?(?:[≥≤<>]|不低于|不少于|不高于|不超过|低于|高于|超过)?[ \u3000]*"
              r"(?<![\d.,])(?<!\d月)(?:\d{1,3}(?:(?:,\d{3})+|(?: \d{3})+(?![\d.]))|\d+)(?:\.\d+)?[ \u3000]*"
              r"(?:%|‰|万人次|人次|万人|万户|人|户|家|个工作日|工作日|个月|个|所|座|项|件|场次|次|名|张|份|亿元|万元|千元|元|天|日(?!前|以前|之前))"
              r"(?:/[人户月年次]{1,2}(?:[·.][月年次])?)?(?:以上|以内|以下|左右|内)?)(?!\d)")
TARGET_CLAUSE = re.compile(r"(?:目标(?:值|任务)?\s*(?:设定|确定)?\s*(?:为|是|[:：])|年初(?:设定|确定|目标)|设定的?目标|目标任务|任务为|"
                           r"(?<!进度)(?<![占比较])计划(?!生育|实现|执行)|控制在)")
PLANNED_VALUE = re.compile(r"(?:控制在|稳定在|保持在|(?:提高|提升|降低|下降)[到至]|达到|为|[:：]|率|数)[ \u3000]*" + VALUE_EXPR)
# A target named after the value it compares with: 「低于99%的目标值」, 「未达到≥98%的目标值」, 「未完成92万人的年度指标值」
VALUE_BEFORE_TARGET_WORD = re.compile(r"(?:低于|高于|未达到|达到|未完成|超过|超出)[ \u3000]*[“\"]?"
                                      + VALUE_EXPR.replace("(?!\\d)", "") + r"(?=[”\"]?的?(?:年度)?(?:控制|计划|预期)?(?:目标值|指标值|目标))")
# 「计划1.8万人次」, 「全年计划开展工伤预防培训12场次」: the first value a few words after a plan or task cue
VALUE_AFTER_PLAN = re.compile(r"(?:(?!的|对)[\u4e00-\u9fff]){0,12}?[ \u3000]*" + VALUE_EXPR
                              + r"(?=[，,；;。]|$|(?:发放|执行|拨付|落实)[，,；;。])")  # 「计划按90元/人·月发放，」
# Achieved values in prose: 「实际为3.9%」, 「全年完成53.4万人」, 「实际完成642户」, 「实际调查结果为93.7%」
ACHIEVED_CUE = re.compile(r"(?:(?:实际(?:完成|调查结果|保障|参保)|全年(?:实际)?完成)[\u4e00-\u9fff]{0,8}?(?:为|达到?|[:：])?"
                          r"|(?:全年)?实际(?:为|是|达到|[:：])|实际(?:平均)?[\u4e00-\u9fff]{0,5}?[率度](?:为|达到?|[:：])"
                          r"|实际[\u4e00-\u9fff]{0,4}?标准(?:为|达到?|[:：])"
                          r"|实际平均(?:为)?)[ \u3000]*" + VALUE_EXPR.replace("(?P<val>", "(?P<aval>"))
# An achieved date after a target in the same sentence: 「实际均在次月20日前完成拨付」, 「实际于2024年6月20日上线」
ACHIEVED_DATE = re.compile(r"实际(?:均|已|平均)?(?:为|是)?(?:均)?(?:在|于)[ \u3000]*"
                           r"(?P<aval>(?:\d{4}年)?(?:\d{1,2}月|次月|每月|当月)\d{1,2}日(?:前|以前|之前)?)")
# Evaluative words of a qualitative target or achieved value: 「有效减轻」, 「总体平稳」, 「逐步健全」
QUAL_WORDS = (r"(?:提升|提高|改善|减轻|增强|保障|健全|完善|缩小|稳定|平稳|下降|降低|防范|可持续|满意|结余|达标|清零|到位|"
              r"及时|按时|足额|覆盖|规范|结算|缺口)")
# A qualitative achieved value after a qualitative target, in the target's wording: 「目标值为动态清零，实际完成动态清零」,
# 「实际完成情况为明显改善」, 「实际有效提高」 (a different wording, 「实际基本完成」, stays untagged)
QUALITATIVE_ACHIEVED = re.compile(r"实际(?:完成(?:情况)?|效果)?(?:为|是|[:：])?[ \u3000]*[“\"]?(?P<aval>(?!完成|为|是)[\u4e00-\u9fff]{2,8}"
                                  r"(?:、[\u4e00-\u9fff]{2,6})?)[”\"]?(?=[，,。；;.：:]|$)")
# After a marked target in the same sentence, any 「实际……」 value is the achieved one: 「目标为70%左右，实际支付比例为
# 71.2%」, 「计划开展12场次，实际开展14场次」 (without a target before it, 「实际享受补助人数为39865人」 stays AMOUNT)
ACHIEVED_AFTER_TARGET = re.compile(r"实际(?!上)(?:(?!的|超出|超过|低于|高于|(?<!占)比(?!例|重)|较)[\u4e00-\u9fff]){0,8}?(?:为|达到?|[:：])?[ \u3000]*"
                                   + VALUE_EXPR.replace("(?P<val>", "(?P<aval>"))
# Actual cues in prose: "实际完成值为 479.45 万人次", "实际完成值为按时报送"
ACTUAL_CUE = re.compile(r"(?:实际完成指标值|实际完成值|实际值|完成值)[ \u3000]*(?:为|是|[:：])?[ \u3000]*"
                        + _NOT_VALUE_START + r"(?P<val>[^，。；;,（(\t]+)")
# An indicator named in quotes: “参保人数（人）”指标, “资金拨付及时率”指标实际完成值为100%
QUOTED_INDICATOR = re.compile(r"[“\"](?P<name>[^”\"]{2,40}?)\s*(?:[（(][^）)]{0,10}[）)])?\s*[”\"]\s*(?=指标|实际完成|的?预期|完成值|扣\s*\d)")
# Words that end an indicator or fund line name: 保费收入, 预算执行率, 参保人数, 住院支出
INDICATOR_SUFFIX = re.compile(
    r"(平均数|收入|收益|支出|结余|总额|发放额|贷款额|额|满意度|知晓度|认可度|月数|户数|床位数|次数|时限|时间|比例|占比|水平|预算|预算安排|人数|人次数|人次|率|资金|金额|存款|资产|负债|余额|标准|补助|补贴|缴费|费用|待遇|资产总计|负债总计|总计|合计|支出数|预算数|执行数|暂付款|暂收款|拨款|经费|费)$"
)
NOT_INDICATOR = re.compile(r"^(增幅|增长|差额|增减额|下降|降低|减少|增加|其中|合计|总计|共|达|为|约|占|比|较|同比|增支|减支|完成)$")
CURRENCY = set(CURRENCY_MULTIPLIER)
# Words that end a name when walking back from its head: function words and verbs of the clause.
NAME_STOP = {
    "的", "和", "及", "与", "或", "其中", "较", "比", "同比", "上年", "去年", "同期", "完成", "实现", "保障", "发放",
    "全年保障", "达", "达到", "为", "是", "年", "月", "共", "有", "对", "将", "在", "从", "中", "内", "后",
    "已", "均", "各", "全区", "全市", "全县", "全地区", "区本级", "本级", "我局", "我单位", "单位", "部门",
    "项目", "本项目", "涉及", "分别", "影响", "受", "用于", "包括", "增加", "减少", "下达", "显示", "表明", "抽查", "计算", "测算", "按", "核算", "筹集", "追回", "退回", "扣减", "多领", "需",
}
# A word that names the fund or scope owning the item, not the item: "职工基本医疗保险", "喀什地区", "(改革)"
SCOPE_WORD = re.compile(r"(保险|险|地区|本级|局|中心|县|(?<!城)市|州|区|旗|盟|(?<!城)镇|(?<!城)乡|村|省|改革|[）)])$")
# An average of a named count: 「享受待遇人数月平均数」, 「养老金领取人数全年平均数」
AVERAGE_NAME = re.compile(r"(?<![\u4e00-\u9fff]{12})[\u4e00-\u9fff]{2,10}?(?:人数|人次|户数)(?:月|全年|年)?平均数")
# Heads that a fund name does not qualify: "…基金" | "总收入", "…基金" | "待遇支出"
BARE_HEAD = re.compile(r"^(总|累计|待遇|当期|当年|年末|滚存)")
# Words after a line-item name that describe its value, not the measure (seed gold revision, NOTES_indicator.md):
#   「基金收入累计总额为」, 「政府采购支出总额」, 「一般公共预算支出决算数为」, 「公务接待费支出决算」
VALUE_WORDS_AFTER = re.compile(r"(?:(?<=[入出产余费])总额|(?<=[入出产余费算])(?:累计总额|决算数|决算))[ \u3000]*(?:为|是|[:：])?[ \u3000]*$")
# In prose, a fund's income or spending line is named without its budget word (the blind writers, 8 of 8:
# 「城乡居民基本养老保险基金收入预算248,600.00万元」 → 「城乡居民基本养老保险基金收入」)
BUDGET_WORDS_AFTER = re.compile(r"(?<=基金[收支][入出])(?:预算数|预算)[ \u3000]*(?:为|是|[:：])?[ \u3000]*$")
# Money line items of a fund statement: the fund or scheme before them is a defining qualifier
#   「职工基本医疗保险基金收入」, 「生育保险基金总支出」, 「城乡居民养老保险个人缴费收入」, 「基本医疗保险待遇支出」
FUND_LINE_HEAD = re.compile(r"(收入|支出|结余|资产|负债)$")
# Counts and rates of a scheme keep the scheme too: 「失业保险参保人数」, 「城乡居民基本医疗保险参保率」
SCHEME_COUNT_HEAD = re.compile(r"(人数|人次|户数|平均数|率|比例)$")
# A fund or scheme name (with its 基金 and a reform note), possibly two coordinated ones, right before a line item:
#   「机关事业单位养老保险(改革)基金」, 「机关事业单位养老保险基金和城乡居民养老保险基金」, 「社会保险基金」,
#   「职工医保基金」, 「基本医疗」 (the abbreviated scheme of 「基本医疗征缴收入」). Regions, levels and years before
#   it stay outside (「喀什地区」, 「区本级」, 「2019年」, 「各项」).
_SCHEME = (r"(?:(?:城镇职工|城乡居民|城镇居民|机关事业单位|企业职工|职工|居民|新型农村|农村)?(?:基本)?"
           r"(?:医疗|养老|失业|工伤|生育|社会|大病|长期护理|补充医疗)保险|(?:城镇职工|城乡居民|职工|居民)医保|基本医疗(?=征缴))")
_FUND = _SCHEME + r"(?:[（(]改革[）)])?(?:基金)*"
FUND_PREFIX = re.compile(rf"(?:{_FUND}(?:和|及|与|、))*{_FUND}[ \u3000]*$")
# Period words that define a line item: 「年末滚存结余」, 「本年收支结余」, 「年初财政预算」, 「本年待遇支出」
PERIOD_PREFIX = re.compile(r"(?<![\d\s年])(?:年末|年初|本年|当期|当年|全年|上年)$")
# Generic heads that name no measure on their own in running text (ANNOTATION §7: a count or sum of a
# remedial action, 「涉及金额」, 「追回……的待遇」, 「结余4.0万元」): tagged only with a qualifier
# Line items that a period word defines (「年末滚存结余」, 「全年实际执行数」); not rates or counts
# (「全年」 before 「居民电子健康档案建档率」 dates the figure)
PERIOD_HEAD = re.compile(r"(收入|支出|结余|预算|预算数|执行数|资产|负债)$")
BARE_GENERIC = {"资金", "金额", "补贴", "补助", "待遇", "经费", "费用", "费", "结余", "余额", "拨款"}
# Bare heads tagged only as a fund-statement line with a money value (「基金收入……，支出……」, 「完成预算5.87亿元」),
# not before a share (「完成预算100%」)
BARE_MONEY_HEAD = {"预算", "支出", "收入"}
# The evaluation framework's 一级/二级 categories in the cells of a scoring table (「决策⇥项目立项⇥5⇥5」,
# 「效益⇥满意度⇥10⇥8」): they group indicators, they are not INDICATOR (WRITING.md, ANNOTATION §4)
EVAL_CATEGORY = re.compile(
    r"(?:项目|部门)?(?:决策|过程|产出|效益|投入|管理|立项|目标设定|绩效目标|资金投入|资金管理|资金分配|资金使用|资金到位(?:与执行)?|"
    r"组织实施|财务管理|业务管理|预算编制|预算执行|产出(?:数量|质量|时效|成本)|数量|质量|时效|成本|"
    r"(?:社会|经济|生态)效益|可持续影响|满意度)(?:指标)?"
)
# A TARGET/ACTUAL table cell longer than this is narrative, not a value expression
MAX_VALUE_CELL = 40
PRIORITY = {"TARGET": 5, "ACTUAL": 5, "SCORE": 4, "INDICATOR": 3, "AMOUNT": 2, "UNIT": 1}


@dataclass
class Span:
    start: int
    end: int
    type: str


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " \t\u3000":
        start += 1
    while end > start and text[end - 1] in " \t\u3000":
        end -= 1
    return start, end


def amount_spans(text: str, bare_numbers: bool = True) -> list[Span]:
    """AMOUNT (+ UNIT) spans for numbers with units, skipping dates, ordinals, document numbers.

    >>> [(text[s.start:s.end], s.type) for text in ["收入8684万元，2018年增幅13.43%"] for s in amount_spans(text)]
    [('8684', 'AMOUNT'), ('万元', 'UNIT'), ('13.43', 'AMOUNT'), ('%', 'UNIT')]
    """
    spans: list[Span] = []
    phones = [(m.start(), m.end()) for m in PHONE.finditer(text)]
    marker = LIST_MARKER.match(text)
    for m in NUMBER_WITH_UNIT.finditer(text):
        s, e = m.span("num")
        if marker and s < marker.end():
            continue
        if any(a <= s < b for a, b in phones):
            continue
        after = text[e:]
        payable = m.group("unit") == "个月" and re.search(r"可支付|够支付|支付月数|月数", text[max(0, s - 14):s])
        if m.group("unit") == "个月" and not payable:
            continue  # 「3个月」: a duration; 「可支付7.4个月」 is the measure months payable (AMOUNT + UNIT)
        if m.group("unit") is None and (NOT_AMOUNT_AFTER.match(after) or re.match(r"^\s*(?:、|[.．](?!\d))", after)):
            continue
        if m.group("unit") in ("万", "亿") and NOT_AMOUNT_AFTER.match(text[m.end():]):
            continue
        before = text[max(0, s - 6):s]
        if NOT_AMOUNT_BEFORE.search(before) and not m.group("unit"):
            continue
        if re.search(r"(?:第)\s*$", before):
            continue
        if re.search(r"(?:指标|目标|任务|措施|问题|举措)\s*$", before) and re.match(r"\s*(?:[:：.、．]|(?:完成|实现|执行)情况)", after):
            continue  # 「指标1：参保人数」: the number of a list item
        if bare_numbers and "\t" in text and re.fullmatch(r"\d{1,2}", text[s:e]) and (
                s == 0 or text[s - 1] == "\t") and re.match(r"\t\D", after) and text.count("\t", 0, s) == 0:
            continue  # 「3⇥医保信息平台数据质量⇥…」: the row's 序号 cell
        if re.search(r"[【〔\[［]\s*$", before) or re.match(r"\s*[】〕\]］]", after):
            continue
        if re.match(r"^\s*号", text[m.end():]):
            continue
        unit = m.group("unit")
        if unit is None and not bare_numbers and not re.match(r"\s*/\s*[年月日人户次]", after):
            continue  # a bare number in prose; 「500/年」 (its unit lost) stays an AMOUNT without UNIT
        if unit == "分" and re.match(r"^(?:之|钟|别|配|析|类|期|散|局|摊|解|批|管|布|担|工|段|成)", text[m.end():]):
            unit = None  # "分配", "分析": not the unit 分
            if not bare_numbers:
                continue
        spans.append(Span(s, e, "AMOUNT"))
        if unit:
            us = m.start("unit")
            spans.append(Span(us, us + len(unit), "UNIT"))
    return spans


COMPARED_WITH = re.compile(r"(?:高于|低于|超过|超出|超|少于|多于|较|(?<!占)比(?!例|重))[^，。；;,]{0,4}$")


def _value_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Trim a cue's captured value to the value expression itself."""
    s, e = _trim(text, start, end)
    cut = re.search(r"相比|相较|比较", text[s:e])
    if cut:  # 「与目标值48,000人次相比少336人次」: the target is the value before 相比
        e = s + cut.start()
    if text[s:s + 1] in "“\"" and text[e - 1:e] in "”\"" and e - s > 2:
        s, e = s + 1, e - 1  # 「实际完成值为“有效减轻”」: the value without its quotes
    # stop before a following clause such as "，分值5分"
    m = re.match(r"(?:(?<=\d),(?=\d{3})|[^，。；;,])*", text[s:e])
    e = s + len(m.group(0)) if m else e
    s, e = _trim(text, s, e)
    return (s, e) if e > s else None


def prose_value_spans(text: str, planned: bool = False) -> list[Span]:
    """TARGET/ACTUAL/SCORE/INDICATOR spans marked by cue words in running text.

    ``planned``: the paragraph stands under a heading of the targets set (「（一）年度绩效目标」), where a level to
    hold (「稳定在73万人以上」) states a target; elsewhere it reports a result.
    """
    spans: list[Span] = []
    for pat, typ in ((TARGET_CUE, "TARGET"), (TARGET_NUMBER_CUE, "TARGET"), (ACTUAL_CUE, "ACTUAL")):
        for m in pat.finditer(text):
            v = _value_span(text, *m.span("val"))
            if not v:
                continue
            if typ == "TARGET" and (re.search(r"超出?[^，。；;,]{0,4}$", text[max(0, m.start() - 8):m.start()]) or (
                    COMPARED_WITH.search(text, max(0, m.start() - 8), m.start()) and "百分点" in text[v[0]:v[1]])):
                continue  # 「高于年初目标2.5个百分点」, 「超目标0.36万人」: a difference (「低于全年目标值≥70%」 is the target)
            value = text[v[0]:v[1]]
            inner = re.search(VALUE_EXPR, value) if re.match(r"[\u4e00-\u9fff]{2}", value) else None
            if inner and not re.search(r"\d", value[:inner.start()]) and not re.fullmatch(
                    r"(?:每[人户月年次季])+|人均|户均", value[:inner.start()]):  # 「新增护理床位120张」: the value only
                v = (v[0] + inner.start("val"), v[0] + inner.end("val"))
                value = text[v[0]:v[1]]
            if pat is TARGET_CUE and "\t" in text and re.match(r"年初任务|目标任务|下达任务|指标为", m.group(0)):
                continue  # prose cues only: 「年度目标任务完成」 is a table cell's name
            if pat is TARGET_CUE and not re.search(r"\d", value) and (
                    len(value) > 8 or not m.group("link") and re.match(r"[偏设按以未直原沿低高较]", value)):
                continue  # 「目标值偏高」, 「指标值按上年完成数直接设定」: a comment, not a value
            if re.match(r"[≥≤<>]?\s*\d", value) and "、" in value:
                continue
            spans.append(Span(v[0], v[1], typ))
    for i, sp in enumerate(spans):  # 「每月10日前发放到位」: a deadline target is the date
        d = re.match(DEADLINE, text[sp.start:sp.end])
        if d and sp.type == "TARGET" and d.end() < sp.end - sp.start:
            spans[i] = Span(sp.start, sp.start + d.end(), sp.type)
    if "\t" not in text:
        for m in TARGET_DEADLINE.finditer(text):  # (「实际发放时间为每月10日前」: the achieved time)
            achieved = re.search(r"实际[\u4e00-\u9fff]{0,6}$", text[max(0, m.start() - 10):m.start()])
            spans.append(Span(*m.span("val"), "ACTUAL" if achieved else "TARGET"))
        for m in QUALITATIVE_TARGET.finditer(text):
            spans.append(Span(*m.span("val"), "TARGET"))
        for m in LISTED_VALUES.finditer(text):
            typ = "ACTUAL" if m.group("cue").startswith("实际") else "TARGET"
            pos, value = m.end(), re.compile(VALUE_EXPR)
            while (v := value.match(text, pos)):
                spans.append(Span(*_trim(text, *v.span("val")), typ))
                sep = re.match(r"[ \u3000]*[、和及与][ \u3000]*", text[v.end():])
                if not sep:
                    break
                pos = v.end() + sep.end()
        for m in HELD_LEVEL.finditer(text) if planned else ():
            v = re.compile(VALUE_EXPR).match(text, m.end())
            if v and re.search(r"(?:以上|以内|以下|左右)$", v.group("val")):
                spans.append(Span(*_trim(text, *v.span("val")), "TARGET"))
        for m in AIMED_VALUE.finditer(text):
            v = re.compile(VALUE_EXPR).match(text, m.end())
            if v:
                spans.append(Span(*_trim(text, *v.span("val")), "TARGET"))
        spans.extend(_clause_values(text))
        for m in VALUE_BEFORE_TARGET_WORD.finditer(text):
            spans.append(Span(*_trim(text, *m.span("val")), "TARGET"))
        targets = [sp for sp in spans if sp.type == "TARGET"]
        for m in QUALITATIVE_ACHIEVED.finditer(text):  # 「目标值为明显改善，实际完成情况为明显改善」
            s, e = m.span("aval")
            wording = re.search(QUAL_WORDS, text[s:e]) and not re.match(r"(?:基本)?完成|未|已|按计划", text[s:e])
            if any(not re.search(r"\d", text[t.start:t.end]) and (text[t.end - 2:t.end] == text[e - 2:e] or wording)
                   for t in _targets_before(text, targets, m.start(), "。！？；;")):
                spans.append(Span(s, e, "ACTUAL"))  # its wording (「明显改善」), or another verdict (「基本平稳」)
        for m in ACHIEVED_DATE.finditer(text):
            if _targets_before(text, targets, m.start(), "。！？；;"):
                spans.append(Span(*m.span("aval"), "ACTUAL"))
        for m in ACHIEVED_AFTER_TARGET.finditer(text):
            s, e = m.span("aval")
            if _targets_before(text, targets, m.start(), "。！？"):
                spans.append(Span(*_trim(text, s, e), "ACTUAL"))
    if "\t" not in text:  # "分值 2 分，得 2 分": a score awarded in prose (scoring rules in tables are not)
        for m in AWARDED.finditer(text):
            s, e = _trim(text, *m.span("val"))
            spans.append(Span(s, e, "SCORE"))
    for m in SCORE_CUE.finditer(text):
        s, e = _trim(text, *m.span("val"))
        # "分值5分，得分4.91分": the weight is an AMOUNT, only the score after 得分 is a SCORE
        spans.append(Span(s, e, "SCORE"))
    for m in DIMENSION_SCORE.finditer(text) if "\t" not in text else ():
        sentence = text[max(text.rfind("。", 0, m.start()), 0):m.start()]
        if re.search(r"得分|评分|评价分值|总分", text[:m.start()]) and not re.search(r"权重|满分为|分值为|标准分", sentence):
            spans.append(Span(*_trim(text, *m.span("val")), "SCORE"))
    for m in SCORE_LIST_CUE.finditer(text):
        pos = m.end()
        while (item := SCORE_LIST_ITEM.match(text, pos)):  # items follow each other from the cue on
            s, e = _trim(text, *item.span("val"))
            spans.append(Span(s, e, "SCORE"))
            pos = item.end()
    m = SCORED_ITEM.match(text)
    if m and "\t" not in text and re.search(r"该指标|得分|扣\s*\d", text):
        spans.append(Span(*m.span("name"), "INDICATOR"))
    m = WEIGHTED_ITEM.match(text)
    if m and "\t" not in text and not re.search(r"指标$", m.group("name")) and not EVAL_CATEGORY.fullmatch(m.group("name")):
        spans.append(Span(*m.span("name"), "INDICATOR"))  # (「（三）产出指标（分值30分…）」 is a category)
    for m in NAMED_AFTER_CATEGORY.finditer(text):
        s, e = m.span("name")
        cue = CUE_IN_NAME.search(text, s + 2, e)  # 「城镇新增就业人数年初任务数2.6万人」: the name stops at the cue
        e = cue.start() if cue else e
        if e - s >= 2:
            spans.append(Span(s, e, "INDICATOR"))
    for m in QUOTED_INDICATOR.finditer(text):
        s, e = _trim(text, *m.span("name"))
        spans.append(Span(s, e, "INDICATOR"))
    return spans


def _targets_before(text: str, targets: list[Span], pos: int, stops: str) -> list[Span]:
    """The TARGET spans that end before ``pos`` with none of the ``stops`` characters between (same sentence)."""
    return [t for t in targets if t.end <= pos and not any(c in stops for c in text[t.end:pos])]


def _clause_values(text: str) -> list[Span]:
    """TARGET/ACTUAL values of prose clauses marked as planned or achieved (ANNOTATION §7).

    >>> t = "城镇登记失业率控制在4.5%以内，实际为3.9%。"
    >>> [(t[s.start:s.end], s.type) for s in _clause_values(t)]
    [('4.5%以内', 'TARGET'), ('3.9%', 'ACTUAL')]
    """
    spans: list[Span] = []
    for a, b in _clauses(text):
        clause = text[a:b]
        for m in ACHIEVED_CUE.finditer(clause):
            if re.search(r"元(?:以上|以内|以下|左右|内)?$", m.group("aval")) and not re.match(r"(?:全年)?实际(?:为|是)", m.group(0)) \
                    and not re.search(r"目标|计划|任务", text[max(0, a + m.start() - 40):a + m.start()]):
                continue  # 「实际完成1,204.64亿元」 of a budget: money spent is AMOUNT unless a target was set
                # (「基金支出实际为18,764.5万元」 is marked: the blind writers 9 of 9)
            spans.append(Span(a + m.start("aval"), a + m.end("aval"), "ACTUAL"))
        planned = TARGET_CLAUSE.search(clause)
        if not planned or re.search(r"(?:低于|高于|超过|未完成|差)[^，；。]{0,4}目标|完成目标|目标的", clause):
            continue
        stop = ACHIEVED_CUE.search(clause)
        end = stop.start() if stop else len(clause)
        turn = OUTCOME_TURN.search(clause, planned.end())
        end = min(end, turn.start()) if turn else end  # 「目标控制在3%以内，年末为1.87%」: 1.87% is no target
        found = False
        for m in PLANNED_VALUE.finditer(clause, planned.start(), end):
            s, e = m.span("val")
            spans.append(Span(a + s, a + e, "TARGET"))
            found = True
        if not found and re.search(r"计划|任务", planned.group(0)):
            m = VALUE_AFTER_PLAN.match(clause, planned.end(), end)
            if m:
                spans.append(Span(a + m.start("val"), a + m.end("val"), "TARGET"))
    return [Span(*_trim(text, s.start, s.end), s.type) for s in spans]


# A comma that turns from the plan to what happened: 「，年末为」, 「，委托第三方……」, 「，截至12月底」
OUTCOME_TURN = re.compile(r"[，,](?=\s*(?:年末|年底|截至|截止|全年实际|当年|累计|已|经|通过|委托|抽查|调查|较上年))")


def _clauses(text: str) -> list[tuple[int, int]]:
    cuts = [0] + [m.end() for m in re.finditer(r"[。；;！？]|[，,](?=[^，,。；;]{0,12}(?:实际|全年完成))", text)] + [len(text)]
    return [(x, y) for x, y in zip(cuts, cuts[1:]) if y > x]


# Look-behind windows: a name, its linking words and qualifiers sit within this many characters
# before a value, so every backward search is bounded (the stage stays linear in the text).
WINDOW = 40
# (「基金收入增长5.77%」: the change of a line item is not linked to it; the seed gold leaves 「财政拨款收入减少2233.37万元」
#  untagged, while four blind writers of seven tagged such names)
LINK_WORDS_BEFORE = re.compile(r"(?:为|是|达到?|共计?|合计|总计|累计|约|仅|只有|：|:|\s|\d{1,2}[—－\-~至]\d{1,2}月|上半年|前三季度)*$")
# The cue between a measure's name and its marked value: 「指标值为」, 「目标为」, 「控制在」, 「年初任务数」, 「实际完成」
CUE_BEFORE_VALUE = re.compile(
    r"(?:(?:的?(?:预期|年度|全年|年初)?(?:指标值|目标值|目标任务数?|指标|目标(?:设定|确定)?|任务数?)|年初|下达(?:的)?任务(?:人数|数)?|计划(?:达到|完成)?|"
    r"(?:提高|提升|降低|下降)[到至]|(?:全年|年度|年内)?(?:控制在|稳定在)|"
    r"保持在|不低于|不超过|力争(?:达到|实现|控制在|保持在)?|实际(?:完成值?|达到|为)?|全年(?:实际)?完成|预期)[ \u3000]*均?(?:为|是|达到?|[:：])?[ \u3000]*[“\"]?)+$")
# The first cue word inside a too-long name: 「补贴资金拨付时限计划为审核通过后」 → 「补贴资金拨付时限」
CUE_IN_NAME = re.compile(r"(?:年初任务数|目标任务|下达任务|任务数|指标值|目标值|指标为|目标为|计划|控制在|稳定在|保持在|不低于|不超过|实际)")
NOTE_BEFORE = re.compile(r"(?<=[\u4e00-\u9fff])[（(][\u4e00-\u9fff]{1,3}[）)]$")
def words_by_end(words: list[tuple[str, int, int]]) -> dict[int, tuple[str, int, int]]:
    """``{end offset: word}`` of a paragraph's words (the first word ending there).

    >>> words_by_end([("基金", 0, 2), ("收入", 2, 4)])[4]
    ('收入', 2, 4)
    """
    ends: dict[int, tuple[str, int, int]] = {}
    for w in words:
        ends.setdefault(w[2], w)
    return ends


def _ends_cut_at(text: str, words: list[tuple[str, int, int]], ends: dict[int, tuple[str, int, int]],
                 pos: int) -> dict[int, tuple[str, int, int]]:
    """``ends`` with a word ending at ``pos`` when a cue starts inside a word: 「满意度指标」+「为」 → 「满意度」."""
    if pos in ends:
        return ends
    inside = next(((a, b) for _, a, b in words if a < pos < b), None)
    return {**ends, pos: (text[inside[0]:pos], inside[0], pos)} if inside else ends


def _after_enum(text: str, s: int, e: int) -> int:
    """``s`` past a leading 一是/二是 of a name longer than four characters (「一是县级财政资金执行率」)."""
    return s + 2 if e - s > 4 and re.match(r"[一二三四五六七八九十]是", text[s:e]) else s


def indicator_before(text: str, amount_start: int, words: list[tuple[str, int, int]],
                     ends: dict[int, tuple[str, int, int]] | None = None) -> Span | None:
    """An indicator/fund line name right before an amount: "保费收入5617.38万元" → 保费收入.

    The name keeps the qualifiers that define the measure (WRITING.md, NOTES_indicator.md): the fund or scheme of a
    money line item, the payer or source, period words, 月平均数; not years, regions, levels or a back-referring 基金.

    >>> t = "2018年职工基本医疗保险基金收入累计总额为8684万元，本年收支结余0万元，年末滚存结余0万元。"
    >>> from jixiao.tokenize import default_tokenizer
    >>> w = [(x.text, x.start, x.end) for x in default_tokenizer()(t)]
    >>> [t[sp.start:sp.end] for a in (t.index("8684"), t.index("0万"), t.rindex("0万")) if (sp := indicator_before(t, a, w))]
    ['职工基本医疗保险基金收入', '本年收支结余', '年末滚存结余']
    """
    pos = amount_start
    # skip linking words: "为", "是", "达", ":", spaces (searched in a short window: linear in the text)
    lo = max(0, pos - WINDOW)
    m = LINK_WORDS_BEFORE.search(text, lo, pos)
    pos = m.start() if m else pos
    # and words describing the value: 「累计总额为」, 「支出决算数为」 (the name ends before them)
    m = VALUE_WORDS_AFTER.search(text, max(0, pos - WINDOW), pos)
    value_words = bool(m and m.start() < pos)
    if value_words:
        pos = m.start()
    elif "\t" not in text and (m := BUDGET_WORDS_AFTER.search(text, max(0, pos - WINDOW), pos)) and m.start() < pos:
        pos = m.start()
    ends = words_by_end(words) if ends is None else ends  # the caller builds it once per paragraph
    if pos in ends:
        w, s, e = ends[pos]
    else:  # the tokenizer joined the name's head to the link word: 「发放」+「率为」 → the head 「率」
        inside = next(((w[1], w[2]) for k in range(pos + 1, pos + 4) if (w := ends.get(k)) and w[1] < pos), None)
        if inside is None or not re.fullmatch(r"[\u4e00-\u9fff]+", text[inside[0]:pos]) \
                or not LINK_WORDS_BEFORE.fullmatch(text[pos:inside[1]]):
            return None
        w, s, e = text[inside[0]:pos], inside[0], pos
    if w == "比" and s > 0 and text[s - 1] == "占":  # 「经费」+「占」+「比」: the head 占比
        w, s = "占比", s - 1
    if re.fullmatch(r"预算(?:数|总额)?", w) and s in ends and re.search(r"(?:资金|补贴|补助)$", ends[s][0]):
        w, s, e = ends[s]  # 「城乡居民基本养老保险补助资金预算8,436.5万元」: the fund is named, 预算 says which value (blind dev 16 of 27)
    if NOT_INDICATOR.match(w) or not re.search(r"[\u4e00-\u9fff]", w):
        return None
    if not INDICATOR_SUFFIX.search(w):
        return None
    # Extend backwards over the words that qualify the name ("财政" + "补助收入", "首次待遇发放" + "准确率",
    # "一般" + "公共" + "预算" + "财政拨款" + "基本" + "支出"), stopping at punctuation, function words, numbers and
    # the fund/scope that owns the item ("喀什地区", "2022年" | "保费收入"); a fund name is added below.
    # (a money line item may take more words: 「一般」+「公共」+「预算」+「财政拨款」+「基本」+「支出」)
    steps = 0
    while steps < (6 if FUND_LINE_HEAD.search(w) else 5):
        steps += 1
        before = [ends[s]] if s in ends else []
        if not before:
            break
        bw = before[0][0]
        if (e - s == 1 or steps == 1 and re.fullmatch(r"时间|时限|进度|比例|标准|水平|占比", text[s:e])) \
                and re.fullmatch(r"[\u4e00-\u9fff]{2,}", bw) and not NOT_INDICATOR.match(bw) \
                and bw not in ("达到", "实现", "完成", "其中"):
            s = before[0][1]  # a one-character head (「发放」+「率」): the word before is part of the name
            continue
        if bw == "项目" and text[s:e].startswith("支出") and not re.search(r"[该本此]$", text[:before[0][1]]):
            # 「项目支出」 (the budget class), not the back-referring 项目 (「该项目支出」)
            s = before[0][1]
            continue
        note = NOTE_BEFORE.search(text, max(0, s - WINDOW), s)
        if note and e - note.start() <= 14:  # a note inside the name: 「普通门(急)诊享受待遇」, 「因公出国（境）费」
            s = note.start()
            steps -= 1
            continue
        if bw.endswith("保险") and re.match(r"待遇.|费收入|费支出|金", text[s:e]):
            # 「享受生育保险待遇人次」, 「工伤保险费收入」, 「失业保险金支出」
            s = before[0][1]
            continue
        if (not re.fullmatch(r"[\u4e00-\u9fff“”]+", bw) or bw in NAME_STOP or NOT_INDICATOR.match(bw)
                or SCOPE_WORD.search(bw) or e - before[0][1] > 14 or bw[0] in "年月"
                or re.search(r"\d\s*$", text[max(0, before[0][1] - WINDOW): before[0][1]])  # "2.58 万名"
                or (bw.endswith("基金") and BARE_HEAD.match(text[s:e])
                    and not text[max(0, before[0][1] - 2):before[0][2]].endswith("统筹基金"))
                or (bw.endswith(("资金", "基金")) and re.fullmatch(r"预算(?:数|总额)?", text[s:e]))):  # 「……补助资金」|「预算」
            break
        s = before[0][1]
    while s < e and text[s] in "年月" and not re.match(r"年[度末初]", text[s:e]):
        s += 1
    avg = AVERAGE_NAME.search(text, max(0, e - WINDOW), e)
    while avg and avg.end() < e:  # the match that ends at e, if any
        avg = AVERAGE_NAME.search(text, avg.start() + 1, e)
    if avg and avg.end() == e and avg.start() < s:  # 「享受待遇人数月平均数」: the average of a named count
        s = avg.start()
        lead = re.match(r"(?:其中|全年|共有|共|平均|月均|以及|及|和)+", text[s:e])
        s += lead.end() if lead else 0
    name = text[s:e]
    fee = re.match(r".+?费(?=(?:财政拨款)?支出$)", name)
    if fee and e - s > 4:  # "公务接待费支出 0.14万元", "“三公”经费财政拨款支出决算": the item is the 费
        e = s + fee.end()
        name = text[s:e]
    # the fund or scheme of a money line item: 「职工基本医疗保险基金收入」, 「生育保险基金总支出」
    if FUND_LINE_HEAD.search(name) or SCHEME_COUNT_HEAD.search(name) or re.search(r"(?:补助|补贴|专项)资金$", name):
        # (「城乡居民基本养老保险补助资金」: the scheme's subsidy fund, blind writers K, L, R, U, W)
        f = FUND_PREFIX.search(text, max(0, s - WINDOW), s)
        if f and f.end() == s and (f.end() - f.start() > 2 or not name.startswith("基金")):
            s = f.start()
    # a period word before it: 「年末滚存结余」, 「本年收支结余」, 「年初财政预算」 (not a year: 「2022年末」)
    p = PERIOD_PREFIX.search(text, max(0, s - WINDOW), s)
    if p and name not in BARE_GENERIC and PERIOD_HEAD.search(name) and not (
            p.group(0) == "全年" and re.search(r"(?:收入|支出)$", name) and len(name) > 2):
        s = p.start()  # (「全年基金收入2.89亿元」: the year's income is the fund's income, the blind writers 3 of 3)
    if re.fullmatch(r"年度(?:预算|支出|收入)", text[s:e]):  # 「占年度预算」: the head (「年度支出预算」 keeps it)
        s += 2
    if text[max(0, s - 5):s] == "政策范围内":  # 「政策范围内住院费用报销比例」: the scope defines the rate
        s -= 5
    s = _after_enum(text, s, e)  # 「一是县级财政资金执行率仅为85.09%」: the list word is not part of the name
    lead = re.match(r"(?:含|其中|全年|本年|当年)(?=\S{5,})|全年(?=\S{4})", text[s:e])
    if lead and not re.match(r"(?:年末|年初|本年|当期|当年|全年)(?:滚存|收支|累计|实际)?(?:结余|收入|支出|预算|执行数|决算数)", text[s:e]):
        s += lead.end()  # 「全年城乡居民基本医疗保险基金支出」, 「含财政代缴个人缴费收入」: the measure without them
    lead = re.match(r"实际(?=[\u4e00-\u9fff]{1,4}[率度]$)", text[s:e])
    if lead:  # 「实际满意度为95.2%」: the achieved value's cue, not part of the measure
        s += lead.end()
    if re.match(r"(?:超过|超出|高于|低于|少于|多于|较|比)", text[s:e]):
        return None  # 「超过预算516.89万元」, 「高于收入执行率2.27个百分点」: a comparison, not a measure
    name = text[s:e]
    if name in ("完成率", "偏差率"):
        return None  # 「实际完成69.13万人，完成率100.92%」: the rate of the measure just named, not a measure
    if "\t" in text and EVAL_CATEGORY.fullmatch(name):
        return None  # 「效益⇥满意度⇥10⇥8」: a scoring category, not an indicator
    if "\t" not in text:
        if re.match(r"享受.*保险待遇$", name):
            return None  # 「享受工伤保险待遇3412人次」: a count of beneficiaries, no measure named
        lead = re.match(r"(?:全年|本年|当年)?(?:共计|共|合计)", name)
        if lead and name[lead.end():] in BARE_MONEY_HEAD:
            return None  # 「共计支出0.14万元」, 「已支出」: a running total of the action
        if name in BARE_MONEY_HEAD and value_words:
            return None  # 「行政运行（2080101）: 支出决算为373.69万元」: a budget line's 决算, named by its code
        if name.endswith("预算") and re.match(r"[\d.]+\s*%", text[amount_start:]):
            return None  # 「完成年度预算102.79%」: a share of the budget, not the budget
        if name in BARE_GENERIC:
            return None  # 「涉及金额3.62万元」, 「追回……的待遇」, 「结余4.0万元」: no measure named
        if name in BARE_MONEY_HEAD and not re.match(r"[^，。；;%]*?(?:万元|亿元|千元|元)", text[amount_start:amount_start + 24]):
            return None  # 「完成预算100%」: a share of the budget, not the budget
        if name in BARE_MONEY_HEAD and re.search(r"(?:已|共|累计|合计|实际)$", text[max(0, s - WINDOW):s]):
            return None  # 「已支出5.38亿元」: a running total of the action
    return Span(s, e, "INDICATOR") if e - s >= 2 else None


# A row's first cell that names a place or a level (「凯里市」, 「科右前旗」, 「巴彦浩特镇」, 「全盟」, 「市本级」): the row is one
# place's figures, not a measure (87 such rows in the blind and written gold, none tagged)
PLACE_CELL = re.compile(r"[\u4e00-\u9fff]{1,10}(?:省|市|县|旗|区|镇|乡|盟|州|苏木|嘎查|街道|本级)|全[省市县区旗盟州]")


def _indicator_cell_before(text: str, start: int, cells: list[tuple[int, int]]) -> Span | None:
    """In a table row, the cell before a value cell names it: "预算安排资金⇥78876"."""
    for k, (cs, ce) in enumerate(cells):
        if cs <= start <= ce:
            if text[cs:start].strip():
                return None
            for ps, pe in reversed(cells[:k]):
                cell = text[ps:pe]
                if not cell.strip() or dec_unit(cell) and re.fullmatch(UNIT_ALTERNATION, cell.strip()):
                    continue  # (a 单位 column between the name and the values: 「参保人数⇥万人⇥3,642.15」)
                m = re.match(r"\s*(?:其中\s*[:：：-]?\s*)?", cell)
                s, e = _trim(text, ps + (m.end() if m else 0), pe)
                prefix = NAME_PREFIX.match(text[s:e])  # 「一、城乡居民基本医疗保险基金收入」
                if prefix:
                    s += prefix.end()
                unit = re.search(r"[（(][^）)]{1,6}[）)]\s*$", text[s:e])
                if unit and e - s - len(unit.group(0)) >= 2:  # 「参保人数（万人）」: the unit is no part of the name
                    e = s + unit.start()
                while e > s and text[e - 1] in ":：%（(）) ":  # "预算数：", "执行预算%"
                    e -= 1
                if text[s:e].endswith(("小计", "合计", "总计")) and e - s > 4:  # "基金收入小计" → 基金收入
                    e -= 2
                name = text[s:e]
                if name in ("总分", "合计", "总计", "小计", "得分", "分值", "同上", "同前", "见上") \
                        or EVAL_CATEGORY.fullmatch(name) or FORM_RESULT_LABEL.fullmatch(name) or SCORING_RULE.search(name) \
                        or PLACE_CELL.fullmatch(name) and s == _trim(text, *cells[0])[0]:
                    return None  # 「自评得分⇥99.17分」: the form's result, not a measure
                if (re.fullmatch(r"[\u4e00-\u9fff“”]{2,14}", name) and not NOT_INDICATOR.match(name)
                        and not name.endswith(("指标", "情况", "目标")) and not re.search(r"增长|增幅|增减|变动", name)):
                    return Span(s, e, "INDICATOR")
                return None
    return None


def resolve_overlaps(spans: list[Span]) -> list[Span]:
    """Flat, non-overlapping spans: value expressions win over the AMOUNT/UNIT inside them.

    The chosen spans are kept sorted, so each candidate is checked against its two neighbours only
    (linear-logarithmic in the number of spans, not quadratic).
    """
    from bisect import bisect_left

    starts: list[int] = []
    chosen: list[Span] = []
    for sp in sorted(spans, key=lambda x: (-PRIORITY[x.type], -(x.end - x.start), x.start)):
        if sp.end <= sp.start:
            continue
        i = bisect_left(starts, sp.start)
        if i > 0 and chosen[i - 1].end > sp.start:
            continue
        if i < len(chosen) and chosen[i].start < sp.end:
            continue
        starts.insert(i, sp.start)
        chosen.insert(i, sp)
    return sorted(chosen, key=lambda x: (x.start, x.end))


def extract_entities(text: str, header_unit: str | None = None, words=None,
                     planned: bool = False) -> list[tuple[int, int, str]]:
    """Entities of one paragraph of running text or one table row, as (start, end, type).

    >>> t = "保费收入5617.38万元，评价得分89.15分"
    >>> [(t[s:e], k) for s, e, k in extract_entities(t)]
    [('保费收入', 'INDICATOR'), ('5617.38', 'AMOUNT'), ('万元', 'UNIT'), ('89.15分', 'SCORE')]
    """
    from jixiao.tokenize import default_tokenizer

    if not text.strip():
        return []
    spans = prose_value_spans(text, planned)
    amounts = amount_spans(text, bare_numbers="\t" in text)
    spans.extend(amounts)
    for m in HEADER_UNIT.finditer(text):
        u = "u1" if m.group("u1") else "u2"
        spans.append(Span(m.start(u), m.end(u), "UNIT"))
        more = re.match(r"(?:\s*[、,，/]\s*(万人次|人次|万人|人|户|个|%))+", text[m.end(u):])
        for k in range(1, (more.lastindex or 0) + 1) if more else ():
            spans.append(Span(m.end(u) + more.start(k), m.end(u) + more.end(k), "UNIT"))  # 「单位：万元、人」
    if "\t" in text:  # a header cell's unit in brackets: 「执行率（%）」, 「参保人数（万人）」 (money units: HEADER_UNIT)
        for m in re.finditer(r"(?:^|(?<=\t))[^\t\d]{1,16}?[（(]\s*(?P<u>%|‰|万人次|人次|万人|人|户|个|家|项)\s*[）)]\s*(?=\t|$)", text):
            spans.append(Span(m.start("u"), m.end("u"), "UNIT"))
    if "\t" in text and re.search(r"\d", text):  # a 单位 column's cell: 「参保人数⇥万人⇥3,642.15⇥…」
        for cs, ce in cells_with_offsets(text)[1:]:
            us, ue = _trim(text, cs, ce)
            if ue > us and re.fullmatch(UNIT_ALTERNATION, text[us:ue]) and text[us:ue] not in ("万", "亿", "分"):
                spans.append(Span(us, ue, "UNIT"))
    marked = [sp for sp in spans if sp.type in ("TARGET", "ACTUAL")] if "\t" not in text else []
    targets = [sp for sp in marked if sp.type == "TARGET"]
    if marked or any(sp.type == "AMOUNT" for sp in amounts):
        if words is None:
            words = [(t.text, t.start, t.end) for t in default_tokenizer()(text)]
        ends = words_by_end(words)
        cells = cells_with_offsets(text) if "\t" in text else []
        for sp in amounts:
            if sp.type == "AMOUNT" and not any(m.start <= sp.start < m.end for m in marked):
                if cells and any(cs <= sp.start < ce and SCORING_RULE.search(text[cs:ce]) for cs, ce in cells):
                    continue  # a threshold in a scoring rule (「到位率达到100%的得满分」): no measure's value
                ind = _indicator_cell_before(text, sp.start, cells)
                if ind is None:
                    ind = indicator_before(text, sp.start, words, ends)
                    if ind is not None and "\t" not in text and INDICATOR_SUFFIX_WHOLE.search(text[ind.start:ind.end]):
                        ind = _whole_clause_name(text, ind, strong=True)  # 「；企业退休人员养老金社会化发放率为100%」
                if ind:
                    spans.append(ind)
        for m in re.finditer(r"(?:分别|均)(?:为|是|达到?|在|保持在)[ \u3000]*(?=[≥≤<>]?\d)", text) if "\t" not in text else ():
            # 「A、B和C分别为99.8%、98.6%和97.2%」: each listed measure is named
            ind = indicator_before(text, m.start(), words, _ends_cut_at(text, words, ends, m.start()))
            if ind is not None and INDICATOR_SUFFIX_WHOLE.search(text[ind.start:ind.end]):
                ind = _whole_clause_name(text, ind)
                conj = _conjuncts_before(text, ind)
                for k, c in enumerate(conj):
                    lead = _LEAD_WORDS.match(text, c.start, c.end)
                    if lead and c.end - lead.end() >= 2:  # 「全年实际完成门诊救助人次、…」
                        conj[k] = Span(lead.end(), c.end, "INDICATOR")
                if conj:
                    spans.append(ind)
                    spans.extend(conj)
        for sp in marked:  # 「实际满意度为95.2%」: the measure between 实际 and its value
            named = re.search(r"实际(?:平均)?([\u4e00-\u9fff]{1,6}?[率度])(?:为|达到?|[:：])[ \u3000]*$", text[max(0, sp.start - 14):sp.start])
            if sp.type == "ACTUAL" and named and not _targets_before(text, targets,
                                                                      sp.start, "。！？；;"):
                base = max(0, sp.start - 14)
                spans.append(Span(base + named.start(1), base + named.end(1), "INDICATOR"))
        for sp in marked:  # 「城镇登记失业率控制在4.5%以内」, 「参保率目标为95%」: the measure before the cue
            if sp.type == "ACTUAL" and _targets_before(text, targets, sp.start, "。；;！？"):
                continue  # 「参保人数目标任务为521万人，年末实际参保人数为516.8万人」: the same measure, named once
            cue = CUE_BEFORE_VALUE.search(text, max(0, sp.start - WINDOW), sp.start)
            if not (cue and cue.start() < sp.start) and re.match(r"不低于|不高于|不超过|不少于|不多于", text[sp.start:sp.end]):
                # 「，严重精神障碍患者规范管理率不低于80%」: the value holds its cue; the name stands right before it
                ind = indicator_before(text, sp.start, words, _ends_cut_at(text, words, ends, sp.start))
                if ind is not None:
                    spans.append(_whole_clause_name(text, ind))
                continue
            if cue and cue.start() < sp.start:
                pos = cue.start() - 1 if text[cue.start() - 1:cue.start()] in ("（", "(") else cue.start()
                count = re.search(r"[一二三四五六七八九十两\d]+项(?:指标)?$", text[max(0, pos - 6):pos])
                if count:  # 「A、B和C三项指标目标值均为100%」
                    pos -= len(count.group(0))
                # (「重度残疾人护理补贴发放人数（目标3,600人）」: the name before the bracket, at a word end)
                cut = _ends_cut_at(text, words, ends, pos) if pos == cue.start() else ends
                ind = indicator_before(text, pos, words, cut)
                if ind is not None:
                    ind = _whole_clause_name(text, ind)
                    if re.match(r"[ \u3000]*(?:[一二三四五六七八九十两\d]+项(?:指标)?)?(?:目标值?|指标值?|年初目标|目标任务)?"
                                r"[ \u3000]*(?:均|分别)", text[ind.end:sp.start]):
                        spans.extend(_conjuncts_before(text, ind))  # 「A、B和C目标值均为100%」: each is a measure
                if ind is None and sp.type == "TARGET":
                    ind = _clause_head_before(text, cue.start())
                if ind is None and sp.type == "TARGET":
                    ind = _named_before_cue(text, cue.start())
                    if ind:
                        spans.append(ind)
                        continue
                if ind and not re.search(r"[，。；;]", text[ind.end:sp.start]):
                    spans.append(ind)
        for sp in marked:  # 「全年完成城镇新增就业人数10 236人」, 「全年计划开展工伤预防培训12场次」: the cue before the name
            if sp.type == "ACTUAL" and _targets_before(text, targets, sp.start, "。；;！？"):
                continue  # 「新增就业人数年初目标任务1,600人，全年实际新增就业1,742人」: named once, with its target
            if not any(x.type == "INDICATOR" and x.end <= sp.start and not re.search(r"[，,。；;]", text[x.end:sp.start])
                       for x in spans):
                ind = indicator_before(text, sp.start, words, ends)
                if ind is not None:
                    ind = _without_leads(text, _whole_clause_name(text, ind), targets)
                else:
                    ind = _activity_name_before(text, sp.start)
                if ind:
                    spans.append(ind)
    return [(s.start, s.end, s.type) for s in resolve_overlaps(spans)]


# A clause opening: punctuation, a list marker or a category label (「1.数量指标：」, 「；」)
_CLAUSE_OPEN = re.compile(r"(?:^|[，,；;。：:]|(?<!\d)\.|[\d一二三四五六七八九十]+[.、．]|[（(][\d一二三四五六七八九十]+[）)]|指标[.．:：])\s*$")


# A measure named by the activity it counts (「城镇新增就业」, 「补贴性职业技能培训」, 「孕产妇系统管理」): named only when
# the text marks its value as planned or achieved (blind writers tagged 20 of 24 such names before a marked value and
# 5 of 20 before an unmarked count, 「全年实施临时救助396人次」)
ACTIVITY_NAME = re.compile(r"(?P<head>就业|培训|系统管理|健康管理|预防|慰问|体检|稽核)(?:实际完成|全年完成|完成|达到|共计?|累计)?[ \u3000]*$")
_ACTIVITY_LEAD = re.compile(r"(?:全年|年均|本年|当年|年内|年初|计划|实际|累计|共|力争|确保|目标|开展|完成|实现|组织|实施|举办)+")


_LEAD_WORDS = re.compile(r"(?:实际|计划|力争|确保|完成|全年|年初|年末|当年|本年|我[县市区旗州省盟]|全[县市区旗州省盟])+")


def _without_leads(text: str, ind: Span | None, targets: list[Span] = ()) -> Span | None:
    """``ind`` without the plan, outcome, period and scope words it opens with (「实际参保人数」 → 参保人数,
    「力争全年参保率」 → 参保率); None when nothing of a name is left, it opens inside a phrase (「以上参保人员…」), it is a
    bare money word (「实际支出」), or it names again a measure whose target came before (「…参保任务136.8万人，实际参保人数
    为131.46万人」, 「参保人数目标任务为12.9万人。……实际参保人数为12.68万人」: the blind writers name it once)."""
    if ind is None:
        return None
    lead = _LEAD_WORDS.match(text, ind.start, ind.end)
    s = lead.end() if lead else ind.start
    name = text[s:ind.end]
    if len(name) < 2 or re.match(r"以上|以下|以内|及以上", name) or re.fullmatch(r"支出|收入|资金|预算|结余|经费", name):
        return None
    if name in text[:s] or lead and "实际" in lead.group(0) and any(t.end <= ind.start for t in targets):
        return None
    return Span(s, ind.end, "INDICATOR")


def _activity_name_before(text: str, pos: int) -> Span | None:
    """The activity a marked count measures, just before it: 「；全年城镇新增就业3000人以上」 → 城镇新增就业.

    The name is the clause head before the count (at most 16 characters, opening its clause), without period,
    scope and verb words before it (「全年计划开展」, 「我县」)."""
    m = ACTIVITY_NAME.search(text, max(0, pos - 24), pos)
    if not m:
        return None
    e = m.end("head")
    run = re.search(r"[\u4e00-\u9fff]+$", text[max(0, e - 24):e])
    s = e - len(run.group(0))
    if not _CLAUSE_OPEN.search(text[max(0, s - 8):s]):
        return None
    s = _after_enum(text, s, e)
    for _ in range(2):
        lead = _HEAD_LEAD.match(text, s, e)
        s = lead.end() if lead and e - lead.end() >= 4 else s
        s += _place_prefix(text[s:e])
        lead = _ACTIVITY_LEAD.match(text, s, e)
        s = lead.end() if lead and e - lead.end() >= 4 else s
    name = text[s:e]
    if not 4 <= len(name) <= 16 or re.search(r"的|提供|为|对|向|帮助|组织|开展|完成|实现", name) \
            or _ACTIVITY_LEAD.match(name) or _HEAD_LEAD.match(name):  # 「计划培训9,000人次」: no name
        return None
    return Span(s, e, "INDICATOR")


def _clause_head_before(text: str, pos: int) -> Span | None:
    """The whole clause head before a target cue when it names no measure word: 「；职业技能培训计划5万人次」.

    Only a short run of Chinese characters that opens its clause, and not a period or scope word.
    """
    m = re.search(r"[\u4e00-\u9fff]{4,14}$", text[max(0, pos - 14):pos])
    if not m:
        return None
    s = pos - len(m.group(0))
    if not _CLAUSE_OPEN.search(text[max(0, s - 8):s]):
        return None
    s = _after_enum(text, s, pos)  # 「一是城乡居民月人均养老金年初目标为…」
    name = text[s:pos]
    if re.match(r"(?:全年|本年|当年|年初|年末|今年|其中|我[县市区旗州省]|全[县市区旗州省])", name) or "的" in name \
            or re.search(r"(?:开展|完成|实现|发放|安排|下达|落实|保持|确保)", name):
        return None
    return Span(s, pos, "INDICATOR")


# Heads of rates, counts and standards, whose whole clause head names the measure in prose (not money line items,
# whose fund and period words are read by indicator_before)
INDICATOR_SUFFIX_WHOLE = re.compile(r"(?:率|度|人数|人次|户数|标准|水平|比例|时限|时间|月数)$")
_NAME_RUN = re.compile(r"(?:[\u4e00-\u9fff、]|\d+(?:[-—~～]\d+)?岁)*$")
_HEAD_LEAD = re.compile(r"(?:20\d\d年度?|[一二三四五六七八九十]是|(?:年底|年末|月底)?前|(?:年初)?(?:设定|确定)|实际|(?:年度)?计划|全年|本年|当年|今年|年内|年初|年末(?!滚存|累计|结余)|目标|其中|全[县市区旗州省盟镇乡村]|各[县市区旗乡镇]|(?:本|该)?项目|我[县市区旗州省盟]|本[县市区旗州省盟])+")
_HEAD_VERB = re.compile(r"(?:开展|完成|实现|安排|下达|落实|确保|力争|按照|通过|经过|根据|为|是|将|把|对|在|经|按|因|由)")


# 「1.基金收入预算执行率。目标值为≥95%」: a numbered sub-heading names the measure whose target follows
HEADING_NAME = re.compile(r"^\s*(?:(?:\d{1,2}|[一二三四五六七八九十]{1,2})[.、．]\s*(?P<name>[\u4e00-\u9fff]{2,20}?)[。．.:：]"
                          r"|(?P<name2>[\u4e00-\u9fff]{2,20}?(?:人数|人次|率|度|标准|比例|水平|月数|时限))[:：])"
                          r"\s*(?:年初|全年|年度)?(?:要求|设定|确定)?\s*$")
# 「补充设置参保群众满意度指标，目标值为≥90%」: the measure named before the word 指标
NAMED_BY_WORD = re.compile(r"(?:^|[，,；;。：:])(?:新增|设置|增设|补充设置|细化为|调整为|改为)?(?P<name>[\u4e00-\u9fff]{2,20}?)指标[，,]\s*(?:其)?$")


def _named_before_cue(text: str, pos: int) -> Span | None:
    """The measure of a target cue named by a sub-heading or by 「……指标，」 just before it."""
    before = text[max(0, pos - 30):pos]
    base = pos - len(before)
    for pat in (HEADING_NAME, NAMED_BY_WORD):
        m = pat.search(before)
        if m and "name2" in pat.groupindex and m.group("name2"):
            return Span(base + m.start("name2"), base + m.end("name2"), "INDICATOR")
        if m and m.group("name") and not re.fullmatch(r"(?:数量|质量|时效|成本|效益|满意度|产出|社会效益|经济效益|生态效益|可持续影响|绩效)(?:指标)?",
                                  m.group("name")):
            return Span(base + m.start("name"), base + m.end("name"), "INDICATOR")
    return None


def _conjuncts_before(text: str, ind: Span) -> list[Span]:
    """The measures listed before the last one of 「A、B和C目标均为100%」: A and B (C is ``ind``)."""
    out: list[Span] = []
    end = ind.start
    while end > 0 and text[end - 1] in "、和及与":
        m = re.search(r"(?:\d+(?:[-—~～]\d+)?岁)?[\u4e00-\u9fff]{2,22}$", text[max(0, end - 1 - 28):end - 1])
        if not m or not INDICATOR_SUFFIX_WHOLE.search(m.group(0)):
            break
        s = end - 1 - len(m.group(0))
        lead = re.match(r"(?:.*?(?:指标[。．.：:]|[：:]))?", text[s:end - 1])
        s += lead.end() if lead else 0
        for sep in ("和", "及", "与"):  # 「A和B」 inside one run: the last conjunct only
            k = text.rfind(sep, s, end - 1)
            if k >= 0 and INDICATOR_SUFFIX_WHOLE.search(text[s:k]):
                s = k + 1
        if end - 1 - s < 2:
            break
        out.append(Span(s, end - 1, "INDICATOR"))
        end = s
    return out


def _place_prefix(head: str) -> int:
    """The length of an administrative division's name that opens ``head`` (「涉县」, 「黔东南州」), or 0."""
    from jixiao.gazetteer import gazetteer

    if len(head) < 3:
        return 0
    g = gazetteer()
    for n in g.starts.get(head[0], ()):
        if n < len(head) and head[n - 1] in "省市县区旗州盟" and head[:n] in g.full and head[:n] not in ("城市", "城区"):
            return n
    return 0


_SENTENCE_OPEN = re.compile(r"(?:^|[；;。]|(?<!\d)\.|[\d一二三四五六七八九十]+[.、．]|[（(][\d一二三四五六七八九十]+[）)])\s*$")


def _whole_clause_name(text: str, ind: Span, strong: bool = False) -> Span:
    """A measure named before a marked value keeps the whole clause head it ends (ANNOTATION §4: the shortest
    name that keeps its defining qualifiers): 「；困难残疾人生活补贴发放人数目标值4 100人」, 「，工伤职工对经办服务满意度
    指标为≥90%」, 「;0-6岁儿童健康管理率实际为94.20%」, not only the head word the tokenizer ends with.

    Only a short run of Chinese characters (with 、 and ages) that opens its clause, without leading period or scope
    words (「全年」, 「我县」), and not a clause that starts with a verb or preposition.
    """
    run = _NAME_RUN.search(text, max(0, ind.start - 48), ind.start)
    s = run.start() if run else ind.start
    if s == ind.start or not (_SENTENCE_OPEN if strong else _CLAUSE_OPEN).search(text[max(0, s - 8):s]):
        return ind  # strong: an unmarked value's name runs back only to a sentence opening, not a comma
    lead = _HEAD_LEAD.match(text, s, ind.end)  # (to ind.end: 「年末(?!滚存)」 looks at the name)
    s = min(lead.end(), ind.start) if lead else s
    s += _place_prefix(text[s:ind.start])  # 「涉县机关事业单位养老保险参保人数」: the place owns the measure
    lead = _HEAD_LEAD.match(text, s, ind.end)  # (to ind.end: 「年末(?!滚存)」 looks at the name)
    s = min(lead.end(), ind.start) if lead else s
    for k in range(ind.start - 1, s, -1):  # 「A和B目标均为」, 「A、B目标均为」: B's name starts after the conjunction
        if text[k] in "、和及与" and INDICATOR_SUFFIX_WHOLE.search(text[s:k]):
            s = k + 1
            break
    if text.startswith("年度", s) and text[ind.end - 1] == "率":
        s += 2  # 「年度资金执行率」: the year's rate is the rate (「年度救助限额」 keeps it)
    said = None
    for said in re.finditer(r"显示|表明|反映|得出|下达", text[s:ind.start]):  # (「盟本级向各旗县市下达城镇新增就业人数目标任务」)
        pass
    if said:  # 「问卷调查显示服务对象满意度为…」: the name starts after the verb that reports it
        s += said.end()
        lead = _HEAD_LEAD.match(text, s, ind.end)  # 「……年初下达我州参保人数」
        s = min(lead.end(), ind.start) if lead else s
    head = text[s:ind.start]
    if not head or ind.end - s > 22 or re.search(r"的|指标|包括|为|是|即", head) or _HEAD_VERB.match(head) \
            or head.startswith("、"):
        return ind
    return Span(s, ind.end, "INDICATOR")


def cells_with_offsets(text: str) -> list[tuple[int, int]]:
    """(start, end) of each tab-separated cell of a table row."""
    out, pos = [], 0
    for cell in text.split("\t"):
        out.append((pos, pos + len(cell)))
        pos += len(cell) + 1
    return out


# The first cell of a total row of a scoring table: its last plain number is the total score
TOTAL_ROW = re.compile(r"\s*(?:总\s*分|合\s*计|总\s*计|得\s*分\s*合\s*计|综\s*合\s*得\s*分)\s*(?:\t|$)")


def table_row_spans(text: str, header: dict[str, int] | None, shift: int) -> list[Span]:
    r"""Column-based spans for a row of an indicator table (TARGET/ACTUAL/SCORE/INDICATOR).

    >>> t = "参保人数\t≥27.5万人\t27.86万人\t15\t15"
    >>> [(t[s.start:s.end], s.type) for s in table_row_spans(t, {"name": 0, "target": 1, "actual": 2, "weight": 3, "score": 4}, 0)]
    [('≥27.5万人', 'TARGET'), ('27.86万人', 'ACTUAL'), ('15', 'SCORE'), ('参保人数', 'INDICATOR')]
    """
    if header is None:
        return []
    cells = cells_with_offsets(text)
    spans: list[Span] = []
    filled = [(cs, ce) for cs, ce in cells if text[cs:ce].strip()]
    first = re.sub(r"\s+", "", text[filled[0][0]:filled[0][1]]) if filled else ""
    result_form = FORM_RESULT_LABEL.fullmatch(first) and any(
        parse_number(text[cs:ce].strip().rstrip("分").strip()) is None for cs, ce in filled[1:])
    if len(filled) <= 2 and FORM_TEXT_LABEL.fullmatch(first) or result_form:
        return []  # 「存在的问题及原因⇥一是……」, 「自评得分⇥99.17分⇥自评等级⇥优」: a form's block under the table
    if filled and TOTAL_ROW.match(text, filled[0][0]) and "score" in header and 0 <= header["score"] - shift < len(cells):
        # a total row as wide as its header: the score and weight columns say which number is which
        # (「合计⇥⇥100⇥91.20⇥91.20」 under 「…⇥分值⇥得分⇥得分率」: the last number is the rate)
        k = header["score"] - shift
        ss, se = _trim(text, *cells[k])
        width_ok = text.count("\t") + 1 >= max(header.values()) + 1 - shift
        if width_ok and parse_number(text[ss:se].rstrip("分").strip()) is not None:
            out = [Span(ss, se, "SCORE")]
            w = header.get("weight")
            if w is not None and 0 <= w - shift < len(cells):
                ws, we = _trim(text, *cells[w - shift])
                if parse_number(text[ws:we].rstrip("分").strip()) is not None:
                    out.insert(0, Span(ws, we, "AMOUNT"))
            return out
    if filled and TOTAL_ROW.match(text, filled[0][0]) and "score" in header:
        # 「总分⇥100⇥99.48」, 「合计⇥100⇥91.2⇥91.20%」: the last plain number is the total score, the one before it the weight
        values = [(_trim(text, cs, ce), parse_number(text[cs:ce].strip().rstrip("分").strip())) for cs, ce in filled[1:]
                  if "%" not in text[cs:ce]]
        numbers = [span for span, v in values if v is not None and 0 <= v <= 100]
        if len(numbers) >= 2 and len(numbers) == len(values):
            return [Span(*n, "AMOUNT") for n in numbers[:-1]] + [Span(*numbers[-1], "SCORE")]
    for role, typ in (("target", "TARGET"), ("target_alt", "TARGET"), ("actual", "ACTUAL"), ("actual_alt", "ACTUAL"),
                      ("score", "SCORE"), ("score_alt", "SCORE"), ("name", "INDICATOR"), ("unit", "UNIT")):
        j = header.get(role)
        if j is None:
            continue
        k = j - shift
        if not 0 <= k < len(cells):
            continue
        s, e = _trim(text, *cells[k])
        if e <= s or text[s:e] in ("—", "-", "/", "无", "--", "——"):
            continue
        if role in ("target", "actual") and header.get("pair") == j:  # 「≥350人/371人」: target, then actual
            pair = split_pair(text[s:e])
            if pair is None and role == "actual":
                continue
            if pair is not None:
                a, b = pair[0] if role == "target" else pair[1]
                s, e = s + a, s + b
        if role == "unit":  # 「度量单位」 column beside a bare value: 万人, %, 元/人
            if dec_unit(text[s:e]):
                spans.append(Span(s, e, "UNIT"))
            continue
        if typ == "INDICATOR":
            if not spans:
                continue  # a form's label row under the table (「评价结论⇥……」): no value, no indicator
            prefix = NAME_PREFIX.match(text[s:e])  # 「指标1：参保人数」, 「一、基金收入」
            if prefix:
                s += prefix.end()
            sub = re.match(r"其中\s*[:：]\s*", text[s:e])  # 「其中：建档立卡贫困人口代缴人数（万人）」: a sub-measure
            if sub and e - s - sub.end() >= 4:
                s += sub.end()
            # shortest name: drop brackets and weights "参保人数（人）", "报送时效（2分）"
            m = re.match(r"[^（(]+", text[s:e])
            e = s + len(m.group(0).rstrip()) if m else e
            name = text[s:e]
            if (classify_header(name, use_model=False) in ("name", "level1", "level2", "category") or NOT_INDICATOR.match(name)
                    or name in ("总分", "合计", "总计", "小计") or re.match(r"^(其中|[\d.%≥≤<>]+$)", name)
                    or PLACE_CELL.fullmatch(name) and k == 0):  # 「银川市⇥100%⇥97.42%⇥93.5」: one place's row
                continue
        if typ == "SCORE" and parse_number(text[s:e].rstrip("分").strip()) is None:
            continue
        if typ in ("TARGET", "ACTUAL") and (e - s > MAX_VALUE_CELL or "。" in text[s:e]):
            # a narrative cell (年度总体目标: 预期目标⇥实际完成情况): the values it states are the column's
            spans.extend(_narrative_cell_spans(text, s, e, typ))
            continue
        if text[s:e].endswith((":", "：")):
            continue  # a form's label cell (「财务负责人：」), not a value
        spans.append(Span(s, e, typ))
    used = {header[r] - shift for r in ("target", "target_alt", "actual", "actual_alt", "name", "score", "score_alt", "unit")
            if r in header}
    j = header.get("level1")
    if j is not None and not any(r in header for r in ("target", "target_alt")) and 0 <= j - shift < len(cells):
        s, e = _trim(text, *cells[j - shift])  # 「年度总体目标⇥全年实际完成情况」 over 「目标1:城镇新增就业2,600人以上;…⇥…」
        if e - s > MAX_VALUE_CELL and re.search(r"[。；;]", text[s:e]):
            spans.extend(_narrative_cell_spans(text, s, e, "TARGET"))
            used.add(j - shift)
    for k, (cs, ce) in enumerate(cells):
        s, e = _trim(text, cs, ce)
        if k in used or e - s <= 12 or not re.search(r"[，,。；;]", text[s:e]) or SCORING_RULE.search(text[s:e]):
            continue  # (评分标准 「控制在1个内，得分；2-3个得1分」: a scoring rule's thresholds are no targets)
        # a cell of running text (扣分说明 「计划1.85万人，实际为1.92万人」): the values its cues mark
        spans.extend(Span(s + sp.start, s + sp.end, sp.type) for sp in prose_value_spans(text[s:e])
                     if sp.type in ("TARGET", "ACTUAL"))
    return spans


FORM_TEXT_LABEL = re.compile(r"[\u4e00-\u9fff、及和与（）()]{0,8}(?:问题|原因|偏差|改进|整改|措施|建议|说明|结论|备注|意见)[\u4e00-\u9fff、及和与（）()]{0,8}")
FORM_RESULT_LABEL = re.compile(r"(?:自评|综合|评价|最终)(?:得分|评分|等级|结论)|总得分")
SCORING_RULE = re.compile(r"得分|得\s*\d|扣\s*\d|扣分|满分|不得分|[=＝]|分值")
_MARKED_VALUE = re.compile(r"^(?:[≥≤<>＞＜]|不低于|不少于|不高于|不超过|低于|高于|超过)|(?:以上|以内|以下|左右|之内)$")


def _narrative_cell_spans(text: str, s: int, e: int, typ: str) -> list[Span]:
    """Values of a narrative target/actual cell (「全县城乡居民医保参保人数目标任务68.5万人，……」) with the measures
    named before them, read as prose: every value is the column's type (the writers of corpus/blind K and P), except a
    sum of money that no cue or comparator marks and no measure names (「全年执行补助资金19,058.72万元」: money spent).
    """
    from jixiao.tokenize import default_tokenizer

    cell = text[s:e]
    words = [(t.text, t.start, t.end) for t in default_tokenizer()(cell)]
    ends = words_by_end(words)
    out: list[Span] = []
    for m in re.finditer(VALUE_EXPR, cell):
        vs, ve = m.span("val")
        if re.search(r"的\s*$|[较比]上年\S{0,4}$", cell[:vs]):  # 「完成年度预算的97.86%」: a share
            continue
        value = cell[vs:ve]
        cue = CUE_BEFORE_VALUE.search(cell, max(0, vs - WINDOW), vs)
        cue = cue if cue and cue.start() < vs else None
        marked = bool(cue or _MARKED_VALUE.search(value))
        money = bool(re.search(r"元(?:/|$)", value))
        pos = cue.start() if cue else vs
        ind = indicator_before(cell, pos, words, _ends_cut_at(cell, words, ends, pos) if cue else ends)
        if ind is None and cue:
            ind = _clause_head_before(cell, pos)
        if ind is None:  # (every value of the cell is the column's type, so marked)
            ind = _activity_name_before(cell, pos)  # 「全年城镇新增就业3000人以上」
        else:
            ind = _whole_clause_name(cell, ind)
        if not marked and money and re.search(r"万元|亿元", value) and (
                ind is None or re.search(r"(?:资金|预算数?|执行数|支出|收入|经费)$", cell[ind.start:ind.end])):
            continue  # 「全年执行补助资金19,058.72万元」: money spent, not a measure's value (「人均610元」 is one)
        out.append(Span(s + vs, s + ve, typ))
        if ind is not None and not re.search(r"[，。；;]", cell[ind.end:vs]):
            out.append(Span(s + ind.start, s + ind.end, "INDICATOR"))
    return out


FORM_LABEL_TYPES = ((re.compile(r"(?:年度|年度总体|总体|项目|年度绩效|绩效)?(?:绩效)?目标|预期(?:绩效)?目标|目标任务"), "TARGET"),
                    (re.compile(r"(?:全年|年度|总体)?(?:实际)?完成情况|实际完成(?:情况)?|目标完成情况|绩效目标实现情况"), "ACTUAL"))


def form_label_row_spans(text: str) -> list[Span]:
    """A form's label row with a narrative cell: 「年度绩效目标⇥目标1：……培训2.4万人次以上，取证率不低于70%。」."""
    cells = [(cs, ce) for cs, ce in cells_with_offsets(text) if text[cs:ce].strip()]
    if len(cells) < 2:
        return []
    label = re.sub(r"\s+", "", text[cells[0][0]:cells[0][1]])
    typ = next((t for pat, t in FORM_LABEL_TYPES if pat.fullmatch(label)), None)
    if typ is None:
        return []
    out: list[Span] = []
    first = True
    for cs, ce in cells[1:]:
        s, e = _trim(text, cs, ce)
        if e - s > MAX_VALUE_CELL or re.search(r"[。；;]", text[s:e]):
            # 「年度总体目标⇥预期目标：……⇥实际完成情况：……」: the cell after the targets states what was achieved
            kind = typ if first else "ACTUAL"
            if re.match(r"(?:预期目标|年度目标|目标)[:：]", text[s:e]):
                kind = "TARGET"
            elif re.match(r"(?:实际完成情况|实际完成|完成情况)[:：]", text[s:e]):
                kind = "ACTUAL"
            out.extend(_narrative_cell_spans(text, s, e, kind))
            first = False
    return out


# A header row over category rows names the measures of its columns (WRITING.md): 「险种⇥参保人数(人)⇥享受待遇人次(人次)」
CATEGORY_HEAD = re.compile(r"(?:险种|险种名称|地区|县区|县（市、区）|乡镇|乡镇（街道）|镇街|街道|救助类别|类别|对象类别|人员类别|年度|月份|旗县|旗县市区)")
MEASURE_HEAD = re.compile(r"(?:人数|人次|户数|平均数|覆盖率|发放率|到位率|参保率|标准|月数|发放金额|支出|收入|结余)$")
VALUE_KIND = re.compile(r"(?:年初|全年|本年|上年|调整后)?(?:预算数?|决算数?|执行数|执行率|完成预算|增减额?|增长率?|占比|比重|合计|小计|金额)")


def measure_header_spans(text: str) -> list[Span]:
    """INDICATOR spans for the measure names of a header row whose first column holds categories."""
    cells = cells_with_offsets(text)
    filled = [(cs, ce) for cs, ce in cells if text[cs:ce].strip()]
    if len(filled) < 2 or not CATEGORY_HEAD.fullmatch(re.sub(r"\s+", "", text[filled[0][0]:filled[0][1]])):
        return []
    out = []
    for cs, ce in filled[1:]:
        s, e = _trim(text, cs, ce)
        m = re.match(r"[^（(]+", text[s:e])
        e = s + len(m.group(0).rstrip()) if m else e
        name = text[s:e]
        if MEASURE_HEAD.search(name) and not VALUE_KIND.fullmatch(name) and re.fullmatch(r"[\u4e00-\u9fff]{2,16}", name):
            out.append(Span(s, e, "INDICATOR"))
    return out


TRANSPOSED_TYPES = {"target": "TARGET", "actual": "ACTUAL", "score": "SCORE"}


def transposed_row_spans(text: str, role: str | None, names_row: bool) -> list[Span]:
    """Spans of a row of a transposed table: names across the first row, one row per value role."""
    cells = cells_with_offsets(text)[1:]
    spans: list[Span] = []
    for cs, ce in cells:
        s, e = _trim(text, cs, ce)
        if e <= s or text[s:e] in ("—", "-", "/", "--"):
            continue
        if names_row:
            m = re.match(r"[^（(]+", text[s:e])
            ne = s + len(m.group(0).rstrip()) if m else e
            if ne - s >= 2:
                spans.append(Span(s, ne, "INDICATOR"))
            u = HEADER_CELL_UNIT.search(text, ne, e)
            if u:
                spans.append(Span(u.start("unit"), u.end("unit"), "UNIT"))
        elif role in TRANSPOSED_TYPES:
            if role == "score" and parse_number(text[s:e].rstrip("分").strip()) is None:
                continue
            spans.append(Span(s, e, TRANSPOSED_TYPES[role]))
        elif role == "unit" and dec_unit(text[s:e]):  # 「计量单位⇥万人⇥%」: each column's unit
            spans.append(Span(s, e, "UNIT"))
    return spans


def annotate_document(doc: Document) -> Document:
    """Add rule entities with normalised values to every paragraph of ``doc``."""
    from jixiao.structure import best_shift, table_contexts

    contexts = table_contexts(doc)
    # the header unit in force at each paragraph and the columns it skips, read as the scorer reads it
    unit_context = table_unit_context([{"text": p.text} for p in doc.paragraphs])
    for p in doc.paragraphs:
        text = p.text
        if p.kind != "table_row":
            planned = bool(p.section) and bool(PLANNED_HEADING.search(p.section[-1]))
            spans = extract_entities(text, planned=planned)
            _add(doc, p.index, text, spans, None)
            continue
        cells = p.cells
        ctx = contexts.get(p.index)
        unit, skipped = unit_context[p.index]
        if unit:
            doc.table_units[p.table] = unit
        spans = [Span(s, e, t) for s, e, t in extract_entities(text)]
        if ctx is not None and ctx.transposed:
            label = next((c for c in cells if c.strip()), "")
            names_row = p.index in ctx.header_rows
            spans = [sp for sp in spans if sp.type != "INDICATOR"]  # the row label (目标值, 分值) names no indicator
            spans = transposed_row_spans(text, None if names_row else classify_header(label), names_row) + spans
        elif ctx is not None and ctx.header is not None and p.index not in ctx.header_rows:
            shift = best_shift(ctx.header, cells, ctx.width)
            row_spans = table_row_spans(text, ctx.header, shift)
            unit_cells = [(sp.start, sp.end) for sp in row_spans if sp.type == "UNIT"]  # a 度量单位 cell is a unit
            total = TOTAL_ROW.match(text) and any(sp.type == "SCORE" for sp in row_spans)  # 「总分⇥100⇥98.52」: 100 is the weight
            spans = row_spans + [sp for sp in spans if not any(sp.start < e and s < sp.end for s, e in unit_cells)
                                 and not (total and sp.type == "SCORE")]
        if not (ctx is not None and ctx.transposed):
            spans = form_label_row_spans(text) + spans
        if ctx is not None and p.index in ctx.header_rows and not ctx.transposed:
            spans = [sp for sp in spans if sp.type == "UNIT"]  # 「全年指标值⇥1—6月实际完成值」: header words, no names
        if not re.search(r"\d", text):
            spans += measure_header_spans(text)
        _add(doc, p.index, text, [(s.start, s.end, s.type) for s in resolve_overlaps(spans)], unit, skipped)
    return doc


def _add(doc: Document, index: int, text: str, spans: list[tuple[int, int, str]], header_unit: str | None,
         skipped: frozenset[int] = frozenset()) -> None:
    for i, (s, e, typ) in enumerate(spans):
        ent = Entity(paragraph=index, start=s, end=e, type=typ, text=text[s:e])
        column = text.count("\t", 0, s)
        fill_values(ent, spans, i, text, None if column in skipped else header_unit)
        doc.entities.append(ent)


def fill_values(ent: Entity, spans: list[tuple[int, int, str]], i: int, text: str, header_unit: str | None) -> None:
    """Normalised value, unit, value_yuan and comparator of one entity (ANNOTATION.md §5)."""
    if ent.type == "AMOUNT":
        num = parse_number(ent.text)
        unit = None
        nxt = spans[i + 1] if i + 1 < len(spans) else None
        if nxt and nxt[2] == "UNIT" and not text[ent.end : nxt[0]].strip():
            unit = text[nxt[0] : nxt[1]]
        elif header_unit and "\t" in text:
            unit = header_unit
        ent.value, ent.unit = num, unit
        if num is not None and unit in CURRENCY:
            ent.value_yuan = to_yuan(num, unit)
    elif ent.type in ("TARGET", "ACTUAL", "SCORE"):
        pv = parse_value(ent.text)
        ent.value, ent.unit, ent.comparator, ent.upper = pv.value, pv.unit, pv.comparator, pv.upper
        if pv.value_yuan is not None:
            ent.value_yuan = pv.value_yuan
        elif pv.value is not None and pv.unit is None and header_unit in CURRENCY and ent.type != "SCORE":
            ent.value_yuan = to_yuan(pv.value, header_unit)
            ent.unit = "元" if ent.value_yuan is not None else None
    elif ent.type == "UNIT":
        ent.unit = ent.text
