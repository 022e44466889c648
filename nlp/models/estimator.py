"""The one estimator interface every trainable classifier follows, and its registry.

Every classifier is scikit-learn shaped: constructor arguments are stored unchanged, ``fit(X, y)``
returns ``self``, learned state ends in ``_``, ``predict``/``predict_proba`` take a list of items.
An item is a dict ``{"text": str, "section": [heading, ...], "context": {...}}``.

Models are folders. ``config.json`` names the *registered* type (``tfidf_logreg.v1``; in a folder
whose ``config.json`` is a Hugging Face config, where ``model_type`` names the architecture, the
``estimator`` key does: the tagger's ``ner_tagger.v1``); loading looks that name up in an allow-list
built by :func:`register` and never follows an import path or unpickles anything, so a model folder
from a colleague cannot run code.

>>> @register("doc_example.v1")
... class Constant(Estimator):
...     def __init__(self, p: float = 0.5):
...         self.p = p
>>> get("doc_example.v1") is Constant
True
>>> Constant(p=0.2).get_params()
{'p': 0.2}
"""
from __future__ import annotations

import datetime as _dt
import inspect
import json
import platform
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence, TypeVar

import numpy as np

from jixiao.errors import JixiaoError, UsageError

#: Version of the model-folder layout written by :func:`write_config`.
SCHEMA_VERSION = 1

#: Error codes of the classifier area (E500–E549), defined in jixiao.errors (re-exported here).
from jixiao.errors import (  # noqa: E402,F401
    E_UNKNOWN_MODEL, E_NOT_A_MODEL, E_WRONG_TYPE, E_NOT_FITTED, E_ESTIMATOR_DATA as E_BAD_DATA, E_BAD_LABEL,
    E_BAD_ARRAYS, E_NAME_TAKEN as E_DUPLICATE,
)
from jixiao.errors import E_CONFIG as E_BAD_CONFIG  # noqa: E402  (one code for every config)
from jixiao.errors import E_NO_ENCODER, E_NO_GOLD  # noqa: E402,F401

Item = Mapping[str, Any]
T = TypeVar("T", bound=type)

_REGISTRY: dict[str, type] = {}

#: The ``config.json`` key that names the registered type where ``model_type`` is another format's
#: (a Hugging Face config: ``model_type: jixiao_char_bert``, ``estimator: ner_tagger.v1``).
ESTIMATOR_KEY = "estimator"


def register(name: str) -> Callable[[T], T]:
    """Class decorator: make ``cls`` loadable under the versioned ``name`` (e.g. ``roles.v1``).

    A behaviour change gets a new name (``.v2``) so old model folders keep loading.

    >>> @register("doc_example2.v1")
    ... class Dummy(Estimator):
    ...     pass
    >>> Dummy.registered_name
    'doc_example2.v1'
    """

    def deco(cls: T) -> T:
        old = _REGISTRY.get(name)
        if old is not None and old.__qualname__ != cls.__qualname__:
            raise JixiaoError(E_DUPLICATE, f"registered name {name!r} is already taken by {old.__qualname__}; "
                                           "give the new class its own versioned name")
        _REGISTRY[name] = cls
        cls.registered_name = name  # type: ignore[attr-defined]
        return cls

    return deco


def get(name: str) -> type:
    """The class registered under ``name``; unknown names raise E500 listing the known ones.

    >>> get("no_such_model.v9")
    Traceback (most recent call last):
    ...
    jixiao.errors.UsageError: E500: unknown model type 'no_such_model.v9'; known types: ...
    """
    _import_builtin_models()
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY)) or "(none)"
        raise UsageError(E_UNKNOWN_MODEL, f"unknown model type {name!r}; known types: {known}") from None


def registered() -> list[str]:
    """All registered names, sorted."""
    _import_builtin_models()
    return sorted(_REGISTRY)


def _import_builtin_models() -> None:
    """Import the modules that register the built-in types (fixed list, never from a config)."""
    import importlib

    for mod in ("jixiao.models.paragraph_cls", "jixiao.models.roles", "jixiao.models.headers"):
        importlib.import_module(mod)


