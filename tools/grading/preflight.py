"""Preflight: turn a handed-in folder into notebooks nbgrader can grade, on a working copy.

The student's files in submitted/ are only read, never written. For each notebook the assignment
expects, the preflight

* finds the file, also under the usual copies of its name ("perceptron (1).ipynb",
  "Perceptron-Copy1.ipynb", "Copy of perceptron.ipynb", another case) or, failing that, by its
  nbgrader cell ids, as long as exactly one file matches;
* reports invalid JSON (or something that is not a notebook) as a failure of that notebook only;
* repairs duplicated nbgrader cells deterministically, keeping the student's answer (the copy that
  differs from the blank stub and was run last) and turning the other copies into raw cells, so
  nothing the student typed is lost;
* restores test cells whose metadata was stripped or that were deleted, and solution cells whose
  metadata was stripped (recognised by the names they define), from the release notebook
  (nbgrader then refills every test cell, hidden tests included, from the gradebook);
* notes edited test cells and changed points (nbgrader restores those from the gradebook).

Every repair is recorded as a sentence in ``NotebookPreflight.repairs``.
"""

import ast
import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from helpers.notebooks import cell_source, nbgrader_meta

_COPY_PATTERNS = (
    r"\s*\(\d+\)$",          # "perceptron (1)"
    r"[\s_-]*copy\d*$",      # "perceptron-Copy1", "perceptron copy", "perceptron_copy2"
    r"^copy\s+of\s+",        # "Copy of perceptron"
    r"\s*\(copy\)$",
)


def normalized_stem(name):
    """'Perceptron (1).ipynb' -> 'perceptron' (lower case, copy markers and separators removed)."""
    stem = Path(name).stem.lower().strip()
    changed = True
    while changed:
        changed = False
        for pattern in _COPY_PATTERNS:
            new = re.sub(pattern, "", stem)
            if new != stem:
                stem, changed = new.strip(), True
    return re.sub(r"[\s_-]+", "_", stem)


@dataclass
class NotebookPreflight:
    """What happened to one expected notebook."""

    name: str                       # the expected file name, e.g. "perceptron.ipynb"
    source_file: str | None = None  # the submitted file used
    notebook: dict | None = None    # the repaired notebook (JSON), None if it cannot be graded
    repairs: list = field(default_factory=list)
    failure: str | None = None


def _squash(text):
    return re.sub(r"\s+", "", text)


def _defined_names(code):
    try:
        tree = ast.parse("\n".join(ln for ln in code.splitlines() if not ln.lstrip().startswith(("%", "!"))))
    except SyntaxError:
        return set()
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def _first_line(code):
    lines = code.strip().splitlines()
    return lines[0].strip() if lines else ""


def _kind(cell):
    meta = nbgrader_meta(cell)
    if meta.get("grade") and not meta.get("solution"):
        return "test"
    if meta.get("solution"):
        return "solution"
    if meta.get("locked"):
        return "read-only"
    return None


def _as_raw(cell, note):
    """Keep a cell's text but take it out of grading and execution."""
    raw = {"cell_type": "raw", "metadata": {"nn_course": {"preflight": note}}, "source": cell_source(cell)}
    if "id" in cell:
        raw["id"] = cell["id"]
    return raw


def _fresh_copy(template_cell):
    cell = copy.deepcopy(template_cell)
    if cell.get("cell_type") == "code":
        cell["outputs"] = []
        cell["execution_count"] = None
    return cell


def match_files(submitted, expected_names, templates):
    """Map each expected notebook name to a submitted file.

    Returns ``({expected: Path or None}, {expected: [repair sentences]}, {expected: failure})``.
    """
    files = sorted(p for p in Path(submitted).glob("*.ipynb") if p.is_file())
    chosen, repairs, failures = {}, {name: [] for name in expected_names}, {}
    used = set()
    for name in expected_names:
        exact = Path(submitted) / name
        if exact.is_file():
            chosen[name] = exact
            used.add(exact)
    for name in expected_names:
        if name in chosen:
            continue
        candidates = [p for p in files if p not in used and normalized_stem(p.name) == normalized_stem(name)]
        if not candidates:
            ids = {nbgrader_meta(c).get("grade_id") for c in templates[name]["cells"]} - {None}
            candidates = [p for p in files if p not in used and _ids_in(p) & ids]
        if len(candidates) == 1:
            chosen[name] = candidates[0]
            used.add(candidates[0])
            repairs[name].append(f"graded '{candidates[0].name}' as '{name}'")
        elif candidates:
            chosen[name] = None
            failures[name] = (f"several files could be '{name}': " + ", ".join(f"'{p.name}'" for p in candidates)
                              + "; hand in exactly one")
        else:
            chosen[name] = None
            present = ", ".join(f"'{p.name}'" for p in files) or "no notebooks"
            failures[name] = f"'{name}' is missing (handed in: {present})"
    return chosen, repairs, failures


