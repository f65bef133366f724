"""Feedback pages for students: every test with pass or fail, its points, and the teaching message.
Manually graded (written) answers show as pending until the instructor has scored them.

Built from ``grading.json`` only (never from the executed notebook), so a page cannot contain hidden
test code, hidden expected values or a traceback: failures inside hidden tests show just the
first line of the check's message and its hints. nbgrader's own full-render feedback, which
includes all of that, is not produced; instructors look at autograded/ or use formgrader.
"""

import html
from pathlib import Path

from tools.course import COURSE_ROOT
from tools.grading.grader import load_result

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { font-size: 1.5rem; } table { border-collapse: collapse; width: 100%; }
td, th { border-bottom: 1px solid #ddd; padding: .45rem; text-align: left; vertical-align: top; }
.pass { color: #186a3b; font-weight: 600; } .fail { color: #a93226; font-weight: 600; }
.pending { color: #7d6608; font-weight: 600; }
pre { white-space: pre-wrap; background: #f7f7f7; padding: .5rem; margin: .3rem 0 0; font-size: .85rem; }
.note { background: #fef9e7; padding: .6rem; border-left: 4px solid #f1c40f; margin: 1rem 0; }
"""

STATUS_TEXT = {
    "ok": "graded",
    "repaired": "graded after automatic repairs of your notebook (listed below)",
    "failed": "could not be graded completely (see below)",
}


def render(result):
    """One student's page for one assignment, as HTML."""
    e = html.escape
    rows = []
    for t in result["tests"]:
        if t.get("pending"):
            verdict, message, points = ('<span class="pending">pending</span>',
                                        "<pre>Your written answer is graded by your instructor.</pre>", "—")
        elif t.get("manual"):
            verdict = '<span class="pass">graded</span>' if t["points"] > 0 else '<span class="fail">0 points</span>'
            message = f"<pre>{e(t['student_message'])}</pre>" if t["student_message"] else ""
            points = f"{t['points']:g}"
        else:
            passed = t["points"] >= t["max_points"] > 0
            verdict = '<span class="pass">passed</span>' if passed else '<span class="fail">failed</span>'
            message = "" if passed or not t["student_message"] else f"<pre>{e(t['student_message'])}</pre>"
            points = f"{t['points']:g}"
        rows.append(f"<tr><td>{e(t['notebook'])}<br><code>{e(t['grade_id'])}</code></td>"
                    f"<td>{e(t['description'])}{message}</td><td>{verdict}</td>"
                    f"<td>{points} / {t['max_points']:g}</td></tr>")
    notes = []
    if result["repairs"]:
        notes.append("<div class='note'><b>Repairs made to a copy of your notebook</b> (your file was not "
                     "changed):<ul>" + "".join(f"<li>{e(r)}</li>" for r in result["repairs"]) + "</ul></div>")
    if result["reasons"]:
        notes.append("<div class='note'><b>Problems</b><ul>" + "".join(f"<li>{e(r)}</li>" for r in result["reasons"])
                     + "</ul></div>")
    pending = (f" ({result['pending_points']:g} points for written answers not graded yet)"
               if result.get("pending_points") else "")
    if result["review"]:
        notes.append("<div class='note'>Some results will be checked by your instructor.</div>")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{e(result['assignment'])}: feedback for {e(result['student'])}</title>
<style>{STYLE}</style></head><body>
<h1>{e(result['assignment'])} — feedback for {e(result['student'])}</h1>
<p>Score: <b>{result['score']:g} / {result['max_score']:g}</b>{pending}. Your submission was {e(STATUS_TEXT[result['status']])}.</p>
{''.join(notes)}
<table><thead><tr><th>notebook / test</th><th>what it checks</th><th>result</th><th>points</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table>
<p>Failures inside hidden tests show only which check failed and its hints. Test your functions on other
shapes and inputs than the visible examples.</p>
</body></html>
"""


def write(student, assignment, root=COURSE_ROOT):
    """Write feedback/<student>/<assignment>/index.html from the saved result. Returns the path."""
    result = load_result(student, assignment, root)
    if result is None:
        raise FileNotFoundError(f"{student}/{assignment} has not been graded yet: run `make autograde` first")
    path = Path(root) / "feedback" / student / assignment / "index.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(result), encoding="utf-8")
    return path
