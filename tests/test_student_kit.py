"""What students receive: `make student-kit` builds one kit per assignment, and no kit holds anything
a student must not have (COURSE_DESIGN, "What students receive")."""

import importlib.util
import json
import re
import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest

from tests.test_release import public_lines, secret_regions, significant
from tools import student_kit
from tools.course import COURSE_ROOT, assignments, notebooks

ASSIGNMENTS = assignments()
INSTRUCTOR_DIRS = ("source", "tools", "tests")
# The one part of tools/ that is meant to be handed out: the kit's own set-up files.
KIT_TEMPLATE = student_kit.TEMPLATE
BINARY_SUFFIXES = {".h5"}


def _text(path):
    """What a student could read in a kit file: a notebook's cell sources, else the file's text."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        return "\n".join(nbformat.reads(text, as_version=4).cells[i].source
                         for i in range(len(nbformat.reads(text, as_version=4).cells))) + "\n" + text
    return text


def _lines(text):
    return {line.strip() for line in text.splitlines()}


def _python_lines(folder, exclude=None):
    out = set()
    for path in Path(folder).rglob("*.py"):
        if exclude is None or exclude not in path.parents:
            out |= _lines(path.read_text(encoding="utf-8"))
    return out


def _handed_out_lines():
    """Lines that are given to students anyway: helpers/, every release, the companion notebooks, the
    kit template. An instructor line equal to one of these (an import, say) gives nothing away."""
    given = _python_lines(COURSE_ROOT / "helpers") | _python_lines(KIT_TEMPLATE)
    for path in list((COURSE_ROOT / "release").rglob("*")) + list((COURSE_ROOT / "notebooks").glob("*.ipynb")):
        if path.is_file() and path.suffix in (".ipynb", ".py"):
            given |= _lines(_text(path))
    return given


def secrets(assignment):
    """What no kit of ``assignment`` may contain, as (where from, set of lines) groups: each hidden-test
    block of any assignment, each solution region of this and later assignments, and (one group) the
    code of tools/ and tests/ that is not handed out anyway."""
    groups = []
    for other in ASSIGNMENTS:
        for path in notebooks(other):
            nb = nbformat.read(path, as_version=4)
            public = public_lines(nb)
            kinds = ("HIDDEN TESTS", "SOLUTION") if other >= assignment else ("HIDDEN TESTS",)
            for kind in kinds:
                for region in secret_regions(nb, kinds=(kind,)):
                    lines = {ln.strip() for ln in region if significant(ln) and ln.strip() not in public}
                    if lines:
                        groups.append((f"{kind.lower()} of {other}/{path.name}", lines))
    given = _handed_out_lines()
    instructor = set()
    for folder in ("tools", "tests"):
        instructor |= {ln for ln in _python_lines(COURSE_ROOT / folder, exclude=KIT_TEMPLATE)
                       if len(ln) >= 30 and not ln.startswith("#") and ln not in given}
    groups.append(("code of tools/ or tests/", instructor))
    return groups


def _instructor_files():
    """{content: path} of every file in source/, tools/ (but the kit template) and tests/."""
    out = {}
    for folder in INSTRUCTOR_DIRS:
        for path in (COURSE_ROOT / folder).rglob("*"):
            if path.is_file() and KIT_TEMPLATE not in path.parents and "__pycache__" not in path.parts:
                out[path.read_bytes()] = path.relative_to(COURSE_ROOT)
    return out


def leaks(kit, assignment, groups=None, instructor_files=None):
    """Everything in the kit folder a student must not get, as readable findings (empty: clean).

    A single secret line is a leak in helpers/ and the set-up files, and in the notebook it comes from.
    Elsewhere in notebooks (companions, another notebook's or assignment's line), where single generic lines
    like a training loop's `for` or `return parameters` recur, two lines of one hidden block or solution
    region are, as in the release lint. Instructor code lines count one by one."""
    groups = secrets(assignment) if groups is None else groups
    instructor_files = _instructor_files() if instructor_files is None else instructor_files
    found = []
    for path in sorted(p for p in Path(kit).rglob("*") if p.is_file()):
        rel = path.relative_to(kit)
        if set(rel.parts) & set(INSTRUCTOR_DIRS):
            found.append(f"{rel}: an instructor folder")
        if path.suffix == ".db" or "gradebook" in path.name:
            found.append(f"{rel}: a gradebook")
        content = path.read_bytes()
        if content in instructor_files:
            found.append(f"{rel}: a copy of {instructor_files[content]}")
        if path.suffix in BINARY_SUFFIXES:
            continue
        lines = _lines(_text(path))
        for where, secret in groups:
            hits = sorted(lines & secret)
            # one line is enough in code, and in the notebook the secret comes from (as the release lint)
            strict = path.suffix != ".ipynb" or where.startswith("code of") or \
                (rel.parts[0] == assignment and where.endswith(f" of {assignment}/{path.name}"))
            if hits and (strict or len(hits) >= 2):
                found.append(f"{rel}: {hits[:3]} ({where})")
    return found


@pytest.fixture(scope="module")
def kits(tmp_path_factory):
    dist = tmp_path_factory.mktemp("student-kit")
    return {a: student_kit.build(a, dist=dist) for a in ASSIGNMENTS}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_kit_holds_what_a_student_needs(kits, assignment):
    kit = kits[assignment]
    for name in ("README.md", "Makefile", "kit.py", "requirements.txt", "pyproject.toml", "nbgrader_config.py",
                 "helpers/__init__.py", "helpers/checks.py", f"data/reference/{assignment}.h5"):
        assert (kit / name).is_file(), f"the {assignment} kit lacks {name}"
    release = COURSE_ROOT / "release" / assignment
    assert sorted(p.relative_to(release) for p in release.rglob("*") if p.is_file()) == \
        sorted(p.relative_to(kit / assignment) for p in (kit / assignment).rglob("*") if p.is_file())
    for nb in release.glob("*.ipynb"):
        assert (kit / assignment / nb.name).read_bytes() == nb.read_bytes(), f"{nb.name} differs from release/"
    keep, left_out = student_kit.companion_notebooks(assignment)
    assert sorted(p.name for p in (kit / "notebooks").glob("*.ipynb")) == sorted(p.name for p in keep)
    assert len(keep) + len(left_out) == len(list((COURSE_ROOT / "notebooks").glob("*.ipynb")))
    assert sorted(p.name for p in (kit / "data" / "reference").iterdir()) == [f"{assignment}.h5"]
    readme = (kit / "README.md").read_text()
    assert all(p.name in readme for p in left_out), "the README says which companions come later"
    assert "{{" not in readme and assignment in readme and "python -m kit lab" in readme and "make lab" in readme
    with zipfile.ZipFile(kit.parent / f"{assignment}.zip") as archive:
        zipped = sorted(n for n in archive.namelist() if not n.endswith("/"))
    assert zipped == sorted(f"{assignment}/{p.relative_to(kit).as_posix()}" for p in kit.rglob("*") if p.is_file())


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_kit_has_no_solution_hidden_test_or_instructor_file(kits, assignment):
    found = leaks(kits[assignment], assignment)
    assert not found, f"the {assignment} student kit leaks:\n" + "\n".join(found[:40])


def _plant_solution(kit, assignment):
    nb = nbformat.read(notebooks(assignment)[0], as_version=4)
    line = next(ln for r in secret_regions(nb, kinds=("SOLUTION",)) for ln in r
                if significant(ln) and ln.strip() not in public_lines(nb))
    path = next((kit / assignment).glob("*.ipynb"))
    released = nbformat.read(path, as_version=4)
    cell = next(c for c in released.cells if c.cell_type == "code" and "NotImplementedError" in c.source)
    cell.source = cell.source.replace("raise NotImplementedError()", line.strip())
    nbformat.write(released, path)
    return line.strip()


def _plant_hidden_test(kit, assignment):
    nb = nbformat.read(notebooks(ASSIGNMENTS[0])[0], as_version=4)
    line = next(ln for r in secret_regions(nb, kinds=("HIDDEN TESTS",)) for ln in r
                if significant(ln) and ln.strip() not in public_lines(nb))
    with open(kit / "helpers" / "checks.py", "a") as f:
        f.write(f"\n{line.strip()}\n")
    return line.strip()


def _plant_tool(kit, assignment):
    shutil.copy(COURSE_ROOT / "tools" / "grade.py", kit / "helpers" / "grade_copy.py")
    return "grade_copy.py"


def _plant_gradebook(kit, assignment):
    (kit / "gradebook.db").write_bytes(b"SQLite format 3\0")
    return "gradebook.db"


def _plant_source_folder(kit, assignment):
    (kit / "source").mkdir()
    (kit / "source" / "notes.txt").write_text("instructor notes\n")
    return "source"


@pytest.mark.parametrize("plant", [_plant_solution, _plant_hidden_test, _plant_tool, _plant_gradebook,
                                   _plant_source_folder], ids=lambda f: f.__name__[len("_plant_"):])
def test_a_planted_leak_is_caught(kits, tmp_path, plant):
    assignment = ASSIGNMENTS[0]
    kit = shutil.copytree(kits[assignment], tmp_path / assignment)
    assert not leaks(kit, assignment)
    what = plant(kit, assignment)
    found = leaks(kit, assignment)
    assert any(what in f for f in found), f"planted {what!r} was not caught: {found}"


def test_later_solutions_count_earlier_ones_do_not():
    """A kit may give an earlier assignment's solution (read-only given code), never a later one's."""
    if len(ASSIGNMENTS) < 2:
        pytest.skip("needs two assignments")
    first, second = ASSIGNMENTS[0], ASSIGNMENTS[1]
    assert any(where.startswith(f"solution of {second}/") for where, _ in secrets(first))
    assert not any(where.startswith(f"solution of {first}/") for where, _ in secrets(second))


def test_kit_requirements_are_the_students_subset():
    course = {re.split("==", ln)[0].lower(): ln for ln in (COURSE_ROOT / "requirements.txt").read_text().splitlines()
              if "==" in ln and not ln.startswith("#")}
    kit = student_kit.student_requirements()
    assert "playwright" in course, "the browser test's Playwright must be pinned in requirements.txt"
    assert set(kit) <= set(course.values()), "the kit pins something the course does not test with"
    names = {ln.split("==")[0].lower() for ln in kit}
    assert not names & student_kit.DEVELOPMENT_ONLY
    assert {"numpy", "nbgrader", "jupyterlab", "ipykernel", "h5py", "matplotlib"} <= names
    assert all("==" in ln for ln in kit), "every kit requirement is pinned"


def _kit_module():
    spec = importlib.util.spec_from_file_location("kit_under_test", KIT_TEMPLATE / "kit.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_kit_entry_point_stops_early_on_an_old_python():
    kit = _kit_module()
    with pytest.raises(SystemExit) as stop:
        kit.check_python((3, 10, 12))
    message = str(stop.value)
    assert "Python 3.11 or newer" in message and "3.10.12" in message and "python.org" in message
    kit.check_python((3, 11, 0))


def test_python_minimum_is_stated_everywhere():
    pyproject = (COURSE_ROOT / "pyproject.toml").read_text()
    assert "requires-python = \">=3.11\"" in pyproject
    assert 'requires-python = ">=3.11"' in (KIT_TEMPLATE / "pyproject.toml").read_text()
    readme = (COURSE_ROOT / "README.md").read_text()
    assert "Python 3.11 or newer" in readme and "3.10+" not in readme
    assert _kit_module().MINIMUM == (3, 11)


def test_student_mode_config_hides_the_instructor_plugins(tmp_path):
    kit = _kit_module()
    (tmp_path / "etc/jupyter/labconfig").mkdir(parents=True)
    (tmp_path / "etc/jupyter/labconfig/page_config.json").write_text('{"disabledExtensions": {"other": true}}')
    kit.student_mode(tmp_path)
    page = json.loads((tmp_path / "etc/jupyter/labconfig/page_config.json").read_text())
    assert page["disabledExtensions"]["other"] is True, "existing settings are kept"
    assert "@jupyter/nbgrader:menu" in page["disabledExtensions"]
    assert "@jupyter/nbgrader:validate-assignment" not in page["disabledExtensions"]
    server = json.loads((tmp_path / "etc/jupyter/jupyter_server_config.json").read_text())
    assert server["ServerApp"]["jpserver_extensions"]["nbgrader.server_extensions.validate_assignment"] is True
    assert server["ServerApp"]["jpserver_extensions"]["nbgrader.server_extensions.formgrader"] is False


def test_release_notebooks_carry_the_kernels_language_info():
    """JupyterLab writes the kernel's language_info into an opened notebook; a release notebook that
    already holds exactly that opens unmodified (tests/test_student_flow.py checks it in a browser)."""
    from ipykernel.ipkernel import IPythonKernel

    for path in (COURSE_ROOT / "release").rglob("*.ipynb"):
        info = json.loads(path.read_text(encoding="utf-8"))["metadata"]["language_info"]
        assert info == dict(IPythonKernel.language_info), f"{path.relative_to(COURSE_ROOT)}: run `make release`"
