"""Grade one submission end to end, so that nothing a student does can stop the batch or fool it.

1. preflight a working copy (tools.grading.preflight); submitted/ is only read;
2. autograde it with nbgrader's Python API in a temporary grading root outside the course folder
   (no source notebooks there; student code runs in the sandbox of tools.grading.sandbox:
   bubblewrap where it works, else the audit hook alone), with
   ResilientExecute (a dead kernel fails only the cells not yet run) and LimitOutputChars;
3. re-run every test in an isolated fresh process (tools.grading.isolated); where the two passes
   disagree the submission is flagged for review and the test counts only if both passed (the
   gradebook gets that as a manual score, with a comment);
4. copy nbgrader's output to autograded/<student>/<assignment>/ and write ``grading.json`` there:
   status (ok / repaired / failed), reasons, repairs, review flags and a per-test breakdown with
   the instructor's and the student-safe message of every failure, and its diagnosis (the mistake
   helpers.checks recognised, hidden tests included; see tools.grading.results.diagnosis).

Manually graded answers (nbgrader cells with ``solution: true, grade: true``, e.g. a markdown cell
where the student explains something) are not run. Their points count in ``max_score``; their
``points`` stay ``None`` and ``pending`` true until an instructor enters a score in formgrader
(then that score is used). An answer left exactly as released scores 0 (nbgrader's rule).
"""

import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)

from helpers.notebooks import cell_source, nbgrader_meta
from tools.course import COURSE_ROOT, load_config, nbgrader_api, quiet, working_directory
from tools.grading import isolated, preflight, results, sandbox
from tools.grading.execute import KERNEL_DIED, LimitOutputChars, ResilientExecute

STATUS_FILE = "grading.json"
AUTOGRADE_PREPROCESSORS = [ResilientExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, LimitOutputChars,
                           SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]


@dataclass
class TestResult:
    notebook: str
    grade_id: str
    description: str
    max_points: float
    points: float | None = 0.0  # None: a manually graded answer waiting for the instructor
    manual: bool = False        # a manually graded answer (not run, scored by the instructor)
    pending: bool = False       # manual and not scored yet
    notebook_passed: bool | None = None
    isolated_passed: bool | None = None
    hidden_failure: bool = False
    message: str = ""          # for the instructor
    student_message: str = ""  # safe to show the student
    # For the instructor's class report (tools.grading.report), set for every failed autograded test:
    diagnosis: str = ""        # a named mistake's id, "no known mistake", "not implemented", "error: <type>"
    explanation: str = ""      # what the student was told about it (hidden tests included)
    function: str = ""         # the function the failing check was about, if known


@dataclass
class SubmissionResult:
    student: str
    assignment: str
    status: str = "ok"
    reasons: list = field(default_factory=list)
    repairs: list = field(default_factory=list)
    review: bool = False
    review_reasons: list = field(default_factory=list)
    score: float = 0.0
    max_score: float = 0.0
    pending_points: float = 0.0  # max points of manually graded answers not scored yet
    seconds: float = 0.0
    sandbox: str = ""            # the sandbox student code ran in: "bubblewrap" or "audit hook"
    tests: list = field(default_factory=list)


def _description(source):
    first = source.strip().splitlines()[0] if source.strip() else ""
    return first.strip().strip('"').strip("'").strip() or "test"


def is_manual(cell):
    """A manually graded answer: nbgrader ``solution`` and ``grade`` (the student writes in it)."""
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and bool(meta.get("solution"))


def _manual_description(source):
    """The prompt of a manual answer cell: its first line, without markdown emphasis or heading marks."""
    first = source.strip().splitlines()[0] if source.strip() else ""
    return re.sub(r"^[#>\s]+|[*_`]+", "", first).strip() or "written answer"


def templates_of(assignment, root=COURSE_ROOT):
    folder = Path(root) / "release" / assignment
    found = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.ipynb"))}
    if not found:
        raise FileNotFoundError(f"release/{assignment} has no notebooks: run `make release` first")
    return found


def ensure_in_gradebook(assignment, root=COURSE_ROOT):
    """The gradebook must know the assignment (`make release` records it); record it if not."""
    config = load_config(root)
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
        try:
            gb.find_assignment(assignment)
            return
        except MissingEntry:
            pass
    from tools import release

    release.generate([assignment], root=Path(root))


