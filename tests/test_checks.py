"""helpers.checks: every diagnosis is triggered by the mistake it names, correct forms pass,
and a notebook cannot talk a check into passing."""

import subprocess
import sys
import warnings

import numpy as np
import pytest

from helpers import checks
from helpers.checks import CheckFailure


def message_of(fn, *args, **kwargs):
    with pytest.raises(CheckFailure) as info:
        fn(*args, **kwargs)
    return str(info.value)


# ---------------------------------------------------------------------------------------------
# expect: shapes, values and the known mistakes
# ---------------------------------------------------------------------------------------------
def test_expect_passes_on_equal_and_within_tolerance():
    a = np.arange(6.0).reshape(2, 3)
    checks.expect("f(x)", a, a)
    checks.expect("f(x)", a + 1e-9, a)
    checks.expect("f(x)", a.astype(np.float32), a)  # a float32 result with the right values passes


def test_expect_names_function_shapes_and_largest_difference():
    expected = np.array([[1.0, 2.0, 3.0]])
    msg = message_of(checks.expect, "forward(X) -> A2", np.array([[1.0, 2.5, 3.0]]), expected)
    assert "forward(X) -> A2: wrong values." in msg
    assert "expected: shape (1, 3), dtype float64" in msg
    assert "largest difference: 0.5 at index (0, 1) (expected 2, got 2.5)" in msg


def test_missing_one_over_m():
    expected = np.array([[0.1, -0.2], [0.3, 0.05]])
    msg = message_of(checks.expect, "dW", expected * 7, expected, m=7)
    assert "missing 1/m" in msg and "m = 7" in msg


def test_divided_by_m_twice():
    expected = np.array([[0.1, -0.2, 0.4]])
    assert "divided by m twice" in message_of(checks.expect, "dW", expected / 5, expected, m=5)


def test_flipped_sign():
    expected = np.array([0.5, -1.0, 2.0])
    assert "flipped sign" in message_of(checks.expect, "dw", -expected, expected)


def test_transposed_non_square():
    expected = np.arange(6.0).reshape(2, 3)
    msg = message_of(checks.expect, "dW1", expected.T, expected)
    assert "wrong shape" in msg and "transposed" in msg


def test_transposed_square():
    expected = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert "transposed" in message_of(checks.expect, "W", expected.T, expected)


def test_lost_keepdims():
    expected = np.array([[1.0], [2.0], [3.0]])
    msg = message_of(checks.expect, "db1", expected.ravel(), expected)
    assert "lost keepdims" in msg and ".reshape(3, 1)" in msg


def test_rank_one_row_vector():
    expected = np.array([[1.0, 0.0, 1.0]])
    assert "lost keepdims" in message_of(checks.expect, "predict(X)", expected.ravel(), expected)


def test_bias_summed_over_wrong_axis():
    expected = np.zeros((4, 1))
    assert "np.sum(dZ, axis=1, keepdims=True)" in message_of(checks.expect, "db1", np.zeros((4, 5)), expected)


def test_constant_factor_and_shift():
    expected = np.array([1.0, 2.0, 4.0])
    assert "constant factor" in message_of(checks.expect, "w", expected * 0.5, expected)
    assert "shifted by" in message_of(checks.expect, "z", expected + 3.0, expected)


def test_nan_in_result():
    msg = message_of(checks.expect, "cost", np.array([np.nan, 1.0]), np.array([0.5, 1.0]))
    assert "NaN or inf" in msg


def test_known_mistake_is_named():
    expected = np.array([1.0, 2.0])
    wrong = np.array([5.0, 5.0])
    msg = message_of(checks.expect, "w_", wrong, expected, mistakes={"you left out x_j": wrong})
    assert "Hint: you left out x_j" in msg


def test_wrong_return_types():
    expected = np.zeros(3)
    assert "forget a `return`" in message_of(checks.expect, "f", None, expected)
    assert "Python list" in message_of(checks.expect, "f", [0.0, 0.0, 0.0], expected)
    assert "dtype <U1" in message_of(checks.expect, "f", np.array(["a", "b", "c"]), expected)


# ---------------------------------------------------------------------------------------------
# expect_scalar
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [0.25, np.float64(0.25), np.array(0.25), np.float32(0.25)])
def test_scalar_forms_pass(value):
    checks.expect_scalar("cost", value, 0.25)


