"""helpers.notebooks.load_checked_definitions: the functions 05's second notebook takes from its first,
each tried on a stored example, and broken ones replaced by stand-ins that say what to fix."""

import numpy as np
import pytest

from helpers.notebooks import NotebookImportError, load_checked_definitions
from tests.test_notebook_definitions import _nb

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
