"""The one config loader: a YAML file → a (nested) dataclass, with dotted overrides, every key checked.

Overrides come as command-line words (``--train.lr 3e-4``, ``--compare=[a,b]``) or as
``section.key=value`` strings; values are parsed as YAML scalars. Relative data paths in a config
(``gold``, ``data.gold``, ``model.base``) are resolved by :func:`jixiao.paths.resolve`, so a shipped
config works from any folder.

>>> from dataclasses import dataclass, field
>>> @dataclass
... class Inner:
...     lr: float = 0.1
>>> @dataclass
... class Outer:
...     seed: int = 0
...     train: Inner = field(default_factory=Inner)
...     params: dict = field(default_factory=dict)
>>> load_config(None, Outer, ["--train.lr", "3e-4", "seed=3", "--params.C=2"])
Outer(seed=3, train=Inner(lr=0.0003), params={'C': 2})
>>> load_config(None, Outer, ["--nope", "1"])
Traceback (most recent call last):
...
jixiao.errors.UsageError: E420: unknown config key(s) nope; valid: seed, train, params
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jixiao.errors import E_CONFIG, UsageError

#: Config keys holding a data or model path, resolved against the shipped data when relative.
PATH_KEYS = ("gold", "base", "corpus")


def parse_overrides(args: Sequence[str]) -> list[tuple[str, Any]]:
    """``["--a.b", "3", "--c=x", "d.e=1"]`` → ``[("a.b", 3), ("c", "x"), ("d.e", 1)]`` (YAML scalars).

    >>> parse_overrides(["--tfidf_logreg.C", "2.5", "--compare=[transformer_cls.v1]"])
    [('tfidf_logreg.C', 2.5), ('compare', ['transformer_cls.v1'])]
    """
    out: list[tuple[str, Any]] = []
    args = list(args)
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("--") and len(a) > 2:
            key = a[2:]
            if "=" in key:
                key, raw = key.split("=", 1)
                i += 1
            elif i + 1 < len(args):
                raw = args[i + 1]
                i += 2
            else:
                raise UsageError(E_CONFIG, f"override {a} has no value; write {a} VALUE")
        elif "=" in a and not a.startswith("-"):
            key, raw = a.split("=", 1)
            i += 1
        else:
            raise UsageError(E_CONFIG, f"unexpected argument {a!r}; overrides look like --section.key VALUE")
        out.append((key.strip(), _scalar(raw)))
    return out


def _scalar(raw: str) -> Any:
    import yaml

    value = yaml.safe_load(raw)
    if isinstance(value, str):        # YAML 1.1 reads "3e-4" as a string
        try:
            return float(raw)
        except ValueError:
            return value
    return value


def apply_overrides(data: dict, overrides: Sequence[str]) -> dict:
    """Dotted overrides into a nested dict.

    >>> apply_overrides({"train": {"lr": 1}}, ["train.lr=3e-4"])["train"]["lr"]
    0.0003
    """
    for key, value in parse_overrides(overrides):
        node = data
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise UsageError(E_CONFIG, f"cannot set {key}: {part} is not a section")
        node[parts[-1]] = value
    return data


def _coerce(value: Any, typ: Any, where: str) -> Any:
    """Check/convert a YAML value to a field's annotated type (string annotations)."""
    t = str(typ)
    if value is None or (isinstance(value, str) and value.lower() in ("null", "none") and "None" in t):
        if "None" in t:
            return None
        raise UsageError(E_CONFIG, f"{where} must not be empty")
    t = t.replace(" | None", "")
    try:
        if t.startswith("dict"):
            if not isinstance(value, dict):
                raise UsageError(E_CONFIG, f"{where} must be a mapping of parameters, got {value!r}")
            return value
        if t.startswith("list"):
            return [str(v) for v in (value if isinstance(value, list) else [value])]
        if t == "bool":
            if isinstance(value, str):
                if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(value)
                return value.lower() in ("true", "1", "yes")
            return bool(value)
        if t == "int":
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(value)
            return int(value)
        if t == "float":
            return float(value)
        if t == "Any":
            return value
        return str(value)
    except (TypeError, ValueError):
        raise UsageError(E_CONFIG, f"{where}={value!r} is not a valid {t}") from None


def config_from_dict(data: dict | None, cls: type, where: str = "") -> Any:
    """Build a (nested) config dataclass from a dict, rejecting unknown keys with a clear message."""
    data = data or {}
    if not isinstance(data, dict):
        raise UsageError(E_CONFIG, f"'{where or 'config'}' must be a mapping")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise UsageError(E_CONFIG, f"unknown config key(s) {', '.join(where + k for k in unknown)}; "
                         f"valid: {', '.join(where + k for k in fields)}")
    kwargs = {}
    for name, f in fields.items():
        if name not in data:
            continue
        if f.default_factory is not dataclasses.MISSING and dataclasses.is_dataclass(f.default_factory):
            kwargs[name] = config_from_dict(data[name], f.default_factory, f"{where}{name}.")
        else:
            kwargs[name] = _coerce(data[name], f.type, where + name)
            if name in PATH_KEYS and isinstance(kwargs[name], str):
                from jixiao.paths import resolve

                kwargs[name] = str(resolve(kwargs[name]))
    return cls(**kwargs)


def load_config(path: str | Path | None, cls: type, overrides: Sequence[str] = ()) -> Any:
    """Load a YAML file into the dataclass ``cls``, apply overrides, check every key (E420).

    ``path`` is looked up in the current folder, then among the shipped configs.
    """
    import yaml

    from jixiao.paths import resolve

    data: dict = {}
    if path is not None:
        p = resolve(path)
        if not p.is_file():
            raise UsageError(E_CONFIG, "config file not found; pass --config FILE (the shipped ones are "
                             "configs/ner.yaml, cls.yaml, roles.yaml, pretrain.yaml)", path=str(path))
        try:
            data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise UsageError(E_CONFIG, f"not valid YAML ({exc})", path=str(p)) from None
        if not isinstance(data, dict):
            raise UsageError(E_CONFIG, "the config must be a mapping of keys to values", path=str(p))
    return config_from_dict(apply_overrides(data, overrides), cls)


def config_dict(cfg: Any) -> dict:
    """A config dataclass as a plain dict (for metrics.json and model cards)."""
    return dataclasses.asdict(cfg)
