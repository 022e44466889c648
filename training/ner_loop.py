"""The tagger's training loop: length-bucketed batches, padding, rule-span dropout, AdamW with linear
warm-up/decay (the optimiser step and the epoch line are :mod:`training.loop`'s)."""
from __future__ import annotations

import math
import random
import time

from training.loop import epoch_line, optimizer_step
from training.ner_config import TrainConfig
from training.ner_model import set_seed


def length_batches(lengths: list[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length (less padding): shuffle, sort within pools, shuffle batches.

    >>> sorted(len(b) for b in length_batches([3, 1, 2, 5, 4], 2, random.Random(0)))
    [1, 2, 2]
    """
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    pool = batch_size * 50
    batches = []
    for p in range(0, len(idx), pool):
        chunk = sorted(idx[p:p + pool], key=lambda i: lengths[i])
        batches += [chunk[b:b + batch_size] for b in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def collate(rows, pad_id: int):
    """Pad examples into torch tensors (labels padded with -100): a list of example dicts, or a
    batch of columns (``{"input_ids": [[...], ...], ...}``, what ``datasets.Dataset[indices]`` returns)."""
    import torch

    cols = rows if isinstance(rows, dict) else {k: [r[k] for r in rows] for k in rows[0]}
    n = max(len(x) for x in cols["input_ids"])
    out = {}
    for key, pad in (("input_ids", pad_id), ("attention_mask", 0), ("boundary_ids", 0), ("rule_ids", 0),
                     ("labels", -100)):
        if key in cols:
            out[key] = torch.tensor([list(x) + [pad] * (n - len(x)) for x in cols[key]], dtype=torch.long)
    return out


def drop_rule_spans(rule_ids, p: float, rng: random.Random):
    """Hide whole rule spans (their B-/I- feature ids become O) with probability ``p`` each, so the model
    also learns the text evidence for an entity and not only to copy the rule tag.

    >>> import torch
    >>> from jixiao.models.ner import RULE_IDS
    >>> x = torch.tensor([[RULE_IDS["O"], RULE_IDS["B-AMOUNT"], RULE_IDS["I-AMOUNT"], RULE_IDS["B-UNIT"], 0]])
    >>> drop_rule_spans(x, 1.0, random.Random(0)).tolist() == [[RULE_IDS["O"]] * 4 + [0]]
    True
    """
    from jixiao.models.ner import RULE_IDS

    o_id = RULE_IDS["O"]
    inside = {v for k, v in RULE_IDS.items() if k.startswith("I-")}
    begin = {v for k, v in RULE_IDS.items() if k.startswith("B-")}
    out = rule_ids.clone()
    rows = out.tolist()
    for r, ids in enumerate(rows):
        i = 0
        while i < len(ids):
            if ids[i] in begin:
                j = i + 1
                while j < len(ids) and ids[j] in inside:
                    j += 1
                if rng.random() < p:
                    out[r, i:j] = o_id
                i = j
            else:
                i += 1
    return out


def train_loop(model, examples, tcfg: TrainConfig, pad_id: int, *,
               use_boundaries: bool, use_rules: bool = False, progress: bool = True,
               desc: str = "train") -> list[float]:
    """AdamW + linear warm-up/decay over length-bucketed batches; mean loss per epoch."""
    import torch

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    set_seed(tcfg.seed, tcfg.threads)
    rng = random.Random(tcfg.seed)
    # a datasets.Dataset (what fit builds) or a list of example dicts
    is_dataset = hasattr(examples, "column_names")
    lengths = [len(x) for x in examples["input_ids"]] if is_dataset else [len(e["input_ids"]) for e in examples]
    steps_per_epoch = math.ceil(len(examples) / tcfg.batch_size)
    total = max(1, steps_per_epoch * tcfg.epochs)
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2 and "embeddings" not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.ndim >= 2 and "embeddings" not in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": tcfg.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=tcfg.lr)
    warm = max(1, int(total * tcfg.warmup))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm))))
    model.train()
    history: list[float] = []
    started = time.monotonic()
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TextColumn("loss {task.fields[loss]:.4f}"), TimeElapsedColumn(),
                  disable=not progress, transient=False) as bar:
        task = bar.add_task(desc, total=total, loss=float("nan"))
        for epoch in range(tcfg.epochs):
            losses = []
            for batch_idx in length_batches(lengths, tcfg.batch_size, rng):
                batch = collate(examples[batch_idx] if is_dataset else [examples[i] for i in batch_idx], pad_id)
                if not use_boundaries:
                    batch.pop("boundary_ids", None)
                if not use_rules:
                    batch.pop("rule_ids", None)
                elif tcfg.rule_dropout > 0:
                    batch["rule_ids"] = drop_rule_spans(batch["rule_ids"], tcfg.rule_dropout, rng)
                losses.append(optimizer_step(model, batch, opt, sched))
                bar.update(task, advance=1, loss=sum(losses[-20:]) / len(losses[-20:]))
            history.append(sum(losses) / max(1, len(losses)))
            epoch_line(desc, epoch, tcfg.epochs, history[-1], started, enabled=progress)
            if (time.monotonic() - started) / 60 > tcfg.max_minutes:
                bar.console.print(f"[yellow]stopped after epoch {epoch + 1}: train.max_minutes "
                                  f"({tcfg.max_minutes}) reached[/yellow]")
                break
    model.eval()
    return history
