"""Instructor-only tooling: reference outputs, release generation, grading. Students never import this."""