def grade_submission(student, assignment, root=COURSE_ROOT, *, timeout=None, keep_root=False, sandbox_mode=None,
                     **overrides):
    """Grade submitted/<student>/<assignment>/. Returns a SubmissionResult (also saved as JSON).

    ``sandbox_mode``: "auto" (default, or $NN_GRADING_SANDBOX), "bwrap" or "audit" (sandbox.choose)."""
    start = time.perf_counter()
    root = Path(root)
    result = SubmissionResult(student, assignment)
    mode, _ = sandbox.choose(sandbox_mode)
    result.sandbox = mode
    config = load_config(root)
    # Copies: the settings added below must not leak into the caller's dicts (shared across a batch).
    overrides = {k: dict(v) if isinstance(v, dict) else v for k, v in overrides.items()}
    if timeout is not None:
        overrides.setdefault("Execute", {})["timeout"] = timeout
    timeout = overrides.get("Execute", {}).get("timeout", config.Execute.timeout)
    # The submission's total budget (preflight, nbgrader and the isolated pass together).
    budget = overrides.get("ResilientExecute", {}).get("budget") or \
        config.ResilientExecute.get("budget", ResilientExecute.budget.default_value)
    deadline = time.time() + budget
    overrides.setdefault("ResilientExecute", {})["deadline"] = deadline
    templates = templates_of(assignment, root)
    checks = preflight.preflight(root / "submitted" / student / assignment, templates)
    for name, pre in checks.items():
        result.repairs += [f"{name}: {r}" for r in pre.repairs]
        if pre.failure:
            result.status = "failed"
            result.reasons.append(f"{name}: {pre.failure}")

    groot = Path(tempfile.mkdtemp(prefix="nn-grading-"))
    try:
        env = sandbox.build(groot, course_root=root)
        wrapper = sandbox.bwrap_command(groot) if mode == sandbox.BWRAP else []
        if wrapper:
            overrides.setdefault("Execute", {})["kernel_manager_class"] = "tools.grading.execute.SandboxedKernelManager"
            overrides["SandboxedKernelManager"] = {"sandbox_command": wrapper, "transport": "ipc"}
        (groot / "source" / assignment).mkdir(parents=True)
        work = groot / "submitted" / student / assignment
        work.mkdir(parents=True)
        stamp = root / "submitted" / student / assignment / "timestamp.txt"
        if stamp.is_file():
            shutil.copy(stamp, work / "timestamp.txt")
        for name, pre in checks.items():
            if pre.notebook is not None:
                nbformat.write(nbformat.from_dict(pre.notebook), work / name)

        graded = groot / "autograded" / student / assignment
        if any(pre.notebook is not None for pre in checks.values()):
            # No in-memory history file, and no kernel log lines (ipykernel's "running over TCP"
            # warning) between the progress lines of the batch.
            overrides.setdefault("Execute", {}).setdefault(
                "extra_arguments", ["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR"])
            api = nbgrader_api(groot, CourseDirectory={"db_url": config.CourseDirectory.db_url},
                               Autograde={"autograde_preprocessors": AUTOGRADE_PREPROCESSORS}, **overrides)
            with sandbox.environment(env), working_directory(groot), quiet():
                outcome = api.autograde(assignment, student, force=True, create=True)
            if not outcome["success"]:
                result.status = "failed"
                last = (outcome.get("error") or "").strip().splitlines()[-1:] or ["unknown error"]
                # nbgrader's last error is a generic "see the traceback"; its log says what happened.
                logged = [ln.strip() for ln in str(outcome.get("log") or "").splitlines() if ln.startswith("[ERROR]")]
                result.reasons.append(f"nbgrader could not grade the submission: {logged[0] if logged else last[0]}")
        else:
            with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
                gb.update_or_create_student(student)
                gb.update_or_create_submission(assignment, student)

        _collect(result, checks, templates, graded, env, timeout, config, wrapper, deadline)
        _record_in_gradebook(result, config)
        dest = root / "autograded" / student / assignment
        if dest.exists():
            shutil.rmtree(dest)
        if graded.exists():
            shutil.copytree(graded, dest, ignore=shutil.ignore_patterns(".isolated-*"))
        dest.mkdir(parents=True, exist_ok=True)
        if result.status == "ok" and result.repairs:
            result.status = "repaired"
        result.seconds = round(time.perf_counter() - start, 2)
        (dest / STATUS_FILE).write_text(json.dumps(asdict(result), indent=1))
        return result
    finally:
        if not keep_root:
            shutil.rmtree(groot, ignore_errors=True)


