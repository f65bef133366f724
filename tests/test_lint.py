"""ruff: the Python code and the source notebooks are lint-clean."""

import subprocess
import sys
from pathlib import Path

from tools.course import COURSE_ROOT


def test_ruff():
    ruff = Path(sys.executable).parent / "ruff"
    out = subprocess.run([str(ruff), "check", "."], cwd=COURSE_ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
