"""Run notebooks (tests and `make bench`): execute a copy of an assignment folder and read its outputs."""

import shutil
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path, workdir, *, timeout=600, allow_errors=False):
    """Copy ``path``'s folder into ``workdir`` and execute the notebook there, top to bottom.

    Returns ``(executed notebook, seconds)``. With ``allow_errors=False`` the first failing cell
    raises ``nbclient.exceptions.CellExecutionError`` with that cell's traceback.
    """
    path = Path(path)
    target = Path(workdir) / path.parent.name
    if not target.exists():
        shutil.copytree(path.parent, target)
    nb = nbformat.read(target / path.name, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=allow_errors,
                            resources={"metadata": {"path": str(target)}},
                            extra_arguments=["--IPKernelApp.log_level=ERROR"])  # no "running over TCP" warning
    start = time.perf_counter()
    client.execute()
    return nb, time.perf_counter() - start


def text_outputs(nb):
    """All stream and text/plain outputs of a notebook, joined (for checking what it shows).

    Consecutive chunks of one stream in one cell are joined as they were printed: the kernel may flush a
    line's text and its newline in two chunks (print writes them separately), and a separator between
    the two would depend on timing."""
    parts, previous = [], None
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                if previous == (id(cell), out.name):
                    parts[-1] += out.text
                else:
                    parts.append(out.text)
                previous = (id(cell), out.name)
                continue
            if out.output_type in ("execute_result", "display_data"):
                parts.append(out.get("data", {}).get("text/plain", ""))
            previous = None
    return "\n".join(parts)


def is_grade_cell(cell):
    """A test cell (code); a manually graded written answer (markdown) never runs."""
    return cell.get("cell_type") == "code" and bool(cell.get("metadata", {}).get("nbgrader", {}).get("grade"))


def error_of(cell):
    """The error output of an executed cell, or None."""
    for out in cell.get("outputs", []):
        if out.output_type == "error":
            return out
    return None
