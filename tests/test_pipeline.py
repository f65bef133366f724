"""The whole instructor and student loop in a temporary course, through real nbgrader:
generate the release, submit a reference student (the source solutions) and a blank student (the
release), autograde both, export grades. The reference student gets full marks in every test cell,
the blank student 0 in every test cell — hidden tests included."""

import csv
import shutil

import pytest

from tests.conftest import cat_data_or_skip
from tools import grade
from tools import release as release_tool
from tools.course import COURSE_ROOT, assignments, load_config, notebooks


def _needs_cat_data(assignment):
    return any("load_cat_dataset" in nb.read_text(encoding="utf-8") for nb in notebooks(assignment))


@pytest.mark.slow
@pytest.mark.parametrize("assignment", assignments())
def test_reference_full_marks_blank_zero(assignment, tmp_path, record_property):
    if _needs_cat_data(assignment):
        cat_data_or_skip()
    root = tmp_path / "course"
    shutil.copytree(COURSE_ROOT / "source" / assignment, root / "source" / assignment)
    release_tool.generate([assignment], root=root)
    for student, folder in (("reference", "source"), ("blank", "release")):
        target = root / "submitted" / student / assignment
        target.mkdir(parents=True)
        for nb in (root / folder / assignment).glob("*.ipynb"):
            shutil.copy(nb, target / nb.name)

    results = grade.autograde(root, assignment=assignment)
    assert all(ok for _, _, ok, _, _ in results), [error for *_, error in results]
    n_notebooks = len(notebooks(assignment))
    for student, _, _, seconds, _ in results:
        record_property("timing", f"autograde {assignment:<24} {student:<9} {seconds / n_notebooks:6.1f} s per notebook")

    from nbgrader.api import Gradebook

    config = load_config(root)
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
        for student, want_full in (("reference", True), ("blank", False)):
            submission = gb.find_submission(assignment, student)
            for nb in submission.notebooks:
                for g in nb.grades:
                    expected = g.max_score if want_full else 0
                    assert g.auto_score == expected, (
                        f"{student}: {nb.name}/{g.name} scored {g.auto_score} of {g.max_score}, expected {expected}")
            assert submission.max_score > 0

    rows = list(csv.DictReader(grade.export_csv(root).open()))
    scores = {row["student_id"]: (float(row["score"]), float(row["max_score"])) for row in rows
              if row["assignment"] == assignment}
    assert scores["reference"][0] == scores["reference"][1] > 0
    assert scores["blank"][0] == 0
