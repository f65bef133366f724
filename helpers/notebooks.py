"""Read what a notebook defines: the imports, functions and classes of its solution cells.

Only definitions are kept (``import``, ``def``, ``class`` and assignments of literal constants);
calls, prints and training loops are dropped, so loading a notebook's definitions is fast and has
no side effects. Used by 05_deep_network's second notebook to reuse the building blocks a student
wrote in the first one (:func:`load_checked_definitions`), and by the instructor tools (reference
outputs, isolated grading).
"""

import ast
import functools
import json
import types
import warnings
from pathlib import Path

import numpy as np

from .paths import CourseError

__all__ = ["NotebookImportError", "definitions", "notebook_definitions", "load_definitions",
           "load_checked_definitions"]


class NotebookImportError(CourseError, ImportError):
    """A notebook's definitions could not be loaded. The message says which cell and why."""


def nbgrader_meta(cell):
    """A cell's nbgrader metadata (an empty dict for an ordinary or stripped cell)."""
    return cell.get("metadata", {}).get("nbgrader") or {}


def cell_source(cell):
    """A cell's source as one string (on disk it is often a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def is_solution_cell(cell):
    """A cell the student writes in (nbgrader ``solution``), excluding manually graded answers."""
    meta = nbgrader_meta(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("solution")) and not meta.get("grade")


def is_setup_cell(cell):
    """A read-only code cell that is not a test (the imports cell at the top of every notebook)."""
    meta = nbgrader_meta(cell)
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
            kept = definitions(cell_source(cell), where=f"cell {index + 1} of {Path(path).name}")
            if kept:
                parts.append(kept)
    return "\n\n".join(parts)


def _execute(path):
    """Run a notebook's definitions in a fresh namespace; returns the namespace dict."""
    path = Path(path)
    code = notebook_definitions(path)
    namespace = {"__name__": f"notebook_{path.stem}"}
    try:
        exec(compile(code, f"<{path.name}>", "exec"), namespace)  # noqa: S102 - the student's own notebook
    except Exception as error:  # noqa: BLE001
        raise NotebookImportError(f"running the definitions of {path.name} failed: "
                                  f"{type(error).__name__}: {error}") from None
    return namespace


def _short(error, max_lines=6):
    """The first lines of an error's message, for a one-paragraph explanation."""
    lines = [line for line in str(error).splitlines() if line.strip()] or [type(error).__name__]
    text = "\n    ".join(lines[:max_lines]) + ("\n    ..." if len(lines) > max_lines else "")
    return text if isinstance(error, AssertionError) else f"{type(error).__name__}: {text}"


def _stand_in(name, filename, reason, original=None):
    """A function that raises NotebookImportError("fix NAME in FILE first: reason") when called."""

    def broken(*args, **kwargs):
        __tracebackhide__ = True
        error = NotebookImportError(f"fix {name} in {filename} first: {reason}\n"
                                    f"(This notebook uses your {name} from {filename}. Make that notebook's "
                                    f"tests pass, save it, then restart this kernel and run this notebook again.)")
        error.block = name
        raise error

    if original is not None and callable(original):
        broken = functools.wraps(original)(broken)
    broken.__name__ = broken.__qualname__ = name
    return broken


def _unflatten(values, prefix):
    """Rebuild a nested argument from flat reference keys: ``prefix/0/1`` -> tuples, ``prefix/W1`` -> dicts."""
    if prefix in values:
        return values[prefix]
    children = {}
    for key in values:
        if key.startswith(prefix + "/"):
            children.setdefault(key[len(prefix) + 1:].split("/")[0], None)
    if not children:
        raise KeyError(prefix)
    if all(c.isdigit() for c in children):
        return tuple(_unflatten(values, f"{prefix}/{i}") for i in range(len(children)))
    return {c: _unflatten(values, f"{prefix}/{c}") for c in sorted(children)}


def _leaves(values, prefix):
    """(path below prefix, value) for every stored value at ``prefix`` or under ``prefix/``."""
    return [(key[len(prefix) + 1:], values[key]) for key in values if key == prefix or key.startswith(prefix + "/")]


