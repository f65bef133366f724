"""A corpus of bad and cheating submissions, graded as one batch through the real pipeline
(`make autograde`'s command on 01_perceptron). For each: the exact score and status. The batch
always completes, no cheat gains a point, no honest work loses one, and submitted/ is unchanged."""

import copy
import hashlib
import json
import time

import pytest

from helpers.notebooks import nbgrader_meta
from tools import grade
from tools.course_copy import blank_notebook, make_course, reference_notebook, submit

ASSIGNMENT = "01_perceptron"
NB = "perceptron.ipynb"
# Seconds per cell for this corpus (the course default is 120): short, because the infinite-loop cases wait
# it out, yet several times what an honest cell takes on a busy machine (the setup cell's imports take the
# longest, a few seconds), so that load cannot cost honest work a point.
TIMEOUT = 15




def _index(nb, gid):
    return next(i for i, c in enumerate(nb["cells"]) if nbgrader_meta(c).get("grade_id") == gid)


def _append_to_solution(nb, code):
    cell = nb["cells"][_index(nb, "perceptron")]
    cell["source"] = cell["source"] + "\n" + code
    return nb


def _replace_solution(nb, code):
    nb["cells"][_index(nb, "perceptron")]["source"] = code
    return nb


WRONG_PERCEPTRON = """
import numpy as np

class Perceptron:
    def __init__(self, eta=0.01, epochs=50):
        self.eta, self.epochs = eta, epochs

    def net_input(self, X):
        return np.zeros(len(X))

    def predict(self, X):
        return np.ones(len(X), dtype=int)

    def fit(self, X, y):
        self.w_ = np.zeros(1 + X.shape[1])
        self.errors_ = [0] * self.epochs
        return self
"""

HARDCODED = """
import numpy as np
from helpers import checks

class Perceptron:
    '''Returns the visible reference answers whatever the input.'''
    def __init__(self, eta=0.01, epochs=50):
        self.eta, self.epochs = eta, epochs

    def net_input(self, X):
        return checks.reference("01_perceptron")["net_input/expected"]

    def predict(self, X):
        return checks.reference("01_perceptron")["predict/expected"]

    def fit(self, X, y):
        ref = checks.reference("01_perceptron")
        self.w_ = ref["fit/w_"]
        self.errors_ = list(ref["fit/errors_"])
        return self
"""

READS_SOURCE = """
import json, pathlib, sys
import helpers
_found = None
for _base in [pathlib.Path(sys.prefix).parent, pathlib.Path(helpers.__file__).resolve().parents[1],
              pathlib.Path.cwd().parents[3]]:
    try:
        _nb = json.loads((_base / "source" / "01_perceptron" / "perceptron.ipynb").read_text())
        _found = [c["source"] for c in _nb["cells"] if c["metadata"].get("nbgrader", {}).get("solution")]
        break
    except Exception as error:
        print("could not read", _base, error)
exec("".join(_found[0]) if _found else "raise RuntimeError('no solution found')")
"""

PATCH_NUMPY = WRONG_PERCEPTRON + """
np.allclose = lambda *a, **k: True
np.isclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.testing.assert_array_equal = lambda *a, **k: None
"""

PATCH_CHECKS = WRONG_PERCEPTRON + """
import helpers.checks as _c
_pass = lambda *a, **k: None
_c.__dict__.update(expect=_pass, expect_labels=_pass, expect_equal=_pass, expect_scalar=_pass, check=_pass,
                   run=lambda fn, *a, **k: fn(*a, **{x: v for x, v in k.items() if x not in ("name", "check_mutation")}))
class checks:  # and rebinding the name the tests use
    reference = staticmethod(_c.reference)
    run = staticmethod(lambda fn, *a, **k: None)
    expect = expect_labels = expect_equal = expect_scalar = check = staticmethod(_pass)
"""

PATCH_IN_CLASS_BODY = """
import numpy as np

class Perceptron:
    # Definitions run their class bodies: a patch here reaches even a re-run that keeps only definitions.
    import helpers.checks as _c
    _pass = staticmethod(lambda *a, **k: None)
    _c.__dict__.update(expect=_pass, expect_labels=_pass, expect_equal=_pass, expect_scalar=_pass,
                       check=_pass, _fail=_pass, run=lambda fn, *a, **k: None)

    def __init__(self, eta=0.01, epochs=50):
        self.eta, self.epochs = eta, epochs

    def net_input(self, X):
        return np.zeros(len(X))

    def predict(self, X):
        return np.ones(len(X), dtype=int)

    def fit(self, X, y):
        self.w_, self.errors_ = np.zeros(1 + X.shape[1]), []
        return self
"""

FAKE_HELPERS = {
    "helpers/__init__.py": "",
    "helpers/checks.py": "def __getattr__(name):\n    return lambda *a, **k: None\n",
    "numpy.py": "raise ImportError('shadowed')\n",
    "checks.py": "expect = lambda *a, **k: None\n",
}


