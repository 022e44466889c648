"""``jixiao train cls`` and ``jixiao train roles``: train (and with ``--cv`` cross-validate) the
paragraph-label classifier and the sentence-role classifier.

Dotted overrides follow the options: ``jixiao train cls --cv --tfidf_logreg.C 2 --model transformer_cls.v1``.
"""
from __future__ import annotations

from pathlib import Path

import typer

_EXTRA = {"allow_extra_args": True, "ignore_unknown_options": True}


def train_cls_command(
    ctx: typer.Context,
    config: Path = typer.Option(Path("configs/cls.yaml"), "--config", help="YAML config (configs/cls.yaml)."),
    cv: bool = typer.Option(False, "--cv", help="Also cross-validate leave-one-document-out against the rules; "
                                                "writes metrics.json, errors.md and the model card."),
) -> None:
    """Train the paragraph-label classifier (经验做法/存在问题/建议) on the gold corpus."""
    from training.cls import ClsConfig, load_config, run_cls

    run_cls(load_config(config, ClsConfig, ctx.args), cv=cv)


def train_roles_command(
    ctx: typer.Context,
    config: Path = typer.Option(Path("configs/roles.yaml"), "--config", help="YAML config (configs/roles.yaml)."),
    cv: bool = typer.Option(False, "--cv", help="Also cross-validate leave-one-document-out against the rules."),
) -> None:
    """Train the sentence-role classifier (问题/原因/措施) on the gold corpus."""
    from training.cls import load_config
    from training.roles import RolesConfig, run_roles

    run_roles(load_config(config, RolesConfig, ctx.args), cv=cv)


def register(app: "typer.Typer") -> None:
    """Add ``cls`` and ``roles`` to the shared ``train`` sub-app (attached here if nobody did)."""
    from nlp.cli_train import train_app

    train_app.command("cls", context_settings=_EXTRA)(train_cls_command)
    train_app.command("roles", context_settings=_EXTRA)(train_roles_command)
    if not any(getattr(g, "typer_instance", None) is train_app for g in app.registered_groups):
        app.add_typer(train_app, name="train")
