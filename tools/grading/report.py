"""The class report behind `make grades`: reports/grades.csv and reports/report.html.

grades.csv has one row per student and assignment: status (ok / repaired / failed), the reasons,
the review flag and why, score and max score, the points still pending (manually graded answers
not scored yet), and one column per test (``<notebook>/<test id>`` with the points earned, or
``pending``). report.html shows the score distribution per assignment, the pass rate
of every test (which exercise the class struggled with), and the flagged and failed submissions.

Per assignment it also shows the class's *misconceptions*: every failed autograded test counted
by the diagnosis helpers.checks made (a named mistake such as "missing 1/m", an unrecognised wrong
answer, not implemented, or an error), hidden tests included (the report is instructor-only),
sorted by how many submissions made it, with the explanation the students saw and a bar chart of
the most frequent ones. The rows account for every failure. The same rows are in
misconceptions.csv, and each chart is also saved as misconceptions_<assignment>.png.
"""

import base64
import html
import io
import json
from collections import Counter
from pathlib import Path

from tools.course import COURSE_ROOT
from tools.grading.grader import STATUS_FILE
from tools.grading.results import NO_KNOWN_MISTAKE

MISCONCEPTIONS_FILE = "misconceptions.csv"
MISCONCEPTION_COLUMNS = ["assignment", "notebook", "test", "function", "diagnosis", "kind", "count", "percent",
                         "hidden", "explanation"]
KIND_COLOURS = {"named mistake": "tab:red", "unrecognised wrong answer": "tab:gray", "not implemented": "tab:olive",
                "error": "tab:orange", "not graded": "tab:purple"}


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


def kind_of(diagnosis):
    """named mistake / unrecognised wrong answer / not implemented / error / not graded."""
    if diagnosis == NO_KNOWN_MISTAKE:
        return "unrecognised wrong answer"
    if diagnosis in ("not implemented", "not graded"):
        return diagnosis
    if diagnosis.startswith("error:"):
        return "error"
    return "named mistake"


def misconceptions(results):
    """One row per (assignment, test, diagnosis) over every failed autograded test: how many
    submissions (count, percent of the assignment's submissions), how many of those failed in the
    hidden part, the function and the explanation most of them saw. Sorted per assignment by count
    (then test order). Manually graded answers are not failures and are left out."""
    rows = []
    for assignment in sorted({r["assignment"] for r in results}):
        mine = [r for r in results if r["assignment"] == assignment]
        order = {}
        groups = {}
        for r in mine:
            for t in r["tests"]:
                key = (t["notebook"], t["grade_id"])
                order.setdefault(key, len(order))
                if t.get("manual") or t.get("points") is None or t["points"] >= t["max_points"] > 0:
                    continue
                diagnosis = t.get("diagnosis") or NO_KNOWN_MISTAKE  # results saved before diagnoses existed
                group = groups.setdefault(key + (diagnosis,), {"count": 0, "hidden": 0, "explanations": Counter(),
                                                               "functions": Counter()})
                group["count"] += 1
                group["hidden"] += bool(t.get("hidden_failure"))
                group["explanations"][t.get("explanation") or t.get("message", "").split("\n")[0]] += 1
                group["functions"][t.get("function") or ""] += 1
        found = []
        for (notebook, test, diagnosis), group in groups.items():
            found.append({
                "assignment": assignment, "notebook": notebook, "test": test,
                "function": group["functions"].most_common(1)[0][0], "diagnosis": diagnosis,
                "kind": kind_of(diagnosis), "count": group["count"],
                "percent": round(100 * group["count"] / len(mine), 1), "hidden": group["hidden"],
                "explanation": group["explanations"].most_common(1)[0][0],
            })
        found.sort(key=lambda row: (-row["count"], order[(row["notebook"], row["test"])], row["diagnosis"]))
        rows += found
    return rows