def _cases(root):
    """student id -> (notebooks to submit, extra files, expected status, expected score, expect review)."""
    ref = reference_notebook(root, ASSIGNMENT, NB)
    blank = blank_notebook(root, ASSIGNMENT, NB)
    c = copy.deepcopy
    cases = {}

    cases["correct"] = ({NB: c(ref)}, None, "ok", 6, False)
    cases["blank"] = ({NB: c(blank)}, None, "ok", 0, False)
    cases["invalid_json"] = ({NB: json.dumps(ref)[:-200]}, None, "failed", 0, False)
    cases["renamed_copy"] = ({"Perceptron (1).ipynb": c(ref)}, None, "repaired", 6, False)

    nb = c(ref)
    i = _index(nb, "perceptron")
    stub = c(blank["cells"][_index(blank, "perceptron")])
    stub["id"] = "pasted-copy"
    nb["cells"].insert(i + 1, stub)  # answer first, a pasted blank copy after it
    cases["duplicated_solution"] = ({NB: nb}, None, "repaired", 6, False)

    nb = c(ref)
    i = _index(nb, "test_predict")
    dup = c(nb["cells"][i])
    dup["id"] = "pasted-test"
    nb["cells"].insert(i + 1, dup)
    cases["duplicated_test"] = ({NB: nb}, None, "repaired", 6, False)

    nb = c(ref)
    i = _index(nb, "setup")
    dup = c(nb["cells"][i])
    dup["id"] = "pasted-setup"
    nb["cells"].insert(i + 1, dup)
    cases["duplicated_readonly"] = ({NB: nb}, None, "repaired", 6, False)

    nb = c(ref)
    del nb["cells"][_index(nb, "test_fit")]
    cases["deleted_test"] = ({NB: nb}, None, "repaired", 6, False)

    nb = c(ref)
    for cell in nb["cells"]:
        cell["metadata"].pop("nbgrader", None)
    cases["stripped_metadata"] = ({NB: nb}, None, "repaired", 6, False)

    nb = c(blank)
    for cell in nb["cells"]:
        if nbgrader_meta(cell).get("grade"):
            cell["source"] = cell["source"].splitlines()[0] + "\npass\n"
    cases["edited_tests"] = ({NB: nb}, None, "repaired", 0, False)

    nb = c(ref)
    nb["cells"][_index(nb, "test_net_input")]["metadata"]["nbgrader"]["points"] = 100
    cases["changed_points"] = ({NB: nb}, None, "repaired", 6, False)

    src = "".join(ref["cells"][_index(ref, "perceptron")]["source"])
    looping = src.replace('        """Learn w_ from X (m, n) and y (m,) in {-1, 1} with the perceptron rule. Returns self."""',
                          '        """Learn w_ from X (m, n) and y (m,) in {-1, 1} with the perceptron rule. Returns self."""\n'
                          '        while True:\n            pass')
    assert looping != src
    cases["loop_in_function"] = ({NB: _replace_solution(c(ref), looping)}, None, "ok", 2, False)
    cases["loop_top_level"] = ({NB: _append_to_solution(c(ref), "while True:\n    pass")}, None, "ok", 6, False)
    cases["os_exit"] = ({NB: _append_to_solution(c(ref), "import os\nos._exit(1)")}, None, "failed", 0, True)
    cases["sys_exit"] = ({NB: _append_to_solution(c(ref), "import sys\nsys.exit('bye')")}, None, "ok", 6, False)
    cases["huge_output"] = ({NB: _append_to_solution(c(ref), "print('x' * 30_000_000)")}, None, "ok", 6, False)
    noisy = src.replace("        return np.dot(X, self.w_[1:]) + self.w_[0]",
                        "        import warnings\n        warnings.warn('noisy but right', UserWarning)\n"
                        "        np.exp(np.array([1000.0]))\n        return np.dot(X, self.w_[1:]) + self.w_[0]")
    assert noisy != src
    cases["warning_emitting"] = ({NB: _replace_solution(c(ref), noisy)}, None, "ok", 6, False)
    cases["patch_numpy"] = ({NB: _replace_solution(c(ref), PATCH_NUMPY)}, None, "ok", 0, False)
    cases["patch_checks"] = ({NB: _replace_solution(c(ref), PATCH_CHECKS)}, None, "ok", 0, True)
    cases["patch_checks_class_body"] = ({NB: _replace_solution(c(ref), PATCH_IN_CLASS_BODY)}, None, "ok", 0, True)
    cases["shipped_helpers"] = ({NB: _replace_solution(c(ref), WRONG_PERCEPTRON)}, FAKE_HELPERS, "ok", 0, False)
    cases["reads_source"] = ({NB: _replace_solution(c(ref), READS_SOURCE)}, None, "ok", 0, False)
    cases["hardcoded_outputs"] = ({NB: _replace_solution(c(ref), HARDCODED)}, None, "ok", 0, False)
    return cases


