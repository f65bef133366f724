"""Manually graded (written) answers through the real pipeline, on a small synthetic assignment:
one autograded function and one markdown answer the instructor scores. The source passes the
metadata test, the release keeps the prompt, the reference student gets full marks on the test
with the written answer pending (in grading.json, grades.csv, the report and the feedback), the
blank student 0, and a score the instructor enters in the gradebook replaces "pending"."""

import csv
import json

import nbformat
import pytest

from tests import test_release
from tests.test_pipeline import check_reference_and_blank
from tools import grade
from tools import release as release_tool
from tools.course import load_config
from tools.course_copy import blank_notebook, reference_notebook, submit
from tools.grading import feedback, report

ASSIGNMENT = "90_manual_example"
NB = "manual_example.ipynb"


def _cell(kind, source, cell_id, **nbgrader):
    cell = (nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell)(source)
    cell.id = cell_id
    if nbgrader:
        meta = {"grade": False, "locked": False, "schema_version": 3, "solution": False, "task": False, **nbgrader}
        cell.metadata["nbgrader"] = meta
        if meta["locked"]:
            cell.metadata.update(deletable=False, editable=False)
    return cell


def synthetic_notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nb.cells = [
        _cell("markdown", "# A synthetic assignment\n\nOne function and one written answer.", "intro"),
        _cell("code", "import numpy as np\n\nfrom helpers import checks", "setup", grade_id="setup", locked=True),
        _cell("markdown", "## 1. Double\n\n`double(x)` returns $2x$ for an array `x` of any shape.", "explain"),
        _cell("code", 'def double(x):\n    """2 x, same shape as x."""\n    ### BEGIN SOLUTION\n    return 2 * x\n'
                      "    ### END SOLUTION", "solution", grade_id="double", solution=True),
        _cell("code", '"""double doubles every entry."""\nx = np.arange(6.0).reshape(2, 3)\n'
                      'checks.expect("double(x)", checks.run(double, x), 2 * x)\n### BEGIN HIDDEN TESTS\n'
                      'x = np.linspace(-1, 1, 7)\nchecks.expect("double(x)", checks.run(double, x), 2 * x)\n'
                      "### END HIDDEN TESTS", "test", grade_id="test_double", grade=True, locked=True, points=2),
        _cell("markdown", "**Question (3 points):** why is `double` linear?\n\n### BEGIN SOLUTION\n"
                          "Because 2(a x + b y) = a 2x + b 2y.\n### END SOLUTION", "answer",
              grade_id="why_linear", grade=True, solution=True, points=3),
    ]
    nbformat.validate(nb)
    return nb


@pytest.mark.slow
def test_manual_answer_is_pending_through_the_pipeline(tmp_path):
    root = tmp_path / "course"
    source = root / "source" / ASSIGNMENT / NB
    source.parent.mkdir(parents=True)
    nbformat.write(synthetic_notebook(), source)
    test_release.test_source_notebook_metadata(source)  # the course's metadata rules accept the written answer
    release_tool.generate([ASSIGNMENT], root=root)
    released = json.loads((root / "release" / ASSIGNMENT / NB).read_text())
    answer = next(c for c in released["cells"] if c.get("id") == "answer")
    assert "".join(answer["source"]).startswith("**Question (3 points):** why is `double` linear?")
    assert "YOUR ANSWER HERE" in "".join(answer["source"]) and "2(a x" not in "".join(answer["source"])

    submit(root, "reference", ASSIGNMENT, {NB: reference_notebook(root, ASSIGNMENT, NB)})
    submit(root, "blank", ASSIGNMENT, {NB: blank_notebook(root, ASSIGNMENT, NB)})
    results = {r.student: r for r in grade.autograde(root, assignment=ASSIGNMENT, out=None)}
    ref, blank = results["reference"], results["blank"]
    check_reference_and_blank(root, ASSIGNMENT, ref, blank, tmp_path)
    assert (ref.score, ref.max_score, ref.pending_points) == (2, 5, 3)
    written = next(t for t in ref.tests if t.manual)
    assert written.description == "Question (3 points): why is double linear?"
    blank_written = next(t for t in blank.tests if t.manual)
    assert blank_written.points == 0 and not blank_written.pending  # left as released: nbgrader scores 0

    saved = json.loads((root / "autograded" / "reference" / ASSIGNMENT / "grading.json").read_text())
    assert [(t["grade_id"], t["points"], t["pending"]) for t in saved["tests"]] == \
        [("test_double", 2.0, False), ("why_linear", None, True)]

    csv_path, html_path = report.write(root)
    rows = {r["student_id"]: r for r in csv.DictReader(csv_path.open())}
    column = f"{ASSIGNMENT}:manual_example/why_linear"
    assert rows["reference"][column] == "pending" and float(rows["reference"]["pending_points"]) == 3
    assert float(rows["reference"]["score"]) == 2 and float(rows["blank"][column]) == 0
    assert "waiting for manual grading" in html_path.read_text()

    page = feedback.render(saved)
    assert "pending" in page and "2 / 5" in page and "3 points for written answers not graded yet" in page

    # The instructor scores the answer (formgrader writes manual_score); grading again keeps it.
    from nbgrader.api import Gradebook

    config = load_config(root)
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
        gb.find_grade("why_linear", "manual_example", ASSIGNMENT, "reference").manual_score = 2.5
        gb.db.commit()
    again = grade.autograde(root, assignment=ASSIGNMENT, student="reference", out=None)[0]
    assert (again.score, again.max_score, again.pending_points) == (4.5, 5, 0)
    assert next(t for t in again.tests if t.manual).points == 2.5
