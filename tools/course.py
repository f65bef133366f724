"""The course's layout as the instructor tools see it: assignments, notebooks, nbgrader set-up.

One place for "which assignments exist" and "how to get an nbgrader API on a course folder", so
`make release`, the grading command and the tests cannot disagree.
"""

import contextlib
import io
import logging
import os
import sys
import tempfile
from pathlib import Path

from helpers.notebooks import load_definitions
from helpers.paths import COURSE_ROOT, REFERENCE_DIR

# nbgrader runs the `alembic` command when it creates a gradebook: make sure the one next to this
# interpreter (the course's venv) is found even when the venv is not activated.
_BIN = str(Path(sys.executable).parent)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")

REFERENCE_SPECS_DIR = Path(__file__).resolve().parent / "references"


def assignments(root=COURSE_ROOT):
    """Assignment ids (folder names under source/), in course order."""
    return sorted(p.name for p in (Path(root) / "source").iterdir() if p.is_dir() and not p.name.startswith("."))


def notebooks(assignment, root=COURSE_ROOT):
    """The source notebook files of one assignment, in name order (05 has two)."""
    return sorted((Path(root) / "source" / assignment).glob("*.ipynb"))


def source_solutions(assignment, root=COURSE_ROOT):
    """The instructor solutions of an assignment: {notebook stem: namespace of its definitions}."""
    return {nb.stem: load_definitions(nb) for nb in notebooks(assignment, root)}


def reference_path(assignment):
    return REFERENCE_DIR / f"{assignment}.h5"


def load_config(root=COURSE_ROOT, **overrides):
    """The course's nbgrader_config.py as a traitlets Config, re-rooted at ``root``.

    ``overrides`` are extra settings like ``{"Execute": {"timeout": 10}}``.
    """
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(COURSE_ROOT)).load_config()
    root = Path(root).resolve()
    config.CourseDirectory.root = str(root)
    # SQLite lives in the course folder; a server database ($NN_GRADEBOOK_URL) is used as it is.
    config.CourseDirectory.db_url = os.environ.get("NN_GRADEBOOK_URL") or f"sqlite:///{root / 'gradebook.db'}"
    config.merge(Config(overrides))
    return config


def nbgrader_api(root=COURSE_ROOT, **overrides):
    """An in-process nbgrader API on a course folder (each nbgrader CLI call costs ~2 s; this does not)."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = load_config(root, **overrides)
    # This local course uses no nbgrader exchange; point the API's exchange check at an existing,
    # writable folder so it does not log a CRITICAL "unwritable directory" on every start.
    config.Exchange.root = tempfile.gettempdir()
    coursedir = CourseDirectory(config=config)
    api = NbGraderAPI(coursedir=coursedir, config=config)
    api.log.setLevel(logging.WARNING)
    return api


@contextlib.contextmanager
def working_directory(path):
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def quiet():
    """Silence the stdout chatter of nbgrader apps (their log goes to the returned result)."""
    return contextlib.redirect_stdout(io.StringIO())
