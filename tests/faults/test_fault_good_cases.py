"""What already holds, kept: XXE and billion laughs refused, tampered model folders never execute
code, no network use. (kill -9 + --resume byte-identical: test_fault_concurrency.py.)"""
from __future__ import annotations

import io
import json
import shutil
import socket
import time
import zipfile

import pytest

from faultkit import ROOT, docs, report


def _docx(path, document_xml: str) -> None:
    """A minimal .docx that python-docx opens, with our word/document.xml."""
    from docx import Document

    buf = io.BytesIO()
    Document().save(buf)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = document_xml.encode() if item.filename == "word/document.xml" else src.read(item)
            dst.writestr(item, data)


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def test_xxe_does_not_read_local_files(tmp_path):
    from jixiao.errors import InputError
    from jixiao.io.readers import read_document

    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-8684", encoding="utf-8")
    xml = (f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{secret}">]>'
           f'<w:document {W}><w:body><w:p><w:r><w:t>资金&xxe;万元</w:t></w:r></w:p></w:body></w:document>')
    _docx(tmp_path / "xxe.docx", xml)
    try:
        text = read_document(tmp_path / "xxe.docx").text
    except InputError:
        return  # refused: fine
    assert "TOPSECRET" not in text


def test_billion_laughs_is_refused_quickly(tmp_path):
    from jixiao.errors import InputError
    from jixiao.io.readers import read_document

    ents = '<!ENTITY a0 "haha">' + "".join(f'<!ENTITY a{i} "{("&a%d;" % (i - 1)) * 10}">' for i in range(1, 10))
    xml = (f'<?xml version="1.0"?><!DOCTYPE w:document [{ents}]>'
           f'<w:document {W}><w:body><w:p><w:r><w:t>&a9;</w:t></w:r></w:p></w:body></w:document>')
    _docx(tmp_path / "lol.docx", xml)
    t0 = time.perf_counter()
    try:
        text = read_document(tmp_path / "lol.docx").text
        assert len(text) < 10_000
    except InputError:
        pass
    assert time.perf_counter() - t0 < 5


def test_a_tampered_model_folder_never_executes_code(tmp_path):
    from jixiao.errors import JixiaoError
    from jixiao.models.estimator import load_estimator

    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    import pickle

    folder = tmp_path / "cls"
    shutil.copytree(ROOT / "models" / "cls", folder)
    for name in ("model.pkl", "model.joblib", "pytorch_model.bin"):
        (folder / name).write_bytes(pickle.dumps(Evil()))
    load_estimator(folder)  # the pickles are never looked at
    cfg = json.loads((folder / "config.json").read_text("utf-8"))
    for evil_type in ("os.system", "builtins.exec", "subprocess:Popen"):
        (folder / "config.json").write_text(json.dumps(dict(cfg, model_type=evil_type)), encoding="utf-8")
        with pytest.raises(JixiaoError):
            load_estimator(folder)
    assert not marker.exists()


@pytest.fixture()
def no_network(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("network use")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_no_network_use_rules_and_models(cli, tmp_path, no_network):
    from jixiao.models.estimator import load_estimator

    (tmp_path / "a.txt").write_text(report(1), encoding="utf-8")
    r = cli("extract", tmp_path / "a.txt", "-o", tmp_path / "out")
    assert r.code == 0 and len(docs(tmp_path / "out")) == 1, r
    load_estimator(ROOT / "models" / "cls")
    load_estimator(ROOT / "models" / "roles")


@pytest.mark.slow
def test_no_network_use_default_pipeline(tmp_path, no_network):
    from typer.testing import CliRunner

    from jixiao.cli import app

    (tmp_path / "a.txt").write_text(report(1), encoding="utf-8")
    r = CliRunner().invoke(app, ["extract", str(tmp_path / "a.txt"), "-o", str(tmp_path / "out"), "-q"])
    assert r.exit_code == 0, r.stderr
