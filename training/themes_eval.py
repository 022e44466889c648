"""How well do themes match an analyst's problem categories? (``jixiao cv themes``)

The written corpus tags every 存在问题 paragraph with the problem categories of
``configs/themes.yaml`` (``themes`` in ``corpus/written/gold``). This module turns gold records into
the documents ``jixiao summarize`` reads, builds themes over them (guided by the taxonomy, and plain
clustering for comparison), and scores:

* **coverage**: problem paragraphs (gold 存在问题) with at least one sentence in a theme or in the
  outlier bucket;
* **AMI**: adjusted mutual information between each problem paragraph's gold category (its first
  one) and the theme its first problem sentence joined (outliers count as one more cluster);
* the same per document kind (one figure per held-out kind: the taxonomy has no training step, so
  leave-one-kind-out reduces to scoring each kind on its own).

Roles come from the gold (``roles="gold"``: themes alone) or from the trained role model on gold
paragraph labels (``roles="model"``), so what the role step loses shows up in coverage and AMI.

>>> doc = gold_document("d", [{"para": 0, "text": "1. 资金拨付不及时。", "labels": ["存在问题"],
...                            "roles": [[0, 11, "问题"]], "themes": ["资金拨付"]}])
>>> doc["paragraphs"][0]["sentences"]
[{'start': 0, 'end': 11, 'role': '问题'}]
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

PROBLEM = "存在问题"


def gold_document(doc_id: str, records: Sequence[Mapping[str, Any]], region: str | None = None,
                  year: int | None = None, roles: Mapping[int, list] | None = None) -> dict[str, Any]:
    """An extract-output document (what ``jixiao summarize`` reads) from gold records; ``roles``
    replaces the gold roles of some paragraphs (``{para: [[start, end, role], ...]}``)."""
    from jixiao.structure import section_paths

    recs = sorted(records, key=lambda r: r["para"])
    sections = section_paths([r["text"] for r in recs])
    paragraphs = []
    for r, sec in zip(recs, sections):
        spans = (roles or {}).get(r["para"], r.get("roles") or [])
        paragraphs.append({"index": r["para"], "text": r["text"], "labels": list(r.get("labels") or []),
                           "section": sec,
                           "sentences": [{"start": a, "end": b, "role": role} for a, b, role in spans]})
    return {"doc_id": doc_id, "source": f"{doc_id}.txt", "meta": {"region": region, "year": year},
            "paragraphs": paragraphs}


def model_roles(gold: Mapping[str, Sequence[Mapping[str, Any]]], model_path: str) -> dict[str, dict[int, list]]:
    """Roles the trained role model gives the gold 存在问题/建议 paragraphs (gold labels given)."""
    from jixiao.models.roles import RoleTagger
    from jixiao.structure import section_paths

    tagger = RoleTagger.load(model_path)
    out: dict[str, dict[int, list]] = {}
    for doc_id, recs in gold.items():
        recs = sorted(recs, key=lambda r: r["para"])
        secs = section_paths([r["text"] for r in recs])
        todo = [(r, s) for r, s in zip(recs, secs) if {"存在问题", "建议"} & set(r.get("labels") or [])]
        preds = tagger.predict_many([(r["text"], list(r["labels"]), s) for r, s in todo]) if todo else []
        out[doc_id] = {r["para"]: [list(x[:3]) for x in p if x[2]] for (r, _), p in zip(todo, preds)}
    return out


def score_themes(gold: Mapping[str, Sequence[Mapping[str, Any]]], config: Any,
                 kinds: Mapping[str, str] | None = None, roles: Mapping[str, dict[int, list]] | None = None
                 ) -> dict[str, Any]:
    """Build themes over the gold documents with ``config`` and score coverage and AMI."""
    from sklearn.metrics import adjusted_mutual_info_score

    from jixiao.summarize.aggregate import LoadResult
    from jixiao.summarize.report import build_summary

    docs = [gold_document(d, recs, roles=(roles or {}).get(d)) for d, recs in sorted(gold.items())]
    summary = build_summary(LoadResult(documents=docs), config=config)
    theme_of: dict[tuple[str, int], str] = {}
    for t in summary["themes"] + [summary["outliers"]]:
        for m in t["members"]:
            doc_id, para, start = m["row_id"].split(":")
            key = (doc_id, int(para))
            # the paragraph's first problem sentence decides
            prev = theme_of.get(key)
            if prev is None or int(start) < prev[1]:
                theme_of[key] = (t["id"], int(start))
    truth, pred, kind_of = [], [], []
    n_problem = covered = 0
    for d, recs in sorted(gold.items()):
        for r in recs:
            if PROBLEM not in (r.get("labels") or []):
                continue
            n_problem += 1
            hit = theme_of.get((d, r["para"]))
            covered += hit is not None
            if r.get("themes"):
                truth.append(r["themes"][0])
                pred.append(hit[0] if hit else "(none)")
                kind_of.append((kinds or {}).get(d, "other"))
    ami = adjusted_mutual_info_score(truth, pred) if truth else None
    per_kind: dict[str, Any] = {}
    by_kind: dict[str, list[int]] = defaultdict(list)
    for i, k in enumerate(kind_of):
        by_kind[k].append(i)
    for k, idx in sorted(by_kind.items()):
        t = [truth[i] for i in idx]
        p = [pred[i] for i in idx]
        per_kind[k] = {"paragraphs": len(idx),
                       "ami": round(float(adjusted_mutual_info_score(t, p)), 4) if len(set(t)) > 1 else None}
    guided = [t for t in summary["themes"] if t.get("category")]
    return {
        "problem_paragraphs": n_problem, "covered": covered,
        "coverage": round(covered / n_problem, 4) if n_problem else None,
        "categorised_paragraphs": len(truth),
        "ami": round(float(ami), 4) if ami is not None else None,
        "themes": len(summary["themes"]), "guided_themes": len(guided),
        "outlier_sentences": summary["outliers"]["sentences"],
        "subject_sentences": summary["counts"]["subject_sentences"],
        "names": [t["name"] for t in summary["themes"][:20]],
        "category_confusion": _confusion(truth, pred, summary),
        "per_kind": per_kind,
    }


def _confusion(truth: Sequence[str], pred: Sequence[str], summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    """For each gold category, the themes its paragraphs went to (most common first)."""
    names = {t["id"]: t["name"] for t in summary["themes"] + [summary["outliers"]]}
    by: dict[str, Counter] = defaultdict(Counter)
    for t, p in zip(truth, pred):
        by[t][names.get(p, p)] += 1
    return [{"category": c, "paragraphs": sum(cnt.values()), "themes": dict(cnt.most_common(3))}
            for c, cnt in sorted(by.items(), key=lambda kv: -sum(kv[1].values()))]


def gold_themes(folder: str) -> dict[tuple[str, int], list[str]]:
    """``themes`` of the gold records in ``folder`` (read with :func:`jixiao.evaluation.load_gold`,
    which keeps the extra keys of a record)."""
    from jixiao.evaluation import load_gold

    return {(doc_id, int(r["para"])): list(r["themes"])
            for doc_id, records in load_gold(folder).items() for r in records if r.get("themes")}


def run_themes_eval(corpus: str = "corpus/written", summarize_config: str = "configs/summarize.yaml",
                    roles_model: str | None = "models/roles", encoder: str | None = None) -> dict[str, Any]:
    """Guided and unguided themes on the written corpus, with gold roles and (if given) model roles."""
    import dataclasses

    from jixiao.paths import resolve
    from jixiao.summarize.themes import load_theme_config
    from training.protocols import load_data

    data = load_data(None, corpus)
    themes = gold_themes(str(resolve(corpus) / "gold"))
    for d, recs in data.gold.items():
        for r in recs:
            if (d, r["para"]) in themes:
                r["themes"] = themes[(d, r["para"])]
    base = load_theme_config(resolve(summarize_config))
    taxonomy = base.taxonomy or str(resolve("configs/themes.yaml"))
    configs = {"guided": dataclasses.replace(base, taxonomy=taxonomy),
               "clusters": dataclasses.replace(base, taxonomy=None)}
    if encoder:
        configs["guided+encoder"] = dataclasses.replace(base, taxonomy=taxonomy, vectors="tfidf+encoder", encoder=encoder)
        configs["clusters+encoder"] = dataclasses.replace(base, taxonomy=None, vectors="tfidf+encoder", encoder=encoder)
    role_sets: dict[str, Any] = {"gold": None}
    if roles_model:
        role_sets["model"] = model_roles(data.gold, str(resolve(roles_model)))
    out: dict[str, Any] = {"corpus": str(corpus), "documents": len(data.gold), "results": {}}
    for rname, roles in role_sets.items():
        for cname, cfg in configs.items():
            out["results"][f"{cname}, {rname} roles"] = score_themes(data.gold, cfg, data.kinds, roles)
    return out


__all__ = ["gold_document", "model_roles", "score_themes", "run_themes_eval"]