def _compare_example(name, result, expected_leaves):
    """Raise AssertionError naming the first output that differs from the stored example."""
    for path, want in sorted(expected_leaves):
        got, where = result, name
        for part in path.split("/") if path else []:
            try:
                got = got[int(part)] if part.isdigit() and not isinstance(got, dict) else got[part]
            except (KeyError, IndexError, TypeError):
                raise AssertionError(f"{where} has no entry {part!r}.") from None
            where += f"[{part}]" if part.isdigit() else f"[{part!r}]"
        want = np.asarray(want)
        try:
            got = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            raise AssertionError(f"{where}: expected numbers of shape {want.shape}, got {type(got).__name__}.") from None
        if got.shape != want.shape:
            wanted = "a single number (shape ())" if want.ndim == 0 else f"shape {want.shape}"
            raise AssertionError(f"{where}: expected {wanted}, got shape {got.shape}.")
        if not np.allclose(got, want, rtol=1e-5, atol=1e-8):
            raise AssertionError(f"{where}: wrong values (largest difference {np.max(np.abs(got - want)):.3g}).")


def load_checked_definitions(path, names, examples=None, prefix="examples", verbose=True):
    """Load the functions one notebook needs from another, trying each on a stored example first.

    ``names`` are the functions to load, in an order where each comes after the ones it calls.
    ``examples`` (e.g. ``helpers.checks.reference("05_deep_network")``) holds, for a name, its call
    ``<prefix>/<name>/args/<i>/...`` and its expected result ``<prefix>/<name>/out/...`` (nested tuples are
    numbered paths, dicts named ones); a name without stored example is only checked to exist.

    A name that is missing, not implemented yet, or gives another result is replaced by a stand-in that
    raises :class:`NotebookImportError` ("fix NAME in FILE first: why") when it is called. The notebook
    that uses it keeps running, and every failure points at the function to fix instead of showing a
    confusing error deep inside a training loop. If the file cannot be read at all, every name gets
    such a stand-in. With ``verbose``, prints one line when everything works, or the list of broken
    names and what to do.

    Returns a SimpleNamespace of the notebook's definitions (stand-ins included).
    """
    path = Path(path)
    examples = examples if examples is not None else {}
    try:
        namespace = _execute(path)
        unreadable = None
    except NotebookImportError as error:
        namespace, unreadable = {}, str(error)
    broken = {}
    for name in names:
        if unreadable is not None:
            reason = unreadable
        elif name not in namespace:
            reason = f"{path.name} does not define {name} (keep the exercise's function name)."
        else:
            base = f"{prefix}/{name}"
            try:
                expected = _leaves(examples, f"{base}/out")
                if expected:
                    args = _unflatten(examples, f"{base}/args")
                    # silenced like helpers.checks.run: a warning on stderr would cost a correct notebook points
                    with warnings.catch_warnings(), np.errstate(all="ignore"):
                        warnings.simplefilter("ignore")
                        result = namespace[name](*args)
                    _compare_example(name + "(...)", result, expected)
                continue
            except NotImplementedError:
                reason = "it is not implemented yet."
            except NotebookImportError as error:
                block = getattr(error, "block", None)
                reason = f"it calls {block}, which does not work yet." if block else _short(error)
            except AssertionError as error:
                reason = f"on the example of its test there, {error}"
            except Exception as error:  # noqa: BLE001 - every failure is reported, none is fatal
                reason = f"on the example of its test there, it raised {_short(error)}"
        broken[name] = reason
        namespace[name] = _stand_in(name, path.name, reason, namespace.get(name))
    if verbose:
        if not broken:
            print(f"Loaded from {path.name}: {', '.join(names)} (all work on their examples).")
        else:
            print(f"{len(broken)} of {len(names)} functions from {path.name} do not work yet, so this notebook "
                  "cannot use them:")
            for name, reason in broken.items():
                print(f"  - {name}: {reason}")
            print(f"Fix them in {path.name} (its tests say what is wrong), save it, then restart this kernel "
                  "and run this notebook again.")
    return _view(namespace)


def _view(namespace):
    """The namespace as a SimpleNamespace. The functions keep ``namespace`` as their globals, so its
    __builtins__ stays in place (numpy imports lazily through it); it is only hidden from the view."""
    return types.SimpleNamespace(**{k: v for k, v in namespace.items() if k != "__builtins__"})


def load_definitions(path, names=None):
    """Execute a notebook's definitions in a fresh namespace and return it as a SimpleNamespace.

    ``names`` lists what must be defined; a missing one raises :class:`NotebookImportError`
    that says which. Exceptions while defining (for example a failing import) are reported with
    the notebook's name.
    """
    path = Path(path)
    namespace = _execute(path)
    missing = [n for n in (names or []) if n not in namespace]
    if missing:
        raise NotebookImportError(f"{path.name} does not define {', '.join(missing)}. Complete those exercises "
                                  "there (and keep their names) first.")
    return _view(namespace)
