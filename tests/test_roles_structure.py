"""Structural checks of the role model: title-like units, role lead-ins, lost-points sentences."""
from __future__ import annotations

import pytest

from jixiao.models.roles import RoleClassifier, is_deduction, is_title_unit, leadin_role, unit_features, unit_items


@pytest.mark.parametrize("text", ["医疗保险网络维护项目绩效目标完成情况综述。", "具体情况如下：", "1. 项目绩效目标完成情况。",
                                  "（三）人员概况。"])
def test_title_units(text):
    assert is_title_unit(text)


@pytest.mark.parametrize("text", ["1. 基金扩面征缴难度大。", "存在资金拨付不及时的情况。", "主要问题如下：",
                                  "部分单位未按时报送情况。", "资金到位情况不理想。", "项目全年预算数20万元，执行数为20万元。",
                                  "一是要大力推进全民参保计划全面实施。"])
def test_statements_are_not_titles(text):
    assert not is_title_unit(text)


def test_leadin_role():
    assert leadin_role("发现的主要问题：由于资料过多，存储空间不够。") == "问题"
    assert leadin_role("下一步改进措施：加强培训。") == "措施"
    assert leadin_role("（2）建议：加强培训。") == "措施"
    assert leadin_role("偏差原因：受疫情影响。") == "原因"
    assert leadin_role("主要原因是人员不足。") is None
    assert leadin_role("存在问题较多，需要整改。") is None


def test_deduction():
    assert is_deduction("“参保人数（人）”实际完成值为 40.28 万人，分值 5 分，得分 4.91 分。")
    assert is_deduction("权重10分，得8分。") and is_deduction("未按时报送，扣0.5分。")
    assert not is_deduction("分值5分，得分5分。") and not is_deduction("扣0分。") and not is_deduction("得分4.81分。")


def _units(paragraphs):
    X, y = [], []
    for text, labels, roles in paragraphs:
        spans, items = unit_items(text, labels, ["（二）存在问题和建议"], "d")
        assert len(spans) == len(roles), [text[a:b] for a, b in spans]
        X += items
        y += roles
    return X, y


TRAIN = [
    ("1. 预算编制不准确。人员结构不合理。", ["存在问题"], ["问题", "问题"]),
    ("2. 档案资料整理任务重。可存放的空间较少。", ["存在问题"], ["问题", "问题"]),
    ("1. 加强预算绩效管理。进一步规范绩效指标设置。", ["建议"], ["措施", "措施"]),
    ("项目全年预算数10万元。执行数为10万元。", ["存在问题"], [None, None]),
]
TEST = [("城乡居民医疗保险政策宣传绩效目标完成情况综述。发现的主要问题：由于宣传渠道少，居民对政策了解不够。",
         ["存在问题", "建议"])]


def test_structure_overrides_title_units_and_leadins(tmp_path):
    X, y = _units(TRAIN)
    test_X, _ = _units([(t, labs, [None, None]) for t, labs in TEST])
    structured = RoleClassifier(C=10.0, structure=True).fit(X, y)
    assert structured.predict(test_X) == [None, "问题"]
    proba = structured.predict_proba(test_X)
    assert proba[0, 0] == 1.0 and proba[1, RoleClassifier.classes.index("问题")] == 1.0  # fixed, not learned
    # The flag travels with the saved model.
    again = RoleClassifier.load(structured.save(tmp_path / "m"))
    assert again.structure is True and again.predict(test_X) == [None, "问题"]


def test_structure_is_off_by_default_so_old_models_keep_their_features():
    item = {"text": "城乡居民医疗保险政策宣传绩效目标完成情况综述。", "context": {"labels": ["存在问题"]}}
    assert "ctx:title" not in unit_features(item, list)
    assert "ctx:title" in unit_features(item, list, structure=True)
    ded = {"text": "分值5分，得分4.81分。", "context": {"labels": ["存在问题"]}}
    assert "cue:问题" not in unit_features(ded, list, structure=True)
    assert {"cue:问题", "cuew:扣分"} <= set(unit_features(ded, list, deductions=True))
    assert RoleClassifier().structure is False and RoleClassifier().deductions is False
