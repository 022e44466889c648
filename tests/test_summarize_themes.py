"""Themes of recurring problems: clustering, outliers, single-document flag, links, tables."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from jixiao.errors import UsageError
from jixiao.summarize.aggregate import SentenceRow, aggregate, load_documents
from jixiao.summarize.themes import (
    OUTLIER_ID,
    ThemeConfig,
    ThemeTokenizer,
    build_themes,
    c_tf_idf,
    cluster_features,
    link_context,
    load_stopwords,
    near_duplicate,
    strip_marker,
    theme_record,
    theme_region_year,
    top_words,
)

FIXTURE = Path(__file__).parent / "fixtures" / "summarize_docs.jsonl"


@pytest.fixture(scope="module")
def tokenizer():
    return ThemeTokenizer(load_stopwords(ThemeConfig().stopwords_path))


@pytest.fixture(scope="module")
def fixture_agg():
    return aggregate(load_documents([FIXTURE]).documents)


def _row(doc, para, text, role="问题", region="张掖市", year=2023, start=0, section="五、存在问题"):
    return SentenceRow(f"{doc}:{para}:{start}", doc, f"{doc}.txt", region, year, None, section,
                       para, 0, start, start + len(text), role, text, ("存在问题",))


SMALL = [
    _row("a", 1, "预算编制不准确，执行工作重视不够。", region="张掖市", year=2023),
    _row("b", 5, "预算编制不够精准，预算执行率偏低。", region="张掖市", year=2022),
    _row("c", 7, "预算编制不科学，预算执行进度偏慢。", region="喀什地区", year=2022),
    _row("c", 9, "定点医疗机构违规现象仍然存在，基金监管压力大。", region="喀什地区", year=2022),
    _row("d", 2, "医保基金监管有待加强，定点医疗机构违规行为时有发生。", region="和田地区", year=2021),
    _row("d", 4, "医疗保险网络运行还不能完全满足职工需求。", region="和田地区", year=2021),
    _row("e", 3, "档案整理流程还不够完善，存储空间不够。", region="达州市达川区", year=2018),
    _row("e", 6, "城乡居民保险档案资料的整理任务较重，可存放的空间较少。", region="达州市达川区",
         year=2018),
]


def _shape(result):
    return [(t.id, t.name, [m.row_id for m in t.members]) for t in result.themes], \
        [m.row_id for m in result.outliers]


# ---------------------------------------------------------------------------------- tokens


def test_strip_marker_and_tokens_drop_cues_and_stopwords(tokenizer):
    assert strip_marker("（二）发现的主要问题：存储空间不够；") == "存储空间不够"
    toks = tokenizer.tokens("2. 医保基金监管有待进一步加强，96.4%")
    assert "监管" in toks
    assert not {"进一步", "有待", "加强", "96.4%", "医保"} & set(toks)


def test_cluster_features_add_bigrams_of_long_words():
    feats = cluster_features(["存储空间", "档案"])
    assert feats[:2] == ["存储空间", "档案"] and "空间" in feats and "存储" in feats


def test_c_tf_idf_prefers_words_specific_to_a_class():
    scores = c_tf_idf([["预算", "编制", "监管"], ["监管", "定点医疗机构"], ["监管", "档案"]])
    assert top_words(scores[0], 2) == ["编制", "预算"]
    assert top_words(scores[1], 1) == ["定点医疗机构"]


def test_near_duplicate():
    assert near_duplicate("二是自我评价工作还存在自我审定的局限性", "二是自评价工作还存在自我审定的局限性")
    assert not near_duplicate("预算编制不准确", "定点医疗机构违规")


# ---------------------------------------------------------------------------------- clustering


def test_small_themes_and_outliers(tokenizer):
    res = build_themes(SMALL, SMALL, ThemeConfig(taxonomy=None), tokenizer)
    themes, outliers = _shape(res)
    groups = {frozenset(ids) for _, _, ids in themes}
    assert frozenset({"a:1:0", "b:5:0", "c:7:0"}) in groups          # 预算编制
    assert frozenset({"c:9:0", "d:2:0"}) in groups                   # 定点医疗机构监管
    assert frozenset({"e:3:0", "e:6:0"}) in groups                   # 档案 (bigrams join them)
    assert outliers == ["d:4:0"]                                     # 网络: kept, counted
    assert res.themes[0].size == 3 and "预算编制" in res.themes[0].keywords
    by_id = {t.id: t for t in res.themes}
    archive = next(t for t in res.themes if t.members[0].doc_id == "e")
    assert archive.single_document and not by_id["T01"].single_document


def test_clustering_is_deterministic_and_order_independent(tokenizer):
    first = _shape(build_themes(SMALL, SMALL, ThemeConfig(taxonomy=None), tokenizer))
    shuffled = list(SMALL)
    random.Random(7).shuffle(shuffled)
    assert _shape(build_themes(shuffled, shuffled, ThemeConfig(taxonomy=None), tokenizer)) == first
    assert _shape(build_themes(SMALL, SMALL, ThemeConfig(taxonomy=None), tokenizer)) == first


def test_min_theme_size_and_threshold_control_the_outlier_bucket(tokenizer):
    big = build_themes(SMALL, SMALL, ThemeConfig(min_theme_size=3, taxonomy=None), tokenizer)
    assert [t.size for t in big.themes] == [3]
    assert len(big.outliers) == 5                  # nothing is dropped: 3 + 5 = 8
    fine = build_themes(SMALL, SMALL, ThemeConfig(threshold=0.2, taxonomy=None), tokenizer)
    assert sum(t.size for t in fine.themes) + len(fine.outliers) == len(SMALL)
    assert len(fine.outliers) > len(build_themes(SMALL, SMALL, ThemeConfig(taxonomy=None), tokenizer).outliers)
    one = build_themes(SMALL, SMALL, ThemeConfig(min_theme_size=1, taxonomy=None), tokenizer)
    assert one.outliers == []


def test_identical_sentences_in_one_document_are_single_document(tokenizer):
    rows = [_row("k", 465, "二是自我评价工作还存在自我审定的局限性，会影响评价质量。", region="喀什地区"),
            _row("k", 778, "二是自评价工作还存在自我审定的局限性，会影响评价质量。", region="喀什地区"),
            _row("m", 1, "预算编制不准确。"), _row("n", 1, "预算编制不够准确。")]
    res = build_themes(rows, rows, ThemeConfig(taxonomy=None), tokenizer)
    flags = {t.members[0].doc_id: t.single_document for t in res.themes}
    assert flags == {"k": True, "m": False}
    rec = theme_record(next(t for t in res.themes if t.single_document), ThemeConfig(taxonomy=None), tokenizer)
    assert rec["single_document"] is True and rec["documents"] == 1 and rec["sentences"] == 2
    # quotes skip the near-duplicate second copy instead of showing the same words twice
    assert len(rec["quotes"]) == 1


def test_empty_and_single_inputs(tokenizer):
    assert build_themes([], [], ThemeConfig(taxonomy=None), tokenizer).themes == []
    one = build_themes([SMALL[0]], [SMALL[0]], ThemeConfig(taxonomy=None), tokenizer)
    assert one.themes == [] and len(one.outliers) == 1
    stop_only = [_row("z", 1, "存在问题，有待进一步加强。")]
    res = build_themes(stop_only, stop_only, ThemeConfig(min_theme_size=1, taxonomy=None), tokenizer)
    assert res.themes == [] and len(res.outliers) == 1   # no content words: outlier, not lost


def test_bad_config_is_a_usage_error():
    with pytest.raises(UsageError) as err:
        ThemeConfig(threshold=1.5).validated()
    assert err.value.code == "E610"
    with pytest.raises(UsageError):
        ThemeConfig(min_theme_size=0, taxonomy=None).validated()


# ---------------------------------------------------------------------------------- links


def test_links_same_paragraph_list_position_and_block():
    rows = [
        _row("d", 10, "1. 基金扩面征缴难度大。", start=0, section="S"),
        _row("d", 10, "一是受经济下行影响，企业欠费严重。", "原因", start=13, section="S"),
        _row("d", 11, "2. 绩效目标编制不全面。", section="S"),
        _row("d", 12, "3. 预算编制不准确。", section="S"),
        _row("d", 14, "1. 加大扩面征缴力度。", "措施", section="T"),
        _row("d", 15, "2. 规范绩效指标设置。", "措施", section="T"),
        _row("d", 16, "3. 科学编制预算。", "措施", section="T"),
        # a second document: 2 problems then 1 measure → the whole following block
        _row("f", 1, "档案存储空间不够。", section="S"),
        _row("f", 2, "人员不足。", section="S"),
        _row("f", 4, "加强档案管理并充实人员。", "措施", section="T"),
        # a measure in the problem's own paragraph
        _row("g", 80, "发现的主要问题：网络运行不能满足需求。", start=0, section="S"),
        _row("g", 80, "下一步改进措施：加大网络操作培训。", "措施", start=20, section="S"),
    ]
    problems = [r for r in rows if r.label == "问题"]
    links = link_context(problems, rows)
    got = {k: [(l.row.text, l.how) for l in v] for k, v in links.items()}
    assert got["d:10:0"] == [("一是受经济下行影响，企业欠费严重。", "same_paragraph"),
                             ("1. 加大扩面征缴力度。", "list_position")]
    assert got["d:11:0"] == [("2. 规范绩效指标设置。", "list_position")]
    assert got["d:12:0"] == [("3. 科学编制预算。", "list_position")]
    assert got["f:1:0"] == got["f:2:0"] == [("加强档案管理并充实人员。", "following_block")]
    assert got["g:80:0"] == [("下一步改进措施：加大网络操作培训。", "same_paragraph")]


# ---------------------------------------------------------------------------------- fixture


def test_fixture_themes_and_theme_region_year(fixture_agg, tokenizer):
    cfg = ThemeConfig(taxonomy=None)
    res = build_themes(fixture_agg.rows, fixture_agg.context_rows, cfg, tokenizer)
    n_problems = sum(1 for r in fixture_agg.rows if r.label == "问题")
    assert sum(t.size for t in res.themes) + len(res.outliers) == n_problems
    recs = {t.id: theme_record(t, cfg, tokenizer) for t in res.themes}
    # 定点医疗机构 supervision recurs in 3 regions and 3 years
    sup = next(r for r in recs.values() if "定点医疗机构" in r["keywords"])
    assert sup["documents"] >= 3 and sup["n_regions"] >= 3 and not sup["single_document"]
    assert set(sup["by_year"]) >= {"2018", "2021", "2022"}
    assert len(sup["quotes"]) == 3 and len({q["doc_id"] for q in sup["quotes"]}) == 3
    assert all(q["file"].endswith(".txt") and isinstance(q["paragraph"], int)
               for q in sup["quotes"])
    assert sup["top_measures"], "measures of the following list are linked"
    # extension of coverage: causes of 扩面征缴 come from both documents
    ext = next(r for r in recs.values() if "扩面征缴" in r["keywords"])
    assert {c["sources"][0]["region"] for c in ext["top_causes"]} == {"喀什地区", "和田地区"}

    table = theme_region_year(res)
    assert {"theme", "theme_name", "region", "year", "sentences", "documents"} == set(table[0])
    assert sum(r["sentences"] for r in table) == n_problems
    sup_rows = [r for r in table if r["theme"] == sup["id"]]
    assert {(r["region"], r["year"]) for r in sup_rows} >= {("和田地区", "2021"),
                                                          ("达州市达川区", "2018")}
    assert any(r["theme"] == OUTLIER_ID for r in table) == bool(res.outliers)


def test_large_input_path_clusters_kmeans_centroids_deterministically(tokenizer):
    """Above ``max_dense`` distinct sentences, linkage runs on k-means micro-cluster centroids."""
    rows = [_row(f"{r.doc_id}{i}", r.paragraph, f"{r.text}（第{i}处）", region=r.region,
                 year=r.year) for i in range(6) for r in SMALL]
    cfg = ThemeConfig(max_dense=20, taxonomy=None)          # 48 distinct texts > 20
    large = build_themes(rows, rows, cfg, tokenizer)
    assert sum(t.size for t in large.themes) + len(large.outliers) == len(rows)
    theme_of = {m.row_id: t.id for t in large.themes for m in t.members}
    budget = {theme_of.get(f"{d}{i}:{p}:0") for d, p in (("a", 1), ("b", 5), ("c", 7))
              for i in range(6)}
    assert len(budget) == 1 and None not in budget            # 预算编制 stays one theme
    assert theme_of.get("a0:1:0") != theme_of.get("c0:9:0")   # and apart from 监管
    assert _shape(build_themes(rows, rows, cfg, tokenizer)) == _shape(large)


def test_yaml_config_loads_with_overrides_and_rejects_unknown_keys(tmp_path):
    from jixiao.paths import config_path
    from jixiao.summarize.themes import load_theme_config

    cfg = load_theme_config(config_path("summarize.yaml"), threshold=0.6,
                            min_theme_size=None)
    assert (cfg.threshold, cfg.min_theme_size, cfg.label) == (0.6, 2, "问题")
    assert Path(cfg.stopwords_path).is_file()
    bad = tmp_path / "bad.yaml"
    bad.write_text("threshold: 0.5\nmin_size: 3\n", encoding="utf-8")
    with pytest.raises(UsageError) as err:
        load_theme_config(bad)
    assert err.value.code == "E613" and "min_size" in err.value.message
    bad.write_text("threshold: high\n", encoding="utf-8")
    with pytest.raises(UsageError, match="threshold must be"):
        load_theme_config(bad)
