"""helpers.notebooks: loading what a notebook defines, and clear errors when it cannot."""

import json

import numpy as np
import pytest

from helpers.notebooks import NotebookImportError, definitions, load_checked_definitions, load_definitions


def _nb(tmp_path, *cells, name="nb.ipynb"):
    nb = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    for kind, source in cells:
        meta = {"solution": kind == "solution", "grade": kind == "test", "locked": kind in ("setup", "test"),
                "grade_id": f"c{len(nb['cells'])}", "schema_version": 3}
        nb["cells"].append({"cell_type": "code", "source": source, "metadata": {"nbgrader": meta},
                            "outputs": [], "execution_count": None, "id": f"c{len(nb['cells'])}"})
    path = tmp_path / name
    path.write_text(json.dumps(nb))
    return path


def test_definitions_keep_only_imports_defs_classes_and_constants():
    code = "import numpy as np\nEPS = 1e-8\nx = np.ones(3)\nprint('training...')\n%timeit f()\n" \
           "def f(a):\n    return a\n\nclass C:\n    pass\nf(2)\n"
    kept = definitions(code)
    assert "import numpy as np" in kept and "EPS = 1e-8" in kept and "def f" in kept and "class C" in kept
    assert "print" not in kept and "np.ones" not in kept and "timeit" not in kept


def test_load_definitions_from_solution_and_setup_cells(tmp_path):
    path = _nb(tmp_path, ("setup", "import numpy as np"), ("solution", "def double(x):\n    return 2 * np.asarray(x)"),
               ("test", "assert False"), ("code", "def scratch():\n    pass"))
    ns = load_definitions(path, names=["double"])
    assert list(ns.double([1, 2])) == [2, 4]
    assert not hasattr(ns, "scratch")


def test_missing_name_syntax_error_and_bad_json(tmp_path):
    path = _nb(tmp_path, ("solution", "def a():\n    pass"))
    with pytest.raises(NotebookImportError, match="does not define b"):
        load_definitions(path, names=["a", "b"])
    bad = _nb(tmp_path, ("solution", "def a(:\n"), name="bad.ipynb")
    with pytest.raises(NotebookImportError, match="cell 1 of bad.ipynb has a syntax error at line 1"):
        load_definitions(bad)
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{not json")
    with pytest.raises(NotebookImportError, match="invalid JSON"):
        load_definitions(broken)
    with pytest.raises(NotebookImportError, match="does not exist"):
        load_definitions(tmp_path / "nowhere.ipynb")


def test_failing_definition_is_reported(tmp_path):
    path = _nb(tmp_path, ("solution", "import not_a_module_anywhere"))
    with pytest.raises(NotebookImportError, match="ModuleNotFoundError"):
        load_definitions(path)


# --------------------------------------------------------------------------------------------
# load_checked_definitions: the blocks 05's second notebook takes from its first
# --------------------------------------------------------------------------------------------
EXAMPLES = {
    "examples/double/args/0": np.array([1.0, 2.0]),
    "examples/double/out": np.array([2.0, 4.0]),
    "examples/pair/args/0": np.array([[1.0]]),
    "examples/pair/args/1": np.array([3.0]),
    "examples/pair/out/0": np.array([[1.0]]),
    "examples/pair/out/1/k": np.array([3.0]),
    "examples/quad/args/0": 2.0,
    "examples/quad/out": 8.0,
}
GOOD = "def double(x):\n    return 2 * np.asarray(x)\n\n" \
       "def pair(a, b):\n    return a, {'k': b}\n\n" \
       "def quad(x):\n    return float(double(double(x)))"


def test_checked_definitions_all_working(tmp_path, capsys):
    path = _nb(tmp_path, ("setup", "import numpy as np"), ("solution", GOOD))
    ns = load_checked_definitions(path, ["double", "pair", "quad"], examples=EXAMPLES)
    assert ns.quad(1.0) == 4.0
    assert "all work on their examples" in capsys.readouterr().out


@pytest.mark.parametrize("broken, reason", [
    ("def double(x):\n    raise NotImplementedError()", "not implemented yet"),
    ("def double(x):\n    return 3 * np.asarray(x)", "wrong values"),
    ("def double(x):\n    return np.asarray(x)[None] * 2", "expected shape (2,), got shape (1, 2)"),
    ("def double(x):\n    return x + undefined_name", "NameError"),
    ("def twice(x):\n    return 2 * x", "does not define double"),
])
def test_checked_definitions_replace_broken_blocks_by_stand_ins(tmp_path, capsys, broken, reason):
    source = GOOD.replace("def double(x):\n    return 2 * np.asarray(x)", broken)
    path = _nb(tmp_path, ("setup", "import numpy as np"), ("solution", source), name="part1.ipynb")
    ns = load_checked_definitions(path, ["double", "pair", "quad"], examples=EXAMPLES)
    shown = capsys.readouterr().out
    assert "2 of 3 functions from part1.ipynb do not work yet" in shown and reason in shown
    assert "quad: it calls double, which does not work yet" in shown
    with pytest.raises(NotebookImportError, match="fix double in part1.ipynb first") as error:
        ns.double(1.0)
    assert error.value.block == "double"
    with pytest.raises(NotebookImportError, match="fix quad in part1.ipynb first: it calls double"):
        ns.quad(1.0)
    assert ns.pair(np.array([[1.0]]), np.array([3.0]))[1]["k"][0] == 3.0  # unaffected


def test_checked_definitions_scalar_where_array_and_missing_file(tmp_path, capsys):
    path = _nb(tmp_path, ("setup", "import numpy as np"),
               ("solution", GOOD.replace("return float(double(double(x)))", "return np.array([[8.0]])")))
    ns = load_checked_definitions(path, ["double", "pair", "quad"], examples=EXAMPLES)
    assert "quad(...): expected a single number (shape ()), got shape (1, 1)" in capsys.readouterr().out
    with pytest.raises(NotebookImportError, match="fix quad"):
        ns.quad(2.0)
    ns = load_checked_definitions(tmp_path / "missing.ipynb", ["double"], examples=EXAMPLES)
    assert "missing.ipynb does not exist" in capsys.readouterr().out
    with pytest.raises(NotebookImportError, match="fix double in missing.ipynb first: .*does not exist"):
        ns.double(1.0)
