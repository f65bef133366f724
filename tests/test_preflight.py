"""tools.grading.preflight on its own: file matching and notebook repairs, without running nbgrader."""

import json

import pytest

from tools.grading.preflight import normalized_stem, preflight, repair


@pytest.mark.parametrize("name", ["perceptron.ipynb", "Perceptron.ipynb", "perceptron (1).ipynb",
                                  "perceptron-Copy1.ipynb", "Copy of perceptron.ipynb", "PERCEPTRON copy.ipynb",
                                  "perceptron (copy).ipynb"])
def test_usual_copies_normalise_to_the_name(name):
    assert normalized_stem(name) == "perceptron"


def test_other_names_do_not():
    assert normalized_stem("perceptron_v2.ipynb") != "perceptron"
    assert normalized_stem("1_step_by_step.ipynb") != normalized_stem("2_cat_classifier.ipynb")


def _cell(kind, gid, source, **extra):
    meta = {"grade_id": gid, "schema_version": 3, "solution": kind == "solution", "grade": kind == "test",
            "locked": kind in ("test", "setup"), "task": False}
    if kind == "test":
        meta["points"] = 1
    cell = {"cell_type": "code", "id": gid, "metadata": {"nbgrader": meta}, "source": source, "outputs": [],
            "execution_count": None}
    cell.update(extra)
    return cell


def _template():
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        _cell("setup", "setup", "import numpy as np"),
        _cell("solution", "f_cell", "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()"),
        _cell("test", "test_f", '"""f doubles."""\nassert f(1) == 2'),
    ]}


def test_ambiguous_and_missing_files_fail_only_that_notebook(tmp_path):
    t = _template()
    for name in ("f (1).ipynb", "F copy.ipynb"):
        (tmp_path / name).write_text(json.dumps(t))
    result = preflight(tmp_path, {"f.ipynb": t})["f.ipynb"]
    assert result.failure.startswith("several files could be 'f.ipynb'")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "is missing" in preflight(empty, {"f.ipynb": t})["f.ipynb"].failure


def test_match_by_content_when_the_name_is_unrelated(tmp_path):
    t = _template()
    (tmp_path / "my homework.ipynb").write_text(json.dumps(t))
    result = preflight(tmp_path, {"f.ipynb": t})["f.ipynb"]
    assert result.failure is None and result.repairs == ["graded 'my homework.ipynb' as 'f.ipynb'"]


def test_duplicate_solution_keeps_the_answer_whatever_its_position():
    t = _template()
    for answer_first in (True, False):
        nb = _template()
        answer = _cell("solution", "f_cell", "def f(x):\n    return 2 * x", execution_count=3)
        stub = nb["cells"][1]
        nb["cells"][1:2] = [answer, stub] if answer_first else [stub, answer]
        fixed, repairs = repair(nb, t)
        graded = [c for c in fixed["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "f_cell"]
        assert len(graded) == 1 and "return 2 * x" in graded[0]["source"]
        assert any(c["cell_type"] == "raw" for c in fixed["cells"]), "the other copy is kept, as a raw cell"
        assert any("appeared 2 times" in r for r in repairs)


def test_stripped_solution_and_deleted_test_are_restored():
    t = _template()
    nb = _template()
    nb["cells"][1] = {"cell_type": "code", "metadata": {}, "source": "def f(x):\n    return 2 * x", "outputs": [],
                      "execution_count": 1}
    del nb["cells"][2]
    fixed, repairs = repair(nb, t)
    ids = [c["metadata"].get("nbgrader", {}).get("grade_id") for c in fixed["cells"]]
    assert ids == ["setup", "f_cell", "test_f"]
    assert "return 2 * x" in fixed["cells"][1]["source"]
    assert any("lost its nbgrader metadata" in r for r in repairs) and any("was deleted: restored" in r for r in repairs)


def test_unknown_nbgrader_cells_become_ordinary_cells():
    t = _template()
    nb = _template()
    nb["cells"].append(_cell("test", "free_points", "pass"))
    fixed, repairs = repair(nb, t)
    assert "nbgrader" not in fixed["cells"][-1]["metadata"]
    assert any("not part of the assignment" in r for r in repairs)


def test_invalid_json_and_not_a_notebook(tmp_path):
    (tmp_path / "f.ipynb").write_text('{"cells": [')
    assert "not valid JSON" in preflight(tmp_path, {"f.ipynb": _template()})["f.ipynb"].failure
    (tmp_path / "f.ipynb").write_text('{"hello": 1}')
    assert "not a Jupyter notebook" in preflight(tmp_path, {"f.ipynb": _template()})["f.ipynb"].failure
