"""The environment student code runs in while it is graded.

**The OS-level sandbox (bubblewrap).** Where ``bwrap`` (Debian package ``bubblewrap``) can start a
sandbox, every grading process (the Jupyter kernel and the isolated test runner) runs inside one:
its own network namespace with no interface but a private loopback (no network at all: kernel and
grader talk over Unix sockets in the grading root), a private ``/tmp``, the system folders
(``/usr``, ``/etc``), the Python installation and the virtual environment read-only, the
grading root writable, and nothing else: no course folder (no ``source/``, no gradebook, no other
submission), no home directory, no other grading root. Native code (ctypes, a compiled extension)
cannot reach what is not mounted. :func:`choose` decides which sandbox a run uses; set
``NN_GRADING_SANDBOX=audit`` to force the fallback below, ``=bwrap`` to refuse to grade without
bubblewrap.

**The fallback and the second line of defence (audit hook).**

Each submission is graded in its own temporary *grading root*, outside the course folder, holding
only that submission's notebooks, nbgrader's output, and a ``lib/`` folder with

* a copy of ``helpers/`` and of the reference outputs, so ``helpers.__file__`` does not lead back
  to the course (whose ``source/`` holds the solutions);
* a ``sitecustomize.py`` that Python runs at start-up in every grading process (the Jupyter kernel
  and the isolated test runners). It removes the editable-install finder that maps ``helpers``
  to the course folder, and installs an audit hook (PEP 578) that refuses, with PermissionError:

  - any file access inside the course folder (source/, submitted/, autograded/, the gradebook,
    tools/, .git, ...), except reading the Python environment and ``data/`` (downloads, reference
    outputs);
  - writing anywhere except the grading root and the temporary folder (a submission cannot plant
    code that a later student's grading would run: site-packages, IPython start-up files, ...);
  - starting programs (subprocess, os.system, exec*, spawn*) and looking up libc file/process
    functions through ctypes.

What remains possible: without bubblewrap, an audit hook is not a sandbox against native code (a
compiled extension, or ctypes used in ways not listed here, can still open files and sockets). In
both modes, code running in the kernel can read the hidden test that is calling it (it is being
executed in the same process). See README.md.
"""

import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tools.course import COURSE_ROOT, REFERENCE_DIR

SITECUSTOMIZE = r'''
"""Installed by tools/grading/sandbox.py for a grading process; see that module's docstring."""
import os as _os
import re as _re
import sys as _sys

_DENY_ROOTS = {deny_roots!r}
_READ_ROOTS = {read_roots!r}
_WRITE_ROOTS = {write_roots!r}

# The editable install maps `helpers` to the course folder; grading uses the copy in lib/.
_sys.meta_path[:] = [f for f in _sys.meta_path if not getattr(f, "__module__", "").startswith("__editable__")]


def _inside(path, roots):
    return any(path == r or path.startswith(r + _os.sep) for r in roots)


def _resolve(path):
    if isinstance(path, int) or path is None:
        return None
    try:
        path = _os.fsdecode(_os.fspath(path))
    except TypeError:
        return None
    return _os.path.realpath(_os.path.abspath(path))


def _writing(mode, flags):
    if isinstance(mode, str) and any(c in mode for c in "wax+"):
        return True
    if isinstance(flags, int):
        return bool(flags & (_os.O_WRONLY | _os.O_RDWR | _os.O_CREAT | _os.O_APPEND | _os.O_TRUNC))
    return False


def _check(path, write):
    real = _resolve(path)
    if real is None:
        return
    if write:
        if _inside(real, _DENY_ROOTS) or not _inside(real, _WRITE_ROOTS):
            raise PermissionError(f"grading sandbox: writing {{real}} is not allowed while grading")
    elif _inside(real, _DENY_ROOTS) and not _inside(real, _READ_ROOTS):
        raise PermissionError(f"grading sandbox: reading {{real}} is not allowed while grading")


_PATH_EVENTS_READ = {{"os.listdir": 0, "os.scandir": 0, "glob.glob": 0, "sqlite3.connect": 0,
                     "shutil.copyfile": 0, "shutil.copytree": 0}}
_PATH_EVENTS_WRITE = {{"os.remove": 0, "os.rmdir": 0, "os.mkdir": 0, "os.chmod": 0, "os.chown": 0,
                      "os.utime": 0, "os.truncate": 0, "shutil.rmtree": 0, "shutil.copymode": 1,
                      "shutil.copystat": 1}}
_TWO_PATH_EVENTS = {{"os.rename", "os.link", "os.symlink", "shutil.move", "shutil.copyfile",
                    "shutil.copytree"}}
_NO_PROGRAMS = {{"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
                "os.startfile", "pty.spawn"}}
_LIBC_SYMBOLS = _re.compile(r"^(open|fopen|freopen|creat|system|popen|exec|posix_spawn|fork|vfork|"
                            r"syscall|dlopen|symlink|link|rename|unlink|remove|chdir|mkdir|rmdir)")


def _hook(event, args):
    if event == "open":
        _check(args[0], _writing(args[1] if len(args) > 1 else None, args[2] if len(args) > 2 else None))
    elif event in _PATH_EVENTS_READ:
        _check(args[_PATH_EVENTS_READ[event]], False)
        if event in _TWO_PATH_EVENTS:
            _check(args[1], True)
    elif event in _PATH_EVENTS_WRITE:
        _check(args[_PATH_EVENTS_WRITE[event]], True)
    elif event in _TWO_PATH_EVENTS:
        _check(args[0], True)
        _check(args[1], True)
    elif event in _NO_PROGRAMS:
        raise PermissionError("grading sandbox: starting programs is not allowed while grading")
    elif event == "ctypes.dlsym" and len(args) > 1 and isinstance(args[1], str) and _LIBC_SYMBOLS.match(args[1]):
        raise PermissionError(f"grading sandbox: ctypes access to {{args[1]}} is not allowed while grading")


_sys.addaudithook(_hook)
'''


