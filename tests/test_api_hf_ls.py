"""Issue 16: the Python API (``jixiao.load()(text | path | list)``, ``.pipe``), the Hugging Face
registration and refusal, the model-card headers, the Label Studio / doccano round trip (a real
Label Studio server in the slow test), ``--data`` and progress lines of the training commands,
and the macro average of ``jixiao eval`` without classes that have nothing to score."""
from __future__ import annotations

import doctest
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import jixiao
from jixiao.cli import app
from jixiao.errors import UsageError
from jixiao.labels.convert import (E_NO_ANNOTATION, E_PREDICTION, from_labelstudio, to_labelstudio)
from jixiao.labels.schema import read_label_file

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "fixtures" / "labels_sample.jsonl"
REPORT = "某县2021年度绩效自评报告\n全年支出资金8684万元，预算执行率96.4%。\n"


@pytest.fixture(scope="module")
def nlp():
    return jixiao.load()


def cli(*args, **kw):
    return CliRunner().invoke(app, [str(a) for a in args], **kw)


# ---------------------------------------------------------------- 1. the Python API
def test_pipeline_takes_text_path_str_and_list(nlp, tmp_path):
    report = tmp_path / "r.txt"
    report.write_text(REPORT, encoding="utf-8")
    from_text = nlp(REPORT)
    assert from_text.source == "<text>" and from_text.doc_id.startswith("text-")
    assert [e.text for e in from_text.entities if e.type == "AMOUNT"] == ["8684", "96.4"]
    from_path = nlp(report)
    from_str = nlp(str(report))
    assert from_path.doc_id == from_str.doc_id == "r" and from_path.source == str(report)
    assert [p.text for p in from_path.paragraphs] == [p.text for p in from_text.paragraphs]
    both = nlp([report, REPORT])
    assert isinstance(both, list) and [d.source for d in both] == [str(report), "<text>"]
    # jixiao.Text forces the text meaning even where a file of that name exists
    assert nlp(jixiao.Text(str(report))).source == "<text>"
    # a str with a line break, or naming no file, is text
    assert nlp("no/such/file.txt").source == "<text>"
    with pytest.raises(UsageError, match="E024"):
        nlp(42)


def test_to_dict_is_what_extract_writes(nlp, tmp_path):
    report = tmp_path / "r.txt"
    report.write_text(REPORT, encoding="utf-8")
    res = cli("extract", report, "-o", tmp_path / "out", "-q")
    assert res.exit_code == 0, res.output
    line = json.loads((tmp_path / "out" / "extract.jsonl").read_text(encoding="utf-8").splitlines()[0])
    doc = nlp(report)
    # extract adds meta.report_likeness (from doc.meta) on top of to_dict(); everything else is to_dict()
    assert line["meta"].pop("report_likeness", None) == doc.meta.get("report_likeness")
    assert json.loads(json.dumps(doc.to_dict(), ensure_ascii=False)) == line


def test_pipe_is_lazy_and_ordered(nlp):
    taken = []

    def inputs():
        for text in ("一、项目概况", "二、绩效目标", "三、存在问题"):
            taken.append(text)
            yield jixiao.Text(text)

    stream = nlp.pipe(inputs(), batch_size=2)
    assert taken == []                                   # nothing read before it is asked for
    first = next(stream)
    assert taken == ["一、项目概况"] and first.paragraphs[0].text == "一、项目概况"
    assert [d.paragraphs[0].text for d in stream] == ["二、绩效目标", "三、存在问题"]


def test_import_jixiao_stays_light():
    code = "import sys, jixiao; print(sorted(m for m in ('torch', 'transformers', 'numpy') if m in sys.modules))"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0 and res.stdout.strip() == "[]", res.stderr


def _readme_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Use from Python / spaCy / Hugging Face"):]
    section = section[:section.index("\n## ", 5)]
    return re.findall(r"```pycon\n(.*?)```", section, re.S)


def test_the_readme_section_has_python_and_hf_examples():
    blocks = _readme_blocks()
    assert any("jixiao.load()" in b for b in blocks) and any("AutoModelForTokenClassification" in b for b in blocks)


