from decimal import Decimal

import pytest

EXPECTED = {
    "000": dict(title="巴州和硕县社会保险支出绩效评价报告", region="巴州和硕县", year=2018, fund="职工基本医疗保险基金",
                unit="和硕县社会保险管理局", report_date="2019-02-15", score=None, grade=None),
    "001": dict(region="达州市达川区", year=2018, score=Decimal("93")),
    "002": dict(region="喀什地区", year=2022, fund="社会保险基金支出", unit="喀什地区社会保险服务中心",
                report_date="2022-02-20", score=Decimal("96.18")),
    "003": dict(region="新疆自治区本级", year=2019, fund="医疗保险基金支出", unit="自治区医疗保障局", report_date="2020-04-15"),
    "004": dict(region="张掖市", year=2023, fund="职工基本医疗保险项目", unit="张掖市医疗保障局",
                score=Decimal("89.15"), grade="良"),
}


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_metadata_of_every_seed(seed_docs, seed):
    meta = seed_docs[seed].meta
    for key, value in EXPECTED[seed].items():
        assert meta[key] == value, (key, meta[key])
