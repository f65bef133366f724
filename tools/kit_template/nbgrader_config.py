"""nbgrader settings for Validate (JupyterLab reads this file from the folder it was started in)."""

c = get_config()  # noqa: F821  (nbgrader injects get_config)

# The same per-cell limits the grader uses, so Validate behaves like grading.
c.Execute.timeout = 120
c.Execute.iopub_timeout = 30
# Warnings printed to stderr would count as a failure: drop them, as the grader does.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"\w*Warning\b|warnings\.warn\("
# Test messages are wrapped at 100 characters; keep them whole.
c.Validator.width = 130