@pytest.mark.parametrize("index", range(len(_readme_blocks())))
def test_readme_examples_run(monkeypatch, index):
    """Each pycon block of the README's "Use from Python / spaCy / Hugging Face" section, as a doctest."""
    block = _readme_blocks()[index]
    if "import spacy" in block:
        pytest.importorskip("spacy")
    monkeypatch.chdir(ROOT)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(doctest.DocTestParser().get_doctest(block, {}, f"README block {index}", "README.md", 0))
    assert runner.summarize(verbose=False).failed == 0, block.splitlines()[0]


# ---------------------------------------------------------------- 2. Hugging Face
def test_auto_classes_know_our_models_in_a_fresh_interpreter():
    code = """
import warnings; warnings.simplefilter("error", RuntimeWarning)
import jixiao
from transformers import AutoConfig, AutoModelForTokenClassification, AutoModelForMaskedLM, pipeline
print(type(AutoConfig.from_pretrained("models/ner")).__name__)
print(type(AutoModelForTokenClassification.from_pretrained("models/ner")).__name__)
print(type(AutoModelForMaskedLM.from_pretrained("models/encoder")).__name__)
try:
    pipeline("token-classification", model="models/ner")("支出8684万元")
    print("no refusal")
except ValueError as exc:
    print("refused", "boundary_ids" in str(exc) and "jixiao" in str(exc))
"""
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0, res.stderr[-3000:]
    assert res.stdout.split("\n")[:4] == ["CharBertConfig", "CharBertForTokenClassification",
                                          "CharBertForMaskedLM", "refused True"], res.stdout


def test_a_forward_call_without_features_is_refused():
    import torch

    from jixiao.models.ner import NerTagger

    tagger = NerTagger.load(ROOT / "models" / "ner")
    ids = torch.tensor([[2, 10, 11, 3]])
    with pytest.raises(ValueError, match="boundary_ids, rule_ids"):
        tagger.model(input_ids=ids, attention_mask=torch.ones_like(ids))
    zeros = torch.zeros_like(ids)
    assert tagger.model(input_ids=ids, attention_mask=torch.ones_like(ids), boundary_ids=zeros,
                        rule_ids=zeros).logits.shape[:2] == (1, 4)


@pytest.mark.parametrize("kind,task", [("ner", "token-classification"), ("cls", "text-classification"),
                                       ("roles", "text-classification"), ("encoder", "fill-mask")])
def test_model_cards_carry_the_hub_header(kind, task):
    card = (ROOT / "models" / kind / "README.md").read_text(encoding="utf-8")
    assert card.startswith("---\n")
    meta = yaml.safe_load(card.split("---\n")[1])
    assert meta["language"] == "zh" and meta["license"] == "apache-2.0"
    assert meta["library_name"] == "jixiao" and meta["pipeline_tag"] == task
    assert "jixiao" in meta["tags"] and meta["metrics"]
    assert card.split("---\n", 2)[2].lstrip().startswith("# ")


def test_every_card_writer_uses_the_shared_header():
    for name in ("ner", "cls", "roles", "pretrain"):
        source = (ROOT / "training" / f"{name}.py").read_text(encoding="utf-8")
        writes = re.findall(r'\(out / "README\.md"\)\.write_text\(([^\n]*)', source)
        cards = re.findall(r'write_card\(out / "README\.md"', source)  # training.card.write_card adds the header
        assert (writes or cards) and all(w.startswith("with_card_header(") for w in writes), name


# ---------------------------------------------------------------- 3. Label Studio / doccano
def _records():
    return read_label_file(SAMPLE)


def test_export_puts_the_draft_under_predictions():
    (task,) = to_labelstudio(_records()[:1], model_version="jixiao-test-draft")
    assert "annotations" not in task and task["predictions"][0]["model_version"] == "jixiao-test-draft"
    result = from_labelstudio([task], "ls.json")
    assert result.records == [] and [m.code for m in result.messages] == [E_NO_ANNOTATION]
    taken = from_labelstudio([task], "ls.json", accept_predictions=True)
    assert taken.records == _records()[:1] and any(m.code == E_PREDICTION for m in taken.messages)
    task["predictions"] = [17]          # a plain Label Studio export lists prediction ids only
    ids_only = from_labelstudio([task], "ls.json", accept_predictions=True)
    assert ids_only.records == [] and ids_only.has_errors


