"""Shared sub-apps ``jixiao train …`` and ``jixiao cv …``: each area adds its own command
(``train ner``/``cv ner`` from ``nlp.cli_ner``, ``train cls``/``train roles`` from ``nlp.cli_cls``).
"""
import typer

train_app = typer.Typer(help="Train models.", no_args_is_help=True)
cv_app = typer.Typer(help="Leave-one-document-out cross-validation of models.", no_args_is_help=True)


def attach(app: "typer.Typer") -> None:
    """Add the ``train`` and ``cv`` sub-apps to ``app`` once (idempotent)."""
    for sub, name in ((train_app, "train"), (cv_app, "cv")):
        if not any(getattr(g, "typer_instance", None) is sub for g in app.registered_groups):
            app.add_typer(sub, name=name)


def dotted_overrides(args: list[str]) -> list[str]:
    """Extra command-line words ``--train.lr 3e-4`` / ``--train.lr=3e-4`` -> ``["train.lr=3e-4"]``.

    >>> dotted_overrides(["--train.lr", "3e-4", "--model.base=null"])
    ['train.lr=3e-4', 'model.base=null']
    """
    out, i = [], 0
    while i < len(args):
        a = args[i]
        if not a.startswith("--") or "." not in a:
            from nlp.errors import UsageError

            raise UsageError("E420", f"unexpected argument '{a}'; config overrides look like "
                             "--section.key value (e.g. --train.epochs 5)")
        if "=" in a:
            out.append(a[2:])
            i += 1
        elif i + 1 < len(args):
            out.append(f"{a[2:]}={args[i + 1]}")
            i += 2
        else:
            from nlp.errors import UsageError

            raise UsageError("E420", f"override '{a}' has no value")
    return out
