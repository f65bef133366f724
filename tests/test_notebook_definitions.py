"""helpers.notebooks: loading what a notebook defines, and clear errors when it cannot."""

import json

import pytest

from helpers.notebooks import NotebookImportError, definitions, load_definitions


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


def test_loaded_functions_keep_their_builtins(tmp_path):
    # Functions run with the loaded namespace as globals; removing its __builtins__ broke numpy's
    # lazy imports (KeyError: '__builtins__') on first use.
    path = _nb(tmp_path, ("solution", "def total(x):\n    return len(x) + sum(x)"))
    assert load_definitions(path).total([1, 2]) == 5
