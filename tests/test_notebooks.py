"""Every notebook runs top to bottom, shows what it promises, and its tests fail on the blank version.

* source notebooks (the solutions) execute without a single error, within a time budget, and
  print the numbers their assignment promises;
* release notebooks (what students get): every grade cell fails while the exercises are blank,
  so no test passes without work;
* companion notebooks in notebooks/ execute without error.
"""

import re

import pytest

from tests.conftest import cat_data_or_skip
from tests.nbrun import error_of, execute, is_grade_cell, text_outputs
from tools.course import COURSE_ROOT, assignments, notebooks

# What each notebook must show (regular expressions over its text output) and its time budget (s).
EXPECTATIONS = {
    "01_perceptron/perceptron.ipynb": {
        "budget": 60,
        "shows": [r"Weights: \[-0\.4\s+-0\.68\s+1\.82\]", r"Misclassifications per epoch: \[2, 2, 3, 2, 1, 0, 0, 0, 0, 0\]",
                  r"No misclassifications from epoch 6 on", r"Misclassifications in the last 10 epochs: \[[1-9]"],
    },
    "02_adaline/adaline.ipynb": {
        "budget": 60,
        "shows": [r"eta = 0\.01\s*: cost_\[:3\] = \[50\.0, 2232\.17, 3477149\.58\]", r"50, 2\.23e\+03, 3\.48e\+06",
                  r"eta = 0\.0001: cost_\[:3\] = \[50\.0, 48\.07, 46\.75\]", r"Training accuracy: 100\.0 %"],
    },
    "03_logistic_regression/logistic_regression.ipynb": {
        "budget": 60,
        "shows": [r"train_x: \(12288, 209\)", r"Cost after iteration 0: 0\.693147",
                  r"Cost after iteration 1900: 0\.14\d+", r"train accuracy: 99\.04 %", r"test accuracy: 70\.00 %",
                  r"learning rate 0\.01\s*: cost after iteration 1400: 0\.09\d+, train 99\.52 %, test 68\.00 %",
                  r"learning rate 0\.001\s*: cost after iteration 1400: 0\.37\d+, train 89\.00 %, test 64\.00 %",
                  r"learning rate 0\.0001: cost after iteration 1400: 0\.57\d+, train 68\.42 %, test 36\.00 %",
                  r"the vectorised propagate is [\d,]+x faster", r"np\.dot is [\d,]+x faster",
                  r"squared error: .* NOT convex", r"15 of 50 test images misclassified",
                  r"scikit-learn, C = 1: train \d+\.\d+ %, test \d+\.\d+ %"],
    },
    "04_shallow_network/shallow_network.ipynb": {
        "budget": 120,
        "shows": [r"Logistic regression \(scikit-learn\) on the flower: accuracy 4[5-9]\.\d\d %",
                  r"Cost after iteration 9000: 0\.2\d+",
                  r"Network with 4 tanh hidden units, 10000 iterations: accuracy (8[89]|9[0-2])\.\d\d %",
                  r"hidden units \| train accuracy \| new-flower accuracy",
                  r"\n\s+1 \|\s+6\d\.\d\d % \|", r"\n\s+2 \|\s+6\d\.\d\d % \|",
                  r"\n\s+4 \|\s+(8[89]|9[0-2])\.\d\d % \|", r"\n\s+50 \|\s+(8[89]|9[0-2])\.\d\d % \|",
                  r"constant 0\.5: accuracy .*largest difference between the rows of W1: 0\n",
                  r"three linear layers vs one: \d(\.\d+)?e-1[3-7]"],
    },
}
DEFAULT_BUDGET = 60

SOURCE = [nb for a in assignments() for nb in notebooks(a)]
COMPANIONS = sorted((COURSE_ROOT / "notebooks").glob("*.ipynb"))


def _key(path):
    return f"{path.parent.name}/{path.name}"


def _needs_cat_data(path):
    return "load_cat_dataset" in path.read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("path", SOURCE + COMPANIONS, ids=_key)
def test_notebook_runs_top_to_bottom(path, tmp_path, record_property):
    if _needs_cat_data(path):
        cat_data_or_skip()
    nb, seconds = execute(path, tmp_path)
    record_property("timing", f"{_key(path):<48} executed in {seconds:6.1f} s")
    expectation = EXPECTATIONS.get(_key(path), {})
    budget = expectation.get("budget", DEFAULT_BUDGET)
    assert seconds < budget, f"{_key(path)} took {seconds:.0f} s; its budget is {budget} s"
    text = text_outputs(nb)
    for pattern in expectation.get("shows", []):
        assert re.search(pattern, text), f"{_key(path)} does not show {pattern!r}"


@pytest.mark.slow
@pytest.mark.parametrize("path", SOURCE, ids=_key)
def test_every_grade_cell_fails_on_the_blank_release(path, tmp_path):
    if _needs_cat_data(path):
        cat_data_or_skip()
    released = COURSE_ROOT / "release" / path.parent.name / path.name
    nb, _ = execute(released, tmp_path, allow_errors=True)
    passing = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if is_grade_cell(c) and error_of(c) is None]
    assert not passing, f"these tests pass on the blank notebook, so they prove nothing: {passing}"