def test_annotations_win_over_predictions():
    record = _records()[0]
    (task,) = to_labelstudio([record], model_version="draft")
    (reviewed,) = to_labelstudio([{**record, "entities": record["entities"][:1]}])
    task["annotations"] = reviewed["annotations"]
    result = from_labelstudio([task], "ls.json", accept_predictions=True)
    assert result.records[0]["entities"] == record["entities"][:1]


def test_cli_export_import_labelstudio(tmp_path):
    tasks, back = tmp_path / "tasks.json", tmp_path / "back.jsonl"
    res = cli("labels", "export", SAMPLE, "--to", "labelstudio", "-o", tasks)
    assert res.exit_code == 0 and "predictions" in res.output
    written = json.loads(tasks.read_text(encoding="utf-8"))
    assert all("annotations" not in t and t["predictions"][0]["model_version"].startswith("jixiao-")
               for t in written)
    # nobody reviewed anything: refused, nothing written
    res = cli("labels", "import", tasks, "--from", "labelstudio", "-o", back)
    assert res.exit_code == 1 and "E333" in res.output and not back.exists()
    # one task reviewed: it alone comes back, the others are counted
    (reviewed,) = to_labelstudio([read_label_file(SAMPLE)[0]])
    written[0]["annotations"] = reviewed["annotations"]
    tasks.write_text(json.dumps(written, ensure_ascii=False), encoding="utf-8")
    res = cli("labels", "import", tasks, "--from", "labelstudio", "-o", back)
    assert res.exit_code == 0, res.output
    assert read_label_file(back) == read_label_file(SAMPLE)[:1]
    assert f"{len(written) - 1} task(s) without a human annotation" in res.output
    res = cli("labels", "import", tasks, "--from", "labelstudio", "-o", back, "--accept-predictions")
    assert res.exit_code == 0 and read_label_file(back) == read_label_file(SAMPLE)
    # --as-annotations: reviewed labels sent back for another look
    res = cli("labels", "export", SAMPLE, "--to", "labelstudio", "-o", tasks, "--as-annotations")
    assert res.exit_code == 0 and all("annotations" in t for t in json.loads(tasks.read_text("utf-8")))


def test_doccano_import_never_exits_0_writing_nothing(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text(json.dumps({"id": 1, "labels": []}) + "\n", encoding="utf-8")  # no text at all
    res = cli("labels", "import", empty, "--from", "doccano", "-o", tmp_path / "back.jsonl")
    assert res.exit_code != 0 and not (tmp_path / "back.jsonl").exists()
    res = cli("labels", "export", SAMPLE, "--to", "doccano", "-o", tmp_path / "d.jsonl")
    assert res.exit_code == 0 and "Export only approved documents" in res.output


def test_labels_validate_accepts_a_folder(tmp_path):
    folder = tmp_path / "gold"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "a.jsonl")
    res = cli("labels", "validate", folder)
    assert res.exit_code == 0, res.output


