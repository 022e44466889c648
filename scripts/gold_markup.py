"""Gold labelling by hand, in a reviewable markup, compiled to the ANNOTATION.md §6 format.

    python scripts/gold_markup.py draft  corpus/raw/000_x.txt corpus/gold_src/000_x.md
    python scripts/gold_markup.py compile corpus/gold_src/000_x.md corpus/gold/000_x.jsonl
    python scripts/gold_markup.py build corpus/gold_src corpus/gold

Markup, one block per paragraph:

    ## p12
    L: 存在问题 建议            paragraph labels (empty line after "L:" means 其他)
    T: 收入«8684|AMOUNT»«万元|UNIT»⇥…   the paragraph text; «span|TYPE» marks an entity; ⇥ is a tab
    R: 0=问题 2=原因            roles by unit number (units listed in the U: line)
    U: 0「…」 1「…」             role units of the text (informational; recomputed on compile)
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jixiao.pipeline import load_pipeline, paragraph_records  # noqa: E402
from jixiao.rules.labels import split_sentences  # noqa: E402

SPAN = re.compile(r"«([^«»|]+)\|([A-Z]+)»")
TYPES = {"AMOUNT", "UNIT", "INDICATOR", "TARGET", "ACTUAL", "SCORE"}
LABELS = {"经验做法", "存在问题", "建议"}
ROLES = {"问题", "原因", "措施"}


def to_markup(rec: dict) -> str:
    text = rec["text"]
    out, pos = [], 0
    for s, e, t in sorted(rec["entities"]):
        out.append(text[pos:s])
        out.append(f"«{text[s:e]}|{t}»")
        pos = e
    out.append(text[pos:])
    units = split_sentences(text)
    role_at = {(s, e): r for s, e, r in rec["roles"]}
    roles = " ".join(f"{i}={role_at[u]}" for i, u in enumerate(units) if u in role_at)
    ulist = " ".join(f"{i}「{text[s:e][:40]}」" for i, (s, e) in enumerate(units)) if "\t" not in text else ""
    return (f"## p{rec['para']}\nL: {' '.join(rec['labels'])}\nT: {''.join(out).replace(chr(9), '⇥')}\n"
            f"R: {roles}\n" + (f"U: {ulist}\n" if ulist else "") + "\n")


def draft(raw_path: str, out_path: str) -> None:
    from jixiao.io.readers import read_document
    from jixiao.pipeline import document_from_raw

    raw = read_document(raw_path)
    doc = load_pipeline(Path(__file__).resolve().parent.parent / "configs" / "pipeline_rules.yaml")(document_from_raw(raw))
    recs = paragraph_records(doc)
    Path(out_path).parent.mkdir(parents=True, exist_ok=True)
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(f"# gold source for {raw.doc_id} (see scripts/gold_markup.py)\n\n")
        for r in recs:
            f.write(to_markup(r))


def parse_markup(path: str) -> list[dict]:
    doc_id = Path(path).stem.split(".part")[0]
    recs, cur = [], None
    errors = []
    for n, line in enumerate(Path(path).read_text("utf-8").splitlines(), 1):
        if line.startswith("## p"):
            cur = {"doc_id": doc_id, "para": int(line[4:].strip()), "labels": [], "roles": [], "entities": [], "_line": n}
            recs.append(cur)
        elif cur is None or not line.strip() or line.startswith("#"):
            continue
        elif line.startswith("L:"):
            cur["labels"] = [x for x in line[2:].split() if x]
            bad = set(cur["labels"]) - LABELS
            if bad:
                errors.append(f"{path}:{n}: unknown label(s) {bad}")
        elif line.startswith("T: ") or line == "T:":
            marked = line[3:].replace("⇥", "\t")
            text, ents, pos = [], [], 0
            offset = 0
            for m in SPAN.finditer(marked):
                text.append(marked[pos:m.start()])
                offset += m.start() - pos
                span_text, typ = m.group(1), m.group(2)
                if typ not in TYPES:
                    errors.append(f"{path}:{n}: unknown entity type {typ}")
                ents.append([offset, offset + len(span_text), typ])
                text.append(span_text)
                offset += len(span_text)
                pos = m.end()
            text.append(marked[pos:])
            cur["text"] = "".join(text)
            if "«" in cur["text"] or "»" in cur["text"]:
                errors.append(f"{path}:{n}: unbalanced « » markup")
            cur["entities"] = ents
        elif line.startswith("R:"):
            cur["_roles"] = line[2:].split()
        elif line.startswith("U:"):
            continue
        else:
            errors.append(f"{path}:{n}: line does not start with L:/T:/R:/U: — {line[:40]}")
    for r in recs:
        units = split_sentences(r.get("text", ""))
        for item in r.pop("_roles", []):
            try:
                i, role = item.split("=")
                s, e = units[int(i)]
            except (ValueError, IndexError):
                errors.append(f"{path}:{r['_line']}: bad role item {item!r} ({len(units)} units)")
                continue
            if role not in ROLES:
                errors.append(f"{path}:{r['_line']}: unknown role {role}")
            r["roles"].append([s, e, role])
        r.pop("_line")
    return recs, errors


def compile_(srcs: list[str], out: str) -> int:
    recs, errors = [], []
    for src in srcs:
        r, e = parse_markup(src)
        recs += r
        errors += e
    paras = [r["para"] for r in recs]
    if paras != list(range(len(paras))):
        errors.append(f"{out}: paragraphs are not numbered 0..{len(paras) - 1} in order")
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        return 1
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        for r in recs:
            f.write(json.dumps({k: r[k] for k in ("doc_id", "para", "text", "labels", "roles", "entities")}, ensure_ascii=False) + "\n")
    print(f"{out}: {len(recs)} paragraphs")
    return 0


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "draft":
        draft(sys.argv[2], sys.argv[3])
    elif cmd == "compile":
        sys.exit(compile_(sys.argv[2:-1], sys.argv[-1]))
    elif cmd == "build":  # every gold_src/<doc>[.partN].md → gold/<doc>.jsonl
        src_dir, out_dir = Path(sys.argv[2]), Path(sys.argv[3])
        groups: dict[str, list[str]] = {}
        for f in sorted(src_dir.glob("[0-9]*.md")):
            groups.setdefault(f.stem.split(".part")[0], []).append(str(f))
        sys.exit(max(compile_(v, str(out_dir / f"{k}.jsonl")) for k, v in groups.items()))
    else:
        sys.exit(f"unknown command {cmd}")
