"""The isolated scoring pass: each test cell again, in a fresh process of its own.

A runner process (started in the grading sandbox) imports what the setup cell imports, then forks
one child per test, so every test starts from the same clean state without paying for the imports
again. A child holds only the instructor's setup cell (run first, so ``checks`` and numpy are bound
before any student code), the *definitions* from the student's own cells (imports, functions,
classes, literal constants — never top-level statements), and the test cell with its hidden part.
Names the setup cell binds to modules (``checks``, ``np``, ...) cannot be replaced by the student,
the test's ``checks`` is a private copy of helpers.checks made before any student code ran (so a
class body or a function that patches the real module, even through its ``__dict__``, changes
nothing the test uses), and the student's functions keep their own global namespace, so nothing
they do at call time can rebind the test's names. A test that passes in the notebook but not here (or the other way round)
is flagged for review.

What remains possible: code in a child can still inspect the frames that call it, so a determined
cheat could forge that child's result; the score then still cannot exceed the in-notebook score.
"""

import json
import secrets
import subprocess
import sys
import time
from pathlib import Path

from helpers.notebooks import NotebookImportError, cell_source, definitions, nbgrader_meta

# Runs in the fresh runner process (passed with -c: the sandbox forbids reading course files).
RUNNER = r'''
import json, os, select, signal, sys, time, traceback, types

REAL_CHECKS = PRIVATE_CHECKS = None


def run_one(setup, defs, test):
    result = {"passed": False, "stage": "setup", "ename": None, "message": "", "line": None}
    try:
        instructor = {"__name__": "__main__"}
        exec(compile(setup, "<setup>", "exec"), instructor)
        for name, value in list(instructor.items()):
            if value is REAL_CHECKS:  # the checks, as copied before any student code ran
                instructor[name] = PRIVATE_CHECKS
        student = {"__name__": "__main__"}
        exec(compile(setup, "<setup>", "exec"), student)
        result["stage"] = "definitions"
        for number, code in enumerate(defs):
            try:
                exec(compile(code, f"<cell {number}>", "exec"), student)
            except Exception:
                pass  # as in the notebook: a failing cell does not stop the next ones
        namespace = dict(instructor)
        for name, value in student.items():
            if name.startswith("__"):
                continue
            mine = instructor.get(name)
            # The student's own functions and classes are used; instructor modules and objects are
            # not replaceable (a class named `checks` must not stand in for helpers.checks).
            if name not in instructor or (isinstance(mine, (types.FunctionType, type))
                                          and isinstance(value, (types.FunctionType, type))):
                namespace[name] = value
        result["stage"] = "test"
        exec(compile(test, "<test>", "exec"), namespace)
        result["passed"] = True
    except BaseException as error:
        result["ename"] = type(error).__name__
        result["message"] = str(error)[:5000]
        line = getattr(error, "test_line", None)
        if line is None:
            frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == "<test>"]
            line = frames[0].lineno if frames else None
        result["line"] = line
        record = getattr(error, "record", None)  # a CheckFailure's diagnosis (tools.grading.results.diagnosis)
        try:
            result["diagnosis"] = record() if callable(record) else None
        except Exception:
            result["diagnosis"] = None
    return result


def private_copy(module):
    """A copy of a module whose functions look up their globals in the copy: patching the real
    module (even through its __dict__, even from a class body or at call time) cannot reach it."""
    copy = types.ModuleType(module.__name__)
    namespace = copy.__dict__
    namespace.update(module.__dict__)
    for name, value in list(namespace.items()):
        if isinstance(value, types.FunctionType) and value.__globals__ is module.__dict__:
            clone = types.FunctionType(value.__code__, namespace, value.__name__, value.__defaults__, value.__closure__)
            clone.__kwdefaults__ = value.__kwdefaults__
            clone.__dict__.update(value.__dict__)
            namespace[name] = clone
    return copy


def in_child(setup, defs, test, fd):
    os.setsid()
    try:
        result = run_one(setup, defs, test)
        data = json.dumps(result).encode()
    except BaseException:
        data = b""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os._exit(0)


def main(payload):
    result_path = payload.pop("result")  # lives only in this frame: not reachable from globals
    setup, defs, timeout, deadline = payload["setup"], payload["definitions"], payload["timeout"], payload["deadline"]
    try:
        exec(compile(payload["warmup"], "<warm-up>", "exec"), {"__name__": "__warmup__"})
    except Exception:
        pass
    global REAL_CHECKS, PRIVATE_CHECKS
    import helpers.checks as REAL_CHECKS
    PRIVATE_CHECKS = private_copy(REAL_CHECKS)
    results = {}
    for gid, test in payload["tests"].items():
        left = deadline - time.time() if deadline else timeout
        if left <= 0:
            results[gid] = {"passed": False, "stage": "test", "ename": "DeadlineExceeded", "line": None,
                            "message": "not run: grading this submission used up its time budget"}
            continue
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            in_child(setup, defs, test, write)
        os.close(write)
        chunks, until, timed_out = [], time.monotonic() + min(timeout, left), False
        while True:
            left = until - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([read], [], [], left)
            if ready:
                chunk = os.read(read, 65536)
                if not chunk:
                    break
                chunks.append(chunk)
        if timed_out:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
        os.close(read)
        os.waitpid(pid, 0)
        if timed_out:
            results[gid] = {"passed": False, "stage": "test", "ename": "Timeout", "message": "", "line": None}
            continue
        try:
            results[gid] = json.loads(b"".join(chunks))
        except ValueError:
            results[gid] = {"passed": False, "stage": "process", "ename": "ProcessDied",
                            "message": "the test process ended without a result (os._exit or a crash)", "line": None}
    with open(result_path, "w") as f:
        json.dump(results, f)


main(json.load(sys.stdin))
'''