@pytest.mark.parametrize("shape", [(1, 1), (1,)])
def test_array_where_scalar_belongs(shape):
    msg = message_of(checks.expect_scalar, "compute_cost(A2, Y)", np.full(shape, 0.25), 0.25)
    assert f"a {shape} array where a scalar belongs" in msg


def test_scalar_sign_and_m():
    assert "flipped sign" in message_of(checks.expect_scalar, "cost", -0.69, 0.69)
    assert "missing 1/m" in message_of(checks.expect_scalar, "cost", 0.69 * 4, 0.69, m=4)


# ---------------------------------------------------------------------------------------------
# expect_labels
# ---------------------------------------------------------------------------------------------
def test_labels_pass_and_accept_bool_when_asked():
    checks.expect_labels("predict", np.array([1, -1, 1]), np.array([1, -1, 1]))
    checks.expect_labels("predict", np.array([[True, False]]), np.array([[1, 0]]), classes=(0, 1), accept_bool=True)
    checks.expect_labels("predict", np.array([[1.0, 0.0]]), np.array([[1, 0]]), classes=(0, 1))


def test_wrong_labels_zero_one_instead_of_pm_one():
    msg = message_of(checks.expect_labels, "Perceptron.predict(X)", np.array([1, 0, 1]), np.array([1, -1, 1]))
    assert "wrong labels" in msg and "-1 and 1, not 0 and 1" in msg


def test_wrong_labels_probabilities():
    msg = message_of(checks.expect_labels, "predict", np.array([[0.7, 0.2]]), np.array([[1, 0]]), classes=(0, 1))
    assert "not probabilities" in msg


def test_flipped_labels_and_miscount():
    msg = message_of(checks.expect_labels, "predict", np.array([-1, 1, -1]), np.array([1, -1, 1]))
    assert "3 of 3 labels are wrong" in msg and "flipped" in msg
    assert "1 of 3 labels are wrong" in message_of(checks.expect_labels, "predict", np.array([1, 1, 1]),
                                                   np.array([1, -1, 1]))


def test_bool_rejected_unless_accepted():
    assert "dtype bool" in message_of(checks.expect_labels, "predict", np.array([[True]]), np.array([[1]]),
                                      classes=(0, 1))


# ---------------------------------------------------------------------------------------------
# run: guards, mutation, errors
# ---------------------------------------------------------------------------------------------
def test_run_reports_not_implemented():
    def f(x):
        raise NotImplementedError()

    assert "f is not implemented yet" in message_of(checks.run, f, 1)


def test_run_detects_mutated_input_including_inside_dicts():
    def update(params, grads):
        params["W1"] -= grads["dW1"]
        return params

    params = {"W1": np.ones((2, 2))}
    msg = message_of(checks.run, update, params, {"dW1": np.ones((2, 2))}, name="update_parameters")
    assert "update_parameters modified its input: params['W1']" in msg and "input mutated" in msg


def test_run_accepts_pure_functions_and_returns_result():
    assert checks.run(lambda X: X * 2, np.ones(3)).sum() == 6


def test_run_silences_warnings():
    def noisy(z):
        warnings.warn("deprecated thing", DeprecationWarning, stacklevel=1)
        return 1 / (1 + np.exp(-z))  # overflows for z = -1000

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(all="warn"):
            out = checks.run(noisy, np.array([-1000.0, 0.0]))
    assert caught == []
    assert out[1] == 0.5


def test_run_shows_student_frames_and_shape_hint():
    def forward(W, X):
        return np.dot(W, X)

    msg = message_of(checks.run, forward, np.ones((2, 3)), np.ones((2, 3)), name="forward(W, X)")
    assert "forward(W, X) raised an error in your code" in msg
    assert "return np.dot(W, X)" in msg and "ValueError" in msg and "shapes do not fit" in msg


def test_failure_renders_without_stack_trace():
    try:
        checks.expect("f", np.zeros(2), np.ones(2))
    except CheckFailure as error:
        rendered = error._render_traceback_()
    assert rendered[0].endswith("f: wrong values.") and all("File " not in line for line in rendered)


# ---------------------------------------------------------------------------------------------
# other checks
# ---------------------------------------------------------------------------------------------
def test_expect_keys_off_by_one():
    msg = message_of(checks.expect_keys, "L_model_backward", {"dA1": 0, "dW2": 0, "db2": 0},
                     ["dA0", "dW1", "db1"])
    assert "missing: ['dA0', 'dW1', 'db1']" in msg and "off by one" in msg


