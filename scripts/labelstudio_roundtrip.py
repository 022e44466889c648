#!/usr/bin/env python3
"""The Label Studio round trip against a real Label Studio server (installed from PyPI).

    python3 -m venv /tmp/lsvenv && /tmp/lsvenv/bin/pip install label-studio     # once, ~1.5 min
    .venv/bin/python scripts/labelstudio_roundtrip.py --label-studio /tmp/lsvenv/bin/label-studio

Steps: start a throw-away Label Studio (its own data folder, offline, a user and a legacy API token
made from environment variables), create a project with ``jixiao labels config --to labelstudio``,
import the draft exported by ``jixiao labels export --to labelstudio`` (predictions, with
model_version), submit one *corrected* annotation through the API as an annotator would, export
the project (full JSON), and ``jixiao labels import`` it. Checks: Label Studio stored the draft
as predictions, not annotations; the import returns exactly the corrected paragraph (the other
tasks are reported as not annotated); ``--accept-predictions`` returns every paragraph, the
unreviewed ones equal to the draft. Prints one JSON summary line; exit 0 when every check holds.
``--url``/``--token`` use a server that is already running instead.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "corpus" / "gold" / "000_3ae7e199f53c681b.jsonl"
TOKEN = "jixiaoroundtrip0123456789abcdef01234567"  # a throw-away server's legacy token, 40 chars


def jixiao(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jixiao", *args], capture_output=True, text=True,
                          cwd=ROOT)


class Api:
    def __init__(self, url: str, token: str):
        self.url = url.rstrip("/")
        self.token = token

    def call(self, method: str, path: str, body=None, raw: bool = False):
        data = None if body is None else json.dumps(body).encode("utf-8")
        req = urllib.request.Request(self.url + path, data=data, method=method, headers={
            "Authorization": f"Token {self.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=120) as resp:
            payload = resp.read()
        return payload if raw else json.loads(payload or b"null")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(binary: str, folder: Path, port: int) -> subprocess.Popen:
    env = {**os.environ,
           "LABEL_STUDIO_BASE_DATA_DIR": str(folder),
           "LABEL_STUDIO_USERNAME": "roundtrip@example.com",
           "LABEL_STUDIO_PASSWORD": "roundtrip-password-1",
           "LABEL_STUDIO_USER_TOKEN": TOKEN,
           # Label Studio ≥1.17 accepts only personal access tokens (JWT) unless legacy tokens are on.
           "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
           "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
           "SENTRY_DSN": "", "FRONTEND_SENTRY_DSN": ""}
    log = open(folder / "server.log", "w")
    return subprocess.Popen([binary, "start", "--no-browser", "--port", str(port),
                             "--internal-host", "127.0.0.1", "--data-dir", str(folder / "data")],
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_healthy(url: str, proc: subprocess.Popen | None, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"label-studio exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/health", timeout=5) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(2)
    raise RuntimeError(f"label-studio did not answer {url}/health within {timeout:.0f} s")


def stop_server(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def draft_records(n: int) -> list[dict]:
    """The draft to review: gold paragraphs with entities (a stand-in for `jixiao labels draft`)."""
    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r["entities"]][:n]


def corrected(result: list[dict]) -> list[dict]:
    """What an annotator does to a prediction: drops its last entity region and submits."""
    regions = [r for r in result if r.get("from_name") == "entity"]
    drop = regions[-1]["id"] if regions else None
    return [{k: v for k, v in r.items() if k not in ("score",)} for r in result if r.get("id") != drop]


def snapshot_export(api: Api, pid: int) -> bytes:
    """A Label Studio export snapshot (JSON) with the predictions' full bodies, not their ids."""
    snap = api.call("POST", f"/api/projects/{pid}/exports/", {
        "title": "jixiao round trip", "serialization_options": {"predictions": {"only_id": False}}})
    for _ in range(60):
        if api.call("GET", f"/api/projects/{pid}/exports/{snap['id']}").get("status") == "completed":
            break
        time.sleep(1)
    return api.call("GET", f"/api/projects/{pid}/exports/{snap['id']}/download?exportType=JSON", raw=True)


