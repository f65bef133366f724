"""Grading a class with several workers, and with the gradebook on a PostgreSQL server.

One small batch of 01_perceptron (the fastest assignment) with every status and flag: a correct,
a blank, a wrong, a repaired, a flagged (patched checks) and a failed (invalid JSON) submission.
It is graded once with one worker and SQLite (the baseline), again in a fresh course with 3 workers
(every student and submission row is created concurrently), and again with 3 workers on a real
PostgreSQL server started in a temporary folder. Every score, status, flag and per-test result,
and nbgrader's own grade export, must be the same in all three.
"""

import copy
import csv
import glob
import io
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.test_grading_corpus import (
    ASSIGNMENT,
    NB,
    PATCH_CHECKS,
    PERCEPTRON_TESTS,
    TIMEOUT,
    WRONG_PERCEPTRON,
    _index,
    _points,
    _replace_solution,
)
from tools import grade
from tools.course import load_config
from tools.course_copy import blank_notebook, make_course, reference_notebook, submit

PG_INSTALL = "apt-get install -y postgresql"


def _submit_batch(root):
    ref = reference_notebook(root, ASSIGNMENT, NB)
    duplicated = copy.deepcopy(ref)
    test = copy.deepcopy(duplicated["cells"][_index(duplicated, "test_predict")])
    test["id"] = "pasted-test"
    duplicated["cells"].insert(_index(duplicated, "test_predict") + 1, test)
    batch = {
        "correct": {NB: ref},
        "blank": {NB: blank_notebook(root, ASSIGNMENT, NB)},
        "wrong": {NB: _replace_solution(copy.deepcopy(ref), WRONG_PERCEPTRON)},
        "repaired": {NB: duplicated},
        "flagged": {NB: _replace_solution(copy.deepcopy(ref), PATCH_CHECKS)},
        "broken": {NB: '{"cells": [', },
    }
    for student, notebooks in batch.items():
        submit(root, student, ASSIGNMENT, notebooks)
    return sorted(batch)


def _summary(results):
    """Everything a grade depends on, per submission, in the order grading returned them."""
    return [(r.student, r.status, r.score, r.max_score, r.review, r.reasons, r.repairs,
             [(t.grade_id, t.points, t.notebook_passed, t.isolated_passed, t.diagnosis) for t in r.tests])
            for r in results]


def _export(root):
    """nbgrader's CSV export of the gradebook: (student, assignment, raw score, score, max score) rows."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin

    config = load_config(root)
    path = Path(tempfile.mkdtemp()) / "grades.csv"
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
        CsvExportPlugin(to=str(path)).export(gb)
        counts = {s.student_id: len(s.notebooks[0].grades) if s.notebooks else 0
                  for s in gb.find_assignment(ASSIGNMENT).submissions}
    rows = sorted((r["student_id"], r["assignment"], float(r["raw_score"]), float(r["score"]), float(r["max_score"]))
                  for r in csv.DictReader(path.open()))
    shutil.rmtree(path.parent)
    return rows, counts


def _grade(root, jobs, record_property, label):
    out = io.StringIO()
    start = time.perf_counter()
    results = grade.autograde(root, assignment=ASSIGNMENT, timeout=TIMEOUT, out=out, jobs=jobs)
    seconds = time.perf_counter() - start
    record_property("timing", f"parallel grading {label:<22} {len(results)} submissions in {seconds:5.1f} s")
    assert all(r is not None for r in results), out.getvalue()
    lines = [ln for ln in out.getvalue().splitlines() if ln.startswith("[")]
    assert len(lines) == len(results) and all("ETA" in ln for ln in lines), out.getvalue()
    return results


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """The batch graded with one worker and SQLite."""
    root = make_course(tmp_path_factory.mktemp("serial") / "course", [ASSIGNMENT])
    students = _submit_batch(root)
    results = grade.autograde(root, assignment=ASSIGNMENT, timeout=TIMEOUT, out=None, jobs=1)
    assert [r.student for r in results] == students
    by_student = {r.student: r for r in results}
    # The batch covers every outcome.
    blank = blank_notebook(root, ASSIGNMENT, NB)
    full, others = _points(blank), _points(blank) - _points(blank, PERCEPTRON_TESTS)  # others: the questions
    assert (by_student["correct"].status, by_student["correct"].score) == ("ok", full)
    assert by_student["repaired"].status == "repaired" and by_student["broken"].status == "failed"
    assert by_student["flagged"].review and by_student["wrong"].score == others and by_student["blank"].score == 0
    return _summary(results), _export(root)


@pytest.mark.slow
def test_three_workers_grade_exactly_like_one(baseline, tmp_path, record_property):
    root = make_course(tmp_path / "course", [ASSIGNMENT])
    _submit_batch(root)
    results = _grade(root, 3, record_property, "3 workers, SQLite")
    summary, (rows, counts) = baseline
    assert _summary(results) == summary  # same order too, whatever finished first
    assert _export(root) == (rows, counts)
    assert set(counts) == {"correct", "blank", "wrong", "repaired", "flagged", "broken"}
    tests = sum(1 for c in blank_notebook(root, ASSIGNMENT, NB)["cells"] if c["metadata"].get("nbgrader", {}).get("grade"))
    assert all(n == tests for student, n in counts.items() if student != "broken"), counts


# --------------------------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------------------------
def _postgres_bin():
    """The folder with initdb and pg_ctl: on PATH, else Debian's /usr/lib/postgresql/<version>/bin."""
    found = shutil.which("initdb")
    candidates = ([str(Path(found).parent)] if found else []) + sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                                                                       reverse=True)
    return next((Path(d) for d in candidates if (Path(d) / "initdb").exists() and (Path(d) / "pg_ctl").exists()),
                None)


