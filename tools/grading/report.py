"""The class report behind `make grades`: reports/grades.csv and reports/report.html.

grades.csv has one row per student and assignment: status (ok / repaired / failed), the reasons,
the review flag and why, score and max score, the points still pending (manually graded answers
not scored yet), and one column per test (``<notebook>/<test id>`` with the points earned, or
``pending``). report.html shows the score distribution per assignment, the pass rate
of every test (which exercise the class struggled with), and the flagged and failed submissions.
"""

import base64
import html
import io
import json
from pathlib import Path

from tools.course import COURSE_ROOT
from tools.grading.grader import STATUS_FILE


def collect(root=COURSE_ROOT):
    """All saved grading results under autograded/, as a list of dicts."""
    out = []
    for path in sorted((Path(root) / "autograded").glob(f"*/*/{STATUS_FILE}")):
        out.append(json.loads(path.read_text()))
    return out


def table(results):
    """A pandas DataFrame with one row per submission (the content of grades.csv)."""
    import pandas as pd

    rows = []
    for r in results:
        row = {
            "student_id": r["student"],
            "assignment": r["assignment"],
            "status": r["status"],
            "reasons": "; ".join(r["reasons"] + r["repairs"]),
            "review": "yes" if r["review"] else "",
            "review_reasons": "; ".join(r["review_reasons"]),
            "score": r["score"],
            "max_score": r["max_score"],
            "pending_points": r.get("pending_points", 0.0),
        }
        for t in r["tests"]:
            row[f"{r['assignment']}:{t['notebook']}/{t['grade_id']}"] = "pending" if t.get("pending") else t["points"]
        rows.append(row)
    return pd.DataFrame(rows)


def _figure_to_html(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return f'<img alt="" src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}">'


def write(root=COURSE_ROOT, folder=None):
    """Write grades.csv and report.html. Returns (csv path, html path)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder = Path(folder or Path(root) / "reports")
    folder.mkdir(parents=True, exist_ok=True)
    results = collect(root)
    df = table(results)
    csv_path = folder / "grades.csv"
    df.to_csv(csv_path, index=False)
    e = html.escape
    parts = [f"<h1>Class report</h1><p>{len(results)} graded submissions. Full table: grades.csv.</p>"]
    for assignment in sorted({r["assignment"] for r in results}):
        mine = [r for r in results if r["assignment"] == assignment]
        fig, axes = plt.subplots(1, 2, figsize=(12, 3.6))
        scores = [r["score"] / r["max_score"] * 100 if r["max_score"] else 0 for r in mine]
        axes[0].hist(scores, bins=[0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100.01], color="tab:blue", edgecolor="white")
        axes[0].set_title(f"{assignment}: score distribution")
        axes[0].set_xlabel("score [% of max]")
        axes[0].set_ylabel("submissions")
        # Manually graded answers have no pass rate: their scores are the instructor's (or pending).
        tests = [f"{t['notebook']}/{t['grade_id']}" for t in mine[0]["tests"] if not t.get("manual")]
        rates = [100 * sum(t["points"] >= t["max_points"] > 0 for r in mine for t in r["tests"]
                           if f"{t['notebook']}/{t['grade_id']}" == name) / len(mine) for name in tests]
        axes[1].barh(tests, rates, color="tab:green")
        axes[1].invert_yaxis()
        axes[1].set_xlim(0, 100)
        axes[1].set_title(f"{assignment}: pass rate per test")
        axes[1].set_xlabel("students passing [%]")
        axes[1].set_ylabel("test")
        fig.tight_layout()
        parts.append(f"<h2>{e(assignment)}</h2>" + _figure_to_html(fig))
        waiting = sum(1 for r in mine if r.get("pending_points"))
        if waiting:
            parts.append(f"<p>{waiting} of {len(mine)} submissions have written answers waiting for manual grading "
                         "(formgrader); their scores above do not include those points yet.</p>")
        plt.close(fig)
    attention = [r for r in results if r["review"] or r["status"] == "failed"]
    rows = "".join(
        f"<tr><td>{e(r['student'])}</td><td>{e(r['assignment'])}</td><td>{e(r['status'])}</td>"
        f"<td>{'review' if r['review'] else ''}</td><td>{e('; '.join(r['reasons'] + r['review_reasons']))}</td></tr>"
        for r in attention)
    parts.append("<h2>Flagged and failed submissions</h2>" + (
        f"<table><tr><th>student</th><th>assignment</th><th>status</th><th>flag</th><th>why</th></tr>{rows}</table>"
        if attention else "<p>None.</p>"))
    html_path = folder / "report.html"
    html_path.write_text("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Class report</title>"
                         "<style>body{font-family:system-ui,sans-serif;margin:2rem}td,th{border-bottom:1px solid #ddd;"
                         "padding:.3rem;text-align:left}</style></head><body>" + "".join(parts) + "</body></html>",
                         encoding="utf-8")
    return csv_path, html_path
