"""The ``jixiao`` application object, its command groups, and the one place user errors are handled.

Every command module (``jixiao.cli.extract``, ``labels``, ``evaluate``, ``summarize``, ``train``,
``models``) adds its commands to the groups defined here; :mod:`jixiao.cli` imports them all.
A :class:`~jixiao.errors.JixiaoError` raised anywhere below a command becomes one line
``E0xx: message`` on stderr and the error's exit status, whether the app runs from the console
script or from typer's ``CliRunner``.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from typer.core import TyperGroup

from jixiao.errors import E_CONFIG, JixiaoError, UsageError

#: Extra words after the options are dotted config overrides (``--train.epochs 5``).
EXTRA_ARGS = {"allow_extra_args": True, "ignore_unknown_options": True}


class JixiaoGroup(TyperGroup):
    """A click group that turns a JixiaoError into its one-line message and exit status."""

    def invoke(self, ctx):  # noqa: D102 - click API
        try:
            return super().invoke(ctx)
        except JixiaoError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(exc.exit_code) from None


app = typer.Typer(
    cls=JixiaoGroup,
    help="jixiao 绩效: extraction, classification and summaries of performance-evaluation reports.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
train_app = typer.Typer(help="Train models.", no_args_is_help=True)
cv_app = typer.Typer(help="Leave-one-document-out cross-validation of models.", no_args_is_help=True)
ner_app = typer.Typer(help="Use the NER model: tag text, export to ONNX.", no_args_is_help=True)
labels_app = typer.Typer(no_args_is_help=True,
                         help="Label files: validate, stats, export to / import from doccano and Label Studio.")
app.add_typer(train_app, name="train")
app.add_typer(cv_app, name="cv")
app.add_typer(ner_app, name="ner")
app.add_typer(labels_app, name="labels")


def dotted_overrides(args: list[str]) -> list[str]:
    """Extra command-line words ``--train.lr 3e-4`` / ``--train.lr=3e-4`` -> ``["train.lr=3e-4"]``.

    >>> dotted_overrides(["--train.lr", "3e-4", "--model.base=null"])
    ['train.lr=3e-4', 'model.base=null']
    """
    out, i = [], 0
    while i < len(args):
        a = args[i]
        if not a.startswith("--") or "." not in a:
            raise UsageError(E_CONFIG, f"unexpected argument '{a}'; config overrides look like "
                             "--section.key value (e.g. --train.epochs 5)")
        if "=" in a:
            out.append(a[2:])
            i += 1
        elif i + 1 < len(args):
            out.append(f"{a[2:]}={args[i + 1]}")
            i += 2
        else:
            raise UsageError(E_CONFIG, f"override '{a}' has no value")
    return out


def write_json(path: Path, obj) -> None:
    """Write ``obj`` as indented UTF-8 JSON, creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2, default=str), encoding="utf-8")


def main() -> None:
    """Console entry point: run the app; usage errors and interrupts become exit statuses."""
    try:
        rc = app(standalone_mode=False)
        sys.exit(rc if isinstance(rc, int) else 0)
    except JixiaoError as exc:          # raised while parsing, before a command runs
        print(str(exc), file=sys.stderr)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # click's usage errors (typer vendors click, so match by shape)
        show = getattr(exc, "show", None)
        if callable(show) and isinstance(getattr(exc, "exit_code", None), int):
            show()
            sys.exit(exc.exit_code)
        if type(exc).__name__ == "Abort":
            sys.exit(1)
        raise
