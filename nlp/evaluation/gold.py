"""Reading gold paragraph records (ANNOTATION.md §6): the one gold reader of the code base.

Evaluation, training (``training.data.read_gold``, ``training.cls.load_gold_or_fail``) and the theme
evaluation all read gold with :func:`load_gold`. No gold at all is E350 (``E_NO_GOLD``), naming the path.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable

from jixiao.errors import E_GOLD_DUPLICATE, E_GOLD_JSON, E_GOLD_RECORD, E_GOLD_SPAN, E_NO_GOLD, JixiaoError
from jixiao.evaluation.records import check_gold_para, expand_paths, para_from_record, read_jsonl, record_from_para

GOLD_KEYS = ("doc_id", "para", "text", "labels", "roles", "entities")
#: What to do when there is no gold (ends the E350 message).
NO_GOLD_HINT = "; label documents first (ANNOTATION.md §6: <doc_id>.jsonl) or point to another gold folder"

def load_gold(dir_or_files: str | Path | Iterable[str | Path]) -> dict[str, list[dict[str, Any]]]:
    """Read gold paragraph records (ANNOTATION.md §6) grouped by document, sorted by ``para``.

    Every line is validated (keys, offsets, overlaps, known names, duplicates; E351–E354 naming the
    file and line); a missing path or a folder without ``*.jsonl`` is E350. Records keep the keys of
    §6 first, spans as ``[start, end, type]``, then any extra key of the line (``themes``, ...).

    Example::

        gold = load_gold("corpus/gold")          # {"000_3ae7e199f53c681b": [{"para": 0, ...}, ...]}

    >>> import json, pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "d.jsonl").write_text(json.dumps({"doc_id": "d", "para": 0, "text": "问题", "labels": [],
    ...     "roles": [], "entities": [], "themes": ["资金管理"]}) + "\\n", encoding="utf-8")
    >>> load_gold(folder)["d"][0]["themes"]
    ['资金管理']
    >>> load_gold(folder / "nothing")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    jixiao.errors.JixiaoError: E350: ...nothing: gold file or directory not found; label documents first ...
    """
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    seen: dict[tuple[str, int], str] = {}
    for path in expand_paths(dir_or_files, E_NO_GOLD, "gold", NO_GOLD_HINT):
        for number, obj in read_jsonl(path, E_GOLD_JSON):
            where = f"{path}:{number}"
            if not isinstance(obj, dict) or any(key not in obj for key in GOLD_KEYS):
                missing = [k for k in GOLD_KEYS if not isinstance(obj, dict) or k not in obj]
                raise JixiaoError(E_GOLD_RECORD, f"line {number} lacks {', '.join(missing)}; every gold line "
                                  "needs " + ", ".join(GOLD_KEYS) + " (ANNOTATION.md §6)", path=str(path))
            try:
                para = para_from_record(obj)
            except (KeyError, ValueError, TypeError) as exc:
                raise JixiaoError(E_GOLD_RECORD, f"line {number}: {exc}; see ANNOTATION.md §6",
                                  path=str(path)) from exc
            problem = check_gold_para(para)
            if problem:
                raise JixiaoError(E_GOLD_SPAN, f"line {number}: {problem}; correct the gold record",
                                  path=str(path))
            key = (para.doc_id, para.para)
            if key in seen:
                raise JixiaoError(E_GOLD_DUPLICATE, f"line {number}: paragraph {para.para} of {para.doc_id} "
                                  f"already given at {seen[key]}; remove the duplicate", path=str(path))
            seen[key] = where
            extra = {key: value for key, value in obj.items() if key not in GOLD_KEYS}
            grouped[para.doc_id].append({**record_from_para(para, with_values=False), **extra})
    return {doc_id: sorted(records, key=lambda r: r["para"]) for doc_id, records in sorted(grouped.items())}
