"""Shared fixtures: the course root, the cat-data policy, and a timing summary at the end."""

import os
from pathlib import Path

import pytest

from helpers import data
from helpers.paths import COURSE_ROOT


def pytest_configure(config):
    # Figures in helper tests must not try to open windows.
    os.environ.setdefault("MPLBACKEND", "Agg")
    # One BLAS thread per process. The suite runs notebooks and nbgrader in parallel workers, and each
    # kernel's OpenBLAS would start a thread per core: on 2 cores the threads of two kernels fight over
    # them and a (12288 x 209) matrix product gets 10-20x slower (03's notebook: 245 s instead of 40 s).
    # Notebook kernels (nbclient, nbgrader) inherit this environment; a value set outside wins.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")


def cat_data_or_skip():
    """Make sure the cat files are available. Skip with the loader's message when they are not;
    under CI (CI=true) that is a failure instead, so CI always runs these tests."""
    try:
        return data.cat_dataset_paths()
    except data.DataUnavailableError as error:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but the cat data is unavailable:\n{error}", pytrace=False)
        pytest.skip(f"cat data unavailable: {error}")


@pytest.fixture
def cat_data():
    return cat_data_or_skip()


@pytest.fixture(scope="session")
def course_root():
    return Path(COURSE_ROOT)


def pytest_terminal_summary(terminalreporter):
    """Print the timings the slow tests recorded (record_property("timing", ...))."""
    rows = []
    for reports in terminalreporter.stats.values():
        for report in reports:
            if getattr(report, "when", None) == "call":
                rows += [value for key, value in getattr(report, "user_properties", []) if key == "timing"]
    if rows:
        terminalreporter.section("timings")
        for row in sorted(rows):
            terminalreporter.write_line(row)