class Estimator:
    """Base class: parameter introspection and the folder I/O contract.

    Subclasses implement ``fit``, ``predict_proba``, ``predict``, ``save`` and ``load``.
    """

    registered_name: str = ""

    def get_params(self) -> dict[str, Any]:
        """Constructor arguments as stored (scikit-learn's ``get_params(deep=False)``)."""
        sig = inspect.signature(type(self).__init__)
        return {p: getattr(self, p) for p in sig.parameters if p != "self" and hasattr(self, p)}

    def set_params(self, **params: Any) -> "Estimator":
        valid = self.get_params()
        for k, v in params.items():
            if k not in valid:
                raise UsageError(E_BAD_CONFIG, f"{type(self).__name__} has no parameter {k!r}; "
                                               f"valid: {', '.join(sorted(valid))}")
            setattr(self, k, v)
        return self

    def clone(self) -> "Estimator":
        """An unfitted copy with the same parameters."""
        return type(self)(**self.get_params())

    def _check_fitted(self, attr: str) -> None:
        if not hasattr(self, attr):
            raise JixiaoError(E_NOT_FITTED, f"{type(self).__name__} is not fitted; call fit(X, y) or load a model folder")

    def fit(self, X: Sequence[Item], y: Sequence[Any]) -> "Estimator":  # pragma: no cover - interface
        raise NotImplementedError

    def predict_proba(self, X: Sequence[Item]) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def predict(self, X: Sequence[Item]) -> list[Any]:  # pragma: no cover - interface
        raise NotImplementedError

    def save(self, folder: str | Path) -> Path:  # pragma: no cover - interface
        raise NotImplementedError

    @classmethod
    def load(cls, folder: str | Path) -> "Estimator":  # pragma: no cover - interface
        raise NotImplementedError


# ---------------------------------------------------------------------------------------------
# Folder I/O shared by the estimators: config.json, plain arrays (safetensors), JSON files.


def check_items(X: Sequence[Item], y: Sequence[Any] | None = None) -> list[Item]:
    """Validate items: each a mapping with a ``text`` string; ``y`` of the same length.

    >>> check_items([{"text": "一是加强管理。"}])[0]["text"]
    '一是加强管理。'
    """
    items = list(X)
    for i, it in enumerate(items):
        if not isinstance(it, Mapping) or not isinstance(it.get("text"), str):
            raise JixiaoError(E_BAD_DATA, f"item {i} is not a dict with a 'text' string; "
                                          "pass items like {'text': ..., 'section': [...], 'context': {...}}")
    if y is not None and len(y) != len(items):
        raise JixiaoError(E_BAD_DATA, f"X has {len(items)} items but y has {len(y)}; give one target per item")
    return items


def write_config(folder: str | Path, est: Estimator, extra: Mapping[str, Any] | None = None) -> Path:
    """Write ``config.json``: registered type, schema version, parameters, library versions."""
    import sklearn

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    cfg = {
        "model_type": est.registered_name,
        "schema_version": SCHEMA_VERSION,
        "params": est.get_params(),
        "versions": {"python": platform.python_version(), "numpy": np.__version__, "scikit-learn": sklearn.__version__},
        "created": _dt.date.today().isoformat(),
    }
    cfg.update(extra or {})
    path = folder / "config.json"
    path.write_text(json.dumps(cfg, ensure_ascii=False, indent=2, default=_json_default) + "\n", encoding="utf-8")
    return path


def registered_type(cfg: Mapping[str, Any]) -> Any:
    """The registered type a ``config.json`` names: its ``estimator`` key, else its ``model_type``.

    >>> registered_type({"model_type": "role_logreg.v1"})
    'role_logreg.v1'
    >>> registered_type({"model_type": "jixiao_char_bert", "estimator": "ner_tagger.v1"})
    'ner_tagger.v1'
    """
    return cfg.get(ESTIMATOR_KEY, cfg.get("model_type"))


def read_config(folder: str | Path, expect: str | None = None, *, untyped_ok: bool = False) -> dict[str, Any]:
    """Read ``config.json``; with ``expect``, refuse a folder of another registered type (E502).

    ``untyped_ok``: also take a folder written before its format named the estimator (no
    ``estimator`` key and a ``model_type`` that is no registered type, e.g. a tagger folder of
    ``jixiao train ner`` or any Hugging Face checkpoint)."""
    path = Path(folder) / "config.json"
    try:
        cfg = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise JixiaoError(E_NOT_A_MODEL, "no config.json: not a model folder; train one with `jixiao train cls`",
                          path=str(folder)) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise JixiaoError(E_NOT_A_MODEL, f"config.json is not valid JSON ({exc}); re-train or restore the folder",
                          path=str(path)) from None
    name = registered_type(cfg)
    if not isinstance(name, str):
        raise JixiaoError(E_NOT_A_MODEL, "config.json has no 'model_type'; re-train the model", path=str(path))
    if expect is not None and name != expect and not (
            untyped_ok and ESTIMATOR_KEY not in cfg and name not in registered()):
        raise JixiaoError(E_WRONG_TYPE, f"folder holds a {name!r} model, not {expect!r}; load it with load_estimator()",
                          path=str(folder))
    return cfg


