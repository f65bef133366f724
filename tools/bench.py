"""`make bench`: how fast the course runs on this machine. Reports numbers; nothing here passes or fails.

    python -m tools.bench [--quick] [--runs N] [--repeats N] [--suite] [--compare-threads]
                          [--default-kernel] [--only SECTION ...] [--json PATH]

Sections (all by default, `--only` picks some):

* ``blas``: the BLAS library numpy uses, its kernel (the CPU code path OpenBLAS chose, or was told to use
  with OPENBLAS_CORETYPE) and its thread count, from threadpoolctl. Every figure below depends on them.
* ``training``: seconds per training iteration of 05's reference 2-layer and 4-layer cat models (the source
  solutions, on the real data), with 1 BLAS thread and with all cores, next to the machine's **bound** for
  the same work: the two layer-1 matrix products every iteration needs, W1 X and dZ1 X^T, alone, each in
  the fastest of its equivalent formulations (see ``FORMULATIONS``), measured in the same run and thread
  setting. ``ratio`` = per-iteration time / bound; 1.0 would mean the rest of the iteration is free.
* ``notebooks``: wall time of every source and companion notebook, top to bottom in a fresh kernel (kernel
  start included), with the notebook's own BLAS setting. ``--compare-threads`` also runs each with 1 BLAS
  thread and with all cores forced (a cell inserted after the setup cell, plus OPENBLAS_NUM_THREADS).
* ``grading``: seconds to grade one submission of each assignment with `make autograde`'s code (nbgrader
  plus the isolated re-run), for the reference student (every solution filled in) and the blank release.
* ``suite`` (only with ``--suite``: it takes long): wall time of `make test`'s pytest command.

Each figure is the median of ``--runs`` runs (notebooks, grading; default 3) or ``--repeats`` repeats
(training and bound, which are cheap; default 7). Runs are interleaved, so that a burst of load from
another program spreads over all figures instead of spoiling one. ``--quick``: 1 run, 3 repeats, shorter
training runs. The table goes to stdout and everything, with each run's raw times, to reports/bench.json.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from tools.course import COURSE_ROOT, assignments, notebooks

SECTIONS = ("blas", "training", "notebooks", "grading", "suite")
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def _median(values):
    return float(statistics.median(values)) if values else float("nan")


# --- BLAS ------------------------------------------------------------------------------------------------

def blas_info():
    """The BLAS libraries loaded in this process (numpy's first), as threadpoolctl reports them."""
    from threadpoolctl import threadpool_info

    keys = ("internal_api", "version", "architecture", "num_threads", "threading_layer", "filepath")
    return [{k: lib.get(k) for k in keys} for lib in threadpool_info() if lib.get("user_api") == "blas"]


def _kernel():
    libs = blas_info()
    return libs[0]["architecture"] if libs else "unknown"


# --- training vs bound -----------------------------------------------------------------------------------

# The two layer-1 products of every training iteration, each in equivalent formulations. X is (12288, m);
# numpy hands each to BLAS with its own operand order and transpose flags, and OpenBLAS's speed depends
# on them (and on how X lies in memory: both layouts are tried).
FORMULATIONS = {
    "Z1 = W1 X": {"W1 @ X": lambda W, dZ, X: W @ X, "(X.T @ W1.T).T": lambda W, dZ, X: (X.T @ W.T).T},
    "dW1 = dZ1 X^T": {"dZ1 @ X.T": lambda W, dZ, X: dZ @ X.T, "(X @ dZ1.T).T": lambda W, dZ, X: (X @ dZ.T).T},
}


def _per_call(fn, calls):
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def cat_models():
    """05's reference (source) solutions with the training data: (two_layer_model, L_layer_model, X, Y)."""
    from helpers import data
    from tools.build_reference import spec_module
    from tools.course import source_solutions

    cat = spec_module("05_deep_network").with_building_blocks(source_solutions("05_deep_network"))
    train_x_orig, train_y, *_ = data.load_cat_dataset()
    return cat.two_layer_model, cat.L_layer_model, data.flatten_images(train_x_orig), train_y


def training(repeats, iterations, thread_counts):
    """Seconds per iteration of the reference cat models and the bound, per thread count (medians)."""
    from threadpoolctl import threadpool_limits

    two_layer_model, L_layer_model, X, Y = cat_models()
    models = {"2-layer (12288, 7, 1)": (two_layer_model, (X.shape[0], 7, 1)),
              "4-layer (12288, 20, 7, 5, 1)": (L_layer_model, (X.shape[0], 20, 7, 5, 1))}
    layouts = {"X as loaded" + (" (F order)" if X.flags.f_contiguous else ""): X, "X in C order": np.ascontiguousarray(X)}
    rng = np.random.RandomState(0)
    raw = {}  # (threads, figure) -> list of seconds
    for _ in range(repeats):
        for threads in thread_counts:
            with threadpool_limits(limits=threads, user_api="blas"):
                for model_name, (model, dims) in models.items():
                    W, dZ = rng.randn(dims[1], X.shape[0]) / 100, rng.randn(dims[1], X.shape[1])
                    for product, forms in FORMULATIONS.items():
                        for form, fn in forms.items():
                            for layout, Xl in layouts.items():
                                fn(W, dZ, Xl)  # warm-up
                                key = (threads, model_name, product, f"{form}, {layout}")
                                raw.setdefault(key, []).append(_per_call(lambda fn=fn, W=W, dZ=dZ, Xl=Xl: fn(W, dZ, Xl), iterations))
                    # Per iteration: (time of 1 + k iterations - time of 1) / k, so initialisation and the
                    # cost at iteration 0 drop out.
                    times = {}
                    for n in (1, 1 + iterations):
                        start = time.perf_counter()
                        model(X, Y, dims, num_iterations=n)
                        times[n] = time.perf_counter() - start
                    raw.setdefault((threads, model_name, "iteration"), []).append(
                        (times[1 + iterations] - times[1]) / iterations)
    rows = []
    for threads in thread_counts:
        for model_name in models:
            bound, fastest = 0.0, {}
            for product in FORMULATIONS:
                candidates = {k[3]: _median(v) for k, v in raw.items()
                              if k[:3] == (threads, model_name, product)}
                best = min(candidates, key=candidates.get)
                fastest[product] = {"formulation": best, "seconds": candidates[best], "all": candidates}
                bound += candidates[best]
            per_iteration = _median(raw[(threads, model_name, "iteration")])
            rows.append({"model": model_name, "threads": threads, "kernel": _kernel(),
                         "seconds_per_iteration": per_iteration, "bound_seconds": bound,
                         "ratio": per_iteration / bound, "products": fastest,
                         "runs": raw[(threads, model_name, "iteration")]})
    return rows


def training_default_kernel(args):
    """The training section in a child process without OPENBLAS_CORETYPE (the kernel OpenBLAS picks)."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bench.json"
        cmd = [sys.executable, "-m", "tools.bench", "--only", "training", "--json", str(out),
               "--repeats", str(args.repeats), "--iterations", str(args.iterations), "--no-table"]
        subprocess.run(cmd, cwd=COURSE_ROOT, env=env, check=True)
        return json.loads(out.read_text())["training"]


# --- notebooks -------------------------------------------------------------------------------------------

def all_notebooks(root=COURSE_ROOT):
    """Every source notebook (assignments in course order) and every companion notebook."""
    return [nb for a in assignments(root) for nb in notebooks(a, root)] + sorted((root / "notebooks").glob("*.ipynb"))


def _key(path):
    return f"{path.parent.name}/{path.name}"


def _needs_cat_data(path):
    return "load_cat_dataset" in path.read_text(encoding="utf-8")


def _with_threads(path, threads, workdir):
    """A copy of the notebook's folder in which a cell after the setup cell sets ``threads`` BLAS threads."""
    import shutil

    import nbformat

    folder = Path(workdir) / f"threads-{threads}" / path.parent.name
    if not folder.exists():
        shutil.copytree(path.parent, folder)
    nb = nbformat.read(path, as_version=4)
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    after = next((i for i in code if "threadpool_limits" in c_source(nb.cells[i])), code[0])
    nb.cells.insert(after + 1, nbformat.v4.new_code_cell(
        f"from threadpoolctl import threadpool_limits as _bench_limits\n\n_bench_limits({threads}, user_api='blas')"))
    nbformat.write(nb, folder / path.name)
    return folder / path.name


def c_source(cell):
    return cell.source if isinstance(cell.source, str) else "".join(cell.source)


def notebook_times(runs, compare_threads, cat_data, match=""):
    from tools.nbrun import execute

    # With --compare-threads each notebook runs with 1 thread and with all cores forced, side by side (its own
    # setting is one of the two).
    settings = [("1 thread", 1), (f"{CORES} threads", CORES)] if compare_threads else [("own", None)]
    paths = [p for p in all_notebooks() if (cat_data or not _needs_cat_data(p)) and match in _key(p)]
    raw, errors = {}, {}
    for _ in range(runs):
        for path in paths:
            for label, threads in settings:
                with tempfile.TemporaryDirectory() as tmp:
                    target = path if threads is None else _with_threads(path, threads, tmp)
                    env_before = os.environ.get("OPENBLAS_NUM_THREADS")
                    if threads is not None:
                        os.environ["OPENBLAS_NUM_THREADS"] = str(threads)  # libraries loaded after the cell too
                    try:
                        _, seconds = execute(target, Path(tmp) / "run")
                        raw.setdefault((_key(path), label), []).append(seconds)
                    except Exception as error:  # noqa: BLE001 - a benchmark reports, it does not stop
                        errors[(_key(path), label)] = f"{type(error).__name__}: {str(error).strip().splitlines()[-1:]}"
                    finally:
                        if threads is not None:
                            if env_before is None:
                                os.environ.pop("OPENBLAS_NUM_THREADS", None)
                            else:
                                os.environ["OPENBLAS_NUM_THREADS"] = env_before
    rows = []
    for path in paths:
        row = {"notebook": _key(path)}
        for label, _ in settings:
            times = raw.get((_key(path), label), [])
            row[label] = {"seconds": _median(times), "runs": times, "error": errors.get((_key(path), label))}
        rows.append(row)
    return rows


# --- grading ---------------------------------------------------------------------------------------------

def grading_times(runs, cat_data, match=""):
    from tools.course import quiet
    from tools.course_copy import blank_notebook, make_course, reference_notebook, submit
    from tools.grading.grader import grade_submission

    # nbgrader 0.9's gradebook warns about SQLAlchemy autoflush on every grading (as in pyproject's pytest
    # settings): noise, not news.
    warnings.filterwarnings("ignore", message="Object of type .* not in session")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        courses = {}
        for assignment in assignments():
            if match not in assignment:
                continue
            if not cat_data and any(_needs_cat_data(nb) for nb in notebooks(assignment)):
                continue
            with quiet():
                root = make_course(Path(tmp) / assignment, [assignment])
            names = [nb.name for nb in notebooks(assignment)]
            submit(root, "reference", assignment, {n: reference_notebook(root, assignment, n) for n in names})
            submit(root, "blank", assignment, {n: blank_notebook(root, assignment, n) for n in names})
            courses[assignment] = root
        raw, scores = {}, {}
        for _ in range(runs):
            for assignment, root in courses.items():
                for student in ("reference", "blank"):
                    start = time.perf_counter()
                    result = grade_submission(student, assignment, root)
                    raw.setdefault((assignment, student), []).append(time.perf_counter() - start)
                    scores[(assignment, student)] = f"{result.score:g}/{result.max_score:g} {result.status}"
        for assignment in courses:
            rows.append({"assignment": assignment, "notebooks": len(notebooks(assignment)),
                         **{student: {"seconds": _median(raw[(assignment, student)]), "runs": raw[(assignment, student)],
                                      "score": scores[(assignment, student)]} for student in ("reference", "blank")}})
    return rows


# --- suite -----------------------------------------------------------------------------------------------

def suite_time(runs):
    """Wall time of `make test`'s pytest command (the same arguments as the Makefile)."""
    times, codes = [], []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "pytest", "-n", "auto", "--dist", "load", "-q",
                               "-p", "no:cacheprovider"], cwd=COURSE_ROOT, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        codes.append(proc.returncode)
        summary = (proc.stdout.strip().splitlines() or [""])[-1]
    return {"seconds": _median(times), "runs": times, "exit_codes": codes, "last_summary": summary}


