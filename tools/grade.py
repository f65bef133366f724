"""Grade submissions with nbgrader's Python API, in-process, one student at a time.

    python -m tools.grade autograde [--assignment A] [--student S]
    python -m tools.grade feedback  [--assignment A] [--student S]
    python -m tools.grade report

Submissions live in submitted/<student>/<assignment>/<notebook>.ipynb. `autograde` fills
autograded/, `feedback` writes HTML to feedback/, `report` writes reports/grades.csv.
"""

import argparse
import sys
import time
from pathlib import Path

from tools.course import COURSE_ROOT, assignments, nbgrader_api, quiet


def submissions(root=COURSE_ROOT, assignment=None, student=None):
    """(student, assignment) pairs found in submitted/, sorted."""
    base = Path(root) / "submitted"
    pairs = []
    for sdir in sorted(p for p in base.iterdir() if p.is_dir()) if base.exists() else []:
        for adir in sorted(p for p in sdir.iterdir() if p.is_dir()):
            if (assignment is None or adir.name == assignment) and (student is None or sdir.name == student):
                pairs.append((sdir.name, adir.name))
    return pairs


def autograde(root=COURSE_ROOT, assignment=None, student=None, api=None, **overrides):
    """Autograde every matching submission. Returns [(student, assignment, ok, seconds, log)]."""
    api = api or nbgrader_api(root, **overrides)
    results = []
    for student_id, assignment_id in submissions(root, assignment, student):
        start = time.perf_counter()
        with quiet():
            result = api.autograde(assignment_id, student_id, force=True, create=True)
        results.append((student_id, assignment_id, bool(result["success"]), time.perf_counter() - start,
                        result.get("error") or ""))
    return results


def feedback(root=COURSE_ROOT, assignment=None, student=None, api=None):
    """nbgrader's HTML feedback for every autograded submission (instructor view)."""
    api = api or nbgrader_api(root)
    out = []
    for student_id, assignment_id in submissions(root, assignment, student):
        with quiet():
            result = api.generate_feedback(assignment_id, student_id, force=True)
        out.append((student_id, assignment_id, bool(result["success"])))
    return out


def export_csv(root=COURSE_ROOT, path=None):
    """Write the gradebook's grades as CSV (nbgrader's own exporter). Returns the path."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin

    from tools.course import load_config

    config = load_config(root)
    path = Path(path or Path(root) / "reports" / "grades.csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
        CsvExportPlugin(to=str(path)).export(gb)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["autograde", "feedback", "report"])
    parser.add_argument("--assignment", choices=assignments())
    parser.add_argument("--student")
    args = parser.parse_args(argv)
    if args.command == "autograde":
        for student_id, assignment_id, ok, seconds, error in autograde(assignment=args.assignment,
                                                                       student=args.student):
            print(f"{student_id:>20} {assignment_id:<24} {'ok' if ok else 'FAILED'} ({seconds:.1f} s)")
            if not ok:
                print(error)
    elif args.command == "feedback":
        for student_id, assignment_id, ok in feedback(assignment=args.assignment, student=args.student):
            print(f"{student_id:>20} {assignment_id:<24} {'ok' if ok else 'FAILED'}")
    else:
        print(f"wrote {export_csv()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
