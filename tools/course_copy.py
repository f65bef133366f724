"""A temporary copy of the course (pipeline tests and `make bench`): source, generated release, submissions."""

import json
import shutil
from pathlib import Path

from helpers.notebooks import nbgrader_meta
from tools import release as release_tool
from tools.course import COURSE_ROOT


def make_course(root, assignments):
    """Copy source/<assignment> into ``root`` and generate its release (and gradebook) there."""
    root = Path(root)
    for assignment in assignments:
        shutil.copytree(COURSE_ROOT / "source" / assignment, root / "source" / assignment)
    release_tool.generate(list(assignments), root=root)
    return root


def _read(path):
    """A notebook as JSON with every cell source as one string (on disk they are lists of lines)."""
    nb = json.loads(Path(path).read_text())
    for cell in nb["cells"]:
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(cell["source"])
    return nb


def reference_notebook(root, assignment, name):
    """What a student who solved everything hands in: the release notebook with each solution
    cell filled in from the source (tests stay the release's visible tests)."""
    source = _read(Path(root) / "source" / assignment / name)
    released = _read(Path(root) / "release" / assignment / name)
    answers = {nbgrader_meta(c)["grade_id"]: c["source"] for c in source["cells"] if nbgrader_meta(c).get("solution")}
    for cell in released["cells"]:
        if nbgrader_meta(cell).get("solution"):
            cell["source"] = answers[nbgrader_meta(cell)["grade_id"]]
    return released


def blank_notebook(root, assignment, name):
    return _read(Path(root) / "release" / assignment / name)


def submit(root, student, assignment, notebooks, extra_files=None):
    """Write ``{file name: notebook JSON or raw text}`` as submitted/<student>/<assignment>/."""
    folder = Path(root) / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in notebooks.items():
        text = content if isinstance(content, str) else json.dumps(content, indent=1)
        (folder / name).write_text(text, encoding="utf-8")
    for rel, text in (extra_files or {}).items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
    return folder
