"""Shared fixtures: the course root, the downloaded-data policy, and a timing summary at the end."""

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


# The downloaded datasets: the loader a notebook calls -> the function that finds (or downloads) its files.
DOWNLOADED = {
    "load_cat_dataset": ("cat", data.cat_dataset_paths),
    "load_regularization_dataset": ("regularization", data.regularization_dataset_paths),
}


def downloaded_data_or_skip(loader):
    """Make sure the files of one downloaded dataset (named by its loader, e.g. "load_cat_dataset") are
    available. Skip with the loader's message when they are not; under CI (CI=true) that is a failure
    instead, so CI always runs these tests."""
    label, paths = DOWNLOADED[loader]
    try:
        return paths()
    except data.DataUnavailableError as error:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but the {label} data is unavailable:\n{error}", pytrace=False)
        pytest.skip(f"{label} data unavailable: {error}")


def loaders_used(text):
    """The downloaded-dataset loaders that a notebook's (or several notebooks') text calls."""
    return [loader for loader in DOWNLOADED if loader in text]


def data_used_or_skip(text):
    """``downloaded_data_or_skip`` for every downloaded dataset that ``text`` loads."""
    for loader in loaders_used(text):
        downloaded_data_or_skip(loader)


def cat_data_or_skip():
    """The cat files, or a skip (a failure under CI) with the loader's message."""
    return downloaded_data_or_skip("load_cat_dataset")


@pytest.fixture
def cat_data():
    return cat_data_or_skip()


@pytest.fixture
def regularization_data():
    return downloaded_data_or_skip("load_regularization_dataset")


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
