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


def epoch_line(desc: str, epoch: int, epochs: int, loss: float, started: float, enabled: bool = True,
               stream: Any = None) -> str | None:
    """One plain progress line per epoch on stderr when it is not a terminal (a log file, CI, a
    pipe), where progress bars draw nothing; returns the line written (None when it was not).

    >>> import io, time
    >>> epoch_line("ner", 0, 3, 0.51234, time.monotonic(), stream=io.StringIO())
    'ner: epoch 1/3, loss 0.5123, 0 s'
    """
    import sys
    import time

    stream = stream if stream is not None else sys.stderr
    if not enabled or (stream.isatty() if hasattr(stream, "isatty") else False):
        return None
    line = f"{desc}: epoch {epoch + 1}/{epochs}, loss {loss:.4f}, {time.monotonic() - started:.0f} s"
    print(line, file=stream, flush=True)
    return line
