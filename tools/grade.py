"""Grade submissions: the command behind `make autograde`, `make feedback` and `make grades`.

    python -m tools.grade autograde [--assignment A] [--student S] [--timeout SECONDS] [--jobs N]
                                    [--sandbox auto|bwrap|audit]
    python -m tools.grade feedback  [--assignment A] [--student S]
    python -m tools.grade report

Submissions live in submitted/<student>/<assignment>/. Grading runs through nbgrader's Python API,
in ``--jobs`` worker processes (default: one per core; 1 grades in this process), and never stops
for one bad notebook: see tools/grading/grader.py for what happens to each. Workers are processes,
not threads, because grading a submission changes the working directory and the environment of
its process; their gradebook sessions are serialised (tools/grading/gradebook_lock.py) while the
notebooks run in parallel. Results come back in the order of submissions(), whatever the
scheduling. `autograde` says once which sandbox it grades in, shows progress with an ETA and
writes autograded/<student>/<assignment>/ (with grading.json); `feedback` writes
feedback/<student>/<assignment>/index.html; `report` writes reports/grades.csv,
reports/misconceptions.csv (what the class got wrong, by diagnosis) and reports/report.html.
"""

import argparse
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from tools.course import COURSE_ROOT, assignments


def submissions(root=COURSE_ROOT, assignment=None, student=None):
    """(student, assignment) pairs found in submitted/, sorted."""
    base = Path(root) / "submitted"
    known = set(assignments(root))
    pairs = []
    for sdir in sorted(p for p in base.iterdir() if p.is_dir()) if base.exists() else []:
        for adir in sorted(p for p in sdir.iterdir() if p.is_dir()):
            if adir.name not in known:
                continue
            if (assignment is None or adir.name == assignment) and (student is None or sdir.name == student):
                pairs.append((sdir.name, adir.name))
    return pairs


def _minutes(seconds):
    return f"{seconds / 60:.1f} min" if seconds >= 90 else f"{seconds:.0f} s"


LOCK_FILE = ".gradebook.lock"


def _grade_one(student_id, assignment_id, root, timeout, sandbox_mode, overrides):
    """Grade one submission: (SubmissionResult or None, progress text). Never raises."""
    from tools.grading.grader import grade_submission

    try:
        result = grade_submission(student_id, assignment_id, root, timeout=timeout, sandbox_mode=sandbox_mode,
                                  **overrides)
        line = (f"{result.status}{' + review' if result.review else ''}  "
                f"{result.score:g}/{result.max_score:g}  {result.seconds:.1f} s")
    except Exception as error:  # noqa: BLE001 - the batch goes on; the instructor sees why
        result = None
        line = f"ERROR {type(error).__name__}: {error}"
    return result, line


def _worker_init(lock_path, sandbox_mode):
    from tools.grading import gradebook_lock, sandbox

    gradebook_lock.install(lock_path)
    if sandbox_mode == "bwrap":  # the parent has just checked that bubblewrap works: no probe per worker
        sandbox.bwrap_problem = lambda: None


