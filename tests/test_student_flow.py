"""A student's first session, for real: build the 01_perceptron kit, set it up with the kit's own
Python entry point (`python -m kit setup`: a fresh .venv with the kit's pinned requirements), start
its JupyterLab with the kit's `make lab`, and drive the system's Chromium with Playwright: open the
notebook (it opens unmodified, and saving it changes nothing), type a wrong answer, read the test's
message naming the mistake, type the right one, see the test pass, click Validate and read
"Success". Screenshots of each step go to reports/student_flow/.

The set-up installs the kit's requirements for real (pip, with its cache), as a student's laptop would."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from tools import student_kit
from tools.course import COURSE_ROOT

ASSIGNMENT, NOTEBOOK = "01_perceptron", "perceptron.ipynb"
CHROMIUM = Path("/usr/bin/chromium")
INSTALL = "apt-get update && apt-get install -y chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]
TOKEN = "student-flow-token"
SHOTS = COURSE_ROOT / "reports" / "student_flow"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answer(wrong=False):
    """The exercise's solution as a student would type it (the source solution without nbgrader's
    markers); ``wrong``: net_input without the bias, a mistake the visible test names."""
    nb = nbformat.read(COURSE_ROOT / "source" / ASSIGNMENT / NOTEBOOK, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "perceptron")
    code = "\n".join(ln for ln in cell.source.splitlines() if "### BEGIN SOLUTION" not in ln
                     and "### END SOLUTION" not in ln)
    if wrong:
        right = "return np.dot(X, self.w_[1:]) + self.w_[0]"
        assert right in code
        code = code.replace(right, "return np.dot(X, self.w_[1:])")
    return code


def _answer_the_other_cells(path):
    """A student who has already answered the notebook's questions: every solution cell but the
    Perceptron exercise gets the source's answer, so that Validate can succeed once the exercise is right."""
    source = nbformat.read(COURSE_ROOT / "source" / ASSIGNMENT / NOTEBOOK, as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution") and gid != "perceptron":
            cell.source = "\n".join(ln for ln in answers[gid].splitlines()
                                    if "### BEGIN SOLUTION" not in ln and "### END SOLUTION" not in ln)
    nbformat.write(nb, path)
    return path.read_bytes()


def _student_env():
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH") and not k.startswith("JUPYTER")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if not p.startswith(str(COURSE_ROOT)))  # not the course's .venv
    return env


def _kit_setup(kit, record_property):
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "kit", "setup"], cwd=kit, env=_student_env(),
                         capture_output=True, text=True, timeout=1200)
    assert out.returncode == 0, f"python -m kit setup failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    record_property("timing", f"student kit: python -m kit setup (fresh .venv, pip) {time.perf_counter() - start:6.1f} s")
    python = kit / ".venv" / "bin" / "python"
    probe = subprocess.run([str(python), "-c", "import helpers, helpers.checks, platform; "
                            "print(helpers.__file__); print(platform.python_version())"],
                           cwd="/", capture_output=True, text=True, env=_student_env())
    assert probe.returncode == 0, probe.stderr
    helpers_file, version = probe.stdout.split()
    assert Path(helpers_file).resolve().parent == (kit / "helpers").resolve(), "helpers must come from the kit"
    page = json.loads((kit / ".venv/etc/jupyter/labconfig/page_config.json").read_text())
    assert page["disabledExtensions"].get("@jupyter/nbgrader:formgrader")
    nb = json.loads((kit / ASSIGNMENT / NOTEBOOK).read_text())
    assert nb["metadata"]["language_info"]["version"] == version
    # A second set-up is a no-op.
    again = subprocess.run([sys.executable, "-m", "kit", "setup"], cwd=kit, env=_student_env(),
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "pip" not in again.stdout, again.stdout


def _start_lab(kit, tmp_path):
    port = _free_port()
    log = tmp_path / "lab.log"
    env = dict(_student_env(), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), HOME=str(tmp_path / "home"))
    args = f"--no-browser --port={port} --ip=127.0.0.1 --IdentityProvider.token={TOKEN}"
    with open(log, "w") as sink:
        proc = subprocess.Popen(["make", "--no-print-directory", "lab", f"PYTHON={sys.executable}", f"LAB_ARGS={args}"],
                                cwd=kit, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2).close()
            return proc, base, log
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)
                pytest.fail(f"the kit's make lab did not start JupyterLab:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)  # polling a server that is not up yet: there is no page to wait on


def _stop(proc):
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


@pytest.mark.slow
def test_student_kit_setup_and_flow_in_a_browser(tmp_path, record_property):
    kit = student_kit.build(ASSIGNMENT, dist=tmp_path / "dist", make_zip=False)
    original = (kit / ASSIGNMENT / NOTEBOOK).read_bytes()
    try:
        _kit_setup(kit, record_property)  # the Python entry point a Windows student uses
        after_setup = (kit / ASSIGNMENT / NOTEBOOK).read_bytes()
        if original != after_setup:  # only when this Python differs from the one release/ was made with
            assert json.loads(original)["cells"] == json.loads(after_setup)["cells"]
        after_setup = _answer_the_other_cells(kit / ASSIGNMENT / NOTEBOOK)

        if not CHROMIUM.exists():
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(f"CI=true but {CHROMIUM} is missing: {INSTALL}", pytrace=False)
            pytest.skip(f"no Chromium at {CHROMIUM}: {INSTALL}")
        playwright = pytest.importorskip("playwright.sync_api")

        proc, base, log = _start_lab(kit, tmp_path)
        try:
            start = time.perf_counter()
            with playwright.sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
                try:
                    page = browser.new_page(viewport={"width": 1400, "height": 1000})
                    _student_session(page, playwright.expect, base, kit, after_setup)
                finally:
                    browser.close()
            record_property("timing", f"student kit: browser flow (lab, edit, test, Validate) "
                                      f"{time.perf_counter() - start:6.1f} s")
        except Exception:
            print(log.read_text()[-4000:])
            raise
        finally:
            _stop(proc)
    finally:
        shutil.rmtree(kit / ".venv", ignore_errors=True)  # ~1 GB; the screenshots are what stays


def _student_session(page, expect, base, kit, unopened):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_default_timeout(60_000)
    page.goto(f"{base}/lab/tree/{ASSIGNMENT}/{NOTEBOOK}?token={TOKEN}")
    panel = page.locator(".jp-NotebookPanel")
    expect(panel).to_be_visible(timeout=120_000)
    expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")).to_have_count(1, timeout=120_000)

    # A student's JupyterLab: Validate in the toolbar, no Nbgrader menu, no Create Assignment sidebar.
    validate = page.locator("button.validate-button, .validate-button button, .validate-button").first
    expect(validate).to_be_visible()
    expect(page.locator("#jp-MainMenu").get_by_text("Nbgrader", exact=True)).to_have_count(0)
    expect(page.locator("#jp-right-stack, .jp-SideBar").get_by_title("Nbgrader Create Assignment")).to_have_count(0)

    # Opened, kernel ready, nothing edited: not marked as modified, and saving changes nothing.
    expect(page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "1_opened.png"))
    _save(page, panel)
    assert json.loads((kit / ASSIGNMENT / NOTEBOOK).read_bytes()) == json.loads(unopened), \
        "opening and saving an untouched notebook changed it"

    cells = page.locator(".jp-Notebook .jp-Cell")
    setup = cells.filter(has_text="from helpers import checks")
    exercise = cells.filter(has_text="class Perceptron:")
    test = cells.filter(has_text='"""Perceptron.net_input returns')
    for locator in (setup, exercise, test):
        expect(locator).to_have_count(1)

    _run(page, expect, setup, 1)
    _type(page, exercise, _answer(wrong=True))
    _run(page, expect, exercise, 2)
    _run(page, expect, test, 3)
    message = test.locator(".jp-OutputArea-output")
    expect(message).to_contain_text("Perceptron.net_input(X)")
    expect(message).to_contain_text("the bias w_[0] is missing from the net input")
    test.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "2_wrong_answer_message.png"))

    _type(page, exercise, _answer())
    _run(page, expect, exercise, 4)
    _run(page, expect, test, 5)
    expect(test.locator(".jp-OutputArea-output")).to_have_count(0)  # a passing test prints nothing
    page.screenshot(path=str(SHOTS / "3_right_answer_passes.png"))

    _save(page, panel)
    validate.click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_contain_text("Success! Your notebook passes all the tests.", timeout=240_000)
    page.screenshot(path=str(SHOTS / "4_validate_success.png"))


def _type(page, cell, code):
    editor = cell.locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(code)  # as typed, without the editor's auto-indent re-indenting pasted lines
    expect_text = code.splitlines()[0]
    assert expect_text in editor.inner_text()


def _run(page, expect, cell, count):
    """Run one cell in place and wait until its prompt shows execution ``count``."""
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Escape")  # command mode: run the cell, not a key in the editor
    page.keyboard.press("Control+Enter")
    expect(cell.locator(".jp-InputPrompt")).to_have_text(re.compile(rf"\[{count}\]:"), timeout=120_000)


def _save(page, panel):
    with page.expect_response(lambda r: "/api/contents/" in r.url and r.request.method == "PUT") as saved:
        panel.locator(".jp-Notebook").click(position={"x": 5, "y": 5})
        page.keyboard.press("Control+s")
    assert saved.value.ok, saved.value.status
