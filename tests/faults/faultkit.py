"""Helpers of the fault suite (issue 18): in-process CLI runs on the rules-only pipeline, small reports."""
from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
RULES = str(ROOT / "configs" / "pipeline_rules.yaml")


def report(n: int = 0, extra: str = "") -> str:
    """A short performance-evaluation report; ``n`` makes its content (and sha256) unique."""
    return (f"某县{2018 + n % 6}年度城乡居民医疗保险基金绩效评价报告\n"
            "一、项目概况\n"
            f"项目预算资金{8684 + n}万元，实际支出{8000 + n}万元，预算执行率92.1%。\n"
            "二、绩效目标完成情况\n"
            f"参保人数目标值≥{40 + n}万人，实际完成值41.2万人，得分4.9分。\n"
            "三、存在问题\n资金使用管理不规范，部分单位支出进度偏慢。\n"
            "四、建议\n加强预算执行管理，完善绩效指标体系。\n" + extra)


class Run:
    """The result of one in-process ``jixiao …`` call."""

    def __init__(self, result):
        self.result = result
        self.code = result.exit_code
        self.err = result.stderr
        self.out = result.stdout
        self.exception = result.exception

    def __repr__(self) -> str:
        return f"exit {self.code}\n--- stderr\n{self.err}\n--- stdout\n{self.out}\n{self.exception!r}"


def make_cli():
    """``cli("extract", "in", "-o", "out")`` → Run; extract gets the rules pipeline and -q."""
    from jixiao.cli import app

    def invoke(*args: str, input: str | bytes | None = None) -> Run:
        args = [str(a) for a in args]
        if args and args[0] == "extract":
            args += ["--pipeline", RULES, "-q"]
        return Run(CliRunner().invoke(app, args, input=input))
    return invoke


def docs(out: Path) -> list[dict]:
    path = Path(out) / "extract.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()] if path.exists() else []


def errors(out: Path) -> list[dict]:
    path = Path(out) / "errors.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()] if path.exists() else []