def build(grading_root, course_root=COURSE_ROOT):
    """Prepare ``grading_root/lib`` and return the environment variables for grading processes.

    ``course_root`` (the course being graded) and the course this code belongs to are both closed
    to student code."""
    grading_root = Path(grading_root).resolve()
    lib = grading_root / "lib"
    shutil.copytree(COURSE_ROOT / "helpers", lib / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    if REFERENCE_DIR.exists():
        shutil.copytree(REFERENCE_DIR, lib / "data" / "reference")
    home_ipython = grading_root / "ipython"
    mpl = grading_root / "matplotlib"
    mpl.mkdir(parents=True, exist_ok=True)
    _copy_font_cache(mpl)
    venv = Path(sys.prefix).resolve()
    read_roots = [str(venv), str((COURSE_ROOT / "data").resolve())]
    data_env = os.environ.get("NN_COURSE_DATA")
    if data_env:
        read_roots.append(str(Path(data_env).expanduser().resolve()))
    else:
        _copy_cat_data(lib / "data")
    write_roots = [str(grading_root), str(Path(tempfile.gettempdir()).resolve())]
    # lib/ is read, never written: a submission must not change the checks or this file for the
    # isolated re-run.
    (lib / "sitecustomize.py").write_text(SITECUSTOMIZE.format(
        deny_roots=sorted({str(COURSE_ROOT.resolve()), str(Path(course_root).resolve()), str(lib)}),
        read_roots=read_roots + [str(lib)], write_roots=write_roots))
    env = {
        "PYTHONPATH": str(lib),
        "PYTHONNOUSERSITE": "1",          # no ~/.local site-packages: nothing a submission wrote there runs
        "IPYTHONDIR": str(home_ipython),  # no ~/.ipython start-up files
        "MPLCONFIGDIR": str(mpl),         # a private matplotlib config and font cache
        "MPLBACKEND": "Agg",
        # The kernel's connection file and its Unix sockets (bubblewrap: no TCP between namespaces).
        "JUPYTER_RUNTIME_DIR": str(grading_root / "runtime"),
    }
    return env


def _copy_cat_data(target):
    """The cat files the course downloaded into data/ (helpers.data finds them next to the copy of
    helpers in lib/, instead of downloading them again for every submission)."""
    from helpers.data import CAT_FILES

    found = [COURSE_ROOT / "data" / name for name in CAT_FILES]
    if all(p.is_file() for p in found):
        target.mkdir(parents=True, exist_ok=True)
        for p in found:
            shutil.copy(p, target / p.name)


# --------------------------------------------------------------------------------------------
# bubblewrap
# --------------------------------------------------------------------------------------------
SANDBOX_ENV = "NN_GRADING_SANDBOX"
BWRAP = "bubblewrap"
AUDIT = "audit hook"
INSTALL_HINT = "apt-get install -y bubblewrap"


# Starts bwrap with SIGINT ignored: jupyter_client interrupts a kernel with killpg(SIGINT), which also
# reaches bwrap's own processes, and would kill them (and the kernel) instead of interrupting the cell.
# ipykernel installs its own SIGINT handler while a cell runs, so the interrupt still works. Also
# sends the kernel's banner on stdout ("To connect another client...") to /dev/null: cell output
# goes over the kernel's sockets, not this stream.
LAUNCHER = ("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); "
            "os.dup2(os.open(os.devnull, os.O_WRONLY), 1); os.execvp(sys.argv[1], sys.argv[1:])")


def bwrap_command(grading_root):
    """The bwrap command line (a prefix for the program to run) for one grading root."""
    grading_root = str(Path(grading_root).resolve())
    args = [sys.executable, "-I", "-S", "-c", LAUNCHER, "bwrap", "--unshare-net", "--unshare-ipc", "--unshare-pid", "--unshare-uts", "--die-with-parent",
            "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    args += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    read_only = {str(Path(sys.base_prefix).resolve()), str(Path(sys.prefix).resolve()), sys.prefix,
                 str(Path(sys.executable).resolve().parent)}
    data_env = os.environ.get("NN_COURSE_DATA")
    if data_env and Path(data_env).expanduser().is_dir():
        read_only.add(str(Path(data_env).expanduser().resolve()))
    for path in sorted(read_only):
        if not path.startswith(("/usr/", "/etc/")) and os.path.exists(path):
            args += ["--ro-bind", path, path]
    # JPY_PARENT_PID: inside a PID namespace the kernel would take its parent for dead (--die-with-parent
    # stops it when the grader goes).
    args += ["--bind", grading_root, grading_root, "--setenv", "HOME", grading_root, "--unsetenv", "JPY_PARENT_PID",
             "--setenv", "TMPDIR", "/tmp"]
    lib = os.path.join(grading_root, "lib")  # helpers, reference outputs, sitecustomize: read-only
    if os.path.isdir(lib):
        args += ["--ro-bind", lib, lib]
    args.append("--")
    return args


@functools.cache
def bwrap_problem():
    """None if bubblewrap can start a sandbox here, else why it cannot (cached per process)."""
    if not shutil.which("bwrap"):
        return f"bubblewrap is not installed ({INSTALL_HINT})"
    probe = Path(tempfile.mkdtemp(prefix="nn-bwrap-probe-"))
    try:
        proc = subprocess.run(bwrap_command(probe) + [sys.executable, "-c", "import socket, sys; sys.exit(42)"],
                              capture_output=True, text=True, timeout=60, cwd=probe, start_new_session=True)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bwrap could not start a sandbox: {error}"
    finally:
        shutil.rmtree(probe, ignore_errors=True)
    if proc.returncode != 42:
        why = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
        return f"bwrap is installed but cannot start a sandbox here ({why}; user namespaces restricted?)"
    return None


def choose(requested=None):
    """(mode, why): BWRAP, or AUDIT and the reason grading falls back to the audit hook alone.

    ``requested`` (or $NN_GRADING_SANDBOX): "auto" (default: bubblewrap where it works), "bwrap"
    (bubblewrap or an error), "audit" (the audit hook only, e.g. to compare)."""
    requested = (requested or os.environ.get(SANDBOX_ENV) or "auto").lower()
    if requested not in ("auto", "bwrap", "audit"):
        raise ValueError(f"{SANDBOX_ENV} must be auto, bwrap or audit, not {requested!r}")
    if requested == "audit":
        return AUDIT, f"the OS sandbox is switched off ({SANDBOX_ENV}=audit)"
    problem = bwrap_problem()
    if problem is None:
        return BWRAP, ""
    if requested == "bwrap":
        raise RuntimeError(f"{SANDBOX_ENV}=bwrap, but {problem}")
    return AUDIT, problem


def describe(mode, why=""):
    """One line for the instructor: which sandbox grading runs in."""
    if mode == BWRAP:
        return ("grading sandbox: bubblewrap (no network; only the grading root, the Python environment and "
                "helpers visible) + audit hook")
    return (f"WARNING: grading without an OS sandbox: {why}. Falling back to the Python audit hook alone, "
            "which native code (ctypes, compiled extensions) can get around.")


def _copy_font_cache(target):
    """Reuse matplotlib's font cache, so each grading root does not rebuild it (seconds)."""
    try:
        import matplotlib

        cache = Path(matplotlib.get_cachedir())
    except Exception:  # noqa: BLE001 - no cache is only slower
        return
    for f in cache.glob("fontlist-*.json"):
        shutil.copy(f, target / f.name)


class environment:
    """Context manager: set the grading variables in os.environ (kernels and runners inherit them)."""

    def __init__(self, env):
        self.env = env
        self.saved = {}

    def __enter__(self):
        for key, value in self.env.items():
            self.saved[key] = os.environ.get(key)
            os.environ[key] = value
        return self

    def __exit__(self, *exc):
        for key, value in self.saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        return False