def _hashes(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = make_course(tmp_path_factory.mktemp("corpus") / "course", [ASSIGNMENT])
    cases = _cases(root)
    for student, (notebooks, extra, *_) in cases.items():
        submit(root, student, ASSIGNMENT, notebooks, extra)
    before = _hashes(root / "submitted")
    start = time.perf_counter()
    results = grade.autograde(root, assignment=ASSIGNMENT, timeout=TIMEOUT, out=None)
    seconds = time.perf_counter() - start
    return root, cases, {r.student: r for r in results if r is not None}, before, seconds, len(results)


@pytest.mark.slow
def test_batch_completes_and_leaves_submissions_untouched(graded, record_property):
    root, cases, results, before, seconds, n = graded
    assert n == len(cases) and set(results) == set(cases), "every submission must end with a result"
    assert _hashes(root / "submitted") == before, "submitted/ must stay byte-for-byte as handed in"
    record_property("timing", f"grading corpus: {len(cases)} submissions in {seconds:.0f} s")


@pytest.mark.slow
@pytest.mark.parametrize("student", ["correct", "blank", "invalid_json", "renamed_copy", "duplicated_solution",
                                     "duplicated_test", "duplicated_readonly", "deleted_test", "stripped_metadata",
                                     "edited_tests", "changed_points", "loop_in_function", "loop_top_level",
                                     "os_exit", "sys_exit", "huge_output", "warning_emitting", "patch_numpy",
                                     "patch_checks", "patch_checks_class_body", "shipped_helpers", "reads_source", "hardcoded_outputs"])
def test_corpus_case(graded, student, record_property):
    root, cases, results, *_ = graded
    _, _, status, score, review = cases[student]
    r = results[student]
    record_property("timing", f"corpus {student:<20} {r.status:<8} {r.score:g}/{r.max_score:g} "
                              f"review={'yes' if r.review else 'no '} {r.seconds:5.1f} s")
    detail = f"{r.status} {r.score}/{r.max_score} review={r.review} reasons={r.reasons} repairs={r.repairs} " \
             f"flags={r.review_reasons} tests={[(t.grade_id, t.points, t.message[:120]) for t in r.tests]}"
    assert r.status == status, detail
    assert r.score == score, detail
    assert r.max_score == 6, detail
    assert r.review == review, detail
    saved = json.loads((root / "autograded" / student / ASSIGNMENT / "grading.json").read_text())
    assert saved["status"] == status and saved["score"] == score
    if status == "failed":
        assert r.reasons, "a failed submission must say why"
    if status == "repaired":
        assert r.repairs, "a repaired submission must say what was repaired"


@pytest.mark.slow
def test_specific_outcomes(graded):
    root, _, results, *_ = graded
    assert any("not valid JSON" in x for x in results["invalid_json"].reasons)
    assert any("graded 'Perceptron (1).ipynb' as 'perceptron.ipynb'" in x for x in results["renamed_copy"].repairs)
    assert any("kernel stopped" in x for x in results["os_exit"].reasons)
    assert any(f"was stopped after {TIMEOUT} s" in x for x in results["loop_top_level"].reasons)
    timed_out = [t.grade_id for t in results["loop_in_function"].tests if "did not finish" in t.message]
    assert timed_out == ["test_fit", "test_fit_behaviour"]
    assert any("isolation" in x for x in results["patch_checks"].review_reasons)
    graded_nb = (root / "autograded" / "huge_output" / ASSIGNMENT / NB).stat().st_size
    assert graded_nb < 1_000_000, f"the 30 MB print must be cut, the graded notebook is {graded_nb} bytes"
    assert not (root / "autograded" / "shipped_helpers" / ASSIGNMENT / "helpers").exists()


@pytest.mark.slow
def test_feedback_never_shows_hidden_tests(graded):
    from tools.grading import feedback

    root, _, results, *_ = graded
    hidden_source = json.loads((root / "source" / ASSIGNMENT / NB).read_text())
    hidden_lines = set()
    for cell in hidden_source["cells"]:
        src = "".join(cell["source"])
        if "BEGIN HIDDEN TESTS" in src:
            block = src.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
            hidden_lines |= {ln.strip() for ln in block.splitlines() if len(ln.strip()) > 20}
    for student in results:
        page = feedback.write(student, ASSIGNMENT, root).read_text()
        assert "BEGIN HIDDEN" not in page and "Traceback" not in page
        leaked = [ln for ln in hidden_lines if ln in page]
        assert not leaked, f"{student}: hidden test lines in feedback: {leaked[:3]}"
    page = (root / "feedback" / "hardcoded_outputs" / ASSIGNMENT / "index.html").read_text()
    assert "A hidden test failed" in page and "expected values" not in page
    page = (root / "feedback" / "blank" / ASSIGNMENT / "index.html").read_text()
    assert "not implemented yet" in page


@pytest.mark.slow
def test_class_report(graded):
    import pandas as pd

    from tools.grading import report

    root, cases, *_ = graded
    csv_path, html_path = report.write(root)
    df = pd.read_csv(csv_path)
    assert len(df) == len(cases)
    row = df.set_index("student_id").loc["os_exit"]
    assert row["status"] == "failed" and row["review"] == "yes" and row["score"] == 0
    assert f"{ASSIGNMENT}:perceptron/test_fit" in df.columns
    html = html_path.read_text()
    assert "pass rate per test" not in html or "<img" in html
    assert "Flagged and failed submissions" in html and "os_exit" in html and "invalid_json" in html