def load_estimator(folder: str | Path) -> Estimator:
    """Load any registered estimator from its folder (type from ``config.json``, allow-listed).

    >>> load_estimator("/nonexistent")
    Traceback (most recent call last):
    ...
    jixiao.errors.JixiaoError: E501: /nonexistent: no config.json: not a model folder; train one with `jixiao train cls`
    """
    cfg = read_config(folder)
    cls = get(registered_type(cfg))
    return cls.load(folder)


def save_arrays(path: str | Path, arrays: Mapping[str, np.ndarray]) -> None:
    """Save named numpy arrays as safetensors (no code, only dtypes, shapes and bytes)."""
    from safetensors.numpy import save_file

    save_file({k: np.ascontiguousarray(v) for k, v in arrays.items()}, str(path))


def load_arrays(path: str | Path) -> dict[str, np.ndarray]:
    """Load arrays written by :func:`save_arrays`."""
    from safetensors.numpy import load_file

    try:
        return load_file(str(path))
    except FileNotFoundError:
        raise JixiaoError(E_BAD_ARRAYS, "arrays file missing; the model folder is incomplete, re-train it",
                          path=str(path)) from None


def write_json(path: str | Path, obj: Any) -> None:
    Path(path).write_text(json.dumps(obj, ensure_ascii=False, indent=1, default=_json_default) + "\n", encoding="utf-8")


def read_json(path: str | Path) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise JixiaoError(E_BAD_ARRAYS, "file missing; the model folder is incomplete, re-train it",
                          path=str(path)) from None


def _json_default(o: Any) -> Any:
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, (tuple, set, frozenset)):
        return list(o)
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


# ---------------------------------------------------------------------------------------------
# Threshold tuning: pure functions, used by every multi-label estimator on out-of-fold scores.


def best_threshold(y_true: Sequence[int], scores: Sequence[float], beta: float = 1.0,
                   grid: Iterable[float] | None = None, default: float = 0.5,
                   min_precision: float | None = None) -> float:
    """The threshold that maximises F-beta of ``scores >= t`` against binary ``y_true``.

    With ``min_precision`` only thresholds reaching that precision compete (the most precise one
    wins when none does). Ties go to the threshold closest to ``default``; with no positive
    examples ``default`` is kept.

    >>> best_threshold([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.9])
    0.35
    >>> best_threshold([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.9], min_precision=0.9)
    0.5
    """
    y = np.asarray(y_true, dtype=bool)
    s = np.asarray(scores, dtype=float)
    if y.sum() == 0 or len(y) == 0:
        return default
    grid = np.round(np.arange(0.05, 0.951, 0.025), 3) if grid is None else np.asarray(list(grid))
    b2 = beta * beta
    rows = []
    for t in grid:
        pred = s >= t
        tp = float(np.sum(pred & y))
        fp = float(np.sum(pred & ~y))
        fn = float(np.sum(~pred & y))
        denom = (1 + b2) * tp + b2 * fn + fp
        f = (1 + b2) * tp / denom if denom else 0.0
        precision = tp / (tp + fp) if tp + fp else 0.0
        rows.append((float(t), round(f, 9), round(precision, 9)))
    if min_precision is not None:
        ok = [r for r in rows if r[2] >= min_precision]
        if ok:
            rows = ok
        else:
            top = max(r[2] for r in rows)
            rows = [r for r in rows if r[2] == top]
    return max(rows, key=lambda r: (r[1], -abs(r[0] - default)))[0]


def group_folds(groups: Sequence[Any], n_folds: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Inner CV splits that keep each group (document) whole: (train_idx, held_idx) pairs.

    Groups are dealt round-robin in sorted order, so folds are deterministic. With a single group
    the items are split into ``n_folds`` interleaved slices instead.

    >>> [h.tolist() for _, h in group_folds(["a", "a", "b", "c"], 3)]
    [[0, 1], [2], [3]]
    """
    groups = list(groups)
    n = len(groups)
    uniq = sorted(set(map(str, groups)))
    if len(uniq) >= 2:
        k = min(n_folds, len(uniq))
        fold_of = {g: i % k for i, g in enumerate(uniq)}
        ids = np.array([fold_of[str(g)] for g in groups])
    else:
        k = min(n_folds, n)
        ids = np.arange(n) % max(k, 1)
    out = []
    for f in range(k):
        held = np.flatnonzero(ids == f)
        train = np.flatnonzero(ids != f)
        if len(held) and len(train):
            out.append((train, held))
    return out
