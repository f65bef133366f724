"""Reading graded notebooks: which test failed, where, and with which message.

A failure message is shown to the student only if it came from a visible part of the test. For a
failure inside ``### BEGIN HIDDEN TESTS`` the student sees the first line (which check failed) and
the hints, never the hidden code, its expected values or a traceback.

Every failure also gets a *diagnosis* for the instructor's class report (:func:`diagnosis`): what
helpers.checks recognised (a named mistake's id, ``no known mistake``, ``not implemented``,
``error: <ExceptionType>``), read from the line the checks add to the traceback under the
autograder, or, for failures outside the checks, from the exception type.
"""

import json
import re

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
TIMEOUT = "CellTimeoutError"
# Not run to keep the submission's time bounded (tools.grading.execute): an earlier cell did not
# return from a function this one uses, or the submission's budget is used up.
NOT_RUN = ("FunctionDidNotReturn", "DeadlineExceeded")


def strip_ansi(text):
    return ANSI.sub("", text)


def hidden_lines(source):
    """1-based line numbers inside hidden-test blocks (markers included)."""
    lines, inside = set(), False
    for number, line in enumerate(source.splitlines(), start=1):
        if "BEGIN HIDDEN TESTS" in line:
            inside = True
        if inside:
            lines.add(number)
        if "END HIDDEN TESTS" in line:
            inside = False
    return lines


def error_output(cell):
    """The error output of an executed cell (a timeout wins over the KeyboardInterrupt it caused)."""
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    return next((o for o in errors if o.get("ename") == TIMEOUT), errors[0] if errors else None)


def failure_line(output):
    """The line of the test cell where an error output was raised, if it can be told."""
    text = strip_ansi("\n".join(output.get("traceback", [])))
    found = re.search(r"\(line (\d+) of the test cell\)", text)
    if found:
        return int(found.group(1))
    found = re.search(r"Cell In\[\d+\], line (\d+)", text)
    return int(found.group(1)) if found else None


def full_message(ename, evalue, timeout=None):
    """The complete message for the instructor."""
    if ename == TIMEOUT or ename == "Timeout":
        return f"the test did not finish within {timeout or 'the time limit of'} s (an infinite loop, or very slow code?)"
    if ename in ("CheckFailure", "KernelDied") or ename in NOT_RUN:
        return strip_ansi(evalue)
    return f"{ename}: {strip_ansi(evalue)}"[:2000]


def student_message(ename, evalue, hidden, timeout=None):
    """What the student may see: everything for visible checks; first line and hints for hidden ones."""
    message = full_message(ename, evalue, timeout)
    if not hidden or ename in (TIMEOUT, "Timeout", "KernelDied") or ename in NOT_RUN:
        return message
    if ename != "CheckFailure":
        return f"a hidden test failed with {ename} (test your code on other shapes and inputs)"
    lines = message.splitlines()
    kept = [lines[0]] + [line for line in lines[1:] if line.startswith("Hint:")]
    return "A hidden test failed: " + "\n".join(kept)


NO_KNOWN_MISTAKE = "no known mistake"
DIAGNOSIS_LINE = re.compile(r"\(diagnosis (\{.*\})\)")


def diagnosis_record(output):
    """The diagnosis helpers.checks recorded in an error output's traceback: {"id", "explanation",
    "function"}, or None (an error outside the checks, or a traceback cut short)."""
    text = strip_ansi("\n".join(output.get("traceback", [])))
    found = DIAGNOSIS_LINE.findall(text)
    if not found:
        return None
    try:
        record = json.loads(found[-1])
    except ValueError:
        return None
    return record if isinstance(record, dict) and isinstance(record.get("id"), str) else None


def diagnosis(ename, evalue, record=None):
    """(id, explanation, function) of a failure: the checks' own record if there is one, else what
    the exception type says. An assertion without a record is an unrecognised wrong answer."""
    if record and record.get("id"):
        return record["id"], str(record.get("explanation") or ""), str(record.get("function") or "")
    first = strip_ansi(evalue or "").strip().splitlines()[:1]
    first = first[0] if first else ""
    if ename in (TIMEOUT, "Timeout"):
        return "error: timeout", "the test did not finish within the time limit", ""
    if ename in NOT_RUN:
        function = re.search(r"uses ([\w.]+)\(\)", evalue or "")
        return "error: timeout", first, function.group(1) if function else ""
    if ename in ("KernelDied", "ProcessDied"):
        return "error: the Python process died", first, ""
    if ename in ("CheckFailure", "AssertionError"):
        return NO_KNOWN_MISTAKE, first, ""
    if ename == "NotImplementedError":
        return "not implemented", first or "NotImplementedError", ""
    return f"error: {ename or 'unknown'}", f"{ename}: {first}" if first else ename, ""
