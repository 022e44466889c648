"""Grade bands (优/良/中/差) from ``configs/grades.yaml``: which grade a score earns.

>>> bands = default_bands()
>>> bands.grade_for(Decimal("88.4")), bands.grade_for(Decimal("90")), bands.canonical("优秀")
('良', '优', '优')
>>> bands.grades_within(Decimal("89.99"), Decimal("0.005")), sorted(bands.grades_within(Decimal("90.0"), Decimal("0.05")))
({'良'}, ['优', '良'])
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from jixiao.errors import E_GRADES, UsageError
from jixiao.paths import config_path, resolve


@dataclass(frozen=True)
class Band:
    grade: str
    min: Decimal
    max: Decimal | None
    aliases: tuple[str, ...] = ()

    def holds(self, score: Decimal) -> bool:
        return score >= self.min and (self.max is None or score < self.max)


@dataclass(frozen=True)
class GradeBands:
    """Ordered bands; a score belongs to the band with ``min <= score < max``."""

    bands: tuple[Band, ...]
    source: str = "configs/grades.yaml"

    def grade_for(self, score: Decimal) -> str | None:
        for b in self.bands:
            if b.holds(score):
                return b.grade
        return None

    def grades_within(self, score: Decimal, half: Decimal) -> set[str]:
        """Grades a score stated with rounding ``half`` could earn (two near a band edge)."""
        out = set()
        for s in (score - half, score, score + half - Decimal("1e-9")):
            g = self.grade_for(s)
            if g:
                out.add(g)
        return out

    def canonical(self, word: str) -> str | None:
        """The band name for a grade word (「优秀」 → 「优」), None if unknown."""
        w = word.strip()
        for b in self.bands:
            if w == b.grade or w in b.aliases:
                return b.grade
        return None

    def words(self) -> list[str]:
        """Every grade word, longest first (for matching in text)."""
        return sorted({w for b in self.bands for w in (b.grade, *b.aliases)}, key=len, reverse=True)

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "bands": [
            {"grade": b.grade, "min": str(b.min), "max": None if b.max is None else str(b.max),
             "aliases": list(b.aliases)} for b in self.bands]}


def parse_bands(data: Any, source: str = "<dict>") -> GradeBands:
    """Bands from the YAML mapping; UsageError E710 for a malformed file.

    >>> parse_bands({"bands": [{"grade": "A", "min": 0}]}).grade_for(Decimal(5))
    'A'
    """
    if not isinstance(data, dict) or not isinstance(data.get("bands"), list) or not data["bands"]:
        raise UsageError(E_GRADES, "a grades file needs a non-empty 'bands' list of {grade, min, max, aliases}",
                         path=source)
    bands = []
    for i, b in enumerate(data["bands"]):
        if not isinstance(b, dict) or "grade" not in b or "min" not in b:
            raise UsageError(E_GRADES, f"band {i} needs 'grade' and 'min'", path=source)
        try:
            lo = Decimal(str(b["min"]))
            hi = None if b.get("max") is None else Decimal(str(b["max"]))
        except Exception:
            raise UsageError(E_GRADES, f"band {i}: min/max must be numbers", path=source) from None
        bands.append(Band(str(b["grade"]), lo, hi, tuple(str(a) for a in b.get("aliases") or ())))
    return GradeBands(tuple(bands), source)


def load_bands(path: str | Path | None = None) -> GradeBands:
    """Read a grades file (default: the shipped ``configs/grades.yaml``)."""
    import yaml

    p = resolve(path) if path else config_path("grades.yaml")
    if not Path(p).is_file():
        raise UsageError(E_GRADES, "grades file not found; pass --grades FILE or restore configs/grades.yaml",
                         path=str(p))
    try:
        data = yaml.safe_load(Path(p).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise UsageError(E_GRADES, f"not valid YAML ({exc.__class__.__name__})", path=str(p)) from None
    return parse_bands(data, str(path or "configs/grades.yaml"))


def default_bands() -> GradeBands:
    """The national default (优 ≥ 90, 良 80–90, 中 60–80, 差 < 60), also when no config is installed."""
    try:
        return load_bands()
    except UsageError:
        return parse_bands({"bands": [
            {"grade": "优", "min": 90, "aliases": ["优秀"]}, {"grade": "良", "min": 80, "max": 90, "aliases": ["良好"]},
            {"grade": "中", "min": 60, "max": 80, "aliases": ["中等", "合格", "一般"]},
            {"grade": "差", "min": 0, "max": 60, "aliases": ["较差", "不合格"]}]}, "built-in")


__all__ = ["Band", "E_GRADES", "GradeBands", "default_bands", "load_bands", "parse_bands"]