def _collect(result, checks, templates, graded, env, timeout, config, wrapper=(), deadline=0.0):
    """Fill the per-test results from nbgrader's output and the isolated pass."""
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
        scores, manual_scores = {}, {}
        try:
            submission = gb.find_submission(result.assignment, result.student)
            for nb in submission.notebooks:
                for g in nb.grades:
                    scores[(nb.name, g.name)] = g.auto_score
                    manual_scores[(nb.name, g.name)] = g.manual_score
        except MissingEntry:
            pass
    child_env = dict(os.environ, **env)
    for name, template in templates.items():
        stem = Path(name).stem
        graded_path = graded / name
        graded_nb = json.loads(graded_path.read_text(encoding="utf-8")) if graded_path.exists() else None
        graded_cells = [c for c in template["cells"] if nbgrader_meta(c).get("grade")]
        test_cells = [c for c in graded_cells if not is_manual(c)]
        executed = {}
        if graded_nb is not None:
            executed = {nbgrader_meta(c).get("grade_id"): c for c in graded_nb["cells"] if nbgrader_meta(c).get("grade_id")}
            died = [c for c in graded_nb["cells"] if (results.error_output(c) or {}).get("ename") == KERNEL_DIED]
            if died:
                result.status = "failed"
                first = died[0]
                where = nbgrader_meta(first).get("grade_id") or f"cell {graded_nb['cells'].index(first) + 1}"
                result.reasons.append(f"{name}: the Python kernel stopped while running {where}; "
                                      "later cells did not run")
            for cell in graded_nb["cells"]:
                out = results.error_output(cell)
                if out and out.get("ename") == results.TIMEOUT and not nbgrader_meta(cell).get("grade"):
                    where = nbgrader_meta(cell).get("grade_id") or f"cell {graded_nb['cells'].index(cell) + 1}"
                    result.reasons.append(f"{name}: {where} was stopped after {timeout} s")
        isolated_results = {}
        if graded_nb is not None and checks[name].notebook is not None:
            setup = next((c for c in graded_nb["cells"] if nbgrader_meta(c).get("grade_id") == "setup"), None) or \
                next((c for c in graded_nb["cells"] if c.get("cell_type") == "code" and nbgrader_meta(c).get("locked")
                      and not nbgrader_meta(c).get("grade")), None)
            tests = {nbgrader_meta(c)["grade_id"]: cell_source(executed[nbgrader_meta(c)["grade_id"]]) for c in test_cells
                     if nbgrader_meta(c)["grade_id"] in executed}
            # A test that timed out in the notebook, or was not run because a function it uses did not
            # return, failed there: it is not re-run (it would only wait for the timeout again).
            stalled = {gid: (results.error_output(executed[gid]) or {}).get("ename") for gid in tests}
            stalled = {gid: ename for gid, ename in stalled.items() if ename in (results.TIMEOUT,) + results.NOT_RUN}
            isolated_results = isolated.run_tests(isolated.instructor_setup(graded_nb, setup), isolated.student_definitions(
                checks[name].notebook), {g: t for g, t in tests.items() if g not in stalled}, graded, child_env, timeout,
                wrapper, deadline)
            isolated_results.update({gid: {"passed": False, "stage": "test", "ename": ename, "line": None,
                                           "message": "not re-run: it did not finish in the notebook"}
                                     for gid, ename in stalled.items()})
        for t in graded_cells:
            gid = nbgrader_meta(t)["grade_id"]
            if is_manual(t):
                result.tests.append(_manual_result(stem, gid, t, scores, manual_scores, executed))
                continue
            test = TestResult(stem, gid, _description(cell_source(t)), float(nbgrader_meta(t).get("points", 0)))
            auto = scores.get((stem, gid))
            test.notebook_passed = auto is not None and auto >= test.max_points > 0
            cell = executed.get(gid)
            iso = isolated_results.get(gid)
            test.isolated_passed = None if iso is None else bool(iso["passed"])
            if cell is not None and not test.notebook_passed:
                out = results.error_output(cell)
                if out is not None:
                    line = results.failure_line(out)
                    test.hidden_failure = line is not None and line in results.hidden_lines(cell_source(cell))
                    if line is None and out.get("ename") not in (results.TIMEOUT, KERNEL_DIED) + results.NOT_RUN:
                        test.hidden_failure = bool(results.hidden_lines(cell_source(cell)))  # cannot tell: be safe
                    evalue = out.get("evalue", "")
                    test.diagnosis, test.explanation, test.function = results.diagnosis(
                        out.get("ename", ""), evalue, results.diagnosis_record(out))
                    test.message = results.full_message(out.get("ename", ""), evalue, timeout)
                    test.student_message = results.student_message(out.get("ename", ""), evalue,
                                                                   test.hidden_failure, timeout)
                else:
                    test.message = test.student_message = "this test produced output on stderr (scored 0 by nbgrader)"
                    test.diagnosis, test.explanation = "error: output on stderr", test.message
            elif cell is None:
                test.message = test.student_message = "not graded: the notebook could not be graded"
                test.diagnosis, test.explanation = "not graded", test.message
            passed_both = test.notebook_passed and (test.isolated_passed is not False)
            test.points = test.max_points if passed_both else 0.0
            if not passed_both and not test.diagnosis:  # e.g. a nbgrader score below max without an error
                test.diagnosis, test.explanation = results.NO_KNOWN_MISTAKE, test.message
            if iso is not None and test.isolated_passed != test.notebook_passed:
                result.review = True
                how = "passed" if test.notebook_passed else "failed"
                other = "passed" if test.isolated_passed else f"failed ({iso.get('ename')}: {iso.get('message', '')[:200]})"
                result.review_reasons.append(f"{stem}/{gid}: {how} in the notebook but {other} when re-run in "
                                             "isolation")
                if test.notebook_passed and not test.isolated_passed:
                    hidden = iso.get("line") in results.hidden_lines(tests.get(gid, "")) if iso.get("line") else True
                    test.message = f"failed when re-run in isolation: {iso.get('ename')}: {iso.get('message', '')[:500]}"
                    test.diagnosis, test.explanation, test.function = results.diagnosis(
                        iso.get("ename") or "", iso.get("message", ""), iso.get("diagnosis"))
                    test.student_message = results.student_message(iso.get("ename") or "", iso.get("message", ""),
                                                                   hidden, timeout)
            result.tests.append(test)
    result.score = sum(t.points for t in result.tests if t.points is not None)
    result.max_score = sum(t.max_points for t in result.tests)
    result.pending_points = sum(t.max_points for t in result.tests if t.pending)


