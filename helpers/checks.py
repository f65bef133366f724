"""What the grade cells call: run a student's function safely, compare its output with the
expected one, and explain any difference in words a student can act on.

Every failed check raises :class:`CheckFailure` (an ``AssertionError``). Its message names the
function and the output, shows the expected and actual shape, dtype and values with the largest
difference, and, where the mistake is a known one, says which: a missing 1/m, a transposed
result, a flipped sign, a lost ``keepdims``, a mutated input, a (1, 1) array where a scalar
belongs, the wrong labels.

The checks are written so that a notebook cannot talk them into a pass:

* the numpy functions used here are bound when this module is imported, before any student code
  runs, so ``np.allclose = lambda *a, **k: True`` in a notebook changes nothing here;
* results are converted to plain ``ndarray`` before comparing, so an array subclass with a
  doctored ``__eq__`` is compared by its values;
* the module refuses attribute assignment (``checks.expect = ...`` raises).

Student code is run through :func:`run`, which silences numpy floating-point warnings and Python
warnings (any stderr output in a test cell would zero a correct answer under nbgrader) and checks
that the inputs were not modified.

Every failure also records a *diagnosis*: a stable identifier of what the check recognised (the
slug of a named mistake such as ``missing-1-m`` or ``the-bias-b-is-missing-z-w-a-b``, or
``no known mistake``, ``not implemented``, ``error: <ExceptionType>``), the explanation the student
saw and the function. It never depends on the student's numbers, so the class report can count
how many submissions made each mistake (tools/grading/report.py). Under nbgrader's autograder the
traceback carries it on one extra line for the grader; students never see that line.

Introduced in 01_perceptron; used by every assignment.
"""

import copy as _copy_module
import inspect as _inspect
import json as _json
import math as _math
import os as _os
import re as _re
import sys as _sys
import textwrap as _textwrap
import traceback as _traceback
import types as _types
import warnings as _warnings
from collections.abc import Mapping as _Mapping

import numpy as _np

from .paths import REFERENCE_DIR, CourseError

# Bound at import time, before any notebook code runs: later monkeypatching of numpy's namespace
# (np.allclose = ..., np.testing.assert_allclose = ...) cannot reach these names.
_ndarray = _np.ndarray
_asarray = _np.asarray
_array = _np.array
_abs = _np.abs
_isfinite = _np.isfinite
_isnan = _np.isnan
_sqrt = _np.sqrt
_errstate = _np.errstate
_array2string = _np.array2string
_unravel_index = _np.unravel_index
_zeros_like = _np.zeros_like
_unique = _np.unique
_squeeze = _np.squeeze
_bool_ = _np.bool_
_integer = _np.integer
_floating = _np.floating
_number = _np.number
_deepcopy = _copy_module.deepcopy
_signature = _inspect.signature
_isclose_scalar = _math.isclose

__all__ = [
    "CheckFailure",
    "reference",
    "run",
    "expect",
    "expect_scalar",
    "expect_labels",
    "expect_equal",
    "expect_keys",
    "expect_raises",
    "check",
    "diagnose",
    "diagnosis_id",
    "NO_KNOWN_MISTAKE",
    "NOT_IMPLEMENTED",
    "numerical_gradient",
    "relative_error",
    "gradient_check",
    "GRADIENT_THRESHOLDS",
]


NO_KNOWN_MISTAKE = "no known mistake"
NOT_IMPLEMENTED = "not implemented"


def diagnosis_id(text):
    """A stable identifier for a named mistake: the slug of its explanation with numbers removed
    (``"the slope for z < 0 is 0.01, not 0.1."`` -> ``"the-slope-for-z-is-not"``), at most 80 characters."""
    words = _re.findall(r"[a-z]+", _re.sub(r"\d+(?:\.\d+)?(?:e-?\d+)?", " ", text.lower()))
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > 80:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug or NO_KNOWN_MISTAKE


def _function_of(name):
    """The function a check's name is about: ``"propagate(w, b) -> grads['dw']"`` -> ``"propagate"``."""
    found = _re.match(r"\s*([A-Za-z_][\w.]*)", name or "")
    return found.group(1) if found else ""


