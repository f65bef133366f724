"""Build what students receive: one student kit per assignment (see COURSE_DESIGN "What students receive").

    python -m tools.student_kit [ASSIGNMENT ...]    # default: every assignment; `make student-kit`

Each kit is ``dist/student-kit/<assignment>/`` plus ``dist/student-kit/<assignment>.zip``:

* ``<assignment>/``: the release notebooks of that assignment (and any file nbgrader released with them);
* ``notebooks/``: the companion notebooks;
* ``helpers/`` with a ``pyproject.toml`` that makes it an installable package, and
  ``data/reference/<assignment>.h5``, the reference outputs its visible tests read;
* ``requirements.txt``: the student subset of the course's pins (no test or lint tools);
* ``kit.py`` (``python -m kit setup|lab``, standard library only), a ``Makefile`` running it, a student
  ``nbgrader_config.py`` for Validate and a short ``README.md``, from ``tools/kit_template/``.

Nothing else: never ``source/``, ``tools/``, ``tests/`` or a gradebook (tests/test_student_kit.py greps
every kit for solution and hidden-test lines).
"""

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

from tools.course import COURSE_ROOT, assignments
from tools.release import complete_language_info

TEMPLATE = Path(__file__).resolve().parent / "kit_template"
DIST = COURSE_ROOT / "dist" / "student-kit"
# Packages only the course's developers need: a student's environment does without them.
DEVELOPMENT_ONLY = {"pytest", "pytest-xdist", "pytest-timeout", "ruff", "playwright"}
_JUNK = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")


def _requirement_name(line):
    return re.split(r"[<>=!~\[; ]", line, maxsplit=1)[0].strip().lower().replace("_", "-")


def student_requirements(root=COURSE_ROOT):
    """The pinned lines of requirements.txt a student needs (notebooks, Validate, JupyterLab)."""
    pins = []
    for line in (Path(root) / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "-")):
            continue  # comments, and the course's own `-e .` (the kit installs its own helpers)
        if _requirement_name(line) not in DEVELOPMENT_ONLY:
            pins.append(line)
    return pins


def _secret_regions(notebook):
    """Each solution region and hidden-test block of a source notebook as a set of its distinctive lines
    (16+ characters, not a comment, not also a line students see in that notebook)."""
    cells = [c for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    sources = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells]
    public = set()
    for source in sources:
        for kind in ("SOLUTION", "HIDDEN TESTS"):
            source = re.sub(rf"### BEGIN {kind}.*?### END {kind}", "", source, flags=re.S)
        public |= {line.strip() for line in source.splitlines()}
    for source in sources:
        for kind in ("SOLUTION", "HIDDEN TESTS"):
            for block in re.findall(rf"### BEGIN {kind}\n(.*?)### END {kind}", source, flags=re.S):
                lines = {ln.strip() for ln in block.splitlines()}
                yield kind, {ln for ln in lines if len(ln) >= 16 and not ln.startswith("#") and ln not in public}


def companion_notebooks(assignment, root=COURSE_ROOT):
    """(companion notebooks the kit of ``assignment`` may hold, the ones it may not). A companion is left
    out when it repeats two or more lines of one hidden-test block (any assignment) or of one solution
    region of this or a later assignment. (Single generic lines such as a training loop's `for` recur in
    teaching code, as in the release lint.) Earlier assignments' solutions may be given."""
    root = Path(root)
    regions = [lines for other in assignments(root)
               for nb in sorted((root / "source" / other).glob("*.ipynb"))
               for kind, lines in _secret_regions(nb) if kind == "HIDDEN TESTS" or other >= assignment]
    keep, left_out = [], []
    for companion in sorted((root / "notebooks").glob("*.ipynb")):
        cells = json.loads(companion.read_text(encoding="utf-8"))["cells"]
        seen = {ln.strip() for c in cells for ln in "".join(c["source"]).splitlines()}
        (left_out if any(len(lines & seen) >= 2 for lines in regions) else keep).append(companion)
    return keep, left_out


def _requirements_text(root):
    return ("# The packages this assignment's notebooks, Validate and JupyterLab need, pinned to the versions\n"
            "# the course is tested with (Python 3.11 or newer). `make lab` / `python -m kit lab` install them.\n"
            + "\n".join(student_requirements(root))
            + "\n\n# helpers/ as a package (editable, so it finds data/reference/ in this folder)\n-e .\n")


def build(assignment, root=COURSE_ROOT, dist=DIST, make_zip=True):
    """Build the kit of one assignment into ``dist``/<assignment> (replacing it). Returns its folder."""
    root = Path(root)
    release = root / "release" / assignment
    if not release.is_dir():
        raise FileNotFoundError(f"release/{assignment} is missing: run `make release` first")
    kit = Path(dist) / assignment
    if kit.exists():
        shutil.rmtree(kit)
    kit.mkdir(parents=True)

    shutil.copytree(release, kit / assignment, ignore=_JUNK)
    (kit / "notebooks").mkdir()
    companions, left_out = companion_notebooks(assignment, root)
    for companion in companions:
        shutil.copy2(companion, kit / "notebooks" / companion.name)
    complete_language_info(kit / "notebooks")  # the release notebooks have it already
    shutil.copytree(root / "helpers", kit / "helpers", ignore=_JUNK)
    (kit / "data" / "reference").mkdir(parents=True)
    reference = root / "data" / "reference" / f"{assignment}.h5"
    shutil.copy2(reference, kit / "data" / "reference" / reference.name)

    for name in ("kit.py", "Makefile", "nbgrader_config.py", "pyproject.toml"):
        shutil.copy2(TEMPLATE / name, kit / name)
    notebooks = ", ".join(f"`{p.name}`" for p in sorted((kit / assignment).glob("*.ipynb")))
    readme = (TEMPLATE / "README.md").read_text(encoding="utf-8")
    readme = readme.replace("{{ASSIGNMENT}}", assignment).replace("{{NOTEBOOKS}}", notebooks)
    if left_out:
        readme += ("\nThe companion notebook(s) " + ", ".join(f"`{p.name}`" for p in left_out)
                   + " come with a later assignment (they contain code this assignment asks you to write).\n")
    (kit / "README.md").write_text(readme, encoding="utf-8")
    (kit / "requirements.txt").write_text(_requirements_text(root), encoding="utf-8")

    if make_zip:
        shutil.make_archive(str(Path(dist) / assignment), "zip", root_dir=dist, base_dir=assignment)
    return kit


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    args = parser.parse_args(argv)
    known = assignments()
    unknown = sorted(set(args.assignments) - set(known))
    if unknown:
        parser.error(f"unknown assignment(s) {unknown}; known: {known}")
    for assignment in args.assignments or known:
        kit = build(assignment)
        files = [p for p in kit.rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files)
        print(f"{kit.relative_to(COURSE_ROOT)}/: {len(files)} files, {size / 1e6:.1f} MB; "
              f"{kit.relative_to(COURSE_ROOT)}.zip")
    return 0


if __name__ == "__main__":
    sys.exit(main())
