"""Where the shipped configs and models are, from any folder and after any kind of install.

The default configs (``configs/``) and trained models (``models/``) travel with the package:

- in a checkout or an editable install they are the repository's own ``configs/`` and ``models/``;
- after ``pip install .`` they are installed as data beside the environment
  (``<prefix>/share/jixiao/configs`` and ``…/models``);
- ``JIXIAO_DATA=/some/folder`` (holding ``configs/`` and ``models/``) overrides both.

A relative path a user passes (``--config configs/cls.yaml``, ``path: models/ner`` in a manifest) is
looked up in the current folder first and then in the data root, so the same command works from the
checkout and from ``/tmp``.

>>> data_root().joinpath("configs", "pipeline.yaml").is_file()
True
>>> resolve("configs/pipeline.yaml").resolve() == config_path("pipeline.yaml").resolve()
True
"""
from __future__ import annotations

import os
import sys
from functools import lru_cache
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent
#: Where ``jixiao train`` writes when no ``--out`` is given: a user folder, never the shipped models.
USER_MODELS = Path("jixiao_models")


def _candidates() -> list[Path]:
    env = os.environ.get("JIXIAO_DATA")
    roots = [Path(env)] if env else []
    roots += [_CHECKOUT, Path(sys.prefix) / "share" / "jixiao"]
    return roots


@lru_cache(maxsize=None)
def _root_for(env: str | None) -> Path:
    for root in _candidates():
        if (root / "configs" / "pipeline.yaml").is_file():
            return root
    raise FileNotFoundError(
        "the shipped configs/ and models/ are missing: reinstall jixiao or set JIXIAO_DATA to a folder holding them")


def data_root() -> Path:
    """The folder holding the shipped ``configs/`` and ``models/``."""
    return _root_for(os.environ.get("JIXIAO_DATA"))


def cache_dir() -> Path:
    """Where derived, rebuildable files go (parsed gazetteer, jieba's prefix dictionary):
    ``$JIXIAO_CACHE``, else ``$XDG_CACHE_HOME/jixiao``, else ``~/.cache/jixiao``. Nothing there is ever
    needed: a cache that cannot be read or written is rebuilt or skipped."""
    env = os.environ.get("JIXIAO_CACHE")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "jixiao"


def config_path(name: str) -> Path:
    """A shipped config file, e.g. ``config_path("cls.yaml")``."""
    return data_root() / "configs" / name


def model_path(name: str) -> Path:
    """A shipped model folder, e.g. ``model_path("ner")``."""
    return data_root() / "models" / name


def resolve(path: str | os.PathLike[str], base: str | os.PathLike[str] | None = None) -> Path:
    """A user-given path: as given if it exists (relative to ``base`` first when given), else under the data root.

    Paths that exist nowhere are returned as given, so the caller's "not found" message names what the
    user typed.
    """
    p = Path(path)
    if p.is_absolute():
        return p
    if base is not None and (Path(base) / p).exists():
        return Path(base) / p
    if p.exists():
        return p
    try:
        shipped = data_root() / p
    except FileNotFoundError:
        return p
    return shipped if shipped.exists() else p


def is_shipped(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` lies inside the shipped ``models/`` folder (training refuses to overwrite it silently)."""
    try:
        shipped = (data_root() / "models").resolve()
    except FileNotFoundError:
        return False
    target = Path(path).resolve()
    return target == shipped or shipped in target.parents
