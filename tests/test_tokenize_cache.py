"""jieba's prefix dictionary read back from jixiao's cache equals jieba's own, and a broken cache is rebuilt."""
import jieba

from jixiao.tokenize import fast_jieba_class, load_prefix_dict


def _fresh():
    return fast_jieba_class()()


def test_cached_prefix_dict_equals_jiebas_and_survives_a_corrupt_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("JIXIAO_CACHE", str(tmp_path))
    ref = jieba.Tokenizer()
    ref.initialize()
    first = _fresh()
    load_prefix_dict(first)  # builds the cache
    files = sorted(p.suffix for p in tmp_path.iterdir())
    assert files == [".freq", ".words"]
    second = _fresh()
    load_prefix_dict(second)  # reads it back
    assert second.initialized and second.total == ref.total and second.FREQ == ref.FREQ
    assert second.lcut("基金支出预算执行率96.4%") == ref.lcut("基金支出预算执行率96.4%")
    for p in tmp_path.iterdir():  # a truncated cache is not trusted
        p.write_bytes(p.read_bytes()[: 100])
    third = _fresh()
    load_prefix_dict(third)
    assert third.FREQ == ref.FREQ and third.total == ref.total


def test_unwritable_cache_falls_back_to_jieba(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("JIXIAO_CACHE", str(blocker / "sub"))
    tk = _fresh()
    load_prefix_dict(tk)
    assert tk.initialized and len(tk.FREQ) > 100_000


def test_rust_segmenter_gives_python_jiebas_words_and_offsets(monkeypatch):
    """jieba-rs with jieba's non-Chinese rule restored = Python jieba, domain dictionary included."""
    import glob

    import pytest

    pytest.importorskip("rjieba")
    from jixiao.models.paragraph_cls import normalize_for_ngrams
    from jixiao.tokenize import WordTokenizer

    texts = ["1-6月完成值", "0-6岁儿童健康管理率", "公式$S_i = W_i \\times R_i$计算", "满意度为93.O%，",
             "COVID-19疫情", "基金支出预算执行率96.4%\t\t合计", "a  b\r\nc", "ＡＢＣ１２３全角", "预算执行率≥95%"]
    for f in sorted(glob.glob("corpus/raw/*.txt")) + sorted(glob.glob("corpus/written/raw/*.txt"))[:40]:
        texts += open(f, encoding="utf-8").read().splitlines()
    texts += [normalize_for_ngrams(t) for t in texts]
    rust = WordTokenizer()
    monkeypatch.setenv("JIXIAO_SEGMENTER", "python")
    py = WordTokenizer()
    assert (rust.engine, py.engine) == ("rust", "python")
    for t in texts:
        assert list(rust._tk.tokenize(t)) == list(py._tk.tokenize(t)), t
