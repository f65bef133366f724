"""nbgrader preprocessors for grading that one bad notebook cannot derail.

* :class:`ResilientExecute` — nbgrader's Execute, but when the kernel dies (``os._exit``, a crash,
  running out of memory) the cells not yet run get an error output saying so, instead of the whole
  notebook's grading failing. Tests that ran before the crash keep their results. It also keeps
  a submission's time bounded: every cell's timeout is cut to what is left of the submission's
  budget (``deadline``, cells after it are not run), and once a cell has timed out in a student
  function (read from the KeyboardInterrupt traceback), later cells that use that function,
  directly or through another student function, fail at once with a message naming it
  (:func:`hung_functions`, :func:`uses`) instead of each waiting the full timeout.
* :class:`SandboxedKernelManager` — starts the kernel inside the bubblewrap sandbox of
  tools.grading.sandbox (a command prefix), talking to it over Unix sockets (``transport = ipc``:
  the sandbox has no network, not even the grader's loopback).
* :class:`LimitOutputChars` — nbgrader's LimitOutput counts lines; a 30 MB single-line print is one
  line. This caps the characters of every output.
"""

import ast
import io
import os
import re
import time
import tokenize
import uuid

from jupyter_client import AsyncKernelManager
from jupyter_core.paths import jupyter_runtime_dir
from nbclient.exceptions import DeadKernelError
from nbclient.util import run_sync
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Float, Integer, List, Unicode

KERNEL_DIED = "KernelDied"
HUNG = "FunctionDidNotReturn"   # a later cell that uses a function that did not return
DEADLINE = "DeadlineExceeded"   # a cell not run: the submission's time budget was used up
FRAME = re.compile(r"Cell In\[\d+\], line \d+, in ([\w.]+)")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def hung_functions(cell):
    """The student function a timed-out cell was stuck in: the outermost frame of a notebook cell
    below the cell's own code in the KeyboardInterrupt traceback (e.g. "Perceptron.fit"), or None."""
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    if not any(o.get("ename") == "CellTimeoutError" for o in errors):
        return None
    for out in errors:
        if out.get("ename") == "KeyboardInterrupt":
            frames = FRAME.findall(ANSI.sub("", "\n".join(out.get("traceback", []))))
            if frames:
                return frames[0]
    return None


def names_in(source):
    """Identifiers used in code (not in strings or comments)."""
    try:
        return {t.string for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type == tokenize.NAME}
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return set(re.findall(r"\w+", source))


def call_graph(sources):
    """{function or method name: names its body uses} over the definitions in ``sources``."""
    graph = {}
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
                used |= {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
                graph.setdefault(node.name, set()).update(used - {node.name})
    return graph


def uses(source, function, graph):
    """Whether code uses ``function`` (its last dotted part), directly or through the student
    functions of ``graph`` that call it."""
    target = function.rsplit(".", 1)[-1]
    seen, todo = set(), list(names_in(source))
    while todo:
        name = todo.pop()
        if name == target:
            return True
        if name in seen:
            continue
        seen.add(name)
        todo.extend(graph.get(name, ()))
    return False


def _defines(source):
    try:
        return any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for n in ast.parse(source).body)
    except SyntaxError:
        return False


def _error(cell, ename, evalue):
    cell.outputs = list(cell.get("outputs", [])) + [
        new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])]


