"""Generate release/ (the student notebooks) from source/ with nbgrader.

    python -m tools.release [ASSIGNMENT ...]      # default: every assignment

`make release` runs tools.build_reference first, so the visible tests and the reference outputs
they read always come from the same solutions.
"""

import argparse
import shutil
import sys
import time

from tools.course import COURSE_ROOT, assignments, nbgrader_api


def generate(assignment_ids, root=COURSE_ROOT):
    """Run nbgrader generate_assignment for each assignment into ``root``/release. Raises on failure."""
    api = nbgrader_api(root)
    for assignment in assignment_ids:
        target = root / "release" / assignment
        if target.exists():
            shutil.rmtree(target)  # a notebook removed from source/ must not linger in release/
        result = api.generate_assignment(assignment, force=True, create=True)
        if not result["success"]:
            raise RuntimeError(f"nbgrader generate_assignment {assignment} failed:\n"
                               f"{result.get('error', '')}\n{result.get('log', '')}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    args = parser.parse_args(argv)
    chosen = args.assignments or assignments()
    for assignment in chosen:
        start = time.perf_counter()
        generate([assignment])
        print(f"release/{assignment}: generated in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
