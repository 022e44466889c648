"""The examples in docstrings are part of the documentation: every module's must stay true."""
import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _modules() -> list[str]:
    names = []
    for pkg, folder in (("jixiao", ROOT / "nlp"), ("training", ROOT / "training")):
        for p in sorted(folder.rglob("*.py")):
            parts = (pkg,) + p.relative_to(folder).with_suffix("").parts
            if parts[-1] == "__main__":
                continue
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


MODULES = _modules()


def test_every_module_is_collected():
    assert "jixiao.labels.markup" in MODULES and "training.config" in MODULES and len(MODULES) > 50


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
