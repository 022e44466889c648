"""Rich tables of an evaluation and of a cross-validation."""
from __future__ import annotations

from typing import Iterable, Mapping, Sequence

from jixiao.evaluation.cv import CVReport
from jixiao.evaluation.scores import EvalReport, Scores
from jixiao.schema import ENTITY_TYPES, PARAGRAPH_LABELS, ROLES

def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def _scores_table(title: str, names: Sequence[str], per: Mapping[str, Scores], micro: Scores,
                  macro: Scores, first_column: str, excluded: Sequence[str] | None = None):
    from rich.table import Table

    table = Table(title=title)
    excluded = [n for n in names if n not in per] if excluded is None else list(excluded)
    if excluded:  # nothing to score (no gold example, no prediction): left out of the macro
        table.caption = f"macro over {len(names) - len(excluded)} of {len(names)}; not scored: {', '.join(excluded)}"
    table.add_column(first_column)
    for column in ("P", "R", "F1", "support"):
        table.add_column(column, justify="right")
    for name in names:
        s = per.get(name)
        if s is None or name in excluded:
            table.add_row(name, "–", "–", "–", "0")
        else:
            table.add_row(name, _fmt(s.precision), _fmt(s.recall), _fmt(s.f1), str(s.support))
    for name, s in (("micro", micro), ("macro", macro)):
        table.add_row(f"[bold]{name}[/bold]", _fmt(s.precision), _fmt(s.recall), _fmt(s.f1), str(s.support))
    return table


def _ordered(known: Sequence[str], present: Iterable[str]) -> list[str]:
    return list(known) + sorted(set(present) - set(known))


def render_report(report: EvalReport):
    """Rich tables of one evaluation (a ``rich.console.Group``; ``console.print`` it).

    Example::

        Console().print(render_report(evaluate(gold, pred)))
    """
    from rich.console import Group
    from rich.table import Table

    a = report.alignment
    summary = Table(title="Alignment and money values", show_header=False)
    summary.add_column("what")
    summary.add_column("value", justify="right")
    summary.add_row("documents", str(len(report.documents)))
    summary.add_row("gold paragraphs matched", f"{a.matched_exact + a.matched_normalised}/{a.gold_paragraphs} "
                    f"({a.match_rate:.1%}; {a.matched_normalised} after whitespace)")
    summary.add_row("predicted paragraphs unmatched", f"{a.unmatched_pred}/{a.pred_paragraphs}")
    if a.docs_without_pred:
        summary.add_row("gold documents without predictions", ", ".join(a.docs_without_pred))
    if a.pred_spans_dropped:
        summary.add_row("predicted spans dropped (invalid/overlapping)", str(a.pred_spans_dropped))
    m = report.money
    summary.add_row("value_yuan accuracy", f"{_fmt(m.accuracy)} ({m.correct}/{m.gold_amounts} gold amounts)")
    entities = _scores_table("Entities (exact span)", _ordered(ENTITY_TYPES, report.entities.per_type),
                             report.entities.per_type, report.entities.micro, report.entities.macro, "type")
    labels = _scores_table("Paragraph labels", PARAGRAPH_LABELS, report.labels.per_class,
                           report.labels.micro, report.labels.macro, "label", report.labels.macro_excluded)
    roles = _scores_table("Sentence roles (exact span)", _ordered(ROLES, report.roles.per_type),
                          report.roles.per_type, report.roles.micro, report.roles.macro, "role")
    return Group(summary, entities, labels, roles)


def render_cv_report(cv: CVReport):
    """Rich tables: one row per fold and a pooled row, F1 per entity type, per label and per role.

    Example::

        Console().print(render_cv_report(cross_validate(gold, fit_predict)))
    """
    from rich.console import Group
    from rich.table import Table

    rows = [(f.test_id, f.report) for f in cv.folds] + [("pooled", cv.pooled)]
    entity_types = _ordered(ENTITY_TYPES, (t for _, r in rows for t in r.entities.per_type))
    role_types = _ordered(ROLES, (t for _, r in rows for t in r.roles.per_type))

    def table(title: str, names: Sequence[str], pick) -> Table:
        t = Table(title=title)
        t.add_column("fold (test document)")
        for name in (*names, "micro", "macro"):
            t.add_column(name, justify="right")
        for label, report in rows:
            per, micro, macro = pick(report)
            cells = [_fmt(per[n].f1) if n in per else "–" for n in names]
            style = "bold" if label == "pooled" else None
            t.add_row(label, *cells, _fmt(micro.f1), _fmt(macro.f1), style=style)
        return t

    extra = Table(title="Alignment and money values per fold")
    for column in ("fold (test document)", "paragraph match rate", "value_yuan accuracy"):
        extra.add_column(column, justify="right")
    for label, report in rows:
        extra.add_row(label, _fmt(report.alignment.match_rate), _fmt(report.money.accuracy),
                      style="bold" if label == "pooled" else None)
    def spans(attribute: str):
        return lambda r: (getattr(r, attribute).per_type, getattr(r, attribute).micro, getattr(r, attribute).macro)

    return Group(
        table("Entity F1 per fold", entity_types, spans("entities")),
        table("Paragraph label F1 per fold", PARAGRAPH_LABELS,
              lambda r: (r.labels.per_class, r.labels.micro, r.labels.macro)),
        table("Role F1 per fold", role_types, spans("roles")),
        extra,
    )
