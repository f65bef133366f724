"""nbgrader preprocessors for grading that one bad notebook cannot derail.

* :class:`ResilientExecute` — nbgrader's Execute, but when the kernel dies (``os._exit``, a crash,
  running out of memory) the cells not yet run get an error output saying so, instead of the whole
  notebook's grading failing. Tests that ran before the crash keep their results.
* :class:`LimitOutputChars` — nbgrader's LimitOutput counts lines; a 30 MB single-line print is one
  line. This caps the characters of every output.
"""

from nbclient.exceptions import DeadKernelError
from nbclient.util import run_sync
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Integer

KERNEL_DIED = "KernelDied"


def _error(cell, ename, evalue):
    cell.outputs = list(cell.get("outputs", [])) + [
        new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])]


class ResilientExecute(Execute):
    """Execute, surviving the death of the kernel (see module docstring)."""

    def preprocess(self, nb, resources=None, km=None):
        self._dead_since = None
        return super().preprocess(nb, resources, km=km)

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        runnable = cell.cell_type == "code" and cell.source.strip()
        if getattr(self, "_dead_since", None) is not None:
            if runnable:
                _error(cell, KERNEL_DIED, "not run: the Python kernel stopped while an earlier cell was running")
            return cell
        try:
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
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
