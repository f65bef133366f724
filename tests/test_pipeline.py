"""The whole instructor and student loop in a temporary course, through real nbgrader:
generate the release, submit a reference student (the release with the source solutions filled in)
and a blank student (the release), grade both with `make autograde`'s command, export grades.
The reference student gets full marks in every test cell, the blank student 0 in every test
cell — hidden tests included — and both agree with the isolated re-run. Manually graded answers
(written answers the instructor scores) are pending for the reference student and 0 or pending
for the blank one; :func:`check_reference_and_blank` is shared with the synthetic assignment's test."""

import csv

import pytest

from tests.conftest import data_used_or_skip
from tools import grade
from tools.course import assignments, load_config, notebooks
from tools.course_copy import blank_notebook, make_course, reference_notebook, submit


@pytest.mark.slow
@pytest.mark.parametrize("assignment", assignments())
def test_reference_full_marks_blank_zero(assignment, tmp_path, record_property):
    data_used_or_skip("\n".join(nb.read_text(encoding="utf-8") for nb in notebooks(assignment)))
    root = make_course(tmp_path / "course", [assignment])
    names = [nb.name for nb in notebooks(assignment)]
    submit(root, "reference", assignment, {n: reference_notebook(root, assignment, n) for n in names})
    submit(root, "blank", assignment, {n: blank_notebook(root, assignment, n) for n in names})

    results = {r.student: r for r in grade.autograde(root, assignment=assignment, out=None)}
    for student, result in results.items():
        record_property("timing", f"grade {assignment:<24} {student:<9} {result.seconds / len(names):6.1f} s per "
                                  f"notebook (nbgrader + isolated re-run)")
    check_reference_and_blank(root, assignment, results["reference"], results["blank"], tmp_path)


def check_reference_and_blank(root, assignment, ref, blank, tmp_path):
    """Reference: full marks on every autograded test, manual answers pending. Blank: 0 on every
    autograded test, manual answers 0 (left as released) or pending. nbgrader's export agrees."""
    assert ref.status == "ok" and not ref.review, (ref.reasons, ref.repairs, ref.review_reasons)
    for t in ref.tests:
        if t.manual:
            assert t.pending and t.points is None and t.max_points > 0, f"reference: {t.notebook}/{t.grade_id}"
            continue
        assert t.points == t.max_points > 0, f"reference: {t.notebook}/{t.grade_id}: {t.message}"
        assert t.notebook_passed and t.isolated_passed, f"{t.notebook}/{t.grade_id}: {t.message}"
    manual_max = sum(t.max_points for t in ref.tests if t.manual)
    assert ref.pending_points == manual_max and ref.score == ref.max_score - manual_max
    assert blank.status == "ok" and not blank.review, (blank.reasons, blank.review_reasons)
    for t in blank.tests:
        if t.manual:
            assert t.points == 0 or t.pending, f"blank: {t.notebook}/{t.grade_id} scores without any work"
            continue
        assert t.points == 0 and t.notebook_passed is False and t.isolated_passed is False, \
            f"blank: {t.notebook}/{t.grade_id} passes without any work"
    assert blank.score == 0

    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin

    config = load_config(root)
    export = tmp_path / "grades.csv"
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
        CsvExportPlugin(to=str(export)).export(gb)
    rows = {row["student_id"]: row for row in csv.DictReader(export.open()) if row["assignment"] == assignment}
    assert float(rows["reference"]["max_score"]) == ref.max_score
    assert float(rows["reference"]["score"]) == ref.score  # nbgrader counts an ungraded answer as 0 until graded
    assert float(rows["blank"]["score"]) == 0
