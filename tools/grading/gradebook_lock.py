"""One gradebook session at a time across parallel grading workers.

nbgrader's autograde opens the gradebook many times per submission, each time briefly: when it
creates the student and the submission, in OverwriteCells and OverwriteKernelspec before the
notebook runs, in SaveAutoGrades and AssignLatePenalties after it, and our grader reads the scores
and writes the isolated pass's overrides. The expensive part, running the notebook and the
isolated re-run, holds no session. SQLite does not like concurrent writers ("database is
locked", and a reader that upgrades to a writer can fail at once), and two workers creating the
same student row race on a server database too. So, in a grading worker, every
``nbgrader.api.Gradebook`` holds an exclusive lock (``fcntl.flock`` on a lock file) from its
creation to ``close()`` (``with Gradebook(...)`` and nbgrader's preprocessors always close). The
lock is re-entrant within a process, so a session opened inside another cannot deadlock.
"""

import fcntl
import os

_state = {"path": None, "fd": None, "depth": 0}


def acquire():
    if _state["path"] is None:
        return False
    if _state["depth"] == 0:
        fd = os.open(_state["path"], os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        _state["fd"] = fd
    _state["depth"] += 1
    return True


def release():
    _state["depth"] -= 1
    if _state["depth"] == 0:
        fd, _state["fd"] = _state["fd"], None
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def install(lock_path):
    """Make every Gradebook session of this process hold the lock at ``lock_path``."""
    from nbgrader import api

    _state["path"] = str(lock_path)
    gradebook = api.Gradebook
    if getattr(gradebook, "_serialised", False):
        return
    original_init, original_close = gradebook.__init__, gradebook.close

    def __init__(self, *args, **kwargs):
        self._holds_lock = acquire()
        try:
            original_init(self, *args, **kwargs)
        except BaseException:
            if self._holds_lock:
                self._holds_lock = False
                release()
            raise

    def close(self):
        try:
            original_close(self)
        finally:
            if getattr(self, "_holds_lock", False):
                self._holds_lock = False
                release()

    gradebook.__init__, gradebook.close, gradebook._serialised = __init__, close, True