def _ids_in(path):
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
        return {nbgrader_meta(c).get("grade_id") for c in nb.get("cells", [])} - {None}
    except (OSError, ValueError, AttributeError, TypeError):
        return set()


def load(path):
    """Read a submitted notebook as JSON. Returns (notebook, failure)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, f"'{Path(path).name}' is not a text file (not a notebook)"
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as error:
        return None, f"'{Path(path).name}' is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list) or \
            not all(isinstance(c, dict) and "cell_type" in c for c in nb["cells"]):
        return None, f"'{Path(path).name}' is JSON but not a Jupyter notebook"
    if nb.get("nbformat") != 4:
        return None, f"'{Path(path).name}' uses notebook format {nb.get('nbformat')}; save it with JupyterLab (format 4)"
    return nb, None


def repair(nb, template):
    """Repair a submitted notebook against its release template. Returns (notebook, repairs)."""
    nb = copy.deepcopy(nb)
    repairs = []
    tcells = template["cells"]
    tmeta = {nbgrader_meta(c)["grade_id"]: c for c in tcells if nbgrader_meta(c).get("grade_id")}
    order = [g for g in (nbgrader_meta(c).get("grade_id") for c in tcells) if g]

    # 1. nbgrader cells that the assignment does not know: made ordinary cells.
    for cell in nb["cells"]:
        gid = nbgrader_meta(cell).get("grade_id")
        if nbgrader_meta(cell) and gid not in tmeta:
            cell["metadata"].pop("nbgrader", None)
            if gid:
                repairs.append(f"cell '{gid}' is not part of the assignment: graded as an ordinary cell")

    # 2. duplicated nbgrader cells: keep one, keep the others' text as raw cells.
    positions = {}
    for i, cell in enumerate(nb["cells"]):
        gid = nbgrader_meta(cell).get("grade_id")
        if gid:
            positions.setdefault(gid, []).append(i)
    drop = {}
    for gid, idx in positions.items():
        if len(idx) < 2:
            continue
        kind = _kind(tmeta[gid])
        if kind == "solution":
            stub = _squash(cell_source(tmeta[gid]))
            answered = [i for i in idx if _squash(cell_source(nb["cells"][i])) != stub]
            pool = answered or idx
            keep = max(pool, key=lambda i: ((nb["cells"][i].get("execution_count") or -1), i))
            repairs.append(f"solution cell '{gid}' appeared {len(idx)} times: graded the copy with your answer "
                           f"(cell {keep + 1}); the other copies were kept as raw cells")
        else:
            keep = idx[0]
            repairs.append(f"{kind} cell '{gid}' appeared {len(idx)} times: kept the first, the other copies "
                           "were kept as raw cells")
        for i in idx:
            if i != keep:
                drop[i] = f"duplicate of {gid}"
    for i, note in drop.items():
        nb["cells"][i] = _as_raw(nb["cells"][i], note)

    # 3. cells whose nbgrader metadata was stripped.
    present = {nbgrader_meta(c).get("grade_id") for c in nb["cells"]} - {None}
    for gid in order:
        if gid in present:
            continue
        t = tmeta[gid]
        kind = _kind(t)
        candidates = []
        for i, cell in enumerate(nb["cells"]):
            if nbgrader_meta(cell) or cell.get("cell_type") != t.get("cell_type"):
                continue
            src = cell_source(cell)
            if kind == "test" and _first_line(src) and _first_line(src) == _first_line(cell_source(t)):
                candidates.append(i)
            elif kind == "solution" and t.get("cell_type") == "code":
                names = _defined_names(cell_source(t))
                if names and _defined_names(src) == names:
                    candidates.append(i)
            elif kind == "read-only" and _squash(src) == _squash(cell_source(t)):
                candidates.append(i)
        if candidates:
            if kind == "solution":
                stub = _squash(cell_source(t))
                answered = [i for i in candidates if _squash(cell_source(nb["cells"][i])) != stub] or candidates
                i = max(answered, key=lambda j: ((nb["cells"][j].get("execution_count") or -1), j))
            else:
                i = candidates[0]
            nb["cells"][i].setdefault("metadata", {})["nbgrader"] = copy.deepcopy(t["metadata"]["nbgrader"])
            for key in ("editable", "deletable"):
                if key in t["metadata"]:
                    nb["cells"][i]["metadata"][key] = t["metadata"][key]
            present.add(gid)
            repairs.append(f"{kind} cell '{gid}' had lost its nbgrader metadata: restored")

    # 4. cells still missing: put the release version back, after the cell that precedes it.
    for pos, gid in enumerate(order):
        if gid in present:
            continue
        t = tmeta[gid]
        index = 0
        for prev in reversed(order[:pos]):
            found = [i for i, c in enumerate(nb["cells"]) if nbgrader_meta(c).get("grade_id") == prev]
            if found:
                index = found[-1] + 1
                break
        nb["cells"].insert(index, _fresh_copy(t))
        present.add(gid)
        kind = _kind(t)
        if kind == "solution":
            repairs.append(f"solution cell '{gid}' was deleted: restored blank (its tests score 0)")
        else:
            repairs.append(f"{kind} cell '{gid}' was deleted: restored")

    # 5. cell types and test metadata the student changed (nbgrader refills sources and points).
    for cell in nb["cells"]:
        gid = nbgrader_meta(cell).get("grade_id")
        if not gid:
            continue
        t = tmeta[gid]
        if cell.get("cell_type") != t.get("cell_type"):
            kept = cell_source(cell)
            cell.clear()
            cell.update(_fresh_copy(t))
            if _kind(t) == "solution":
                cell["source"] = kept
            repairs.append(f"cell '{gid}' had been changed to another cell type: restored")
            continue
        if _kind(t) == "test":
            if _squash(cell_source(cell)) != _squash(cell_source(t)):
                repairs.append(f"test cell '{gid}' was edited: the original test is used")
            if nbgrader_meta(cell).get("points") != nbgrader_meta(t).get("points"):
                repairs.append(f"the points of test cell '{gid}' were changed: the original points are used")
            cell["metadata"]["nbgrader"] = copy.deepcopy(t["metadata"]["nbgrader"])
        elif _kind(t) == "read-only":
            cell["metadata"]["nbgrader"] = copy.deepcopy(t["metadata"]["nbgrader"])

    # Keep the notebook valid for nbformat (cell ids, required keys) without touching content.
    for cell in nb["cells"]:
        cell.setdefault("metadata", {})
        if cell.get("cell_type") == "code":
            cell.setdefault("outputs", [])
            cell.setdefault("execution_count", None)
        cell.setdefault("source", "")
    nb.setdefault("metadata", {})
    nb["nbformat_minor"] = max(nb.get("nbformat_minor", 0), 5)
    seen = set()
    for i, cell in enumerate(nb["cells"]):
        if not isinstance(cell.get("id"), str) or cell["id"] in seen or not re.fullmatch(r"[a-zA-Z0-9-_]{1,64}", cell["id"]):
            cell["id"] = f"cell-{i}"
        seen.add(cell["id"])
    return nb, repairs


def preflight(submitted, templates):
    """Check and repair one handed-in assignment folder.

    ``templates`` maps each expected notebook file name to its release notebook (JSON). Returns
    {name: NotebookPreflight}; nothing under ``submitted`` is modified.
    """
    chosen, repairs, failures = match_files(submitted, list(templates), templates)
    results = {}
    for name, template in templates.items():
        result = NotebookPreflight(name=name, repairs=list(repairs[name]))
        path = chosen[name]
        if path is None:
            result.failure = failures[name]
            results[name] = result
            continue
        result.source_file = path.name
        nb, failure = load(path)
        if failure:
            result.failure = failure
            results[name] = result
            continue
        try:
            fixed, notes = repair(nb, template)
            nbformat.validate(nbformat.from_dict(fixed))
        except (nbformat.ValidationError, KeyError, TypeError, AttributeError) as error:
            result.failure = f"'{path.name}' is a damaged notebook ({type(error).__name__}: {str(error)[:200]})"
            results[name] = result
            continue
        result.notebook = fixed
        result.repairs += notes
        results[name] = result
    return results
