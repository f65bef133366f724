"""The class report's misconceptions: a synthetic class of 12 submissions (6 of 04_shallow_network, 6 of
05_deep_network's first notebook, the one its tests need), each the source solutions with known
mistakes planted, 2–3 students per mistake, graded through the real pipeline (`make autograde`'s
command, then `make grades`'s report). The report must count every planted mistake exactly, under
its stable diagnosis, hidden-test failures included, and its rows must account for every failure."""

import csv
import json
import shutil

import pytest

from helpers import checks
from tools import grade
from tools import release as release_tool
from tools.course import COURSE_ROOT
from tools.course_copy import reference_notebook, submit
from tools.grading import feedback, report

NAMED = checks.diagnosis_id

# (assignment, notebook, solution cell, text in the solution, planted replacement)
MISTAKES = {
    "leaky_slope": ("04_shallow_network", "shallow_network.ipynb", "relu_leaky",
                    "np.where(z > 0, z, 0.01 * z)", "np.where(z > 0, z, 0.1 * z)"),
    "b1_missing": ("04_shallow_network", "shallow_network.ipynb", "forward_propagation",
                   "Z1 = W1 @ X + b1", "Z1 = W1 @ X"),
    "adds_gradient": ("04_shallow_network", "shallow_network.ipynb", "update_parameters",
                      "parameters[key] - learning_rate", "parameters[key] + learning_rate"),
    "cost_no_mean": ("04_shallow_network", "shallow_network.ipynb", "compute_cost",
                     "float(-np.sum(logprobs) / m)", "float(-np.sum(logprobs))"),
    "cost_m_hardcoded": ("04_shallow_network", "shallow_network.ipynb", "compute_cost",  # only hidden tests see it
                         "m = Y.shape[1]", "m = 5"),
    "sizes_index_error": ("04_shallow_network", "shallow_network.ipynb", "layer_sizes",
                          "n_x = X.shape[0]", "n_x = X.shape[2]"),
    "predict_not_done": ("04_shallow_network", "shallow_network.ipynb", "predict",
                         "A2, _ = forward_propagation(X, parameters)\n    return (A2 > 0.5).astype(int)",
                         "raise NotImplementedError()"),
    "relu_doubled": ("04_shallow_network", "shallow_network.ipynb", "relu_leaky",
                     "return np.maximum(0, z)", "return np.maximum(0, 2 * z)"),
    "b_missing": ("05_deep_network", "1_step_by_step.ipynb", "linear_forward", "Z = W @ A + b", "Z = W @ A"),
    "dA_prev_mean": ("05_deep_network", "1_step_by_step.ipynb", "linear_backward",
                     "dA_prev = W.T @ dZ", "dA_prev = W.T @ dZ / m"),
    "update_sign": ("05_deep_network", "1_step_by_step.ipynb", "update_parameters",
                    'parameters[f"W{l}"] - learning_rate', 'parameters[f"W{l}"] + learning_rate'),
    "cost_array": ("05_deep_network", "1_step_by_step.ipynb", "compute_cost",
                   "return float(cost)", "return np.reshape(cost, (1, 1))"),
    "no_chain_rule": ("05_deep_network", "1_step_by_step.ipynb", "activations",
                      "return dA * s * (1 - s)", "return s * (1 - s)"),
    "randn_tuple": ("05_deep_network", "1_step_by_step.ipynb", "initialize_parameters",
                    "W1 = rng.randn(n_h, n_x) * 0.01", "W1 = rng.randn((n_h, n_x)) * 0.01"),
}

STUDENTS = {
    "04_shallow_network": {
        "a1": ["leaky_slope", "sizes_index_error", "cost_m_hardcoded"],
        "a2": ["leaky_slope", "b1_missing", "relu_doubled"],
        "a3": ["b1_missing", "predict_not_done", "cost_m_hardcoded"],
        "a4": ["b1_missing", "adds_gradient"],
        "a5": ["adds_gradient", "cost_no_mean", "relu_doubled"],
        "a6": ["cost_no_mean", "sizes_index_error", "predict_not_done"],
    },
    "05_deep_network": {
        "b1": ["b_missing", "cost_array", "randn_tuple"],
        "b2": ["b_missing", "dA_prev_mean"],
        "b3": ["dA_prev_mean", "cost_array"],
        "b4": ["dA_prev_mean", "no_chain_rule"],
        "b5": ["update_sign", "randn_tuple"],
        "b6": ["update_sign", "no_chain_rule"],
    },
}

# What the report must say for each planted mistake: (test, diagnosis, count, failed in the hidden part).
EXPECTED = {
    ("04_shallow_network", "test_leaky_relu", NAMED("the slope for z < 0 is 0.01, not 0.1."), 2, 0),
    ("04_shallow_network", "test_forward_propagation", NAMED("the bias b1 is missing: Z1 = W1 X + b1."), 3, 0),
    ("04_shallow_network", "test_update_parameters",
     NAMED("you added the gradient; gradient descent subtracts it: W1 := W1 − α dW1."), 2, 0),
    ("04_shallow_network", "test_compute_cost", "missing-1-m", 2, 0),
    ("04_shallow_network", "test_compute_cost", "no known mistake", 2, 2),
    ("04_shallow_network", "test_layer_sizes", "error: IndexError", 2, 0),
    ("04_shallow_network", "test_predict", "not implemented", 2, 0),
    ("04_shallow_network", "test_relu", "no known mistake", 2, 0),
    ("05_deep_network", "test_linear_forward", NAMED("the bias b is missing: Z = W A + b."), 2, 0),
    ("05_deep_network", "test_linear_backward",
     NAMED("dA_prev has a 1/m: only dW and db average over the examples; dA[l-1] = W[l]ᵀ dZ[l] stays per "
           "example."), 3, 0),
    ("05_deep_network", "test_update_parameters",
     NAMED("flipped sign: gradient descent subtracts the gradient, W - alpha * dW."), 2, 0),
    ("05_deep_network", "test_compute_cost", "array-where-scalar-belongs", 2, 0),
    ("05_deep_network", "test_activations_backward", NAMED("you returned g'(Z) alone: multiply by dA (chain rule)."),
     2, 0),
    ("05_deep_network", "test_initialize_parameters", "error: TypeError", 2, 0),
}


