"""``jixiao train cls`` / ``jixiao train roles`` (train, and with ``--cv`` also cross-validate) and
``jixiao cv cls`` / ``jixiao cv roles`` (cross-validate only, print the pooled figures as JSON) for
the paragraph-label classifier and the sentence-role classifier.

Dotted overrides follow the options: ``jixiao train cls --cv --tfidf_logreg.C 2 --model transformer_cls.v1``.
The training code (``training/``) is imported inside the commands only.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

_EXTRA = {"allow_extra_args": True, "ignore_unknown_options": True}
_CLS_CONFIG = typer.Option(Path("configs/cls.yaml"), "--config", help="YAML config (configs/cls.yaml).")
_ROLES_CONFIG = typer.Option(Path("configs/roles.yaml"), "--config", help="YAML config (configs/roles.yaml).")


def train_cls_command(
    ctx: typer.Context,
    config: Path = _CLS_CONFIG,
    cv: bool = typer.Option(False, "--cv", help="Also cross-validate leave-one-document-out against the rules; "
                                                "writes metrics.json, errors.md and the model card."),
) -> None:
    """Train the paragraph-label classifier (经验做法/存在问题/建议) on the gold corpus."""
    from training.cls import ClsConfig, load_config, run_cls

    run_cls(load_config(config, ClsConfig, ctx.args), cv=cv)


def train_roles_command(
    ctx: typer.Context,
    config: Path = _ROLES_CONFIG,
    cv: bool = typer.Option(False, "--cv", help="Also cross-validate leave-one-document-out against the rules."),
) -> None:
    """Train the sentence-role classifier (问题/原因/措施) on the gold corpus."""
    from training.cls import load_config
    from training.roles import RolesConfig, run_roles

    run_roles(load_config(config, RolesConfig, ctx.args), cv=cv)


def cv_cls_command(ctx: typer.Context, config: Path = _CLS_CONFIG) -> None:
    """Leave-one-document-out of the paragraph classifier(s) and the rules; pooled figures as JSON."""
    from training.cls import ClsConfig, load_config, run_cls

    metrics = run_cls(load_config(config, ClsConfig, ctx.args), cv=True, train=False)
    typer.echo(json.dumps({k: v["pooled"] for k, v in metrics["cv"].items()}, ensure_ascii=False, indent=1))


def cv_roles_command(ctx: typer.Context, config: Path = _ROLES_CONFIG) -> None:
    """Leave-one-document-out of the role classifier and the rules; pooled figures as JSON."""
    from training.cls import load_config
    from training.roles import RolesConfig, run_roles

    metrics = run_roles(load_config(config, RolesConfig, ctx.args), cv=True, train=False)
    typer.echo(json.dumps({k: {"spans": v["spans"]["pooled"], "units": v["units"]["pooled"]}
                           for k, v in metrics["cv"].items()}, ensure_ascii=False, indent=1))


def cv_pipeline_command(
    cls_config: Path = typer.Option(Path("configs/cls.yaml"), "--cls-config", help="Paragraph classifier config."),
    roles_config: Path = typer.Option(Path("configs/roles.yaml"), "--roles-config", help="Role model config."),
    save: Optional[Path] = typer.Option(None, "--save", help="Write per-fold and pooled figures as JSON."),
) -> None:
    """Leave-one-document-out of the deployed label + role pipeline: roles on *predicted* labels, vs the rules."""
    from training.cls import ClsConfig, load_config, load_gold_or_fail
    from training.pipeline_cv import lodo_pipeline
    from training.roles import RolesConfig

    cls_cfg = load_config(cls_config, ClsConfig)
    result = lodo_pipeline(load_gold_or_fail(cls_cfg.gold), cls_cfg, load_config(roles_config, RolesConfig))
    typer.echo(json.dumps({k: v["pooled"] for k, v in result.items() if isinstance(v, dict)},
                          ensure_ascii=False, indent=1))
    if save:
        save.parent.mkdir(parents=True, exist_ok=True)
        save.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")


def register(app: "typer.Typer") -> None:
    """Add ``cls``/``roles`` to the shared ``train`` and ``cv`` sub-apps (attached once)."""
    from nlp import cli_train

    cli_train.train_app.command("cls", context_settings=_EXTRA)(train_cls_command)
    cli_train.train_app.command("roles", context_settings=_EXTRA)(train_roles_command)
    cv_app = getattr(cli_train, "cv_app", None)
    if cv_app is not None:
        cv_app.command("cls", context_settings=_EXTRA)(cv_cls_command)
        cv_app.command("roles", context_settings=_EXTRA)(cv_roles_command)
        cv_app.command("pipeline")(cv_pipeline_command)
    attach = getattr(cli_train, "attach", None)
    if attach is not None:
        attach(app)
    elif not any(getattr(g, "typer_instance", None) is cli_train.train_app for g in app.registered_groups):
        app.add_typer(cli_train.train_app, name="train")