def _label_studio() -> str | None:
    for candidate in (os.environ.get("JIXIAO_LABEL_STUDIO"), shutil.which("label-studio"),
                      "/tmp/lsvenv/bin/label-studio"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.mark.slow
def test_round_trip_through_a_real_label_studio():
    """scripts/labelstudio_roundtrip.py against a throw-away Label Studio server (~2 min)."""
    binary = _label_studio()
    if binary is None:
        pytest.skip("label-studio is not installed (pip install label-studio into its own venv; "
                    "JIXIAO_LABEL_STUDIO=path/to/label-studio)")
    res = subprocess.run([sys.executable, str(ROOT / "scripts" / "labelstudio_roundtrip.py"),
                          "--label-studio", binary], capture_output=True, text=True, cwd=ROOT, timeout=600)
    summary = json.loads(res.stdout.strip().splitlines()[-1])
    assert res.returncode == 0 and summary["ok"], summary


# ---------------------------------------------------------------- 4. training commands
@pytest.mark.parametrize("command,module,runner", [("cls", "training.cls", "run_cls"),
                                                   ("roles", "training.roles", "run_roles")])
def test_train_data_replaces_the_config_gold(monkeypatch, tmp_path, command, module, runner):
    import importlib

    seen = {}
    monkeypatch.setattr(importlib.import_module(module), runner,
                        lambda cfg, cv=False, **kw: seen.setdefault("cfg", cfg))
    other = tmp_path / "more.jsonl"
    shutil.copy(SAMPLE, other)
    res = cli("train", command, "--data", SAMPLE, "--data", other, "--out", tmp_path / "m")
    assert res.exit_code == 0, res.output
    cfg = seen["cfg"]
    assert cfg.gold is None and cfg.corpus is None and cfg.data == [str(SAMPLE), str(other)]
    res = cli("train", command, "--data", tmp_path / "missing.jsonl")
    assert res.exit_code == 2 and "E026" in res.output


def test_every_train_command_has_data():
    for command in ("ner", "cls", "roles"):
        res = cli("train", command, "--help")
        assert res.exit_code == 0 and "--data" in res.output, command


def test_training_writes_a_loss_line_per_epoch_when_stderr_is_not_a_terminal(capsys):
    from training.config import config_from_dict
    from training.ner import NerConfig, fit

    tiny = {"model": {"base": None, "hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
                      "intermediate_size": 32, "max_length": 32, "jieba_min_freq": None, "dropout": 0.0},
            "data": {"gold": "does-not-exist"},
            "train": {"seed": 1, "epochs": 2, "batch_size": 2, "lr": 0.01, "warmup": 0.1, "threads": 1}}
    records = [{"doc_id": "a", "para": 0, "text": "收入8684万元。", "entities": [[2, 6, "AMOUNT"], [6, 8, "UNIT"]]}]
    fit(config_from_dict(tiny, NerConfig), records, progress=True, desc="tiny")
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("tiny: epoch")]
    assert [ln.split(",")[0] for ln in lines] == ["tiny: epoch 1/2", "tiny: epoch 2/2"]
    assert all(re.search(r"loss \d+\.\d{4}", ln) for ln in lines)


def test_epoch_line_is_silent_on_a_terminal():
    from training.loop import epoch_line

    class Tty(io.StringIO):
        def isatty(self):
            return True

    assert epoch_line("x", 0, 1, 0.5, 0.0, stream=Tty()) is None
    assert epoch_line("x", 0, 1, 0.5, 0.0, enabled=False, stream=io.StringIO()) is None


# ---------------------------------------------------------------- 5. eval macro
def test_macro_leaves_out_labels_with_nothing_to_score(tmp_path):
    from jixiao.evaluation import label_scores

    perfect = label_scores([["建议"], ["存在问题"], []], [["建议"], ["存在问题"], []])
    assert perfect.macro.f1 == 1.0 and perfect.macro_excluded == ["经验做法"]
    # a label predicted without gold is a real false positive: it stays in the macro
    wrong = label_scores([["建议"], []], [["建议"], ["经验做法"]])
    assert wrong.macro_excluded == ["存在问题"] and wrong.macro.f1 == pytest.approx(0.5)
    # `jixiao eval` of a perfect run on gold without 经验做法: macro 1.0, and it says why
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps({**r, "labels": [x for x in r["labels"] if x != "经验做法"]},
                                       ensure_ascii=False) + "\n" for r in read_label_file(SAMPLE)),
                    encoding="utf-8")
    res = cli("eval", "--gold", gold, "--pred", gold, "--json")
    assert res.exit_code == 0, res.output
    labels = json.loads(res.stdout)["labels"]
    assert labels["macro"]["f1"] == 1.0 and labels["macro_excluded"] == ["经验做法"]
    table = cli("eval", "--gold", gold, "--pred", gold, env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "not scored: 经验做法" in table.stdout
