"""Read what a notebook defines: the imports, functions and classes of its solution cells.

Only definitions are kept (``import``, ``def``, ``class`` and assignments of literal constants);
calls, prints and training loops are dropped, so loading a notebook's definitions is fast and has
no side effects. Used by 05_deep_network's second notebook to reuse the building blocks a student
wrote in the first one, and by the instructor tools (reference outputs, isolated grading).
"""

import ast
import json
import types
from pathlib import Path

from .paths import CourseError

__all__ = ["NotebookImportError", "definitions", "notebook_definitions", "load_definitions"]


class NotebookImportError(CourseError, ImportError):
    """A notebook's definitions could not be loaded. The message says which cell and why."""


def _nbgrader(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def is_solution_cell(cell):
    """A cell the student writes in (nbgrader ``solution``), excluding manually graded answers."""
    meta = _nbgrader(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("solution")) and not meta.get("grade")


def is_setup_cell(cell):
    """A read-only code cell that is not a test (the imports cell at the top of every notebook)."""
    meta = _nbgrader(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("locked")) and not meta.get("grade") \
        and not meta.get("solution")


def _is_literal(node):
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def definitions(code, where="cell"):
    """Keep only the top-level definitions of ``code``: imports, functions, classes, and names
    bound to literal constants (``EPS = 1e-8``). Returns the kept source. A syntax error raises
    :class:`NotebookImportError` naming ``where``."""
    # IPython magics and shell escapes are not Python; they never define anything we need.
    lines = [line for line in code.splitlines() if not line.lstrip().startswith(("%", "!"))]
    source = "\n".join(lines)
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise NotebookImportError(f"{where} has a syntax error at line {error.lineno}: {error.msg}") from None
    keep = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            keep.append(node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None \
                and _is_literal(node.value):
            keep.append(node)
    return "\n\n".join(ast.get_source_segment(source, node) for node in keep)


def _read(path):
    path = Path(path)
    if not path.is_file():
        raise NotebookImportError(f"{path} does not exist. Keep the notebooks of this assignment together "
                                  "in one folder, with their original names.")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise NotebookImportError(f"{path.name} is not a valid notebook (invalid JSON: {error}). "
                                  "Open it in JupyterLab to repair it, or restore it from a checkpoint.") from None


def notebook_definitions(path, include_setup=True):
    """The definitions in a notebook's solution cells (and, by default, its read-only setup cells),
    in notebook order, as one Python source string."""
    nb = _read(path)
    parts = []
    for index, cell in enumerate(nb.get("cells", [])):
        if is_solution_cell(cell) or (include_setup and is_setup_cell(cell)):
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else source
            kept = definitions(source, where=f"cell {index + 1} of {Path(path).name}")
            if kept:
                parts.append(kept)
    return "\n\n".join(parts)


def load_definitions(path, names=None):
    """Execute a notebook's definitions in a fresh namespace and return it as a SimpleNamespace.

    ``names`` lists what must be defined; a missing one raises :class:`NotebookImportError`
    that says which. Exceptions while defining (for example a failing import) are reported with
    the notebook's name.
    """
    path = Path(path)
    code = notebook_definitions(path)
    namespace = {"__name__": f"notebook_{path.stem}"}
    try:
        exec(compile(code, f"<{path.name}>", "exec"), namespace)  # noqa: S102 - the student's own notebook
    except Exception as error:  # noqa: BLE001
        raise NotebookImportError(f"running the definitions of {path.name} failed: "
                                  f"{type(error).__name__}: {error}") from None
    missing = [n for n in (names or []) if n not in namespace]
    if missing:
        raise NotebookImportError(f"{path.name} does not define {', '.join(missing)}. Complete those exercises "
                                  "there (and keep their names) first.")
    # The functions keep `namespace` as their globals: leave its __builtins__ in place (numpy imports
    # lazily through it on first use), only hide it from the returned view.
    return types.SimpleNamespace(**{k: v for k, v in namespace.items() if k != "__builtins__"})
