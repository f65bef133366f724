"""The grading sandbox and time limits on their own, without nbgrader (fast): what bubblewrap lets a
grading process see, which sandbox is chosen when, how a timed-out function is found and which later
cells use it, and the isolated runner's deadline."""

import json
import os
import socket
import subprocess
import sys
import time

import pytest

from tools.course import COURSE_ROOT
from tools.grading import execute, isolated, sandbox

PERCEPTRON = '''
class Perceptron:
    def net_input(self, X):
        return X @ self.w_[1:] + self.w_[0]

    def predict(self, X):
        return np.where(self.net_input(X) >= 0, 1, -1)

    def fit(self, X, y):
        for xi in X:
            self.predict(xi)
        return self

    def score(self, X, y):
        return 1.0
'''


def test_uses_follows_the_students_own_calls():
    graph = execute.call_graph([PERCEPTRON])
    assert execute.uses("checks.run(ppn.predict, X)", "Perceptron.net_input", graph)
    assert execute.uses("ppn = Perceptron()\nppn.fit(X, y)", "Perceptron.net_input", graph)  # fit -> predict
    assert not execute.uses("ppn.score(X, y)", "Perceptron.net_input", graph)
    # Names in strings and comments are not uses.
    assert not execute.uses('"""net_input is tested here."""\n# net_input\nx = 1', "Perceptron.net_input", graph)


def test_the_function_a_timed_out_cell_was_stuck_in():
    trace = ["\x1b[0;31mKeyboardInterrupt\x1b[0m   Traceback (most recent call last)",
             "Cell \x1b[0;32mIn[7], line 4\x1b[0m\n----> 4 checks.run(ppn.fit, X, y)",
             "Cell \x1b[0;32mIn[4], line 37\x1b[0m, in \x1b[0;36mPerceptron.fit\x1b[0;34m(self, X, y)\x1b[0m",
             "Cell \x1b[0;32mIn[4], line 12\x1b[0m, in \x1b[0;36mPerceptron.predict\x1b[0;34m(self, X)\x1b[0m"]
    interrupted = {"output_type": "error", "ename": "KeyboardInterrupt", "evalue": "", "traceback": trace}
    timeout = {"output_type": "error", "ename": "CellTimeoutError", "evalue": "", "traceback": []}
    assert execute.hung_functions({"outputs": [interrupted, timeout]}) == "Perceptron.fit"  # what the test called
    assert execute.hung_functions({"outputs": [interrupted]}) is None  # a KeyboardInterrupt the student raised


def test_isolated_runner_stops_at_the_deadline(tmp_path):
    found = isolated.run_tests("import numpy as np", ["def f():\n    return 1\n"], {"t1": "assert f() == 1",
                                                                                  "t2": "assert f() == 1"},
                               tmp_path, dict(os.environ), timeout=30, deadline=time.time() - 1)
    assert {gid: r["ename"] for gid, r in found.items()} == {"t1": "DeadlineExceeded", "t2": "DeadlineExceeded"}
    found = isolated.run_tests("import numpy as np", ["def f():\n    return 1\n"], {"t1": "assert f() == 1"},
                               tmp_path, dict(os.environ), timeout=30, deadline=time.time() + 120)
    assert found["t1"]["passed"], found


def test_sandbox_choice(monkeypatch):
    monkeypatch.delenv(sandbox.SANDBOX_ENV, raising=False)
    monkeypatch.setattr(sandbox, "bwrap_problem", lambda: f"bubblewrap is not installed ({sandbox.INSTALL_HINT})")
    mode, why = sandbox.choose()
    assert mode == sandbox.AUDIT and "apt-get install -y bubblewrap" in why
    assert "WARNING: grading without an OS sandbox" in sandbox.describe(mode, why)
    with pytest.raises(RuntimeError, match="bubblewrap is not installed"):
        sandbox.choose("bwrap")
    monkeypatch.setattr(sandbox, "bwrap_problem", lambda: None)
    assert sandbox.choose() == (sandbox.BWRAP, "")
    monkeypatch.setenv(sandbox.SANDBOX_ENV, "audit")
    assert sandbox.choose()[0] == sandbox.AUDIT
    with pytest.raises(ValueError):
        sandbox.choose("docker")


PROBE = r'''
import json, os, socket, sys
port, course, groot = int(sys.argv[1]), sys.argv[2], sys.argv[3]
seen = {"course": sorted(os.listdir(course)) if os.path.exists(course) else [], "source": os.path.exists(os.path.join(course, "source")),
        "home": os.path.exists(os.path.expanduser("~root/.bashrc")), "venv": os.path.exists(sys.prefix)}
try:
    socket.create_connection(("127.0.0.1", port), timeout=3).close()
    seen["loopback"] = True
except OSError:
    seen["loopback"] = False
try:
    open(os.path.join(groot, "written"), "w").write("x")
    seen["write_root"] = True
except OSError:
    seen["write_root"] = False
try:
    open(os.path.join(sys.prefix, "planted"), "w").write("x")
    seen["write_venv"] = True
except OSError:
    seen["write_venv"] = False
try:
    open(os.path.join(groot, "lib", "helpers", "checks.py"), "a").write("x")
    seen["write_helpers"] = True
except OSError:
    seen["write_helpers"] = False
print(json.dumps(seen))
'''


def test_bubblewrap_shows_only_the_grading_root(tmp_path):
    problem = sandbox.bwrap_problem()
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {problem}", pytrace=False)
        pytest.skip(problem)
    groot = tmp_path / "groot"
    sandbox.build(groot)  # lib/ with the copy of helpers
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    try:
        # The launcher sends the sandboxed program's stdout to /dev/null: report through a file.
        code = PROBE.replace("print(json.dumps(seen))", "open(os.path.join(groot, 'seen.json'), 'w').write(json.dumps(seen))")
        proc = subprocess.run(sandbox.bwrap_command(groot) + [sys.executable, "-c", code, str(server.getsockname()[1]),
                                                             str(COURSE_ROOT), str(groot)],
                              cwd=groot, capture_output=True, text=True, timeout=120)
    finally:
        server.close()
    assert proc.returncode == 0, proc.stderr
    seen = json.loads((groot / "seen.json").read_text())
    # Only the virtual environment of the course folder (where it lives inside it, as here) is there.
    venv = os.path.relpath(sys.prefix, COURSE_ROOT)
    assert seen.pop("course") in ([[]] if venv.startswith("..") else [[], [venv.split(os.sep)[0]]]), seen
    assert seen == {"source": False, "home": False, "venv": True, "loopback": False, "write_root": True,
                    "write_venv": False, "write_helpers": False}, seen
