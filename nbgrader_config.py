"""nbgrader configuration for the course. Every path is relative to this file's folder."""

import os

c = get_config()  # noqa: F821  (nbgrader injects get_config)
here = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "nn-from-scratch"
c.CourseDirectory.root = here
# The gradebook: SQLite next to this file, or a server database (several graders, formgrader on a
# server) named by $NN_GRADEBOOK_URL, e.g. postgresql+psycopg2://grader@dbhost/nn_course.
c.CourseDirectory.db_url = os.environ.get("NN_GRADEBOOK_URL") or "sqlite:///" + os.path.join(here, "gradebook.db")

# Grading hardening -------------------------------------------------------------------------------
# Per-cell limit: a long training demo fits, an infinite loop in a student's function does not.
c.Execute.timeout = 120
# Per-submission budget (preflight, every notebook, the isolated re-run): cells after it are not run.
# Once a cell times out inside a student function, later cells using that function fail at once.
c.ResilientExecute.budget = 600
# After a cell finishes, nbgrader waits this long for the rest of its output and fails the whole
# notebook if it does not arrive (it must not miss a test's error). 4 s, the default, is too short
# for a big print on a busy machine.
c.Execute.iopub_timeout = 30
# A deleted or stripped test cell is put back from the gradebook instead of silently scoring 0.
c.OverwriteCells.add_missing_cells = True
# Any stderr output in a test cell scores 0, even for a right answer. Drop warnings (numpy's
# RuntimeWarning, DeprecationWarning, ...) so a correct but noisy solution keeps its points.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"\w*Warning\b|warnings\.warn\("
# A 30 MB print cannot bloat the graded notebook or the feedback.
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 60
# A submission must never ship code that shadows ours (helpers/, stray modules).
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.py", "helpers"]

# Validate shows test messages line by line; the checks wrap them at 100 characters.
c.Validator.width = 130

# The stub students see in place of a solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
