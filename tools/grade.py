"""Grade submissions: the command behind `make autograde`, `make feedback` and `make grades`.

    python -m tools.grade autograde [--assignment A] [--student S] [--timeout SECONDS]
    python -m tools.grade feedback  [--assignment A] [--student S]
    python -m tools.grade report

Submissions live in submitted/<student>/<assignment>/. Grading runs in-process through nbgrader's
Python API, one submission at a time, and never stops for one bad notebook: see
tools/grading/grader.py for what happens to each. `autograde` shows progress with an ETA and
writes autograded/<student>/<assignment>/ (with grading.json); `feedback` writes
feedback/<student>/<assignment>/index.html; `report` writes reports/grades.csv,
reports/misconceptions.csv (what the class got wrong, by diagnosis) and reports/report.html.
"""

import argparse
import sys
import time
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


def autograde(root=COURSE_ROOT, assignment=None, student=None, timeout=None, out=sys.stdout, **overrides):
    """Grade every matching submission; print one progress line each to ``out`` (None: quiet).
    Returns the SubmissionResults (None for a submission whose grading raised)."""
    from tools.grading.grader import ensure_in_gradebook, grade_submission

    pairs = submissions(root, assignment, student)
    for a in sorted({a for _, a in pairs}):
        ensure_in_gradebook(a, root)
    results, start = [], time.perf_counter()
    for n, (student_id, assignment_id) in enumerate(pairs, start=1):
        try:
            result = grade_submission(student_id, assignment_id, root, timeout=timeout, **overrides)
            line = (f"{result.status}{' + review' if result.review else ''}  "
                    f"{result.score:g}/{result.max_score:g}  {result.seconds:.1f} s")
        except Exception as error:  # noqa: BLE001 - the batch goes on; the instructor sees why
            result = None
            line = f"ERROR {type(error).__name__}: {error}"
        results.append(result)
        elapsed = time.perf_counter() - start
        eta = elapsed / n * (len(pairs) - n)
        if out is not None:
            print(f"[{n}/{len(pairs)}] {student_id} {assignment_id}: {line}  (ETA {_minutes(eta)})", file=out,
                  flush=True)
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["autograde", "feedback", "report"])
    parser.add_argument("--assignment", choices=assignments())
    parser.add_argument("--student")
    parser.add_argument("--timeout", type=int, help="seconds per cell (default: nbgrader_config.py)")
    args = parser.parse_args(argv)
    if args.command == "autograde":
        results = autograde(assignment=args.assignment, student=args.student, timeout=args.timeout)
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
