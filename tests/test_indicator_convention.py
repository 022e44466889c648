"""The written gold keeps the INDICATOR qualifier convention (corpus/gold_src/NOTES_indicator.md, 2026-12-05):
no scoring-category cell, no rectification-table header and no fund/period qualifier left outside its span."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))


@pytest.mark.parametrize("gold", ["corpus/written/gold", "corpus/gold"])
def test_gold_keeps_the_indicator_convention(gold):
    from indicator_convention import scan

    if not (ROOT / gold).is_dir():
        pytest.skip(f"no {gold} in this checkout")
    found = scan(ROOT / gold, {})
    broken = {k: v for k, v in found.items() if not k.startswith("kept")}
    assert broken == {}


def test_the_check_finds_each_kind(tmp_path):
    from indicator_convention import scan

    rows = [
        {"text": "一级指标\t二级指标\t分值\t得分", "entities": []},
        {"text": "决策\t项目立项\t5\t5", "entities": [[3, 7, "INDICATOR"], [8, 9, "AMOUNT"], [10, 11, "SCORE"]]},
        {"text": "问题\t涉及金额\t整改率", "entities": [[3, 7, "INDICATOR"]]},
        {"text": "全县失业保险参保人数2.1万人，年末滚存结余3.2亿元。",
         "entities": [[6, 10, "INDICATOR"], [10, 13, "AMOUNT"], [13, 15, "UNIT"], [18, 22, "INDICATOR"]]},
    ]
    path = tmp_path / "x.jsonl"
    path.write_text("\n".join(json.dumps({"doc_id": "x", "para": i, **r}, ensure_ascii=False)
                              for i, r in enumerate(rows)), encoding="utf-8")
    found = scan(tmp_path, {})
    assert [x[2] for x in found["category"]] == ["项目立项"]
    assert [x[2] for x in found["rectification header"]] == ["涉及金额"]
    outside = [x[2] for x in found["qualifier outside"]]
    assert len(outside) == 2 and outside[0].endswith("失业保险«参保人数»") and outside[1] == "年末«滚存结余»"
