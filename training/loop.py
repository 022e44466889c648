"""Pieces shared by the PyTorch training loops (NER fine-tuning, MLM pre-training)."""
from __future__ import annotations

from typing import Any


def optimizer_step(model: Any, batch: dict[str, Any], opt: Any, sched: Any, max_grad_norm: float = 1.0) -> float:
    """One step: forward, backward, clip, optimizer and scheduler; returns the loss as a float."""
    import torch

    loss = model(**batch).loss
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
    opt.step()
    sched.step()
    return float(loss.detach())
