"""Follow a change of paragraph segmentation in the gold markup without losing labels.

When the cleaner learns to rejoin a sentence that a page break split (so gold paragraphs i and i+1
become one), this merges the two gold records: text a + b, b's spans shifted by len(a), labels
united, paragraphs renumbered. It refuses any change that is not such a merge.

    python scripts/gold_resegment.py corpus/raw corpus/gold_src
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from gold_markup import parse_markup, to_markup  # noqa: E402
from jixiao.clean import clean_text  # noqa: E402
from jixiao.io.readers import read_document  # noqa: E402


def merge(recs: list[dict], target: list[str]) -> list[dict]:
    out, i = [], 0
    for t in target:
        r = dict(recs[i])
        i += 1
        while r["text"] != t:
            if i >= len(recs) or not t.startswith(r["text"]):
                raise SystemExit(f"not a merge at paragraph {r['para']}: {r['text'][:30]!r} vs {t[:30]!r}")
            nxt = recs[i]
            i += 1
            k = len(r["text"])
            r = {**r, "text": r["text"] + nxt["text"],
                 "labels": sorted(set(r["labels"]) | set(nxt["labels"]), key=["经验做法", "存在问题", "建议"].index),
                 "entities": r["entities"] + [[s + k, e + k, y] for s, e, y in nxt["entities"]],
                 "roles": r["roles"] + [[s + k, e + k, y] for s, e, y in nxt["roles"]]}
            print(f"merged paragraph {nxt['para']} into {r['para']}")
        out.append(r)
    if i != len(recs):
        raise SystemExit("gold has paragraphs the new segmentation does not")
    for n, r in enumerate(out):
        r["para"] = n
    return out


def main(raw_dir: str, src_dir: str) -> None:
    for raw in sorted(Path(raw_dir).glob("*.txt")):
        target = [p.text for p in clean_text(read_document(raw).text)]
        files = sorted(Path(src_dir).glob(f"{raw.stem}*.md"))
        recs = []
        for f in files:
            r, errors = parse_markup(str(f))
            if errors:
                raise SystemExit("\n".join(errors))
            recs += r
        if [r["text"] for r in recs] == target:
            continue
        merged = merge(recs, target)
        head = files[0].read_text("utf-8").split("\n## p")[0]
        for f in files[1:]:
            f.unlink()
        out = Path(src_dir) / f"{raw.stem}.md"
        if files[0] != out:
            files[0].unlink()
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(head.rstrip("\n") + "\n\n")
            for r in merged:
                fh.write(to_markup(r))
        print(f"{out}: {len(recs)} → {len(merged)} paragraphs")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