def default_jobs():
    """$JOBS if set, else the number of cores this process may use."""
    if os.environ.get("JOBS", "").strip():
        return max(1, int(os.environ["JOBS"]))
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def autograde(root=COURSE_ROOT, assignment=None, student=None, timeout=None, out=sys.stdout, jobs=1,
              sandbox_mode=None, **overrides):
    """Grade every matching submission with ``jobs`` worker processes; print which sandbox is used
    once, then one progress line per submission to ``out`` (None: quiet). Returns the
    SubmissionResults in the order of :func:`submissions` (None for a submission whose grading raised)."""
    from tools.grading import sandbox
    from tools.grading.grader import ensure_in_gradebook

    pairs = submissions(root, assignment, student)
    for a in sorted({a for _, a in pairs}):
        ensure_in_gradebook(a, root)
    mode, why = sandbox.choose(sandbox_mode)
    if out is not None and pairs:
        print(sandbox.describe(mode, why), file=out, flush=True)
    # Every worker uses what was decided here (no worker silently falls back on its own).
    mode_arg = "bwrap" if mode == sandbox.BWRAP else "audit"
    jobs = max(1, min(jobs or default_jobs(), len(pairs) or 1))
    results, start = [None] * len(pairs), time.perf_counter()

    def progress(n, index, line):
        elapsed = time.perf_counter() - start
        eta = elapsed / n * (len(pairs) - n)
        if out is not None:
            student_id, assignment_id = pairs[index]
            print(f"[{n}/{len(pairs)}] {student_id} {assignment_id}: {line}  (ETA {_minutes(eta)})", file=out,
                  flush=True)

    # One BLAS thread per kernel (unless set outside): kernels that each start a BLAS thread per core
    # fight over the cores with the other workers, or with anything else the machine runs (03 graded
    # in 80 s instead of 25 s per submission on a loaded 2-core machine).
    blas = {var: os.environ.get(var) for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    for var, value in blas.items():
        os.environ[var] = value or "1"
    try:
        if jobs == 1:
            for n, (student_id, assignment_id) in enumerate(pairs, start=1):
                results[n - 1], line = _grade_one(student_id, assignment_id, root, timeout, mode_arg, overrides)
                progress(n, n - 1, line)
            return results
        # spawn: a fresh interpreter per worker (forking a process that has run kernels copies its threads).
        # A worker that dies (a crash in native code) breaks the whole pool: the submissions it took
        # down with it are graded again, once, in a new pool.
        todo, done, attempt = list(range(len(pairs))), 0, 0
        while todo and attempt < 2:
            attempt, broken = attempt + 1, []
            with ProcessPoolExecutor(min(jobs, len(todo)), mp_context=multiprocessing.get_context("spawn"),
                                     initializer=_worker_init,
                                     initargs=(str(Path(root) / LOCK_FILE), mode_arg)) as pool:
                futures = {pool.submit(_grade_one, *pairs[i], root, timeout, mode_arg, overrides): i for i in todo}
                for future in as_completed(futures):
                    index = futures[future]
                    try:
                        results[index], line = future.result()
                    except BrokenProcessPool as error:
                        if attempt < 2:
                            broken.append(index)
                            continue
                        line = f"ERROR {type(error).__name__}: {error}"
                    except Exception as error:  # noqa: BLE001 - e.g. a result that cannot be sent back
                        line = f"ERROR {type(error).__name__}: {error}"
                    done += 1
                    progress(done, index, line)
            todo = sorted(broken)
    finally:
        for var, value in blas.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["autograde", "feedback", "report"])
    parser.add_argument("--assignment", choices=assignments())
    parser.add_argument("--student")
    parser.add_argument("--timeout", type=int, help="seconds per cell (default: nbgrader_config.py)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="parallel grading workers (default: $JOBS, else the number of cores)")
    parser.add_argument("--sandbox", choices=["auto", "bwrap", "audit"], default=None,
                        help="auto: bubblewrap where it works (default; or $NN_GRADING_SANDBOX); bwrap: required; "
                             "audit: the audit hook only")
    args = parser.parse_args(argv)
    if args.command == "autograde":
        results = autograde(assignment=args.assignment, student=args.student, timeout=args.timeout,
                            jobs=args.jobs or default_jobs(), sandbox_mode=args.sandbox)
        if not results:
            print("nothing to grade: put submissions in submitted/<student>/<assignment>/")
    elif args.command == "feedback":
        from tools.grading import feedback

        for student_id, assignment_id in submissions(assignment=args.assignment, student=args.student):
            try:
                print(feedback.write(student_id, assignment_id).relative_to(COURSE_ROOT))
            except FileNotFoundError as error:
                print(error)
    else:
        from tools.grading import report

        csv_path, html_path = report.write()
        for path in (csv_path, csv_path.parent / report.MISCONCEPTIONS_FILE, html_path):
            print(f"wrote {path.relative_to(COURSE_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
