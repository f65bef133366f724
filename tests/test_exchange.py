"""The nbgrader exchange of a shared server, for real: `make exchange-release`'s command releases an
assignment into a temporary exchange, two students (each with a home folder of their own) fetch it
with nbgrader's CLI, one completes it and one hands it in blank, both submit, `make collect`'s command
collects, and the course's grading command grades them: full marks and zero."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tools import exchange, grade
from tools.course import load_config, notebooks
from tools.course_copy import make_course, reference_notebook

ASSIGNMENT = "01_perceptron"  # the fastest to grade


def _as_student(home, *args):
    """Run an nbgrader command as a student: their own home (so their own nbgrader cache), working in it."""
    config = load_config()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env.update(HOME=str(home), USER=home.name, LOGNAME=home.name)
    command = [str(Path(sys.executable).parent / "nbgrader"), *args, f"--course={config.CourseDirectory.course_id}"]
    out = subprocess.run(command, cwd=home, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, f"{' '.join(args)} as {home.name} failed:\n{out.stdout}\n{out.stderr}"
    return out


@pytest.mark.slow
def test_release_fetch_submit_collect_autograde(tmp_path, monkeypatch):
    root = make_course(tmp_path / "course", [ASSIGNMENT])
    shared = tmp_path / "exchange"
    shared.mkdir()
    shared.chmod(0o777)  # as an administrator sets it up: every student writes their submissions here
    monkeypatch.setenv("NBGRADER_EXCHANGE", str(shared))  # the variable `make ... EXCHANGE=` stands for

    exchange.release(ASSIGNMENT, root=root)
    assert (shared / "nn-from-scratch" / "outbound" / ASSIGNMENT).is_dir()

    names = [nb.name for nb in notebooks(ASSIGNMENT)]
    for student in ("alice", "bob"):
        home = tmp_path / "home" / student
        home.mkdir(parents=True)
        _as_student(home, "fetch_assignment", ASSIGNMENT, f"--Exchange.root={shared}")
        fetched = home / ASSIGNMENT
        assert sorted(p.name for p in fetched.glob("*.ipynb")) == names
        if student == "alice":  # alice does the work; bob hands in the release as it came
            for name in names:
                (fetched / name).write_text(json.dumps(reference_notebook(root, ASSIGNMENT, name), indent=1))
        # One OS user runs this test, so each student names themself (on a server nbgrader uses the login).
        _as_student(home, "submit", ASSIGNMENT, f"--Exchange.root={shared}", f"--student={student}")

    exchange.collect(ASSIGNMENT, root=root)
    for student in ("alice", "bob"):
        assert sorted(p.name for p in (root / "submitted" / student / ASSIGNMENT).glob("*.ipynb")) == names

    results = {r.student: r for r in grade.autograde(root, assignment=ASSIGNMENT, out=None)}
    assert set(results) == {"alice", "bob"}
    alice, bob = results["alice"], results["bob"]
    assert alice.status == "ok" and alice.score == alice.max_score > 0, (alice.reasons, alice.tests)
    assert bob.status == "ok" and bob.score == 0 and bob.max_score == alice.max_score, (bob.reasons, bob.tests)
