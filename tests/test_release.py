"""release/ and the notebooks' nbgrader metadata: generated, well-formed, and leak-free."""

import ast
import json
import re
import shutil

import nbformat
import pytest

from helpers.notebooks import nbgrader_meta
from tools import release as release_tool
from tools.build_reference import differences, spec_path
from tools.course import COURSE_ROOT, assignments, notebooks

ASSIGNMENTS = assignments()
SOURCE_NOTEBOOKS = [nb for a in ASSIGNMENTS for nb in notebooks(a)]
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")




def _id(path):
    return f"{path.parent.name}/{path.name}"


def _regions(source, begin, end):
    """Lines strictly inside ``### BEGIN x`` / ``### END x`` markers."""
    inside, out = False, []
    for line in source.splitlines():
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif inside:
            out.append(line)
    return out


def secret_regions(nb, kinds=("SOLUTION", "HIDDEN TESTS")):
    """Solution regions and/or hidden-test blocks of a source notebook, each a list of lines."""
    regions = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            for kind in kinds:
                for block in re.findall(rf"### BEGIN {kind}\n(.*?)### END {kind}", cell.source, flags=re.S):
                    regions.append(block.splitlines())
    return regions


def public_lines(nb):
    """Lines of a source notebook outside any solution or hidden-test region (what students see)."""
    public = []
    for cell in nb.cells:
        text = cell.source
        for begin, end in (("BEGIN SOLUTION", "END SOLUTION"), ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS")):
            text = re.sub(rf"### {begin}.*?### {end}", "", text, flags=re.S)
        public += text.splitlines()
    return {line.strip() for line in public}


def significant(line):
    s = line.strip()
    return len(s) >= 16 and not s.startswith("#") and not s.startswith(('"""', "'''"))


def test_every_assignment_has_a_release_and_a_reference_spec():
    assert ASSIGNMENTS, "no assignments under source/"
    for assignment in ASSIGNMENTS:
        assert (COURSE_ROOT / "release" / assignment).is_dir(), f"run `make release`: release/{assignment} is missing"
        assert spec_path(assignment).exists(), f"tools/references/{assignment}.py is missing"


@pytest.mark.slow
def test_release_equals_a_fresh_generate_assignment(tmp_path):
    shutil.copytree(COURSE_ROOT / "source", tmp_path / "source")
    release_tool.generate(ASSIGNMENTS, root=tmp_path)
    for assignment in ASSIGNMENTS:
        fresh = tmp_path / "release" / assignment
        committed = COURSE_ROOT / "release" / assignment
        fresh_files = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
        committed_files = sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
        assert fresh_files == committed_files, f"release/{assignment}: files differ; run `make release`"
        for rel in fresh_files:
            assert (fresh / rel).read_bytes() == (committed / rel).read_bytes(), \
                f"release/{assignment}/{rel} is out of date with source/: run `make release`"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_reference_outputs_match_the_source_solutions(assignment):
    assert differences(assignment) == [], "data/reference is out of date: run `make release`"


@pytest.mark.parametrize("path", SOURCE_NOTEBOOKS, ids=_id)
def test_source_notebook_metadata(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert not any(c.get("outputs") for c in code_cells), "source notebooks are committed without outputs"
    first = nbgrader_meta(code_cells[0])
    assert first.get("locked") and not first.get("grade") and not first.get("solution"), \
        "the first code cell must be the read-only setup (imports) cell"

    ids = [nbgrader_meta(c)["grade_id"] for c in nb.cells if nbgrader_meta(c)]
    assert len(ids) == len(set(ids)), f"duplicate grade ids: {sorted({i for i in ids if ids.count(i) > 1})}"
    cell_ids = [c.get("id") for c in nb.cells]
    assert len(cell_ids) == len(set(cell_ids))

    grade_cells = [c for c in nb.cells if nbgrader_meta(c).get("grade")]
    assert grade_cells, "an assignment needs tests"
    for cell in grade_cells:
        meta = nbgrader_meta(cell)
        gid = meta["grade_id"]
        if meta.get("solution"):
            check_manual_answer_cell(cell)
            continue
        assert cell.cell_type == "code", f"{gid}: tests are code cells (a written answer is a markdown solution cell)"
        assert meta.get("locked") is True, f"{gid}: a test cell must be locked"
        assert float(meta.get("points", 0)) > 0, f"{gid}: a test cell must be worth points"
        first_line = cell.source.splitlines()[0]
        assert re.fullmatch(r'""".+\."""', first_line), f"{gid}: start with a one-line docstring saying what it checks"
        assert not re.search(r"BEGIN SOLUTION", cell.source), f"{gid}: no solution regions in tests"
        assert "### BEGIN HIDDEN TESTS" in cell.source, \
            f"{gid}: every test needs a hidden part on other inputs, or hard-coding the visible answers scores"

    solution_cells = [i for i, c in enumerate(nb.cells) if nbgrader_meta(c).get("solution")]
    assert solution_cells, "an assignment needs exercises"
    for i in solution_cells:
        cell = nb.cells[i]
        gid = nbgrader_meta(cell)["grade_id"]
        if nbgrader_meta(cell).get("grade"):
            continue  # a written answer: its own prompt and grade (check_manual_answer_cell)
        assert cell.source.count("### BEGIN SOLUTION") == cell.source.count("### END SOLUTION") >= 1, gid
        assert "HIDDEN TESTS" not in cell.source, gid
        before = nb.cells[:i]
        last_graded = max([j for j, c in enumerate(before) if nbgrader_meta(c).get("grade") or nbgrader_meta(c).get("solution")],
                          default=-1)
        assert any(c.cell_type == "markdown" for c in before[last_graded + 1:]), \
            f"{gid}: explain the exercise (with its maths) in a markdown cell before the solution cell"
        after = nb.cells[i + 1:]
        next_solution = next((j for j, c in enumerate(after) if nbgrader_meta(c).get("solution")), len(after))
        assert any(nbgrader_meta(c).get("grade") for c in after[:next_solution]), \
            f"{gid}: a solution cell must be followed by its test cell(s) before the next exercise"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.source.count("BEGIN HIDDEN TESTS") == cell.source.count("END HIDDEN TESTS")
            if "HIDDEN TESTS" in cell.source:
                assert nbgrader_meta(cell).get("grade"), "hidden tests belong in grade cells"


def check_manual_answer_cell(cell):
    """A manually graded (written) answer: a markdown cell with nbgrader ``solution`` and ``grade``,
    worth points, that the student can edit, whose first line is a one-line prompt saying what is
    asked (it stays in the release) and whose model answer sits inside the solution markers (the
    instructor's grading guide; the release shows YOUR ANSWER HERE there). No hidden tests: nothing runs."""
    meta = nbgrader_meta(cell)
    gid = meta["grade_id"]
    assert cell.cell_type == "markdown", f"{gid}: a manually graded answer is a markdown cell"
    assert float(meta.get("points", 0)) > 0, f"{gid}: a manually graded answer must be worth points"
    assert not meta.get("locked"), f"{gid}: the student writes in a manually graded answer: it cannot be locked"
    lines = cell.source.splitlines()
    first = lines[0].strip() if lines else ""
    assert first and "SOLUTION" not in first and re.fullmatch(r".*\w.*[.?:][*_]*", first), \
        f"{gid}: start with a one-line prompt saying what is asked (ending with '.', '?' or ':')"
    assert cell.source.count("### BEGIN SOLUTION") == cell.source.count("### END SOLUTION") == 1, \
        f"{gid}: put the model answer between ### BEGIN SOLUTION and ### END SOLUTION, after the prompt"
    assert "HIDDEN TESTS" not in cell.source, f"{gid}: a written answer has no hidden tests"


def _release_texts():
    return {p: p.read_text(encoding="utf-8") for p in (COURSE_ROOT / "release").rglob("*") if p.is_file()}


def test_no_markers_in_release():
    for path, text in _release_texts().items():
        for marker in MARKERS:
            assert marker not in text, f"{path.relative_to(COURSE_ROOT)} contains {marker!r}"


def _lines_by_file(paths):
    out = {}
    for path in paths:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".ipynb":
            text = "\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                             for c in json.loads(text)["cells"])
        out[path] = {line.strip() for line in text.splitlines()}
    return out


def _release_assignment(path):
    """The assignment a release file belongs to (release/<assignment>/...), or None for helpers/."""
    rel = path.relative_to(COURSE_ROOT).parts
    return rel[1] if rel[0] == "release" else None


def test_no_solution_or_hidden_test_text_in_release_or_helpers():
    """A solution or hidden-test line must not reach its own release notebook or helpers/ (line by line),
    and no solution region or hidden block may be copied into another assignment's release (2+ lines
    of the same region: single generic lines like `for i in range(num_iterations):` may recur).

    One exception, in assignment order (the design's "code that an earlier assignment graded"): a
    *later* assignment's release may give an earlier assignment's solutions read-only. Hidden tests
    are never given anywhere, and helpers/ never holds a solution."""
    releases = _lines_by_file(p for p in (COURSE_ROOT / "release").rglob("*") if p.is_file())
    helpers = _lines_by_file((COURSE_ROOT / "helpers").rglob("*.py"))
    leaks = []
    for path in SOURCE_NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        public = public_lines(nb)
        own = COURSE_ROOT / "release" / path.parent.name / path.name
        graded_in = path.parent.name
        places = list(releases.items()) + list(helpers.items())
        for kind in ("SOLUTION", "HIDDEN TESTS"):
            # where may a region of this kind not appear? a solution may appear in a later assignment's release
            banned = [(w, f) for w, f in places
                      if kind == "HIDDEN TESTS" or _release_assignment(w) is None or _release_assignment(w) <= graded_in]
            for region in secret_regions(nb, kinds=(kind,)):
                lines = [ln.strip() for ln in region if significant(ln) and ln.strip() not in public]
                leaks += _leaked(path, own, lines, banned)
    assert not leaks, "solution or hidden-test lines leaked:\n" + "\n".join(leaks)


def _leaked(path, own, lines, places):
    out = []
    for where, found in places:
        hits = sorted({ln for ln in lines if ln in found})  # distinct lines: a loop header may recur in a block
        same_place = where == own or where.suffix == ".py"
        if hits and (same_place or len(hits) >= 2):
            out.append(f"{_id(path)}: {hits[:3]} appear in {where.relative_to(COURSE_ROOT)}")
    return out


# Graded names that helpers.checks also defines as the course's own *test tools*, with another meaning.
# 06_regularization/3_gradient_checking has students write gradient checking themselves, and the design fixes
# these two names; the course's tests keep their own versions because a test must not rely on the code it
# grades. Such a name may stay only if (1) the helpers version is a test tool in helpers.checks, (2) it does
# not compute what the graded function computes (another signature, or another result on the probe below),
# and (3) the notebook's hidden tests refuse a graded function that reaches anything in helpers.
# {name: (notebook that grades it, how the helpers version differs)}
TEST_TOOL_NAMES = {
    "gradient_check": ("06_regularization/3_gradient_checking.ipynb",
                       "checks.gradient_check(name, f, params, grads, ...) checks a backward function and fails with "
                       "a message; the graded gradient_check(x, theta, epsilon) returns a number"),
    "relative_error": ("06_regularization/3_gradient_checking.ipynb",
                       "checks.relative_error(a, b) is the norm ratio ||a - b|| / (||a|| + ||b||); the graded one "
                       "is the worst element-wise |a_i - b_i| / max(1e-8, |a_i| + |b_i|)"),
}


def _graded_definitions():
    """{name: [(notebook path, solution cell source)]} for every function or class a solution cell defines."""
    graded = {}
    for path in SOURCE_NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            if nbgrader_meta(cell).get("solution") and cell.cell_type == "code":  # not written answers
                tree = ast.parse("\n".join(ln for ln in cell.source.splitlines() if not ln.lstrip().startswith("%")))
                for n in tree.body:
                    if isinstance(n, (ast.FunctionDef, ast.ClassDef)):
                        graded.setdefault(n.name, []).append((path, n))
    return graded


def test_helpers_define_no_graded_function():
    import helpers.checks
    import helpers.data
    import helpers.notebooks
    import helpers.plots

    graded = _graded_definitions()
    for module in (helpers.checks, helpers.data, helpers.notebooks, helpers.plots):
        allowed = TEST_TOOL_NAMES if module is helpers.checks else {}
        clash = sorted(n for n in graded if hasattr(module, n) and n not in allowed)
        assert not clash, f"{module.__name__} defines graded names {clash}"


def test_test_tool_names_differ_from_the_graded_functions():
    """Each allowed clash is real (graded in its notebook, defined in helpers.checks) and means something else."""
    import inspect

    import numpy as np

    import helpers.checks
    from helpers.notebooks import load_definitions

    graded = _graded_definitions()
    probe_a, probe_b = np.array([1.0, 0.0, 1e-12, 2.0]), np.array([1.1, 0.0, 0.0, 2.0])
    for name, (notebook, _why) in TEST_TOOL_NAMES.items():
        places = [_id(path) for path, _ in graded.get(name, [])]
        assert places == [notebook], f"{name}: graded in {places}, the allow-list says {notebook}"
        tool = getattr(helpers.checks, name, None)
        assert callable(tool), f"helpers.checks.{name} no longer exists: drop it from TEST_TOOL_NAMES"
        path, node = graded[name][0]
        graded_params = [a.arg for a in node.args.args]
        tool_params = list(inspect.signature(tool).parameters)
        if graded_params != tool_params:
            continue
        student = getattr(load_definitions(path), name)
        assert not np.isclose(tool(probe_a, probe_b), student(probe_a, probe_b)), \
            f"helpers.checks.{name} computes what the graded {name} computes: it would give the answer away"


@pytest.mark.parametrize("path", SOURCE_NOTEBOOKS, ids=_id)
def test_release_keeps_tests_locked_and_stubs_solutions(path):
    released = nbformat.read(COURSE_ROOT / "release" / path.parent.name / path.name, as_version=4)
    for cell in released.cells:
        meta = nbgrader_meta(cell)
        if meta.get("solution") and cell.cell_type == "markdown":
            assert "YOUR ANSWER HERE" in cell.source and cell.metadata.get("editable") is not False
        elif meta.get("solution"):
            assert "raise NotImplementedError()" in cell.source
        elif meta.get("grade"):
            assert meta.get("locked") and cell.metadata.get("editable") is False


def _normalized(text):
    return re.sub(r"\s+", " ", text).strip()


def _visible_text(path):
    """Everything a student reads in a release notebook, whitespace folded: markdown, test cells (with their
    hint strings and docstrings), given code, and the stubs' docstrings."""
    nb = nbformat.read(path, as_version=4)
    return _normalized("\n".join(cell.source for cell in nb.cells))


def _quoted(line, text):
    """``line`` occurs in ``text`` as a whole expression (not as the start of ``return parameters, costs``)."""
    return re.search(rf"(?<![\w.]){re.escape(line)}(?![\w(\[.,])", text) is not None


def test_no_solution_line_inside_hints_docstrings_or_exercise_text():
    """The whole-line check above misses a solution line quoted *inside* a hint string, a docstring or an
    exercise's markdown (e.g. hint="... use W1 = rng.randn(n_h, n_x) * 0.01"). A student could fail on purpose
    and copy it. Here no significant solution line may occur even inside a line of the visible text of its
    own release notebook (other notebooks: the whole-line rule above, since generic lines recur)."""
    leaks = []
    for path in SOURCE_NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        public = {_normalized(line) for line in public_lines(nb)}
        lines = {_normalized(ln) for region in secret_regions(nb, kinds=("SOLUTION",)) for ln in region
                 if significant(ln)}
        own = COURSE_ROOT / "release" / path.parent.name / path.name
        text = _visible_text(own)
        hits = sorted(ln for ln in lines - public if _quoted(ln, text))
        if hits:
            leaks.append(f"{_id(path)}: {hits[:3]} quoted in {own.relative_to(COURSE_ROOT)}")
    assert not leaks, "solution lines quoted in hints, docstrings or exercise text:\n" + "\n".join(leaks)


# A numpy call (np.exp(, rng.randn(, np.random.RandomState(...)), a matrix product or an in-place update:
# the shapes of a line of code, not of a formula.
# Naming the course's generator convention (np.random.RandomState(seed), given in every exercise text) is
# not a line of any solution.
_GENERATOR = "np.random.RandomState("
_CODE_IN_HINT = re.compile(r"\b(?:np|numpy|rng|rgen)\.[A-Za-z_][\w.]*\(|\s@\s|[+\-*/]=")


def _hint_texts(source):
    """The string literals of every ``hint=`` argument and every ``mistakes={...}`` key in a test cell."""
    texts = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                parts = [kw.value] if kw.arg == "hint" else (
                    [k for k in kw.value.keys if k is not None]
                    if kw.arg == "mistakes" and isinstance(kw.value, ast.Dict) else [])
                texts += [n.value for part in parts for n in ast.walk(part)
                          if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    return texts


@pytest.mark.parametrize("path", SOURCE_NOTEBOOKS, ids=_id)
def test_visible_hints_name_the_formula_not_the_line(path):
    """Hints teach the idea, not the line: a visible test's hint may give the maths and the shapes, never a
    line of numpy that a student could copy after failing on purpose."""
    released = nbformat.read(COURSE_ROOT / "release" / path.parent.name / path.name, as_version=4)
    code_like = []
    for cell in released.cells:
        if nbgrader_meta(cell).get("grade") and cell.cell_type == "code":  # not written answers
            code_like += [f"{nbgrader_meta(cell)['grade_id']}: {text!r}" for text in _hint_texts(cell.source)
                          if _CODE_IN_HINT.search(text.replace(_GENERATOR, ""))]
    assert not code_like, "hints that print code instead of the formula:\n" + "\n".join(code_like)
