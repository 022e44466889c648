"""The layout of the flat tables: table names, columns and their kinds, and the headers and sheet
names in the tables' language (Chinese or English)."""
from __future__ import annotations

from jixiao.errors import E_TABLE_LANG, UsageError
from jixiao.schema import PARAGRAPH_LABELS

TABLE_NAMES = ("documents", "paragraphs", "entities", "indicators", "sentences")
XLSX_NAME = "extract.xlsx"
LIST_SEPARATOR = "|"
MONEY_SCALE = 10  # decimal places of value_yuan in Parquet: decimal128(38, 10)

# The document's place, year and fund, repeated on every row of every table so that a sheet filters alone.
ROW_META: tuple[tuple[str, str], ...] = (
    ("region", "str"), ("province", "str"), ("region_code", "str"), ("year", "int"), ("fund", "str"),
)
# Paragraph label scores as one column each (``score_经验做法``), not JSON in a cell.
LABEL_SCORE_COLUMNS: tuple[tuple[str, str], ...] = tuple((f"score_{lab}", "num") for lab in PARAGRAPH_LABELS)

# Column kinds: str, int, num (Decimal → float64 in Parquet), money (Decimal → decimal128),
# list (list of str), json (any → JSON text).
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "documents": (
        ("doc_id", "str"), ("source", "str"), ("sha256", "str"), ("schema_version", "int"),
        ("title", "str"), ("region", "str"), ("province", "str"), ("prefecture", "str"), ("county", "str"),
        ("region_code", "str"), ("year", "int"), ("fund", "str"), ("unit", "str"),
        ("report_date", "str"), ("score", "num"), ("grade", "str"),
        ("n_paragraphs", "int"), ("n_entities", "int"), ("n_indicators", "int"), ("n_sentences", "int"),
    ),
    "paragraphs": (
        ("doc_id", "str"), *ROW_META, ("index", "int"), ("section", "list"), ("kind", "str"),
        ("heading_level", "int"), ("table", "int"), ("text", "str"), ("labels", "list"),
        *LABEL_SCORE_COLUMNS, ("roles", "list"),
    ),
    "entities": (
        ("doc_id", "str"), *ROW_META, ("paragraph", "int"), ("start", "int"), ("end", "int"), ("type", "str"),
        ("text", "str"), ("value", "num"), ("upper", "num"), ("unit", "str"),
        ("value_yuan", "money"), ("comparator", "str"), ("source", "str"),
    ),
    "indicators": (
        ("doc_id", "str"), *ROW_META, ("paragraph", "int"), ("level1", "str"), ("level2", "str"),
        ("name", "str"), ("target", "str"), ("actual", "str"),
        # typed target/actual (issue 13): number in its base unit (万人 → 人, 万元 → 元), unit, comparator
        ("target_number", "num"), ("target_unit", "str"), ("target_comparator", "str"),
        ("actual_number", "num"), ("actual_unit", "str"), ("actual_comparator", "str"), ("met", "str"),
        ("weight", "num"), ("score", "num"), ("note", "str"), ("source", "str"), ("repeats", "int"),
    ),
    # one row per sentence with a role (问题/原因/措施), its text cut from the paragraph
    "sentences": (
        ("doc_id", "str"), *ROW_META, ("paragraph", "int"), ("sentence", "int"), ("section", "list"),
        ("labels", "list"), ("role", "str"), ("start", "int"), ("end", "int"), ("text", "str"),
    ),
}
META_COLUMNS = ("title", "region", "province", "prefecture", "county", "region_code", "year", "fund", "unit",
                "report_date", "score", "grade")

# Header language of the Excel and CSV tables (Parquet keeps the English names: it is read by code).
TABLE_LANGS = ("zh", "en")
DEFAULT_LANG = "zh"  # the tables are opened in Excel by Chinese-speaking analysts
SHEET_NAMES_ZH = {"documents": "文档", "paragraphs": "段落", "entities": "实体", "indicators": "指标",
                  "sentences": "角色句"}
HEADERS_ZH: dict[str, str] = {
    "doc_id": "文档编号", "region": "地区", "province": "省份", "prefecture": "地市", "county": "区县",
    "region_code": "区划代码", "year": "年度", "fund": "资金/项目", "source": "来源", "sha256": "SHA256",
    "schema_version": "格式版本", "title": "标题", "unit": "单位", "report_date": "报告日期", "score": "得分",
    "grade": "等级", "n_paragraphs": "段落数", "n_entities": "实体数", "n_indicators": "指标数",
    "n_sentences": "角色句数", "index": "段落序号", "paragraph": "段落序号", "section": "所在章节",
    "kind": "段落类型", "heading_level": "标题级别", "table": "表格序号", "text": "文本", "labels": "段落标签",
    "roles": "句子角色", "start": "起始位置", "end": "结束位置", "type": "实体类型", "value": "数值",
    "upper": "上限值", "value_yuan": "金额（元）", "comparator": "比较符", "level1": "一级指标",
    "level2": "二级指标", "name": "指标名称", "target": "目标值", "actual": "实际完成值", "weight": "分值",
    "note": "备注", "sentence": "句序号", "role": "角色",
    **{f"score_{lab}": f"{lab}_概率" for lab in PARAGRAPH_LABELS},
}
# Chinese headers of the typed indicator columns
HEADERS_ZH.update({"target_number": "目标值（数值）", "target_unit": "目标值单位", "target_comparator": "目标值比较符",
                   "actual_number": "实际值（数值）", "actual_unit": "实际值单位", "actual_comparator": "实际值比较符",
                   "met": "是否达标", "repeats": "重复陈述自（指标序号）"})

# the same English name meaning something else in one table
_HEADERS_ZH_BY_TABLE = {("documents", "source"): "源文件", ("documents", "score"): "评价得分",
                        ("documents", "grade"): "评价等级", ("entities", "unit"): "计量单位",
                        ("entities", "text"): "实体文本", ("paragraphs", "text"): "段落文本",
                        ("sentences", "text"): "句子文本"}


def header(table: str, column: str, lang: str = DEFAULT_LANG) -> str:
    """The column's header in the tables' language; a column without a Chinese name keeps its English one.

    >>> header("documents", "score"), header("indicators", "score"), header("indicators", "score", "en")
    ('评价得分', '得分', 'score')
    """
    if lang == "en":
        return column
    return _HEADERS_ZH_BY_TABLE.get((table, column)) or HEADERS_ZH.get(column, column)


def sheet_name(table: str, lang: str = DEFAULT_LANG) -> str:
    """The Excel sheet name of a table ("指标" or "indicators")."""
    return table if lang == "en" else SHEET_NAMES_ZH.get(table, table)


def check_lang(lang: str) -> str:
    """``lang`` if it is a table language, else UsageError E146 naming them.

    >>> check_lang("en")
    'en'
    """
    if lang not in TABLE_LANGS:
        raise UsageError(E_TABLE_LANG, f"unknown table language '{lang}'; choose from: {', '.join(TABLE_LANGS)}")
    return lang