def _manual_result(stem, gid, template_cell, scores, manual_scores, executed):
    """A manually graded answer: the instructor's score if entered, 0 if unanswered, else pending."""
    test = TestResult(stem, gid, _manual_description(cell_source(template_cell)),
                      float(nbgrader_meta(template_cell).get("points", 0)), manual=True)
    manual, auto = manual_scores.get((stem, gid)), scores.get((stem, gid))
    if manual is not None:
        test.points = float(manual)
    elif gid not in executed:
        test.points = 0.0
        test.message = test.student_message = "not graded: the notebook could not be graded"
    elif auto is not None:  # nbgrader scores an answer left as released 0
        test.points = float(auto)
        test.message = test.student_message = "no answer: the cell is as it was released"
    else:
        test.points, test.pending = None, True
    return test


def _record_in_gradebook(result, config):
    """Make nbgrader's gradebook (and so `nbgrader export` and formgrader) agree with the result."""
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
        try:
            gb.find_submission(result.assignment, result.student)
        except MissingEntry:
            return
        for test in result.tests:
            if test.manual:
                continue  # the instructor's score (formgrader) is the grade: never overwritten here
            try:
                grade = gb.find_grade(test.grade_id, test.notebook, result.assignment, result.student)
            except MissingEntry:
                continue
            auto = grade.auto_score if grade.auto_score is not None else 0.0
            grade.manual_score = test.points if test.points != auto else None
            try:
                comment = gb.find_comment(test.grade_id, test.notebook, result.assignment, result.student)
                comment.manual_comment = (f"isolated re-run: {'passed' if test.isolated_passed else 'failed'}; "
                                          "flagged for review") if grade.manual_score is not None else None
            except MissingEntry:
                pass
        gb.db.commit()


def load_result(student, assignment, root=COURSE_ROOT):
    """The saved SubmissionResult dict of a graded submission, or None."""
    path = Path(root) / "autograded" / student / assignment / STATUS_FILE
    return json.loads(path.read_text()) if path.exists() else None
