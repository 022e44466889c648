"""Every error code is defined once, in jixiao.errors, and used through its constant (issue 11)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import jixiao.errors as errors
from jixiao.io import __doc__ as io_doc

ROOT = Path(__file__).resolve().parents[1]
CODE = re.compile(r"E\d{3}")
SOURCES = [p for folder in ("nlp", "training") for p in sorted((ROOT / folder).rglob("*.py"))]
ERRORS_PY = ROOT / "nlp" / "errors.py"


def _constants() -> dict[str, str]:
    """``{name: code}`` of the ``E_*`` assignments of nlp/errors.py, read from its source."""
    out = {}
    for node in ast.parse(ERRORS_PY.read_text(encoding="utf-8")).body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                and CODE.fullmatch(node.value.value)):
            out[node.targets[0].id] = node.value.value
    return out


def _code_literals(path: Path) -> list[str]:
    """``file:line: "Exxx"`` for every string literal that is exactly an error code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(ROOT)
    return [f"{rel}:{node.lineno}: {node.value!r}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.fullmatch(node.value)]


def test_no_code_literal_outside_errors_py():
    found = [hit for path in SOURCES if path != ERRORS_PY for hit in _code_literals(path)]
    assert not found, "write the constant of jixiao.errors instead of the code:\n" + "\n".join(found)


def test_no_code_written_in_an_fstring_outside_errors_py():
    pattern = re.compile(r"""\bf(["'])[^"'\n]*?\bE\d{3}\b""")
    found = [f"{p.relative_to(ROOT)}:{n}" for p in SOURCES if p != ERRORS_PY
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert not found, found


def test_every_code_is_defined_once_with_a_meaning():
    constants = _constants()
    aliases = set(errors.DEPRECATED)
    assert aliases <= set(constants)
    for name in aliases:  # a deprecated alias repeats a live code, it is no code of its own
        assert constants[name] == errors.DEPRECATED[name] and errors.DEPRECATED[name] in errors.registry()
    live = {n: c for n, c in constants.items() if n not in aliases}
    codes = list(live.values())
    assert len(codes) == len(set(codes)), sorted(c for c in codes if codes.count(c) > 1)
    assert errors.registry() == {c: n for n, c in sorted(live.items(), key=lambda kv: kv[1])}
    lines = ERRORS_PY.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        match = re.match(r"(E_\w+) = \"E\d{3}\"", line)
        if match and match.group(1) not in aliases:
            assert lines[number - 1].startswith("#: "), f"{match.group(1)} needs a '#: meaning' line above it"


def test_modules_use_the_registered_codes():
    """Every ``E_*`` constant a module exposes is a registered code (no private numbering)."""
    import importlib

    registered = set(errors.registry())
    for path in SOURCES:
        rel = path.relative_to(ROOT).with_suffix("")
        if rel.parts[0] == "nlp":
            name = ".".join(("jixiao",) + rel.parts[1:])
        else:
            name = ".".join(rel.parts)
        name = name.removesuffix(".__init__")
        text = path.read_text(encoding="utf-8")
        if not re.search(r"^E_\w+ = ", text, re.M) and "import E_" not in text and "E_" not in text:
            continue
        try:
            module = importlib.import_module(name)
        except ImportError:  # an optional dependency (ray, onnx ...) absent: nothing to check here
            continue
        for attr, value in vars(module).items():
            if attr.startswith("E_") and isinstance(value, str) and CODE.fullmatch(value):
                assert value in registered, f"{name}.{attr} = {value!r} is not in jixiao.errors"


def test_io_code_table_matches_the_registry():
    table = dict(re.findall(r"^(E\d{3})  (.+)$", io_doc, re.M))
    registered = {c for c in errors.registry() if "E100" <= c < "E170"}
    assert set(table) == registered, (sorted(set(table) - registered), sorted(registered - set(table)))


def test_codes_named_in_the_readme_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(CODE.findall(readme)) - {"E012"}  # E012: the example code of the CLI's message format
    assert named <= set(errors.registry()), sorted(named - set(errors.registry()))
