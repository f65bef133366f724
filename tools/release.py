"""Generate release/ (the student notebooks) from source/ with nbgrader.

    python -m tools.release [ASSIGNMENT ...]      # default: every assignment

`make release` runs tools.build_reference first, so the visible tests and the reference outputs
they read always come from the same solutions.
"""

import argparse
import shutil
import sys
import time

import nbformat

from tools.course import COURSE_ROOT, assignments, nbgrader_api


def kernel_language_info():
    """What the python3 kernel (ipykernel, on this Python) puts in a notebook's metadata.language_info."""
    from ipykernel.ipkernel import IPythonKernel

    return dict(IPythonKernel.language_info)


def complete_language_info(folder):
    """Give every notebook under ``folder`` the kernel's full language_info. JupyterLab writes the
    kernel's language_info into an opened notebook; when it is already there, nothing changes, so an
    untouched notebook does not open as modified (and saving it changes nothing)."""
    info = kernel_language_info()
    for path in sorted(folder.rglob("*.ipynb")):
        nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        if nb.metadata.get("language_info") != info:
            nb.metadata["language_info"] = info
            nbformat.write(nb, path)


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
        complete_language_info(target)


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
