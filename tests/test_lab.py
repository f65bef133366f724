"""`make lab` really serves: JupyterLab answers on /lab with the nbgrader extension, and the
Validate endpoint the extension calls grades a release notebook."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request

import pytest

from tools.course import COURSE_ROOT

TOKEN = "course-test-token"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read().decode("utf-8", "replace")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    port = _free_port()
    runtime = tmp_path_factory.mktemp("jupyter-runtime")
    log = tmp_path_factory.mktemp("lab-log") / "lab.log"
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(runtime))
    # `make lab` itself, plus what a test needs: no browser, a known port and token.
    args = f"--no-browser --port={port} --ip=127.0.0.1 --IdentityProvider.token={TOKEN}"
    with open(log, "w") as sink:
        proc = subprocess.Popen(["make", "--no-print-directory", "lab", f"LAB_ARGS={args}"], cwd=COURSE_ROOT,
                                env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300  # a hang guard: a busy machine starts JupyterLab slowly
    while True:
        try:
            _get(f"{base}/api/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)
                pytest.fail(f"make lab did not start JupyterLab:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
    yield base
    os.killpg(proc.pid, signal.SIGTERM)  # make and the jupyter server it started
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


@pytest.mark.slow
def test_lab_page_and_nbgrader_extension(lab):
    status, html = _get(f"{lab}/lab?token={TOKEN}")
    assert status == 200
    assert "@jupyter/nbgrader" in html, "the nbgrader JupyterLab extension is not listed in the page config"


@pytest.mark.slow
def test_validate_works_on_a_release_notebook(lab):
    body = urllib.parse.urlencode({"path": "release/01_perceptron/perceptron.ipynb"}).encode()
    request = urllib.request.Request(f"{lab}/assignments/validate?token={TOKEN}", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=120) as response:
        result = json.loads(response.read())
    assert result["success"], result
    # The blank notebook fails its tests: Validate reports them (with our message), it does not crash.
    assert "failed" in result["value"], result["value"]
    assert "not implemented yet" in json.dumps(result["value"])