class CheckFailure(AssertionError):
    """A test found a mistake. The message explains what was expected, what came back and why.

    ``test_line`` is the line of the test code that failed (the first caller outside helpers), so
    the grader can tell a visible check from a hidden one without showing any test code.
    """

    test_line = None
    diagnosis = NO_KNOWN_MISTAKE  # a stable identifier of what the check recognised (see diagnosis_id)
    explanation = ""              # the hint (or first line) the student saw for it
    function = ""                 # the function the failing check was about

    def _render_traceback_(self):
        # IPython shows this instead of a stack trace: the message is the whole story, and no line
        # of the test cell is printed (at grading time the cell may contain hidden tests).
        lines = CourseError._render_traceback_(self)
        if self.test_line is not None:
            lines.append(f"\x1b[2m(line {self.test_line} of the test cell)\x1b[0m")
        if _os.environ.get("NBGRADER_EXECUTION") == "autograde":  # for the grader's class report only
            lines.append(f"\x1b[2m(diagnosis {_json.dumps(self.record())})\x1b[0m")
        return lines

    def record(self):
        """The diagnosis as a dict: ``{"id", "explanation", "function"}``."""
        return {"id": self.diagnosis, "explanation": self.explanation, "function": self.function}


# --------------------------------------------------------------------------------------------
# formatting
# --------------------------------------------------------------------------------------------
def _describe(x):
    """'shape (2, 3), dtype float64' for arrays; the Python type for everything else."""
    if isinstance(x, _ndarray):
        return f"shape {x.shape}, dtype {x.dtype}"
    if isinstance(x, (_number, _bool_)):
        return f"numpy scalar, dtype {x.dtype}"
    return f"{type(x).__name__}"


def _fmt(x):
    """Short printable form of a value (arrays are abbreviated)."""
    if isinstance(x, _ndarray):
        return _array2string(x, precision=6, threshold=24, edgeitems=3, suppress_small=False,
                             max_line_width=90)
    text = repr(x)
    return text if len(text) <= 300 else text[:300] + " ..."


_WIDTH = 100  # nbgrader's Validate cuts longer lines (its width is 130 in nbgrader_config.py, minus the 'CheckFailure: ' prefix)


def _wrap(line):
    if len(line) <= _WIDTH:
        return line
    lead = line[: len(line) - len(line.lstrip())]
    return _textwrap.fill(line, _WIDTH, subsequent_indent=lead + "  ", break_long_words=False,
                          break_on_hyphens=False)


def _caller_line():
    """Line number in the first frame outside this package: the test code that called a check."""
    frame = _sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").startswith("helpers"):
        frame = frame.f_back
    return frame.f_lineno if frame is not None else None


def _fail(lines, diagnosis=NO_KNOWN_MISTAKE, explanation=None, function=None):
    """Raise a CheckFailure with ``lines`` as its message and the diagnosis the check made (its id,
    the explanation the student saw, by default the first line, and the function it is about)."""
    __tracebackhide__ = True
    text = "\n".join(_wrap(part) for line in lines if line is not None for part in line.split("\n"))
    error = CheckFailure(text)
    error.test_line = _caller_line()
    first = next((line for line in lines if line), "")
    error.diagnosis = diagnosis
    error.explanation = explanation or first.split("\n")[0]
    error.function = function if function is not None else _function_of(first)
    raise error from None


def _named(hints, fallback=NO_KNOWN_MISTAKE):
    """_fail's keywords for a list of (id, text) diagnoses: the first one names the failure."""
    return {"diagnosis": hints[0][0], "explanation": hints[0][1]} if hints else {"diagnosis": fallback}


# --------------------------------------------------------------------------------------------
# reference outputs
# --------------------------------------------------------------------------------------------
class Reference(_Mapping):
    """Read-only view of ``data/reference/<assignment>.h5``.

    Keys are HDF5 paths such as ``"net_input/X"``. Each lookup returns a fresh copy, so a test
    (or a student function that mutates its input) can never alter the stored values.
    """

    def __init__(self, assignment, values):
        self.assignment = assignment
        self._values = values

    def __getitem__(self, key):
        try:
            value = self._values[key]
        except KeyError:
            raise KeyError(f"{key!r} is not in the reference outputs of {self.assignment}; "
                           f"available: {', '.join(sorted(self._values))}") from None
        return value.copy() if isinstance(value, _ndarray) else value

    def __iter__(self):
        return iter(self._values)

    def __len__(self):
        return len(self._values)


_REFERENCE_CACHE = {}


