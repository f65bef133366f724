"""Build data/reference/<assignment>.h5 from the source notebooks' own solutions.

    python -m tools.build_reference [ASSIGNMENT ...]           # write the files
    python -m tools.build_reference --check [ASSIGNMENT ...]   # compare, exit 1 on any difference

Each assignment has a spec in tools/references/<assignment>.py with a function
``build(solutions) -> {"name/path": array or scalar}``. ``solutions`` maps each notebook's stem
to a namespace holding the definitions of its solution cells (see tools.course.source_solutions).
The visible tests read these files through ``helpers.checks.reference``.
"""

import argparse
import importlib.util
import sys

import numpy as np

from tools.course import REFERENCE_SPECS_DIR, assignments, reference_path, source_solutions


def spec_path(assignment):
    return REFERENCE_SPECS_DIR / f"{assignment}.py"


def spec_module(assignment):
    """The assignment's spec, tools/references/<assignment>.py, as a module."""
    spec = importlib.util.spec_from_file_location(f"reference_spec_{assignment}", spec_path(assignment))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def compute(assignment):
    """Run the assignment's spec on the current source solutions: {key: value}."""
    values = spec_module(assignment).build(source_solutions(assignment))
    for key, value in values.items():
        if not isinstance(value, (np.ndarray, int, float, str, np.number, bool)):
            raise TypeError(f"{assignment}: reference value {key!r} has unsupported type {type(value).__name__}")
    return values


def write(assignment, values):
    import h5py

    path = reference_path(assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w", track_order=True) as f:
        for key in sorted(values):
            # track_times=False keeps the file byte-identical when the values do not change.
            f.create_dataset(key, data=values[key], track_times=False)


def read(assignment):
    from helpers.checks import reference

    return dict(reference(assignment))


def differences(assignment, rtol=1e-10, atol=1e-12):
    """Keys whose stored value differs from what the source solutions compute now."""
    path = reference_path(assignment)
    if not path.exists():
        return [f"{path} is missing"]
    now = compute(assignment)
    stored = read(assignment)
    out = [f"{k}: missing from {path.name}" for k in sorted(set(now) - set(stored))]
    out += [f"{k}: stored but no longer computed" for k in sorted(set(stored) - set(now))]
    for key in sorted(set(now) & set(stored)):
        a, b = np.asarray(now[key]), np.asarray(stored[key])
        if a.shape != b.shape:
            out.append(f"{key}: shape {b.shape} stored, {a.shape} now")
        elif a.dtype.kind in "fc" and not np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True):
            out.append(f"{key}: values differ (largest {np.max(np.abs(a - b)):.3g})")
        elif a.dtype.kind not in "fc" and not np.array_equal(a, b):
            out.append(f"{key}: values differ")
    return out


def with_spec(ids):
    return [a for a in ids if spec_path(a).exists()]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    chosen = with_spec(args.assignments or assignments())
    failed = False
    for assignment in chosen:
        if args.check:
            diffs = differences(assignment)
            failed |= bool(diffs)
            print(f"{assignment}: " + ("up to date" if not diffs else "OUT OF DATE\n  " + "\n  ".join(diffs)))
        else:
            values = compute(assignment)
            write(assignment, values)
            print(f"{reference_path(assignment).relative_to(reference_path(assignment).parents[2])}: "
                  f"{len(values)} values")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
