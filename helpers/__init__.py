"""Shared code the course's notebooks import: datasets, plots and the checks behind the tests.

    from helpers import checks, data, plots

Nothing here is a graded solution: every function a notebook asks you to write is yours to write.
"""

__all__ = ["checks", "data", "notebooks", "paths", "plots"]
