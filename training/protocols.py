"""The three evaluation protocols every model card reports: real seeds, written corpus, transfer.

The project holds two kinds of gold (ANNOTATION.md §6 records):

* the **seeds**: five real reports (``corpus/gold``), the only real text we may hold;
* the **written corpus**: reports the team wrote to cover the genre (``corpus/written/gold``, with
  each document's kind, fund, region and year in ``corpus/written/documents.json``).

A model trained on both is measured three ways, each a list of :class:`Fold` (train ids, test ids):

``seeds_lodo``
    leave-one-document-out on the seeds: train on the corpus plus four seeds, test on the fifth.
    Real text; the seeds are what the rules were written on, so a rule feature is in-sample here.
``corpus_loko``
    leave-one-kind-out on the written corpus: train on the seeds plus every other kind, test on
    one kind (e.g. all 审计结果公告). A development signal only: the text is our own writing.
``transfer``
    train on the written corpus alone, test on all five seeds: real reports the training data does
    not contain. The cleanest figure for a model without rule features.

:func:`run_protocol` runs a ``fit_predict(train_gold, test_gold)`` over one protocol and scores the
pooled predictions of its folds with :func:`jixiao.evaluation.evaluate`.

>>> data = Data(gold={"s1": [], "s2": [], "wA01": [], "wB01": []}, seeds=["s1", "s2"],
...             corpus=["wA01", "wB01"], kinds={"wA01": "整改报告", "wB01": "审计结果公告"})
>>> [(f.name, f.train, f.test) for f in make_protocol(data, "seeds_lodo").folds]
[('s1', ('s2', 'wA01', 'wB01'), ('s1',)), ('s2', ('s1', 'wA01', 'wB01'), ('s2',))]
>>> [(f.name, f.test) for f in make_protocol(data, "corpus_loko").folds]
[('审计结果公告', ('wB01',)), ('整改报告', ('wA01',))]
>>> make_protocol(data, "transfer").folds
[Fold(name='transfer', train=('wA01', 'wB01'), test=('s1', 's2'))]
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jixiao.errors import E_FOLDS, E_NO_CORPUS, UsageError

PROTOCOLS = ("seeds_lodo", "corpus_loko", "transfer")
TITLES = {
    "seeds_lodo": "Leave-one-document-out on the real seed reports (trained on the written corpus, `data.extra` "
                  "and the other seeds)",
    "corpus_loko": "Leave-one-kind-out on the written corpus (trained on the seeds, `data.extra` and the other kinds); "
                   "development signal on our own writing",
    "transfer": "Transfer: trained on our writing (the written corpus and `data.extra`, no seed), tested on the real "
                "seed reports",
}


@dataclass(frozen=True)
class Fold:
    """One split: a name, the training document ids and the test document ids."""

    name: str
    train: tuple[str, ...]
    test: tuple[str, ...]


@dataclass
class Protocol:
    name: str
    title: str
    folds: list[Fold]


@dataclass
class Data:
    """All gold documents by id, which are seeds and which written corpus, and each corpus kind."""

    gold: dict[str, list[dict[str, Any]]]
    seeds: list[str]
    corpus: list[str]
    kinds: dict[str, str] = field(default_factory=dict)

    def subset(self, ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        return {d: self.gold[d] for d in ids}


def load_data(seeds: str | Path | None = "corpus/gold", corpus: str | Path | None = "corpus/written",
              extra: Sequence[str | Path] = ()) -> Data:
    """Seeds gold, the written corpus (``<corpus>/gold`` + ``<corpus>/documents.json``) and any
    ``extra`` gold files or folders (counted as corpus documents of kind ``extra``).

    Either source may be None (a user with only their own labelled reports passes ``seeds`` only).
    """
    from jixiao.evaluation import load_gold
    from jixiao.paths import resolve

    gold: dict[str, list[dict[str, Any]]] = {}
    seed_ids: list[str] = []
    corpus_ids: list[str] = []
    kinds: dict[str, str] = {}
    if seeds:
        s = load_gold(resolve(seeds))
        gold.update(s)
        seed_ids = sorted(s)
    if corpus:
        root = resolve(corpus)
        gdir = root / "gold" if (root / "gold").is_dir() else root
        c = load_gold(gdir)
        meta_file = root / "documents.json"
        if meta_file.is_file():
            for d in json.loads(meta_file.read_text(encoding="utf-8")):
                kinds[d["doc_id"]] = d.get("kind") or "other"
        clash = sorted(set(c) & set(gold))
        if clash:
            raise UsageError(E_NO_CORPUS, f"document ids in both the seeds and the corpus: {clash[:5]}", path=str(gdir))
        gold.update(c)
        corpus_ids = sorted(c)
        for d in corpus_ids:
            kinds.setdefault(d, "other")
    for path in extra:
        e = load_gold(resolve(path))
        for d in e:
            kinds.setdefault(d, "extra")
        gold.update(e)
        corpus_ids = sorted(set(corpus_ids) | set(e))
    if not gold:
        raise UsageError(E_NO_CORPUS, "no gold documents: give seeds and/or a written corpus")
    return Data(gold, seed_ids, corpus_ids, kinds)


def make_protocol(data: Data, name: str) -> Protocol:
    """The folds of protocol ``name`` (one of :data:`PROTOCOLS`) over ``data``."""
    seeds, corpus = list(data.seeds), list(data.corpus)
    folds: list[Fold] = []
    if name == "seeds_lodo":
        if len(seeds) < 2 and not corpus:
            raise UsageError(E_FOLDS, "seeds_lodo needs at least two seed documents or a corpus")
        for s in seeds:
            folds.append(Fold(s, tuple(sorted(set(seeds) - {s}) + corpus), (s,)))
    elif name == "corpus_loko":
        by_kind: dict[str, list[str]] = {}
        for d in corpus:
            by_kind.setdefault(data.kinds.get(d, "other"), []).append(d)
        if len(by_kind) >= 2:
            for kind in sorted(by_kind):
                rest = [d for d in corpus if d not in set(by_kind[kind])]
                folds.append(Fold(kind, tuple(seeds + rest), tuple(by_kind[kind])))
    elif name == "transfer":
        if corpus and seeds:
            folds.append(Fold("transfer", tuple(corpus), tuple(seeds)))
    else:
        raise UsageError(E_FOLDS, f"unknown protocol {name!r}; choose from {', '.join(PROTOCOLS)}")
    return Protocol(name, TITLES[name], folds)


def protocols(data: Data, names: Sequence[str] = PROTOCOLS) -> list[Protocol]:
    """The protocols among ``names`` that ``data`` supports (a protocol with no folds is left out)."""
    out = [make_protocol(data, n) for n in names]
    return [p for p in out if p.folds]


FitPredict = Callable[[dict[str, list[dict[str, Any]]], dict[str, list[dict[str, Any]]]], Any]


def run_protocol(data: Data, protocol: Protocol, fit_predict: FitPredict,
                 log: Callable[[str], None] = lambda s: None) -> Any:
    """``fit_predict(train_gold, test_gold)`` over every fold; a ``CVReport`` whose pooled report
    scores all folds' predictions together (each test document is in exactly one fold)."""
    from jixiao.evaluation import cross_validate

    splits = [(list(f.train), list(f.test), f.name) for f in protocol.folds]

    def timed(train_gold, test_gold):
        t0 = time.time()
        out = fit_predict(train_gold, test_gold)
        log(f"  {protocol.name} fold {next(f.name for f in protocol.folds if set(f.test) == set(test_gold))}: "
            f"{len(train_gold)} train / {len(test_gold)} test documents, {time.time() - t0:.1f}s")
        return out

    return cross_validate(data.gold, timed, splits=splits)


def fold_summary(protocol: Protocol, data: Data) -> list[dict[str, Any]]:
    """Fold names with their document counts (for the model card)."""
    return [{"fold": f.name, "train_docs": len(f.train), "test_docs": len(f.test),
             "test_paragraphs": sum(len(data.gold[d]) for d in f.test)} for f in protocol.folds]


__all__ = ["PROTOCOLS", "TITLES", "Data", "Fold", "Protocol", "load_data", "make_protocol", "protocols",
           "run_protocol", "fold_summary"]
