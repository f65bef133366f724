"""Reference outputs for 06_regularization (visible tests), computed with the source solutions.

Each notebook has its own private builder whose keys share a prefix; ``build`` merges them.

* ``gc/...`` (3_gradient_checking): the published test case (drawn from RandomState(1), which gives the
  numbers the published code drew from the global generator seeded with 1), the gradients of the given
  backward pass (with its two planted bugs) and of the corrected one, the differences ``gradient_check`` and
  ``gradient_check_n`` return on them, and the answers that the known mistakes give (a one-sided difference,
  dividing by epsilon instead of 2 epsilon, the norms added before the division, theta perturbed in place;
  ``relative_error`` without its 1e-8 floor, with the mean instead of the max, or as a norm ratio), so the
  visible tests can name them.
"""

import numpy as np

_KEYS = ("W1", "b1", "W2", "b2", "W3", "b3")


def _published_case():
    rng = np.random.RandomState(1)
    X = rng.randn(4, 3)
    Y = np.array([[1, 1, 0]])
    parameters = {}
    for l, (n, n_prev) in enumerate([(5, 4), (3, 5), (1, 3)], start=1):
        parameters[f"W{l}"] = rng.randn(n, n_prev)
        parameters[f"b{l}"] = rng.randn(n, 1)
    return X, Y, parameters


def _norm_ratio(grad, approx, norms_first=False):
    num = np.linalg.norm(grad - approx)
    if norms_first:  # the mistake: ||g - g~|| / ||g|| + ||g~||
        return float(num / np.linalg.norm(grad) + np.linalg.norm(approx))
    return float(num / (np.linalg.norm(grad) + np.linalg.norm(approx)))


def _gradapprox_n(nb, parameters, X, Y, epsilon, width=2.0, in_place=False):
    """Centred differences over theta (width 2: correct; width 1: divided by epsilon only). ``in_place``: the
    known mistake where theta_plus and theta_minus are theta itself, never copied."""
    theta, _ = nb.dictionary_to_vector(parameters)
    approx = np.zeros_like(theta)
    for i in range(theta.shape[0]):
        plus = theta if in_place else theta.copy()
        plus[i, 0] += epsilon
        J_plus, _ = nb.forward_propagation_n(X, Y, nb.vector_to_dictionary(plus, parameters))
        minus = theta if in_place else theta.copy()
        minus[i, 0] -= epsilon
        J_minus, _ = nb.forward_propagation_n(X, Y, nb.vector_to_dictionary(minus, parameters))
        approx[i, 0] = (J_plus - J_minus) / (width * epsilon)
    return approx


def _gradient_checking(nb):
    out = {}
    out["gc/J"] = nb.forward_propagation(2, 4)
    out["gc/dtheta"] = nb.backward_propagation(3, 4)

    eps = 1e-7
    for x, theta in [(3, 4), (2, 4)]:
        key = f"gc/gc_{x}_{theta}"
        out[f"{key}/value"] = nb.gradient_check(x, theta)
        grad = nb.backward_propagation(x, theta)
        centred = (nb.forward_propagation(x, theta + eps) - nb.forward_propagation(x, theta - eps)) / (2 * eps)
        one_sided = (nb.forward_propagation(x, theta + eps) - nb.forward_propagation(x, theta)) / eps
        out[f"{key}/over_eps"] = _norm_ratio(grad, 2 * centred)
        out[f"{key}/norms_first"] = _norm_ratio(grad, centred, norms_first=True)
        out[f"{key}/one_sided"] = _norm_ratio(grad, one_sided)

    X, Y, parameters = _published_case()
    out["gc/pub/X"], out["gc/pub/Y"] = X, Y
    for k in _KEYS:
        out[f"gc/pub/{k}"] = parameters[k]
    _, cache = nb.forward_propagation_n(X, Y, parameters)
    cases = {"given": nb.buggy_backward_propagation_n(X, Y, cache), "fixed": nb.backward_propagation_n(X, Y, cache)}
    for case, gradients in cases.items():
        for k in _KEYS:
            out[f"gc/{case}/d{k}"] = gradients[f"d{k}"]
        out[f"gc/gcn/{case}/value"] = nb.gradient_check_n(parameters, gradients, X, Y)
        grad = nb.gradients_to_vector(gradients)
        out[f"gc/gcn/{case}/over_eps"] = _norm_ratio(grad, _gradapprox_n(nb, parameters, X, Y, eps, width=1.0))
        out[f"gc/gcn/{case}/norms_first"] = _norm_ratio(grad, _gradapprox_n(nb, parameters, X, Y, eps),
                                                        norms_first=True)
        out[f"gc/gcn/{case}/in_place"] = _norm_ratio(grad, _gradapprox_n(nb, parameters, X, Y, eps, in_place=True))
    # The given backward pass differs from the corrected one exactly in dW3, dW1 and db1 (its two bugs).
    wrong = sorted(k for k in _KEYS if not np.allclose(cases["given"][f"d{k}"], cases["fixed"][f"d{k}"]))
    assert wrong == ["W1", "W3", "b1"], wrong

    a = np.array([[1.0, -2.0, 0.0, 1e-12], [0.5, 3.0, -1.0, 2.0], [4.0, 0.0, 0.25, -0.5]])
    b = np.array([[1.0 + 1e-7, -2.0, 0.0, 3e-12], [0.5, 3.0 + 3e-6, -1.02, 2.0], [4.0, 0.0, 0.25, -0.5 - 1e-9]])
    out["gc/re/a"], out["gc/re/b"] = a, b
    out["gc/re/expected"] = nb.relative_error(a, b)
    total = np.abs(a) + np.abs(b)
    with np.errstate(invalid="ignore"):
        no_floor = np.abs(a - b) / total
    out["gc/re/no_floor_nonzero"] = float(np.nanmax(no_floor))
    out["gc/re/mean"] = float(np.mean(np.abs(a - b) / np.maximum(1e-8, total)))
    out["gc/re/norm_ratio"] = _norm_ratio(a.ravel(), b.ravel())
    return out


def build(solutions):
    return _gradient_checking(solutions["3_gradient_checking"])
