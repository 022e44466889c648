"""Precision and recall of `jixiao audit` on the written corpus' planted slips.

    python scripts/audit_eval.py [corpus/written] [--pred EXTRACT.jsonl] [--out corpus/written/audit_metrics.json]

Extracts the raw text of the evaluation set (every document of ``documents.json`` with planted slips plus one
consistent document of the same kind for each; see ``jixiao.audit.evaluate``) with the default pipeline, or reads
``--pred`` (extraction output covering those documents), audits it and writes per-kind precision/recall. It also
audits every consistent document of the corpus and reports what fires there (unplanted slips or false alarms).

The written corpus was written by this team and the audit rules were designed while looking at these documents:
the figures are in-sample for rule design, not a test on unseen reports.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from jixiao.audit import audit_document
from jixiao.audit.evaluate import evaluation_set, planted_metrics

ROOT = Path(__file__).resolve().parent.parent


def extract(raw_dir: Path, ids: list[str]) -> dict[str, dict]:
    from jixiao.doc import document_from_raw
    from jixiao.io.readers import read_document
    from jixiao.pipeline import load_pipeline

    nlp = load_pipeline()
    out = {}
    for i in ids:
        doc = nlp(document_from_raw(read_document(str(raw_dir / f"{i}.txt"))))
        d = doc.to_dict()
        d["doc_id"] = i           # the file stem, as in documents.json
        out[i] = json.loads(json.dumps(d, default=str))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", default=str(ROOT / "corpus" / "written"))
    ap.add_argument("--pred", help="extraction output (JSONL) instead of extracting the raw files")
    ap.add_argument("--out", default=None, help="metrics JSON (default CORPUS/audit_metrics.json)")
    ap.add_argument("--eval-set-only", action="store_true", help="skip the run over all consistent documents")
    args = ap.parse_args(argv)
    corpus = Path(args.corpus)
    documents = json.loads((corpus / "documents.json").read_text(encoding="utf-8"))
    planted, consistent = evaluation_set(documents)
    everything = [d["doc_id"] for d in documents if args.eval_set_only is False and not d.get("planted")]
    wanted = sorted(set(planted + consistent + everything))
    if args.pred:
        docs = {}
        for line in Path(args.pred).read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                key = Path(d.get("source") or d["doc_id"]).stem if Path(d.get("source") or "").stem in wanted \
                    else d["doc_id"]
                docs[key] = d
        missing = [i for i in wanted if i not in docs]
        if missing:
            print(f"--pred lacks {len(missing)} documents, e.g. {missing[:3]}", file=sys.stderr)
            return 2
    else:
        docs = extract(corpus / "raw", wanted)
    findings = {i: [f.to_dict() for f in audit_document(docs[i])] for i in wanted}
    metrics = planted_metrics(findings, documents, planted + consistent)
    metrics["evaluation_set"] = {"planted": planted, "consistent": consistent}
    if everything:
        fired = {i: [f"{f['kind']}: {f['message']}" for f in findings[i]] for i in everything if findings[i]}
        metrics["all_consistent_documents"] = {
            "documents": len(everything), "documents_with_findings": len(fired),
            "findings_by_kind": dict(Counter(f["kind"] for i in everything for f in findings[i])),
            "findings": fired}
    metrics["note"] = ("in-sample: the audit rules were designed while reading these written documents; "
                       "a finding counts as correct when its document has a planted slip of the same kind")
    metrics["command"] = "python scripts/audit_eval.py" + (f" --pred {args.pred}" if args.pred else "")
    out = Path(args.out) if args.out else corpus / "audit_metrics.json"
    out.write_text(json.dumps(metrics, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for kind, m in metrics["per_kind"].items():
        print(f"{kind:10} planted {m['planted']:2}  found {m['found']:2}  findings {m['findings']:2}  "
              f"precision {m['precision']}  recall {m['recall']}")
    a = metrics["all_planted_kinds"]
    print(f"{'all':10} planted {a['planted']:2}  found {a['found']:2}  findings {a['findings']:2}  "
          f"precision {a['precision']}  recall {a['recall']}")
    if everything:
        c = metrics["all_consistent_documents"]
        print(f"all {c['documents']} consistent documents: {c['documents_with_findings']} with findings "
              f"{c['findings_by_kind']}")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