# --- table -----------------------------------------------------------------------------------------------

def table(report):
    lines = [f"make bench on {report['machine']} ({CORES} cores), load average {report['load_before']} before, "
             f"{report['load_after']} after; medians of {report['runs']} runs / {report['repeats']} repeats"]
    for lib in report.get("blas", []):
        lines.append(f"BLAS: {lib['internal_api']} {lib['version']}, kernel {lib['architecture']}, "
                     f"{lib['num_threads']} threads by default ({lib['threading_layer']}); "
                     f"OPENBLAS_CORETYPE={report['env'].get('OPENBLAS_CORETYPE', '(unset)')}")
    for title, rows in (("training", report.get("training")), ("training, kernel OpenBLAS picks (no OPENBLAS_CORETYPE)",
                                                                report.get("training_default_kernel"))):
        if not rows:
            continue
        lines += ["", f"{title}: ms per iteration vs the bound (layer-1 products W1 X and dZ1 X^T alone, fastest form)",
                  f"{'model':<30} {'kernel':<10} {'threads':>7} {'ms/iter':>8} {'bound':>7} {'ratio':>6}  fastest forms"]
        for r in rows:
            forms = "; ".join(f"{p['formulation']} {1000 * p['seconds']:.2f}" for p in r["products"].values())
            lines.append(f"{r['model']:<30} {r['kernel']:<10} {r['threads']:>7} {1000 * r['seconds_per_iteration']:8.2f} "
                         f"{1000 * r['bound_seconds']:7.2f} {r['ratio']:6.2f}  {forms}")
    if report.get("notebooks"):
        labels = [k for k in report["notebooks"][0] if k != "notebook"]
        lines += ["", "notebooks: seconds top to bottom (kernel start included); 'own': with the notebook's own BLAS setting",
                  f"{'notebook':<52}" + "".join(f"{label:>12}" for label in labels)]
        for r in report["notebooks"]:
            cells = "".join(f"{'error' if r[label]['error'] else format(r[label]['seconds'], '.1f'):>12}" for label in labels)
            lines.append(f"{r['notebook']:<52}{cells}")
        totals = "".join(f"{sum(r[label]['seconds'] for r in report['notebooks'] if not r[label]['error']):12.1f}"
                         for label in labels)
        lines.append(f"{'all notebooks':<52}{totals}")
    if report.get("grading"):
        lines += ["", "grading one submission (nbgrader + isolated re-run), seconds",
                  f"{'assignment':<28} {'reference':>10} {'score':>14} {'blank':>10} {'score':>14}"]
        for r in report["grading"]:
            lines.append(f"{r['assignment']:<28} {r['reference']['seconds']:10.1f} {r['reference']['score']:>14} "
                         f"{r['blank']['seconds']:10.1f} {r['blank']['score']:>14}")
    if report.get("suite"):
        s = report["suite"]
        lines += ["", f"make test (pytest -n auto): {s['seconds']:.0f} s, exit codes {s['exit_codes']} ({s['last_summary']})"]
    for note in report.get("notes", []):
        lines.append(f"note: {note}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=SECTIONS, help="run only these sections")
    parser.add_argument("--runs", type=int, default=3, help="runs per notebook and per grading (default 3)")
    parser.add_argument("--repeats", type=int, default=7, help="repeats of the training and bound timings (default 7)")
    parser.add_argument("--iterations", type=int, default=30,
                        help="training iterations, and calls of each product, per timing (default 30)")
    parser.add_argument("--quick", action="store_true", help="1 run, 3 repeats, 10 iterations")
    parser.add_argument("--suite", action="store_true", help="also time the whole test suite (long)")
    parser.add_argument("--suite-runs", type=int, default=1, help="runs of the suite with --suite (default 1)")
    parser.add_argument("--compare-threads", action="store_true",
                        help="also run every notebook with 1 BLAS thread and with all cores")
    parser.add_argument("--default-kernel", action="store_true",
                        help="also time training without OPENBLAS_CORETYPE (in a child process)")
    parser.add_argument("--match", default="", help="only the notebooks and assignments whose name contains this")
    parser.add_argument("--json", default=str(COURSE_ROOT / "reports" / "bench.json"), help="where to write the report")
    parser.add_argument("--no-table", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.repeats, args.iterations = 1, 3, 10
    sections = set(args.only or [s for s in SECTIONS if s != "suite" or args.suite])

    from helpers import data

    try:
        data.cat_dataset_paths()
        cat_data = True
    except data.DataUnavailableError:
        cat_data = False
    report = {"machine": f"{platform.machine()} {platform.processor() or platform.platform()}", "cores": CORES,
              "load_before": [round(x, 2) for x in os.getloadavg()], "runs": args.runs, "repeats": args.repeats,
              "iterations": args.iterations, "blas": blas_info(),
              "env": {k: v for k, v in os.environ.items() if k.startswith(("OPENBLAS", "OMP_", "MKL_"))}, "notes": []}
    if not cat_data:
        report["notes"].append("cat data unavailable (see README, Data): 03 and 05 and the cat training skipped")
    if "training" in sections and cat_data:
        report["training"] = training(args.repeats, args.iterations, sorted({1, CORES}))
        if args.default_kernel:
            report["training_default_kernel"] = training_default_kernel(args)
    if "notebooks" in sections:
        report["notebooks"] = notebook_times(args.runs, args.compare_threads, cat_data, args.match)
    if "grading" in sections:
        report["grading"] = grading_times(args.runs, cat_data, args.match)
    if "suite" in sections:
        report["suite"] = suite_time(args.suite_runs)
    report["load_after"] = [round(x, 2) for x in os.getloadavg()]
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    if not args.no_table:
        print(table(report))
        print(f"\n(written to {out})")


if __name__ == "__main__":
    main()
