"""The layout of the house: `import jixiao` works, the library's own imports form no circle, the runtime
never imports `training/`, no module imports another's private names."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIB = ROOT / "nlp"


def _modules() -> dict[str, Path]:
    mods = {}
    for p in sorted(LIB.rglob("*.py")):
        parts = ("jixiao",) + p.relative_to(LIB).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        mods[name] = p
    for p in sorted((ROOT / "training").rglob("*.py")):
        parts = ("training",) + p.relative_to(ROOT / "training").with_suffix("").parts
        mods[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = p
    return mods


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import statement, deferred ones included."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            out.extend((a.name, []) for a in node.names)
    return out


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for name, path in mods.items():
        for module, names in _imports(path):
            if module.split(".")[0] not in ("jixiao", "training"):
                continue
            targets = [f"{module}.{n}" for n in names if f"{module}.{n}" in mods] or [module]
            for t in targets:
                while t not in mods and "." in t:
                    t = t.rsplit(".", 1)[0]
                if t in mods and t != name and not name.startswith(t + "."):
                    graph[name].add(t)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_the_library_imports_form_no_circle():
    assert _cycles(_graph()) == []


def test_a_planted_circle_is_found():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_runtime_never_imports_training():
    graph = _graph()
    bad = {m: sorted(t for t in ts if t.startswith("training")) for m, ts in graph.items()
           if m.startswith("jixiao") and not m.startswith("jixiao.cli.train")}
    assert {m: ts for m, ts in bad.items() if ts} == {}


def test_training_is_imported_by_the_cli_only_inside_commands():
    tree = ast.parse((LIB / "cli" / "train.py").read_text(encoding="utf-8"))
    top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert not any(getattr(n, "module", "") and n.module.startswith("training") for n in top)


def test_no_module_imports_private_names_of_another():
    bad = []
    for name, path in _modules().items():
        for module, names in _imports(path):
            if module.split(".")[0] in ("jixiao", "training"):
                bad += [f"{name}: {module}.{n}" for n in names if n.startswith("_")]
    assert bad == []


def test_every_module_imports_in_a_fresh_interpreter():
    names = [m for m in _modules() if m not in ("jixiao.__main__",)]
    code = "import importlib\nfor m in %r:\n    importlib.import_module(m)\nprint('ok')" % names
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/")
    assert res.returncode == 0 and res.stdout.strip() == "ok", res.stderr[-2000:]


def test_import_jixiao_from_any_folder(tmp_path):
    res = subprocess.run([sys.executable, "-c", "import jixiao; print(jixiao.__version__)"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert res.returncode == 0 and res.stdout.strip()[0].isdigit(), res.stderr


def test_the_command_finds_the_shipped_configs_from_another_folder(tmp_path):
    report = tmp_path / "r.txt"
    report.write_text("某县2021年度绩效自评报告\n全年支出资金8684万元，预算执行率96.4%。\n", encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "jixiao", "extract", str(report), "-o", str(tmp_path / "out"), "-q"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    assert (tmp_path / "out" / "extract.jsonl").read_text(encoding="utf-8").count("8684") >= 1
