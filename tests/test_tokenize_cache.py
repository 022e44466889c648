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