def _plant(nb, cell_id, old, new):
    cell = next(c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == cell_id)
    assert cell["source"].count(old) == 1, f"{cell_id}: {old!r} is not in the source solution exactly once"
    cell["source"] = cell["source"].replace(old, new)


@pytest.mark.slow
def test_report_counts_each_planted_mistake(tmp_path, record_property):
    root = tmp_path / "course"
    needed = {(a, nb) for a, nb, *_ in MISTAKES.values()}
    for assignment, name in needed:  # only the notebooks the planted mistakes need (05's second one is not)
        (root / "source" / assignment).mkdir(parents=True, exist_ok=True)
        shutil.copy(COURSE_ROOT / "source" / assignment / name, root / "source" / assignment / name)
    release_tool.generate(sorted(STUDENTS), root=root)
    for assignment, students in STUDENTS.items():
        for student, planted in students.items():
            name = MISTAKES[planted[0]][1]
            nb = reference_notebook(root, assignment, name)
            for key in planted:
                _plant(nb, *MISTAKES[key][2:])
            submit(root, student, assignment, {name: nb})

    graded = [r for r in grade.autograde(root, out=None)]
    assert len(graded) == 12 and all(r is not None and r.status == "ok" and not r.review for r in graded), \
        [(r.student, r.status, r.reasons, r.review_reasons) for r in graded if r is not None]
    record_property("timing", f"misconceptions: 12 synthetic submissions graded in "
                              f"{sum(r.seconds for r in graded):.0f} s")

    csv_path, html_path = report.write(root)
    rows = list(csv.DictReader((csv_path.parent / report.MISCONCEPTIONS_FILE).open()))
    table = {(r["assignment"], r["test"], r["diagnosis"]): r for r in rows}
    for assignment, test, diagnosis, count, hidden in EXPECTED:
        row = table.get((assignment, test, diagnosis))
        assert row is not None, f"{assignment}/{test}: {diagnosis!r} missing from the report"
        assert (int(row["count"]), int(row["hidden"])) == (count, hidden), (assignment, test, diagnosis, row)
        assert float(row["percent"]) == round(100 * count / 6, 1)

    # The rows account for every failure, and each submission's failures are where the report says.
    failures = [(r.assignment, t.grade_id, t.diagnosis) for r in graded for t in r.tests if t.points < t.max_points]
    assert all(d for _, _, d in failures), "every failed test has a diagnosis"
    assert sum(int(r["count"]) for r in rows) == len(failures)
    for (assignment, test, diagnosis), row in table.items():
        assert int(row["count"]) == failures.count((assignment, test, diagnosis))
    for assignment in STUDENTS:  # sorted by count within each assignment
        counts = [int(r["count"]) for r in rows if r["assignment"] == assignment]
        assert counts == sorted(counts, reverse=True)

    page = html_path.read_text()
    assert page.count("<h3>Misconceptions</h3>") == 2 and "the slope for z &lt; 0 is 0.01, not 0.1." in page
    kept = COURSE_ROOT / "reports" / "misconceptions_example"  # gitignored: the charts to look at after a run
    kept.mkdir(parents=True, exist_ok=True)
    for assignment in STUDENTS:
        chart = csv_path.parent / f"misconceptions_{assignment}.png"
        assert chart.stat().st_size > 10_000
        shutil.copy(chart, kept / chart.name)
    shutil.copy(csv_path.parent / report.MISCONCEPTIONS_FILE, kept / report.MISCONCEPTIONS_FILE)

    # Hidden-test diagnoses are for the instructor; the student's page shows what it showed before.
    result = json.loads((root / "autograded" / "a1" / "04_shallow_network" / "grading.json").read_text())
    cost = next(t for t in result["tests"] if t["grade_id"] == "test_compute_cost")
    assert cost["hidden_failure"] and cost["diagnosis"] == "no known mistake"
    assert cost["student_message"].startswith("A hidden test failed: compute_cost(A2, Y) for m = 9: wrong value.")
    page = feedback.render(result)
    assert "diagnosis" not in page and "no known mistake" not in page
    # Students never see the diagnosis line (it is only added under the autograder).
    assert "(diagnosis" not in cost["message"] and "(diagnosis" not in cost["student_message"]

    shown = "\n".join(f"{r['assignment']:<18} {r['count']:>2} {float(r['percent']):5.1f}%  {r['test']:<28} "
                      f"{r['function']:<26} {r['kind']:<26} {r['diagnosis'][:60]}" for r in rows)
    print("\n" + shown)
    (tmp_path / "misconceptions.txt").write_text(shown)
