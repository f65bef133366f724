"""Where the course keeps its files: one place, so every helper and tool agrees.

`COURSE_ROOT` is the repository (the course is installed editable with `pip install -e .`, so
`helpers/` lives inside it). `DATA_DIR` caches downloads; `REFERENCE_DIR` holds the reference
outputs that the visible tests compare against (`data/reference/<assignment>.h5`).
"""

from pathlib import Path

COURSE_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = COURSE_ROOT / "data"
REFERENCE_DIR = DATA_DIR / "reference"


class CourseError(RuntimeError):
    """An error whose message is the whole story: IPython shows the message without a stack trace."""

    def _render_traceback_(self):
        # IPython calls this instead of printing frames: a student sees what to do, not library code.
        lines = str(self).splitlines() or [""]
        return [f"\x1b[1;31m{type(self).__name__}\x1b[0m: {lines[0]}", *lines[1:]]