def test_expect_equal_and_named_mistake():
    checks.expect_equal("errors_", [2, 0], [2, 0])
    msg = message_of(checks.expect_equal, "errors_", [2, 3], [2, 1], mistakes={"running totals": [2, 3]})
    assert "running totals" in msg


def test_expect_raises():
    def strict(kind):
        if kind != "relu":
            raise ValueError(kind)

    checks.expect_raises("act('tanh')", ValueError, strict, "tanh")
    assert "returned normally" in message_of(checks.expect_raises, "act('relu')", ValueError, strict, "relu")


def test_check_condition():
    checks.check(True, "never shown")
    assert message_of(checks.check, False, "fit must return self") == "fit must return self"


# ---------------------------------------------------------------------------------------------
# gradient checking
# ---------------------------------------------------------------------------------------------
def _quadratic_problem():
    rng = np.random.RandomState(0)
    A = rng.randn(3, 4)
    x = rng.randn(4, 1)

    def cost():
        return float(np.sum((A @ x) ** 2) / 2)

    return A, x, cost


def test_numerical_gradient_matches_analytic():
    A, x, cost = _quadratic_problem()
    numeric = checks.numerical_gradient(cost, x)
    assert checks.relative_error(numeric, A.T @ A @ x) < 1e-8


def test_gradient_check_accepts_correct_and_rejects_wrong():
    A, x, cost = _quadratic_problem()
    errors = checks.gradient_check("backward", cost, {"x": x}, {"x": A.T @ A @ x})
    assert errors["x"] < checks.GRADIENT_THRESHOLDS["correct"]
    msg = message_of(checks.gradient_check, "backward", cost, {"x": x}, {"x": -(A.T @ A @ x)})
    assert "does not match the numerical one" in msg and "flipped sign" in msg
    msg = message_of(checks.gradient_check, "backward", cost, {"x": x}, {"x": 3 * (A.T @ A @ x)}, m=3)
    assert "missing 1/m" in msg
    msg = message_of(checks.gradient_check, "backward", cost, {"x": x}, {"x": (A.T @ A @ x).ravel()})
    assert "shape" in msg and "lost keepdims" in msg


def test_gradient_check_restores_parameters():
    A, x, cost = _quadratic_problem()
    before = x.copy()
    checks.numerical_gradient(cost, x)
    assert np.array_equal(x, before)


# ---------------------------------------------------------------------------------------------
# reference outputs
# ---------------------------------------------------------------------------------------------
def test_reference_missing_assignment_message():
    with pytest.raises(FileNotFoundError, match="make release"):
        checks.reference("99_nothing")


def test_reference_returns_copies():
    ref = checks.reference("01_perceptron")
    a = ref["net_input/X"]
    a[...] = 0
    assert not np.array_equal(ref["net_input/X"], a)
    assert isinstance(ref["fit/epochs"], int)


# ---------------------------------------------------------------------------------------------
# tamper resistance
# ---------------------------------------------------------------------------------------------
def test_module_is_read_only():
    with pytest.raises(AttributeError, match="read-only"):
        checks.expect = lambda *a, **k: None
    with pytest.raises(AttributeError, match="read-only"):
        del checks.run


