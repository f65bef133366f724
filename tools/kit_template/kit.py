"""Set up this assignment and open it in JupyterLab, with nothing but Python 3.11 or newer.

    python -m kit setup     # create .venv here and install the pinned requirements (once)
    python -m kit lab       # set up if needed, then open JupyterLab on this folder

On Windows, where `make` is usually missing, use `py -m kit lab` (or `python -m kit lab`). `make lab`
runs the same code. Standard library only: it must work before anything is installed.
"""

import hashlib
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

MINIMUM = (3, 11)
HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv"
STAMP = VENV / ".kit-installed"
INPUTS = ("requirements.txt", "pyproject.toml")

# nbgrader's JupyterLab plugins a student must not see: Formgrader, Create Assignment (it edits the
# nbgrader type of cells), the exchange lists and the menu that would hold them. Validate stays on.
HIDDEN_PLUGINS = ("@jupyter/nbgrader:menu", "@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                  "@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:course-list",
                  "@jupyterlab/apputils-extension:announcements")  # and the "Jupyter news" pop-up
SERVER_EXTENSIONS = {"nbgrader.server_extensions.validate_assignment": True,
                     "nbgrader.server_extensions.formgrader": False,
                     "nbgrader.server_extensions.assignment_list": False,
                     "nbgrader.server_extensions.course_list": False}


class KitError(SystemExit):
    """A message for the student, without a traceback."""


def check_python(version=sys.version_info):
    """Stop with a clear message on a Python older than the pinned packages need."""
    if tuple(version[:2]) < MINIMUM:
        found = ".".join(str(v) for v in version[:3])
        raise KitError(
            f"This course needs Python {MINIMUM[0]}.{MINIMUM[1]} or newer; this is Python {found} "
            f"({sys.executable}).\n"
            "Its pinned numpy, scipy, pandas, scikit-learn, matplotlib and nbgrader do not install on older ones.\n"
            "Get a newer Python from https://www.python.org/downloads/ (Windows and macOS installers), or\n"
            "with your system's package manager (e.g. `sudo apt install python3.12 python3.12-venv`, `brew install "
            "python@3.12`),\nthen run this again with it, e.g. `python3.12 -m kit lab` or, on Windows, "
            "`py -3.12 -m kit lab`.")


def venv_python():
    scripts = "Scripts" if os.name == "nt" else "bin"
    return VENV / scripts / ("python.exe" if os.name == "nt" else "python")


def _fingerprint():
    digest = hashlib.sha256()
    for name in INPUTS:
        digest.update((HERE / name).read_bytes())
    return digest.hexdigest()


def _run(*args):
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=HERE, check=True)


def _merge_json(path, update):
    """Merge ``update`` (nested dicts) into the JSON file at ``path``."""
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def merge(into, new):
        for key, value in new.items():
            if isinstance(value, dict) and isinstance(into.get(key), dict):
                merge(into[key], value)
            else:
                into[key] = value

    merge(data, update)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def student_mode(prefix=VENV):
    """Hide (and lock) the instructor plugins in this environment only, as `jupyter labextension
    disable --level=sys_prefix` and `jupyter server extension disable --sys-prefix` would."""
    config = Path(prefix) / "etc" / "jupyter"
    _merge_json(config / "labconfig" / "page_config.json",
                {"disabledExtensions": dict.fromkeys(HIDDEN_PLUGINS, True),
                 "lockedExtensions": dict.fromkeys(HIDDEN_PLUGINS, True)})
    _merge_json(config / "jupyter_server_config.json", {"ServerApp": {"jpserver_extensions": SERVER_EXTENSIONS}})


def match_kernel_version(python):
    """Record the kernel's Python version in the notebooks' language_info, as the kernel will: then
    opening an untouched notebook does not mark it as modified. Only that one metadata field changes."""
    version = subprocess.run([str(python), "-c", "import platform; print(platform.python_version())"],
                             capture_output=True, text=True, check=True).stdout.strip()
    for path in sorted(HERE.rglob("*.ipynb")):
        if VENV in path.parents or ".ipynb_checkpoints" in path.parts:
            continue
        nb = json.loads(path.read_text(encoding="utf-8"))
        info = nb.get("metadata", {}).get("language_info")
        if isinstance(info, dict) and "version" in info and info["version"] != version:
            info["version"] = version
            # nbformat's own layout, so the file stays byte-identical to what JupyterLab saves
            path.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def setup():
    """Create .venv and install the pinned requirements; a no-op when nothing changed since."""
    check_python()
    python = venv_python()
    if not python.exists():
        print(f"Creating {VENV} with Python {sys.version.split()[0]} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if not STAMP.exists() or STAMP.read_text() != _fingerprint():
        _run(python, "-m", "pip", "install", "--disable-pip-version-check", "-r", HERE / "requirements.txt")
        student_mode()
        match_kernel_version(python)
        STAMP.write_text(_fingerprint())
    return python


def lab(args=()):
    """Set up if needed, then serve JupyterLab on this folder (Ctrl+C twice stops it)."""
    python = setup()
    command = [str(python), "-m", "jupyter", "lab", f"--notebook-dir={HERE}", *args]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers often run as root; Jupyter refuses without this
    try:
        return subprocess.run(command, cwd=HERE).returncode
    except KeyboardInterrupt:
        return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] not in ("setup", "lab"):
        print(__doc__)
        return 2
    check_python()
    if argv[0] == "setup":
        setup()
        print("Ready. Open the course with `python -m kit lab` (or `make lab`).")
        return 0
    return lab(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