def _skip_or_fail(reason):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def postgres():
    """A PostgreSQL server in a temporary folder (Unix socket only, trust auth), and its db_url."""
    bindir = _postgres_bin()
    if bindir is None:
        _skip_or_fail(f"PostgreSQL is not installed ({PG_INSTALL})")
    try:
        import psycopg2
    except ImportError:
        _skip_or_fail("the PostgreSQL driver is missing (pip install -r requirements.txt: psycopg2-binary)")
    # initdb refuses to run as root: the server runs as `nobody`, in a folder it owns (not under
    # pytest's tmp_path, which only root may enter).
    base = Path(tempfile.mkdtemp(prefix="nn-pg-"))
    as_user = []
    if os.geteuid() == 0:
        shutil.chown(base, "nobody")
        as_user = ["runuser", "-u", "nobody", "--"]
    data = base / "data"

    def run(*args):
        return subprocess.run(as_user + [str(bindir / args[0]), *args[1:]], check=True, capture_output=True,
                              text=True, timeout=120)

    try:
        run("initdb", "-D", str(data), "-U", "grader", "--auth=trust", "-E", "UTF8", "--no-sync")
        run("pg_ctl", "-D", str(data), "-l", str(base / "server.log"), "-w", "-t", "120",
            "-o", f"-k {base} -c listen_addresses='' -p 5432 -F", "start")
    except subprocess.CalledProcessError as error:
        log = (base / "server.log").read_text() if (base / "server.log").exists() else ""
        shutil.rmtree(base, ignore_errors=True)
        pytest.fail(f"could not start PostgreSQL: {error.stderr}\n{log}")
    try:
        connection = psycopg2.connect(host=str(base), port=5432, user="grader", dbname="postgres")
        connection.autocommit = True
        connection.cursor().execute("CREATE DATABASE nn_course")
        connection.close()
        yield f"postgresql+psycopg2://grader@/nn_course?host={base}&port=5432"
    finally:
        subprocess.run(as_user + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                       capture_output=True, timeout=120)
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.slow
def test_postgres_gradebook_grades_like_sqlite(baseline, postgres, tmp_path, monkeypatch, record_property):
    monkeypatch.setenv("NN_GRADEBOOK_URL", postgres)
    root = make_course(tmp_path / "course", [ASSIGNMENT])  # the release records the assignment on the server
    assert load_config(root).CourseDirectory.db_url.startswith("postgresql")
    assert not (root / "gradebook.db").exists()
    _submit_batch(root)
    results = _grade(root, 3, record_property, "3 workers, PostgreSQL")
    assert not (root / "gradebook.db").exists(), "nothing may fall back to SQLite"
    summary, (rows, counts) = baseline
    assert _summary(results) == summary
    assert _export(root) == (rows, counts)