def test_monkeypatched_numpy_does_not_change_verdicts():
    # In a separate interpreter: a notebook that rebinds numpy's comparison helpers after importing
    # checks must still fail a wrong answer.
    code = """
import numpy as np
from helpers import checks
np.allclose = lambda *a, **k: True
np.isclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.abs = lambda x: x * 0
try:
    checks.expect("f", np.array([1.0, 2.0]), np.array([3.0, 4.0]))
except AssertionError:
    print("still fails")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "still fails", out.stderr


def test_array_subclass_cannot_fake_equality():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return np.ones(self.shape, bool)

        def __sub__(self, other):
            return np.zeros(self.shape)

    fake = np.array([9.0, 9.0]).view(Liar)
    assert "wrong values" in message_of(checks.expect, "f", fake, np.array([1.0, 2.0]))


def test_failure_records_the_line_of_the_calling_test():
    source = "import numpy as np\nfrom helpers import checks\n\nchecks.expect('f', np.zeros(2), np.ones(2))\n"
    with pytest.raises(CheckFailure) as info:
        exec(compile(source, "<test>", "exec"), {})
    assert info.value.test_line == 4
    assert info.value._render_traceback_()[-1].endswith("(line 4 of the test cell)\x1b[0m")


# ---------------------------------------------------------------------------------------------
# diagnoses: the stable identifiers the class report counts
# ---------------------------------------------------------------------------------------------
def failure_of(fn, *args, **kwargs):
    with pytest.raises(CheckFailure) as info:
        fn(*args, **kwargs)
    return info.value


def test_diagnosis_does_not_depend_on_the_students_numbers():
    ids = set()
    for m, seed in [(5, 0), (7, 1), (40, 2)]:
        want = np.random.RandomState(seed).randn(3, m)
        ids.add(failure_of(checks.expect, "f(x)", want * m, want, m=m).diagnosis)
        ids.add(failure_of(checks.expect_scalar, "cost(A, Y)", 2.5 * m, 2.5, m=m).diagnosis)
    assert ids == {"missing-1-m"}
    z = np.array([[-2.0, 0.5], [1.0, -0.25]])
    error = failure_of(checks.expect, "leaky_relu(z)", np.where(z > 0, z, 0.1 * z), np.where(z > 0, z, 0.01 * z),
                       mistakes={"the slope for z < 0 is 0.01, not 0.1.": np.where(z > 0, z, 0.1 * z)})
    assert (error.diagnosis, error.function) == ("the-slope-for-z-is-not", "leaky_relu")
    assert error.explanation == "the slope for z < 0 is 0.01, not 0.1."
    assert checks.diagnosis_id("the slope for z < 0 is 0.01, not 0.1.") == error.diagnosis


def test_diagnosis_of_each_kind_of_failure():
    def not_done(x):
        raise NotImplementedError()

    def crashes(x):
        return x[7]

    def mutates(x):
        x[0] = 1.0
        return x

    a = np.zeros((2, 3))
    cases = [
        (failure_of(checks.run, not_done, a, name="g(x)"), "not implemented"),
        (failure_of(checks.run, crashes, [1], name="g(x)"), "error: IndexError"),
        (failure_of(checks.run, mutates, np.zeros(3), name="g(x)"), "input-mutated"),
        (failure_of(checks.expect, "g(x)", a + 0.3 * np.arange(6).reshape(2, 3) ** 2, a), "no known mistake"),
        (failure_of(checks.expect, "g(x)", np.zeros(4), a), "wrong-shape"),
        (failure_of(checks.expect, "g(x)", np.arange(6.0).reshape(3, 2), np.arange(6.0).reshape(3, 2).T),
         "transposed"),
        (failure_of(checks.expect, "g(x)", None, a), "returned-none"),
        (failure_of(checks.expect_scalar, "cost(A, Y)", np.ones((1, 1)), 1.0), "array-where-scalar-belongs"),
        (failure_of(checks.expect_equal, "sizes(X)", (3, 4), (5, 4), mistakes={"rows, not columns.": (3, 4)}),
         "rows-not-columns"),
        (failure_of(checks.expect_equal, "sizes(X)", (3, 4), (5, 4), hint="a generic hint"), "no known mistake"),
        (failure_of(checks.check, False, "f(x) must return two things: A, cache; got 3."),
         "f-x-must-return-two-things-a-cache"),
        (failure_of(checks.check, False, "anything", diagnosis="my-id"), "my-id"),
        (failure_of(checks.expect_raises, "f(x)", ValueError, lambda: None), "no-ValueError-raised"),
    ]
    for error, want in cases:
        assert error.diagnosis == want, (str(error), error.diagnosis)
        assert error.record()["id"] == want and error.explanation


def test_diagnosis_line_only_under_the_autograder(monkeypatch):
    error = failure_of(checks.expect_scalar, "cost(A, Y)", 5.0, 1.0, m=5)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    assert not any("(diagnosis" in line for line in error._render_traceback_())
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    from tools.grading import results

    record = results.diagnosis_record({"traceback": error._render_traceback_()})
    assert record == {"id": "missing-1-m", "explanation": error.explanation, "function": "cost"}
    assert results.diagnosis("CheckFailure", str(error), record)[0] == "missing-1-m"
    assert results.diagnosis("CheckFailure", "f: wrong values.")[0] == "no known mistake"
    assert results.diagnosis("TypeError", "bad operand")[0] == "error: TypeError"
    assert results.diagnosis("CellTimeoutError", "")[0] == "error: timeout"