class ResilientExecute(Execute):
    """Execute, surviving the death of the kernel, with a deadline (see module docstring)."""

    deadline = Float(0.0, help="time.time() after which no cell of this submission runs (0: none)").tag(config=True)
    budget = Integer(600, help="seconds one submission may take in all (the grader sets deadline from it)").tag(
        config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._dead_since = None
        self._hung = []  # student functions that did not return, in order
        self._graph = call_graph([c.source for c in nb.cells if c.cell_type == "code"
                                  and not c.metadata.get("nbgrader", {}).get("grade")])
        return super().preprocess(nb, resources, km=km)

    def _get_timeout(self, cell):
        timeout = super()._get_timeout(cell)
        if self.deadline:
            left = max(1, int(self.deadline - time.time()))
            timeout = left if timeout is None else min(timeout, left)
        return timeout

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        runnable = cell.cell_type == "code" and cell.source.strip()
        if getattr(self, "_dead_since", None) is not None:
            if runnable:
                _error(cell, KERNEL_DIED, "not run: the Python kernel stopped while an earlier cell was running")
            return cell
        if runnable and self.deadline and time.time() >= self.deadline:
            _error(cell, DEADLINE, "not run: grading this submission used up its time budget (an infinite loop, "
                                   "or very slow code?)")
            return cell
        meta = cell.metadata.get("nbgrader", {})
        # Test cells, and other cells that define nothing later cells could need (a demo, a print).
        if runnable and self._hung and not meta.get("solution") and (meta.get("grade") or not _defines(cell.source)):
            hung = next((f for f in self._hung if uses(cell.source, f, self._graph)), None)
            if hung is not None:
                _error(cell, HUNG, f"not run: it uses {hung}(), which did not return in an earlier cell (stopped "
                                   f"after the time limit). Look for an infinite loop or very slow code in {hung}.")
                return cell
        try:
            cell = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
            hung = hung_functions(cell) if runnable else None
            if hung and hung not in self._hung:
                self._hung.append(hung)
            return cell
        except DeadKernelError:
            self._dead_since = cell_index
            self.log.warning("kernel died in cell %s", cell_index)
            _error(cell, KERNEL_DIED, "the Python kernel stopped while this cell was running (os._exit, "
                                      "sys.exit in a thread, a crash, or too much memory)")
            return cell

    # nbclient binds the synchronous wrapper to the base class's coroutine; rebind it to ours.
    execute_cell = run_sync(async_execute_cell)

    async def _async_cleanup_kernel(self):
        try:
            await super()._async_cleanup_kernel()
        except Exception:  # noqa: BLE001 - a dead kernel may not shut down cleanly; it is gone anyway
            self.log.debug("kernel cleanup failed", exc_info=True)


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager that runs the kernel's command behind ``sandbox_command`` (bwrap ... --)."""

    sandbox_command = List(Unicode(), help="command prefix that starts the kernel in the sandbox").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Without this the connection file goes to the grader's /tmp, which the sandbox does not see,
        # and the Unix sockets to a path relative to the grader's working directory.
        if not self.connection_file:
            runtime = jupyter_runtime_dir()
            os.makedirs(runtime, exist_ok=True)
            self.connection_file = os.path.join(runtime, f"kernel-{uuid.uuid4()}.json")
        if self.transport == "ipc":
            self.ip = os.path.splitext(self.connection_file)[0] + "-ipc"

    def format_kernel_cmd(self, extra_arguments=None):
        return list(self.sandbox_command) + super().format_kernel_cmd(extra_arguments)


class LimitOutputChars(NbGraderPreprocessor):
    """Cut any single output (stream text, text/plain, error text) to ``max_chars`` characters."""

    max_chars = Integer(20000, help="maximum characters of one output").tag(config=True)

    def _cut(self, text):
        if isinstance(text, list):
            text = "".join(text)
        if len(text) <= self.max_chars:
            return text
        return text[: self.max_chars] + f"\n... [output cut: {len(text)} characters in total]"

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type != "code":
            return cell, resources
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                output.text = self._cut(output.text)
            elif output.output_type in ("execute_result", "display_data"):
                data = output.get("data", {})
                for mime in list(data):
                    if mime.startswith("text/"):
                        data[mime] = self._cut(data[mime])
            elif output.output_type == "error":
                output.evalue = self._cut(output.evalue)
                output.traceback = [self._cut(line) for line in output.traceback][-200:]
        return cell, resources