def instructor_setup(notebook, setup):
    """The setup cell's source, followed by the definitions of the other read-only code cells (code an
    earlier assignment graded, given to this one, such as 06's 3-layer model): the tests may call them."""
    parts = [cell_source(setup)] if setup else []
    for index, cell in enumerate(notebook["cells"]):
        meta = nbgrader_meta(cell)
        if cell is setup or cell.get("cell_type") != "code" or not meta.get("locked") or meta.get("grade") \
                or meta.get("solution"):
            continue
        try:
            kept = definitions(cell_source(cell), where=f"cell {index + 1}")
        except NotebookImportError:
            continue
        if kept:
            parts.append(kept)
    return "\n\n".join(parts)


def student_definitions(notebook):
    """Definition sources of a notebook's non-test, non-read-only code cells, one per cell."""
    out = []
    for index, cell in enumerate(notebook["cells"]):
        meta = nbgrader_meta(cell)
        if cell.get("cell_type") != "code" or meta.get("grade") or (meta.get("locked") and not meta.get("solution")):
            continue
        try:
            kept = definitions(cell_source(cell), where=f"cell {index + 1}")
        except NotebookImportError:
            continue  # a syntax error: that cell defines nothing, in the notebook either
        if kept:
            out.append(kept)
    return out


def _imports_only(setup):
    """The import statements of the setup cell: what the runner may load before forking."""
    import ast

    try:
        tree = ast.parse(setup)
    except SyntaxError:
        return ""
    return "\n".join(ast.get_source_segment(setup, n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom)))


def run_tests(setup, defs, tests, workdir, env, timeout, wrapper=(), deadline=0.0):
    """Run ``{grade_id: test source}``, each in a fresh process. Returns {grade_id: result dict}.
    ``wrapper``: a command prefix that starts the runner in the OS sandbox (bwrap ... --);
    ``deadline``: time.time() after which no test starts (each test's timeout is cut to it)."""
    if not tests:
        return {}
    workdir = Path(workdir)
    result_path = workdir / f".isolated-{secrets.token_hex(16)}.json"
    payload = {"setup": setup, "warmup": _imports_only(setup), "definitions": defs, "tests": tests,
               "timeout": timeout, "deadline": deadline, "result": str(result_path)}
    limit = (timeout + 5) * len(tests) + 60
    if deadline:
        limit = max(30, min(limit, deadline - time.time() + 60))
    try:
        subprocess.run([*wrapper, sys.executable, "-c", RUNNER], input=json.dumps(payload), text=True, cwd=workdir,
                       env=env, timeout=limit, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, start_new_session=True)
        found = json.loads(result_path.read_text())
    except (subprocess.TimeoutExpired, OSError, ValueError):
        found = {}
    finally:
        result_path.unlink(missing_ok=True)
    missing = {"passed": False, "stage": "process", "ename": "ProcessDied",
               "message": "the isolated runner ended without a result", "line": None}
    return {gid: found.get(gid, missing) for gid in tests}