def reference(assignment):
    """Load the reference outputs of one assignment, e.g. ``reference("01_perceptron")``.

    Returns a :class:`Reference` mapping from names like ``"fit/w_"`` to arrays or scalars. 0-d
    datasets come back as Python scalars, byte strings as ``str``.
    """
    if assignment not in _REFERENCE_CACHE:
        path = REFERENCE_DIR / f"{assignment}.h5"
        if not path.exists():
            raise FileNotFoundError(
                f"The reference outputs for {assignment} are missing ({path}). They ship with the "
                "course; if you are an instructor, rebuild them with `make release`.")
        import h5py  # imported here: students who never run a test do not pay for it

        values = {}
        with h5py.File(path, "r") as f:
            def visit(name, obj):
                if isinstance(obj, h5py.Dataset):
                    value = obj[()]
                    if isinstance(value, bytes):
                        value = value.decode()
                    elif isinstance(value, _ndarray) and value.ndim == 0:
                        value = value.item()
                    elif isinstance(value, (_number, _bool_)):
                        value = value.item()
                    values[name] = value
            f.visititems(visit)
        _REFERENCE_CACHE[assignment] = values
    return Reference(assignment, _REFERENCE_CACHE[assignment])


# --------------------------------------------------------------------------------------------
# running student code
# --------------------------------------------------------------------------------------------
def _snapshot(value):
    """Copies of every array reachable through dicts, lists and tuples (for mutation checks)."""
    if isinstance(value, _ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _snapshot(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_snapshot(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_snapshot(v) for v in value)
    return None


def _changed(before, after, where):
    """Paths (like ``parameters['W1']``) whose arrays differ between a snapshot and now."""
    if before is None:
        return []
    if isinstance(before, _ndarray):
        if not isinstance(after, _ndarray) or after.shape != before.shape:
            return [where]
        same = _asarray(after == before) | (_isnan(after) & _isnan(before)) \
            if after.dtype.kind in "fc" else _asarray(after == before)
        return [] if bool(same.all()) else [where]
    if isinstance(before, dict):
        out = []
        if not isinstance(after, dict):
            return [where]
        for k, v in before.items():
            out += _changed(v, after.get(k), f"{where}[{k!r}]") if k in after else [f"{where}[{k!r}] (deleted)"]
        return out
    if isinstance(before, (list, tuple)):
        if not isinstance(after, (list, tuple)) or len(after) != len(before):
            return [where]
        out = []
        for i, (b, a) in enumerate(zip(before, after)):
            out += _changed(b, a, f"{where}[{i}]")
        return out
    return []


def _argument_names(fn, args, kwargs):
    try:
        bound = _signature(fn).bind(*args, **kwargs)
        return list(bound.arguments.items())
    except (TypeError, ValueError):
        return [(f"argument {i + 1}", a) for i, a in enumerate(args)] + list(kwargs.items())


def _explain_error(label, error):
    """Message lines for an exception raised inside student code: the student's frames (not the
    test's), the error, and a hint for the usual shape mistakes."""
    frames = _traceback.extract_tb(error.__traceback__)[1:]  # drop run() itself
    shown = _traceback.format_list(frames[-6:])
    text = f"{type(error).__name__}: {error}"
    hint = None
    lowered = str(error).lower()
    if isinstance(error, ValueError) and ("shape" in lowered or "broadcast" in lowered or "aligned" in lowered):
        hint = ("the shapes do not fit together. Print the shapes of the arrays on that line and compare "
                "them with the shapes in the docstring (is something transposed, or a rank-1 array?).")
    elif isinstance(error, (AttributeError, KeyError)):
        hint = "a name or a key your code uses does not exist; check its spelling against the docstring."
    return [f"{label} raised an error in your code:", *("  " + line.rstrip() for line in "".join(shown).splitlines()),
            text, f"Hint: {hint}" if hint else None]


def run(fn, *args, name=None, check_mutation=True, **kwargs):
    """Call a student's ``fn(*args, **kwargs)`` the way a grade cell should, and return its result.

    * numpy floating-point warnings and Python warnings are silenced (under nbgrader any stderr
      output in a test cell zeroes a correct answer);
    * ``NotImplementedError`` becomes a short "not implemented yet" failure, and any other
      exception a failure that shows the student's own frames and the error;
    * every array argument (also inside dicts, lists and tuples) is compared before and after
      the call: a function that modifies its input fails with "input mutated".
    """
    __tracebackhide__ = True
    label = name or getattr(fn, "__qualname__", getattr(fn, "__name__", "your function"))
    named = _argument_names(fn, args, kwargs) if check_mutation else []
    before = [(arg, _snapshot(value)) for arg, value in named]
    try:
        with _warnings.catch_warnings(), _errstate(all="ignore"):
            _warnings.simplefilter("ignore")
            result = fn(*args, **kwargs)
    except NotImplementedError:
        _fail([f"{label} is not implemented yet: replace `raise NotImplementedError()` with your code."],
              NOT_IMPLEMENTED)
    except Exception as error:  # noqa: BLE001 - reported with the student's own frames only
        _fail(_explain_error(label, error), f"error: {type(error).__name__}",
              f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}".rstrip(": "))
    mutated = []
    for (arg, snap), (_, value) in zip(before, named):
        mutated += _changed(snap, value, arg)
    if mutated:
        _fail([f"{label} modified its input: {', '.join(mutated)} changed during the call "
               "(input mutated).",
               "Hint: an in-place update such as `W -= ...`, `w[0] += ...` or `params[k] = ...` on the "
               "argument writes into the caller's array. Work on a copy (`W = W - ...`, `.copy()`)."],
              "input-mutated", f"{label} modified its input (input mutated).")
    return result


# --------------------------------------------------------------------------------------------
# diagnosis of known mistakes
# --------------------------------------------------------------------------------------------
def _allclose(a, b, rtol, atol):
    """Plain-ndarray closeness that no monkeypatching of numpy's namespace can change."""
    a = _asarray(a, dtype=float)
    b = _asarray(b, dtype=float)
    if a.shape != b.shape:
        return False
    if not (bool(_isfinite(a).all()) and bool(_isfinite(b).all())):
        return bool(((a == b) | (_isnan(a) & _isnan(b))).all())
    return bool((_abs(a - b) <= atol + rtol * _abs(b)).all())


def diagnose(actual, expected, m=None, rtol=1e-5, atol=1e-8):
    """Name the known mistakes that would turn ``expected`` into ``actual``.

    Returns a list of hints (empty when nothing known matches). ``m`` is the number of examples,
    used to recognise a missing or doubled 1/m. Arrays must already be ndarrays.
    """
    return [text for _, text in _diagnoses(actual, expected, m, rtol, atol)]


def _add(hints, identifier, text):
    hints.append((identifier, text))


def _diagnoses(actual, expected, m=None, rtol=1e-5, atol=1e-8):
    """:func:`diagnose` with a stable identifier for each hint: a list of (id, hint)."""
    hints = []
    a, e = actual, expected
    if a.shape != e.shape:
        if e.ndim == 0 and a.shape in ((1, 1), (1,)):
            _add(hints, "array-where-scalar-belongs", f"a {a.shape} array where a scalar belongs: return a float, e.g. `cost.item()` "
                         "or `np.squeeze(cost)`.")
        elif a.ndim == 2 and e.ndim == 2 and a.shape == e.shape[::-1]:
            if _allclose(a.T, e, rtol, atol):
                _add(hints, "transposed", "transposed: your result is the transpose of the expected one "
                             "(check the order of the factors in the dot product, and where `.T` goes).")
            else:
                _add(hints, "transposed-shape-and-wrong-values", "the shape is the transpose of the expected one (transposed) and the values "
                             "differ too.")
        elif e.ndim == 2 and a.ndim == 1 and a.size == e.size:
            if 1 in e.shape:
                _add(hints, "lost-keepdims", f"a rank-1 array of shape {a.shape} where {e.shape} belongs (lost keepdims): "
                             "use `keepdims=True` in sums, or `.reshape(" + ", ".join(map(str, e.shape)) + ")`.")
        elif a.ndim == 2 and e.ndim == 1 and a.size == e.size and 1 in a.shape:
            _add(hints, "2d-array-where-1d-belongs", f"a {a.shape} array where a 1-D array of shape {e.shape} belongs: flatten it "
                         "(`.ravel()`), or check which axis you keep.")
        elif e.ndim == 2 and a.ndim == 2 and a.shape[0] == e.shape[0] and e.shape[1] == 1:
            _add(hints, "bias-not-summed-over-examples", f"expected one column per layer unit, shape {e.shape}; got {a.shape}. A bias "
                         "(or its gradient) is summed over the examples: `np.sum(dZ, axis=1, keepdims=True)`.")
        return hints
    if a.dtype.kind not in "biufc" or e.dtype.kind not in "biufc":
        return hints
    af = a.astype(float)
    ef = e.astype(float)
    if not (bool(_isfinite(af).all())):
        _add(hints, "nan-or-inf", "your result contains NaN or inf: look for log(0), a division by zero, or an "
                     "overflow (a learning rate that is too large makes values explode).")
        return hints
    if _allclose(af, -ef, rtol, atol) and bool((_abs(ef) > atol).any()):
        _add(hints, "flipped-sign", "flipped sign: your result is the negative of the expected one.")
    if m and m > 1:
        if _allclose(af, ef * m, rtol, atol) and bool((_abs(ef) > atol).any()):
            _add(hints, "missing-1-m", f"missing 1/m: your result is m = {m} times the expected one; average over the "
                         "examples (divide by m, or use np.mean).")
        elif _allclose(af, ef / m, rtol, atol) and bool((_abs(ef) > atol).any()):
            _add(hints, "divided-by-m-twice", f"divided by m twice: your result is the expected one divided by m = {m}.")
    if af.ndim == 2 and af.shape[0] == af.shape[1] and af.shape[0] > 1 and _allclose(af, ef.T, rtol, atol) \
            and not _allclose(ef, ef.T, rtol, atol):
        _add(hints, "transposed", "transposed: your result is the transpose of the expected one.")
    if not hints and af.size > 1:
        nz = _abs(ef) > 1e-12
        if bool(nz.all()):
            ratio = af / ef
            r0 = float(ratio.ravel()[0])
            if r0 != 1.0 and _allclose(ratio, _zeros_like(ratio) + r0, 1e-6, 1e-12):
                _add(hints, "off-by-constant-factor", f"off by a constant factor: your result is {r0:.6g} times the expected one "
                             "(a learning rate, a 1/2, or a 1/m in the wrong place?).")
        if not hints:
            shift = af - ef
            s0 = float(shift.ravel()[0])
            if abs(s0) > atol and _allclose(shift, _zeros_like(shift) + s0, 1e-6, 1e-9):
                _add(hints, "off-by-constant", f"off by a constant: every value is shifted by {s0:.6g} (a bias term?).")
    return hints


# --------------------------------------------------------------------------------------------
# comparisons
# --------------------------------------------------------------------------------------------
def _header(name, what):
    return f"{name}: {what}"


def _known_mistake(actual, mistakes, rtol, atol):
    """The description of the first known wrong answer that ``actual`` matches, else None."""
    for description, wrong in (mistakes or {}).items():
        wrong = _asarray(wrong)
        if wrong.shape == actual.shape and actual.dtype.kind in "biufc" and _allclose(actual, wrong, rtol, atol):
            return description
    return None


def expect(name, actual, expected, *, rtol=1e-5, atol=1e-8, m=None, hint=None, mistakes=None):
    """Check that an array result matches the expected array (shape first, then values).

    ``name`` names the function and the output, e.g. ``"propagate(w, b, X, Y) -> grads['dw']"``.
    ``m`` (number of examples) lets the message recognise a missing 1/m. ``hint`` is added to
    the message when the values differ. ``mistakes`` maps a description of a known mistake to
    the wrong answer it produces (e.g. ``{"you left out x_j": w_without_x}``); a match is named.
    """
    __tracebackhide__ = True
    expected = _asarray(expected)
    if isinstance(actual, (list, tuple)):
        _fail([_header(name, f"returned a Python {type(actual).__name__}; return a numpy array "
                             f"of shape {expected.shape}.")], "returned-a-python-sequence")
    if actual is None:
        _fail([_header(name, "returned None. Did you forget a `return` statement?")], "returned-none")
    if not isinstance(actual, (_ndarray, _number, _bool_, int, float)):
        _fail([_header(name, f"returned a {type(actual).__name__}; expected a numpy array of shape "
                             f"{expected.shape}.")], "wrong-return-type")
    raw = actual
    actual = _asarray(actual)
    if actual.shape != expected.shape:
        found = _diagnoses(actual, expected, m=m, rtol=rtol, atol=atol)
        _fail([_header(name, "wrong shape."),
               f"  expected: {_describe(expected)}",
               f"  got:      {_describe(raw if isinstance(raw, _ndarray) else actual)}",
               *(f"Hint: {h}" for _, h in found)], **_named(found, "wrong-shape"))
    if actual.dtype.kind not in "biufc":
        _fail([_header(name, f"expected numbers, got an array of dtype {actual.dtype}.")], "not-numbers")
    if _allclose(actual, expected, rtol, atol):
        return
    af = actual.astype(float)
    ef = expected.astype(float)
    with _errstate(all="ignore"):
        diff = _abs(af - ef)
    if bool(_isfinite(diff).all()) and diff.size:
        idx = _unravel_index(int(diff.argmax()), diff.shape) if diff.ndim else ()
        largest = (f"  largest difference: {float(diff.max()):.6g} at index {tuple(int(i) for i in idx)} "
                   f"(expected {float(ef[idx]):.6g}, got {float(af[idx]):.6g})")
    else:
        largest = "  largest difference: not finite (NaN or inf in your result)"
    known = _known_mistake(actual, mistakes, rtol, atol)
    found = [(diagnosis_id(known), known)] if known else _diagnoses(actual, expected, m=m, rtol=rtol, atol=atol)
    _fail([_header(name, "wrong values."),
           f"  expected: {_describe(expected)}",
           f"  got:      {_describe(actual)}",
           largest,
           f"  expected values:\n{_indent(_fmt(expected))}",
           f"  your values:\n{_indent(_fmt(actual))}",
           *(f"Hint: {h}" for _, h in found),
           f"Hint: {hint}" if hint and not found else None], **_named(found))


def _indent(text, prefix="    "):
    return "\n".join(prefix + line for line in text.splitlines())


def expect_scalar(name, actual, expected, *, rtol=1e-6, atol=1e-9, m=None, hint=None):
    """Check a scalar result (a cost, a bias). A float, a numpy scalar or a 0-d array all pass;
    a (1, 1) or (1,) array does not, because later code would silently broadcast it."""
    __tracebackhide__ = True
    if actual is None:
        _fail([_header(name, "returned None. Did you forget a `return` statement?")], "returned-none")
    if isinstance(actual, (list, tuple)):
        _fail([_header(name, f"returned a Python {type(actual).__name__}; expected a single number.")],
              "returned-a-python-sequence")
    if isinstance(actual, _ndarray) and actual.ndim > 0:
        found = _diagnoses(actual, _asarray(float(expected)), m=m)
        _fail([_header(name, f"expected a scalar, got an array of {_describe(actual)}."),
               *(f"Hint: {h}" for _, h in found)], **_named(found, "array-where-scalar-belongs"))
    if not isinstance(actual, (_ndarray, _number, _bool_, int, float)):
        _fail([_header(name, f"expected a number, got a {type(actual).__name__}.")], "wrong-return-type")
    value = float(_asarray(actual))
    expected = float(expected)
    if _isclose_scalar(value, expected, rel_tol=rtol, abs_tol=atol):
        return
    found = _diagnoses(_asarray([value]), _asarray([expected]), m=m, rtol=rtol, atol=atol)
    _fail([_header(name, "wrong value."),
           f"  expected: {expected:.10g}",
           f"  got:      {value:.10g}",
           f"  difference: {abs(value - expected):.6g}",
           *(f"Hint: {h}" for _, h in found),
           f"Hint: {hint}" if hint and not found else None], **_named(found))


def expect_labels(name, actual, expected, *, classes=(-1, 1), accept_bool=False):
    """Check predicted class labels: right shape, only values from ``classes``, all correct.

    ``accept_bool=True`` also accepts a boolean array for ``classes=(0, 1)``.
    """
    __tracebackhide__ = True
    expected = _asarray(expected)
    if actual is None:
        _fail([_header(name, "returned None. Did you forget a `return` statement?")], "returned-none")
    if not isinstance(actual, _ndarray):
        _fail([_header(name, f"returned a {type(actual).__name__}; return a numpy array of shape "
                             f"{expected.shape}.")], "wrong-return-type")
    actual = _asarray(actual)
    if actual.shape != expected.shape:
        found = _diagnoses(actual, expected)
        _fail([_header(name, "wrong shape."),
               f"  expected: {_describe(expected)}",
               f"  got:      {_describe(actual)}",
               *(f"Hint: {h}" for _, h in found)], **_named(found, "wrong-shape"))
    if actual.dtype == bool and accept_bool and set(classes) == {0, 1}:
        actual = actual.astype(int)
    if actual.dtype.kind not in "iuf":
        _fail([_header(name, f"expected numeric labels, got dtype {actual.dtype}.")], "not-numbers")
    found = [v.item() for v in _unique(actual)]
    allowed = set(classes)
    if not set(found) <= allowed:
        hint, why = None, "labels-outside-the-classes"
        if set(found) <= {0, 1} and allowed == {-1, 1}:
            hint = "wrong labels: this model predicts -1 and 1, not 0 and 1 (`np.where(z >= 0, 1, -1)`)."
            why = "labels-0-and-1-instead-of-minus-1-and-1"
        elif set(found) <= {-1, 1} and allowed == {0, 1}:
            hint = "wrong labels: this model predicts 0 and 1, not -1 and 1."
            why = "labels-minus-1-and-1-instead-of-0-and-1"
        elif actual.dtype.kind == "f":
            hint = "wrong labels: return class labels, not probabilities or raw scores (threshold them)."
            why = "probabilities-instead-of-labels"
        _fail([_header(name, f"labels must be one of {sorted(allowed)}; got values {found[:10]}."),
               f"Hint: {hint}" if hint else None], why, hint)
    wrong = actual != expected
    if bool(wrong.any()):
        n = int(wrong.sum())
        first = [tuple(int(i) for i in idx) for idx in zip(*wrong.nonzero())][:5]
        hint, why = None, NO_KNOWN_MISTAKE
        if bool((actual == -expected).all()) or (allowed == {0, 1} and bool((actual == 1 - expected).all())):
            hint, why = "wrong labels: every label is flipped (check the threshold direction, >= vs <).", "every-label-flipped"
        elif len(found) == 1:
            hint = f"every prediction is {found[0]}: is the model trained, and is the threshold right?"
            why = "every-prediction-is-the-same-class"
        _fail([_header(name, f"{n} of {expected.size} labels are wrong (first at index "
                             f"{', '.join(map(str, first))})."),
               f"  expected: {_fmt(expected)}",
               f"  got:      {_fmt(actual)}",
               f"Hint: {hint}" if hint else None], why, hint)


def _same(actual, expected):
    try:
        same = actual == expected
        if isinstance(same, _ndarray):
            return isinstance(actual, _ndarray) and actual.shape == _asarray(expected).shape and bool(same.all())
        return bool(same)
    except (ValueError, TypeError):
        return False


def expect_equal(name, actual, expected, hint=None, mistakes=None):
    """Check exact equality of small Python values: ints, tuples, lists of counts, strings.

    ``mistakes`` maps a description of a known mistake to the wrong value it produces."""
    __tracebackhide__ = True
    if not _same(actual, expected):
        known = next((d for d, wrong in (mistakes or {}).items() if _same(actual, wrong)), None)
        _fail([_header(name, "wrong result."),
               f"  expected: {_fmt(expected)} ({type(expected).__name__})",
               f"  got:      {_fmt(actual)} ({type(actual).__name__})",
               f"Hint: {known or hint}" if (known or hint) else None],
              **_named([(diagnosis_id(known), known)] if known else []))


def expect_keys(name, actual, keys):
    """Check that a dict has exactly the expected keys (e.g. grads from a backward pass)."""
    __tracebackhide__ = True
    if not isinstance(actual, dict):
        _fail([_header(name, f"expected a dict with keys {sorted(keys)}, got a {type(actual).__name__}.")],
              "wrong-return-type")
    want, got = set(keys), set(actual)
    if want != got:
        missing, extra = sorted(want - got), sorted(got - want)
        hint = None
        if missing and extra:
            hint = ("keys off by one? Layer l's gradient is dW{l}/db{l}, and the gradient passed back is "
                    "dA{l-1}." if any(k.startswith("d") for k in missing) else None)
        _fail([_header(name, "wrong keys."),
               f"  missing: {missing}" if missing else None,
               f"  unexpected: {extra}" if extra else None,
               f"Hint: {hint}" if hint else None], "gradient-keys-off-by-one" if hint else "wrong-keys", hint)


def expect_raises(name, exception, fn, *args, **kwargs):
    """Check that ``fn(*args, **kwargs)`` raises ``exception`` (e.g. ValueError for bad input)."""
    __tracebackhide__ = True
    try:
        with _warnings.catch_warnings(), _errstate(all="ignore"):
            _warnings.simplefilter("ignore")
            fn(*args, **kwargs)
    except exception:
        return
    except NotImplementedError:
        _fail([f"{name} is not implemented yet: replace `raise NotImplementedError()` with your code."],
              NOT_IMPLEMENTED)
    except Exception as error:  # noqa: BLE001 - any other exception is the student's bug to see
        _fail([_header(name, f"expected {exception.__name__}, but {type(error).__name__} was raised: {error}")],
              f"wrong-exception-{type(error).__name__}-instead-of-{exception.__name__}",
              f"{name}: expected {exception.__name__}, but {type(error).__name__} was raised.")
    _fail([_header(name, f"expected {exception.__name__} to be raised, but the call returned normally.")],
          f"no-{exception.__name__}-raised")


def check(condition, message, diagnosis=None):
    """Fail with ``message`` unless ``condition`` holds (for checks that need their own words).

    The failure's diagnosis is ``diagnosis`` if given, else the slug of the message's first line up
    to the first "got" (what follows usually shows the student's values), numbers removed."""
    __tracebackhide__ = True
    if not bool(condition):
        first = message.split("\n")[0]
        named = diagnosis or diagnosis_id(_re.split(r"\bgot\b", first)[0])
        call = _re.search(r"([A-Za-z_][\w.]*)\s*\(", first)
        _fail([message], named, first, call.group(1) if call else "")


# --------------------------------------------------------------------------------------------
# numerical gradient checking
# --------------------------------------------------------------------------------------------
GRADIENT_THRESHOLDS = {
    # relative error ||g - g_num|| / (||g|| + ||g_num||) of a float64 computation with eps = 1e-6
    "correct": 1e-7,       # below: the analytic gradient is right
    "suspicious": 1e-5,    # between: right only if the function has kinks (ReLU) near the point
    # above 1e-5: the analytic gradient is wrong
}


def numerical_gradient(f, x, eps=1e-6):
    """Centred-difference gradient of a scalar function ``f()`` with respect to the array ``x``.

    ``f`` takes no arguments and reads ``x``; each element of ``x`` is nudged in place by ±eps
    and restored. Returns an array of ``x``'s shape: (f(x + eps e_i) - f(x - eps e_i)) / (2 eps).
    The error is O(eps²) for smooth f.
    """
    grad = _zeros_like(x, dtype=float)
    flat = x.reshape(-1)  # a view: writes go into x
    gflat = grad.reshape(-1)
    with _warnings.catch_warnings(), _errstate(all="ignore"):
        _warnings.simplefilter("ignore")
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps
            plus = float(_asarray(f()).sum())
            flat[i] = old - eps
            minus = float(_asarray(f()).sum())
            flat[i] = old
            gflat[i] = (plus - minus) / (2 * eps)
    return grad


def relative_error(a, b):
    """||a - b|| / (||a|| + ||b||), 0 when both are zero. Scale-free, so one threshold fits all."""
    a = _asarray(a, dtype=float).ravel()
    b = _asarray(b, dtype=float).ravel()
    num = float(_sqrt(((a - b) ** 2).sum()))
    den = float(_sqrt((a ** 2).sum())) + float(_sqrt((b ** 2).sum()))
    return 0.0 if den == 0.0 else num / den


def gradient_check(name, f, params, grads, *, eps=1e-6, threshold=GRADIENT_THRESHOLDS["suspicious"], m=None):
    """Compare analytic gradients with centred differences of ``f``.

    ``f()`` recomputes the scalar cost from the arrays in ``params`` (a dict of name -> array;
    they are nudged in place and restored). ``grads`` maps the same names to the analytic
    gradients. Fails, naming the parameter and the likely mistake, when a relative error exceeds
    ``threshold`` (see :data:`GRADIENT_THRESHOLDS`). Returns the dict of relative errors.
    """
    __tracebackhide__ = True
    errors = {}
    for key, x in params.items():
        g = grads.get(key) if isinstance(grads, dict) else None
        if g is None:
            _fail([_header(name, f"no gradient for {key!r} (the gradients dict has {sorted(grads)}).")],
                  "missing-gradient")
        g = _asarray(g)
        if g.shape != x.shape:
            found = _diagnoses(g, _zeros_like(x, dtype=float))
            _fail([_header(name, f"the gradient of {key!r} has {_describe(g)}, but {key!r} has shape "
                                 f"{x.shape}: a gradient always has the shape of its parameter."),
                   *(f"Hint: {h}" for _, h in found)], **_named(found, "gradient-shape-differs-from-parameter"))
        numeric = numerical_gradient(f, x, eps=eps)
        err = relative_error(g, numeric)
        errors[key] = err
        if not err <= threshold:
            found = _diagnoses(g, numeric, m=m, rtol=1e-4, atol=1e-7)
            _fail([_header(name, f"the analytic gradient of {key!r} does not match the numerical one."),
                   f"  relative error: {err:.3g} (a correct gradient gives < {GRADIENT_THRESHOLDS['correct']:g})",
                   f"  numerical gradient:\n{_indent(_fmt(numeric))}",
                   f"  your gradient:\n{_indent(_fmt(g))}",
                   *(f"Hint: {h}" for _, h in found)], **_named(found))
    return errors


# --------------------------------------------------------------------------------------------
# read-only module: `checks.expect = lambda *a, **k: None` in a notebook raises instead
# --------------------------------------------------------------------------------------------
class _ReadOnlyModule(_types.ModuleType):
    def __setattr__(self, attr, value):
        raise AttributeError(f"helpers.checks is read-only: a notebook cannot replace `{attr}`.")

    def __delattr__(self, attr):
        raise AttributeError(f"helpers.checks is read-only: a notebook cannot delete `{attr}`.")


_sys.modules[__name__].__class__ = _ReadOnlyModule
