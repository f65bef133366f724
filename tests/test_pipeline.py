"""The whole instructor and student loop in a temporary course, through real nbgrader:
generate the release, submit a reference student (the release with the source solutions filled in)
and a blank student (the release), grade both with `make autograde`'s command, export grades.
The reference student gets full marks in every test cell, the blank student 0 in every test
cell — hidden tests included — and both agree with the isolated re-run."""

import csv

import pytest

from tests.conftest import cat_data_or_skip
from tools import grade
from tools.course import assignments, load_config, notebooks
from tools.course_copy import blank_notebook, make_course, reference_notebook, submit


def _needs_cat_data(assignment):
    return any("load_cat_dataset" in nb.read_text(encoding="utf-8") for nb in notebooks(assignment))


@pytest.mark.slow
@pytest.mark.parametrize("assignment", assignments())
def test_reference_full_marks_blank_zero(assignment, tmp_path, record_property):
    if _needs_cat_data(assignment):
        cat_data_or_skip()
    root = make_course(tmp_path / "course", [assignment])
    names = [nb.name for nb in notebooks(assignment)]
    submit(root, "reference", assignment, {n: reference_notebook(root, assignment, n) for n in names})
    submit(root, "blank", assignment, {n: blank_notebook(root, assignment, n) for n in names})

    results = {r.student: r for r in grade.autograde(root, assignment=assignment, out=None)}
    for student, result in results.items():
        record_property("timing", f"grade {assignment:<24} {student:<9} {result.seconds / len(names):6.1f} s per "
                                  f"notebook (nbgrader + isolated re-run)")
    ref, blank = results["reference"], results["blank"]
    assert ref.status == "ok" and not ref.review, (ref.reasons, ref.repairs, ref.review_reasons)
    for t in ref.tests:
        assert t.points == t.max_points > 0, f"reference: {t.notebook}/{t.grade_id}: {t.message}"
        assert t.notebook_passed and t.isolated_passed, f"{t.notebook}/{t.grade_id}: {t.message}"
    assert blank.status == "ok" and not blank.review, (blank.reasons, blank.review_reasons)
    for t in blank.tests:
        assert t.points == 0 and t.notebook_passed is False and t.isolated_passed is False, \
            f"blank: {t.notebook}/{t.grade_id} passes without any work"

    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin

    config = load_config(root)
    export = tmp_path / "grades.csv"
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
        CsvExportPlugin(to=str(export)).export(gb)
    rows = {row["student_id"]: row for row in csv.DictReader(export.open()) if row["assignment"] == assignment}
    assert float(rows["reference"]["score"]) == float(rows["reference"]["max_score"]) == ref.max_score
    assert float(rows["blank"]["score"]) == 0
