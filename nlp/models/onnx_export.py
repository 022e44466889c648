"""Export a tagger folder to ONNX (``model.onnx``) and int8 (``model.int8.onnx``) for :mod:`jixiao.models.onnx_runtime`.

>>> paths = export_onnx("models/ner")                       # doctest: +SKIP
"""
from __future__ import annotations

from pathlib import Path

from jixiao.errors import E_ONNX, UsageError
from jixiao.models.encoder import uses_boundaries, uses_rules
from jixiao.models.onnx_runtime import INPUT_NAMES, SIDECAR, weights_sha256


def export_onnx(folder: str | Path, *, quantize: bool = True, opset: int = 17) -> list[Path]:
    """Export a model folder's token-classification model to ONNX (+ int8). Returns the paths."""
    import torch

    from jixiao.models.ner import NerTagger

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