def roundtrip(api: Api, work: Path, n_tasks: int) -> dict:
    draft = work / "draft.jsonl"
    records = draft_records(n_tasks)
    draft.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    tasks_file = work / "tasks.json"
    res = jixiao("labels", "export", str(draft), "--to", "labelstudio", "-o", str(tasks_file),
                 "--model-version", "roundtrip-draft")
    assert res.returncode == 0, res.stderr
    config = jixiao("labels", "config", "--to", "labelstudio")
    assert config.returncode == 0, config.stderr

    project = api.call("POST", "/api/projects", {"title": "jixiao round trip", "label_config": config.stdout})
    pid = project["id"]
    tasks = json.loads(tasks_file.read_text(encoding="utf-8"))
    for t in tasks:
        t.pop("id", None)  # Label Studio numbers tasks itself
    imported = api.call("POST", f"/api/projects/{pid}/import?commit_to_project=true", tasks)
    stored = api.call("GET", f"/api/tasks?project={pid}&page_size=1000&fields=all")
    stored = stored["tasks"] if isinstance(stored, dict) else stored
    first = api.call("GET", f"/api/tasks/{stored[0]['id']}")
    checks = {
        "tasks_imported": len(stored) == len(records),
        "draft_stored_as_predictions": all(t.get("total_predictions", 1) >= 1 for t in stored)
        and not any(t.get("total_annotations") for t in stored)
        and first["predictions"] and first["predictions"][0]["model_version"] == "roundtrip-draft",
    }
    # An annotator reviews task 1: starts from the prediction, removes a wrong entity, submits.
    prediction = first["predictions"][0]["result"]
    api.call("POST", f"/api/tasks/{first['id']}/annotations?project={pid}",
             {"result": corrected(prediction), "was_cancelled": False, "ground_truth": False,
              "lead_time": 12.5})
    export = work / "export.json"
    export.write_bytes(api.call("GET", f"/api/projects/{pid}/export?exportType=JSON&download_all_tasks=true",
                                raw=True))
    back = work / "back.jsonl"
    res = jixiao("labels", "import", str(export), "--from", "labelstudio", "-o", str(back))
    got = [json.loads(line) for line in back.read_text(encoding="utf-8").splitlines()] if back.exists() else []
    want = dict(records[[r["text"] for r in records].index(first["data"]["text"])])
    want["entities"] = want["entities"][:-1]  # the corrected paragraph: its last entity removed
    checks["import_exit_0"] = res.returncode == 0
    checks["only_the_reviewed_task"] = len(got) == 1 and got[0]["entities"] == want["entities"] \
        and got[0]["doc_id"] == want["doc_id"] and got[0]["para"] == want["para"]
    checks["unreviewed_reported"] = res.stderr.count("E325 warning") == len(records) - 1
    # The plain export lists predictions by id only: --accept-predictions must say so, not guess.
    res_ids = jixiao("labels", "import", str(export), "--from", "labelstudio", "-o", str(work / "ids.jsonl"),
                     "--accept-predictions")
    checks["prediction_ids_only_refused"] = res_ids.returncode != 0 and "by id only" in res_ids.stderr
    # A snapshot export with full predictions: --accept-predictions takes the unreviewed drafts.
    full = work / "export_with_predictions.json"
    full.write_bytes(snapshot_export(api, pid))
    every = work / "every.jsonl"
    res2 = jixiao("labels", "import", str(full), "--from", "labelstudio", "-o", str(every),
                  "--accept-predictions")
    all_back = [json.loads(line) for line in every.read_text(encoding="utf-8").splitlines()] \
        if every.exists() else []
    others = [r for r in all_back if (r["doc_id"], r["para"]) != (want["doc_id"], want["para"])]
    checks["accept_predictions_exit_0"] = res2.returncode == 0
    checks["accept_predictions_gives_drafts"] = len(all_back) == len(records) and sorted(
        others, key=lambda r: r["para"]) == sorted([r for r in records if r["para"] != want["para"]],
                                                   key=lambda r: r["para"])
    # Nothing annotated at all: import must refuse, not write an empty file with exit 0.
    only_predictions = work / "predictions_only.json"
    only_predictions.write_text(json.dumps([t for t in json.loads(export.read_text("utf-8"))
                                            if not t.get("annotations")], ensure_ascii=False), "utf-8")
    res3 = jixiao("labels", "import", str(only_predictions), "--from", "labelstudio", "-o",
                  str(work / "none.jsonl"))
    checks["nothing_annotated_refused"] = res3.returncode != 0 and "E333" in res3.stderr \
        and not (work / "none.jsonl").exists()
    return {"project": pid, "tasks": len(stored), "import_response": {
        k: imported.get(k) for k in ("task_count", "annotation_count", "prediction_count")},
        "checks": checks, "import_stderr": res.stderr.strip().splitlines()[-3:]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--label-studio", default=shutil.which("label-studio") or "/tmp/lsvenv/bin/label-studio",
                    help="the label-studio executable (default: on PATH, else /tmp/lsvenv/bin/label-studio)")
    ap.add_argument("--url", help="use this running server instead of starting one (with --token)")
    ap.add_argument("--token", default=TOKEN)
    ap.add_argument("--tasks", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=240, help="seconds to wait for the server")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="jixiao-ls-"))
    proc = None
    try:
        if args.url:
            url = args.url
        else:
            if not Path(args.label_studio).exists() and not shutil.which(args.label_studio):
                print(json.dumps({"ok": False, "skipped": f"no label-studio at {args.label_studio}"}))
                return 77
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            proc = start_server(args.label_studio, work, port)
        started = time.monotonic()
        wait_healthy(url, proc, args.timeout)
        ready = time.monotonic() - started
        version = None
        try:
            version = Api(url, args.token).call("GET", "/api/version").get("release")
        except Exception:  # noqa: BLE001 - only for the report
            pass
        summary = roundtrip(Api(url, args.token), work, args.tasks)
        summary.update(label_studio=version, server_ready_s=round(ready, 1),
                       ok=all(summary["checks"].values()), work=str(work))
        print(json.dumps(summary, ensure_ascii=False))
        return 0 if summary["ok"] else 1
    except Exception as exc:  # noqa: BLE001 - report, with the server log's tail
        tail = (work / "server.log").read_text(errors="replace")[-2000:] if (work / "server.log").exists() else ""
        print(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}", "server_log": tail}))
        return 1
    finally:
        if proc is not None:
            stop_server(proc)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