def misconception_chart(assignment, rows, submissions, top=12):
    """A horizontal bar chart of the ``top`` most frequent diagnoses of one assignment."""
    import matplotlib.pyplot as plt

    shown = rows[:top]
    fig, ax = plt.subplots(figsize=(11, 0.45 * len(shown) + 1.6))
    labels = [f"{r['test']}: {_short(r['explanation'] if r['kind'] == 'named mistake' else r['diagnosis'], 60)}"
              for r in shown]
    ax.barh(range(len(shown)), [r["count"] for r in shown], color=[KIND_COLOURS[r["kind"]] for r in shown])
    ax.set_yticks(range(len(shown)), labels, fontsize=8)
    ax.invert_yaxis()
    for i, r in enumerate(shown):
        ax.text(r["count"], i, f" {r['count']} ({r['percent']:g} %)", va="center", fontsize=8)
    ax.set_xlim(0, max([r["count"] for r in shown] + [1]) * 1.25)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(f"submissions (of {submissions})")
    ax.set_title(f"{assignment}: most frequent diagnoses of failed tests (top {len(shown)} of {len(rows)})")
    from matplotlib.patches import Patch

    kinds = [k for k in KIND_COLOURS if any(r["kind"] == k for r in shown)]
    ax.legend(handles=[Patch(color=KIND_COLOURS[k], label=k) for k in kinds], loc="upper left", fontsize=8,
              bbox_to_anchor=(1.01, 1), frameon=False)
    fig.tight_layout()
    return fig


def _short(text, n):
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _misconception_section(assignment, rows, submissions, chart_html):
    e = html.escape
    if not rows:
        return "<h3>Misconceptions</h3><p>No failed tests.</p>"
    by_kind = Counter()
    for r in rows:
        by_kind[r["kind"]] += r["count"]
    plural = {"named mistake": "named mistakes", "unrecognised wrong answer": "unrecognised wrong answers",
              "error": "errors"}
    summary = ", ".join(f"{n} {plural.get(k, k) if n != 1 else k}" for k, n in by_kind.most_common())
    body = "".join(
        f"<tr><td>{r['count']}</td><td>{r['percent']:g} %</td><td>{e(r['notebook'])}/<code>{e(r['test'])}</code></td>"
        f"<td><code>{e(r['function'])}</code></td><td>{e(r['kind'])}<br><code>{e(r['diagnosis'])}</code></td>"
        f"<td>{e(r['explanation'])}{' <i>(' + str(r['hidden']) + ' in hidden tests)</i>' if r['hidden'] else ''}"
        f"</td></tr>" for r in rows)
    return (f"<h3>Misconceptions</h3><p>{sum(by_kind.values())} failed tests in {submissions} submissions: {summary}. "
            "Each failed test counts once, under the diagnosis its first failing check made (hidden tests "
            "included).</p>" + chart_html +
            "<table><tr><th>count</th><th>share</th><th>test</th><th>function</th><th>diagnosis</th>"
            f"<th>explanation the students saw</th></tr>{body}</table>")


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
    import pandas as pd

    found = misconceptions(results)
    pd.DataFrame(found, columns=MISCONCEPTION_COLUMNS).to_csv(folder / MISCONCEPTIONS_FILE, index=False)
    e = html.escape
    parts = [f"<h1>Class report</h1><p>{len(results)} graded submissions. Full table: grades.csv.</p>"]
    unsandboxed = [r for r in results if r.get("sandbox") and r["sandbox"] != "bubblewrap"]
    if unsandboxed:
        parts.append(f"<p><b>{len(unsandboxed)} of {len(results)} submissions were graded without an OS sandbox</b> "
                     "(bubblewrap unavailable or switched off): only the Python audit hook guarded them, which native "
                     "code (ctypes, compiled extensions) can get around. Install bubblewrap and grade again for "
                     "the full guarantee (README, Grading you can trust).</p>")
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
        rows = [r for r in found if r["assignment"] == assignment]
        chart = ""
        if rows:
            chart_fig = misconception_chart(assignment, rows, len(mine))
            chart_fig.savefig(folder / f"misconceptions_{assignment}.png", dpi=110, bbox_inches="tight")
            chart = _figure_to_html(chart_fig)
            plt.close(chart_fig)
        parts.append(_misconception_section(assignment, rows, len(mine), chart))
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
                         "padding:.3rem;text-align:left;vertical-align:top}table{border-collapse:collapse}</style></head><body>" + "".join(parts) + "</body></html>",
                         encoding="utf-8")
    return csv_path, html_path
