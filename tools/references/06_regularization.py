"""Reference outputs for 06_regularization (visible tests), computed with the source solutions.

One private function per notebook, each returning keys under its own prefix (``init/`` for
1_initialization, ``reg/`` for 2_regularization, ``gc/`` for 3_gradient_checking); ``build`` merges them.

Besides the expected outputs, it stores the answers that known mistakes produce, so the visible tests can
name them: initialisations without their scale, with the wrong scale (He's sqrt(1/n) or n[l] instead of
n[l-1]), drawn in the wrong order or shape or from numpy's global generator; an L2 cost without 1/m or ½,
only on W3 or with the biases in it; an L2 backward pass that misses a layer's term; dropout masks that keep
1 - keep_prob of the units, are not divided by keep_prob or also hit the output layer; a dropout backward
pass without the mask or without the division.

* ``gc/...`` (3_gradient_checking): the published test case (drawn from RandomState(1), which gives the
  numbers the published code drew from the global generator seeded with 1), the gradients of the given
  backward pass (with its two planted bugs) and of the corrected one, the differences ``gradient_check`` and
  ``gradient_check_n`` return on them, and the answers that the known mistakes give (a one-sided difference,
  dividing by epsilon instead of 2 epsilon, the norms added before the division, theta perturbed in place;
  ``relative_error`` without its 1e-8 floor, with the mean instead of the max, or as a norm ratio), so the
  visible tests can name them.
"""


import numpy as np

# The layer sizes of the visible initialisation tests: three layers, no two sizes equal, so that a scale
# taken from the wrong layer or a transposed draw gives other numbers.
INIT_DIMS = [3, 5, 2, 1]
# Every test that names "numpy's global generator" seeds it with this first.
GLOBAL_SEED = 12345


def _draw(dims, seed, scale, order="W", transposed=False):
    """Weights W{l} = randn(n[l], n[l-1]) * scale(n[l], n[l-1]) from RandomState(seed), with the mistakes:
    order="Wb" also draws a random b{l} after each W{l}; transposed draws (n[l-1], n[l]) and transposes."""
    rng = np.random.RandomState(seed)
    out = {}
    for l in range(1, len(dims)):
        shape = (dims[l - 1], dims[l]) if transposed else (dims[l], dims[l - 1])
        W = rng.randn(*shape)
        out[f"W{l}"] = (W.T if transposed else W) * scale(dims[l], dims[l - 1])
        out[f"b{l}"] = rng.randn(dims[l], 1) if order == "Wb" else np.zeros((dims[l], 1))
    return out


def _initialization(nb):
    out = {"init/dims": np.array(INIT_DIMS)}
    for key, value in nb.initialize_parameters_zeros(INIT_DIMS).items():
        out[f"init/zeros/{key}"] = value

    ten = lambda n, n_prev: 10.0  # noqa: E731 - the scale of exercise 2
    for prefix, seed in (("init/random", 3), ("init/random_seed5", 5)):
        params = nb.initialize_parameters_random(INIT_DIMS) if seed == 3 else \
            nb.initialize_parameters_random(INIT_DIMS, seed=seed)
        for key, value in params.items():
            out[f"{prefix}/{key}"] = value
        mistakes = {"no_scale": _draw(INIT_DIMS, seed, lambda n, n_prev: 1.0),
                    "biases_drawn": _draw(INIT_DIMS, seed, ten, order="Wb"),
                    "transposed": _draw(INIT_DIMS, seed, ten, transposed=True),
                    "global": _draw(INIT_DIMS, GLOBAL_SEED, ten)}
        for name, wrong in mistakes.items():
            for l in range(1, len(INIT_DIMS)):
                out[f"{prefix}/mistake/{name}/W{l}"] = wrong[f"W{l}"]

    for key, value in nb.initialize_parameters_he(INIT_DIMS).items():
        out[f"init/he/{key}"] = value
    he = lambda n, n_prev: np.sqrt(2 / n_prev)  # noqa: E731
    mistakes = {"sqrt_1_over_n": _draw(INIT_DIMS, 3, lambda n, n_prev: np.sqrt(1 / n_prev)),
                "this_layer": _draw(INIT_DIMS, 3, lambda n, n_prev: np.sqrt(2 / n)),
                "biases_drawn": _draw(INIT_DIMS, 3, he, order="Wb"),
                "global": _draw(INIT_DIMS, GLOBAL_SEED, he)}
    for name, wrong in mistakes.items():
        for l in range(1, len(INIT_DIMS)):
            out[f"init/he/mistake/{name}/W{l}"] = wrong[f"W{l}"]
    return out


def _relu(z):
    return np.maximum(0, z)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _cross_entropy(A3, Y):
    return float(-np.mean(Y * np.log(A3) + (1 - Y) * np.log(1 - A3)))


def _three_layer_params(rng, sizes):
    """W1, b1, W2, b2, W3, b3 drawn in this order with randn (the published test cases' layout)."""
    n_x, n1, n2 = sizes
    shapes = [("W1", (n1, n_x)), ("b1", (n1, 1)), ("W2", (n2, n1)), ("b2", (n2, 1)), ("W3", (1, n2)), ("b3", (1, 1))]
    return {k: rng.randn(*shape) for k, shape in shapes}


def _dropout_forward_variant(X, P, keep_prob, rng, mistake):
    """The dropout forward pass with one known mistake (never the graded solution)."""
    Z1 = P["W1"] @ X + P["b1"]
    A1 = _relu(Z1)
    Z1_shape, m = A1.shape, X.shape[1]
    if mistake == "D2_first":
        R2 = rng.rand(P["W2"].shape[0], m)
        R1 = rng.rand(*Z1_shape)
    else:
        R1 = rng.rand(*Z1_shape)
    D1 = R1 > keep_prob if mistake == "inverse" else R1 < keep_prob
    scale = 1.0 if mistake == "not_divided" else keep_prob
    A1 = A1 * D1 / scale
    Z2 = P["W2"] @ A1 + P["b2"]
    A2 = _relu(Z2)
    R2 = R2 if mistake == "D2_first" else rng.rand(*A2.shape)
    D2 = R2 > keep_prob if mistake == "inverse" else R2 < keep_prob
    A2 = A2 * D2 / scale
    Z3 = P["W3"] @ A2 + P["b3"]
    A3 = _sigmoid(Z3)
    if mistake == "output_masked":
        A3 = A3 * (rng.rand(*A3.shape) < keep_prob) / keep_prob
    return (Z1, D1.astype(float), A1, P["W1"], P["b1"], Z2, D2.astype(float), A2, P["W2"], P["b2"], Z3, A3,
            P["W3"], P["b3"])


def _dropout_backward_variant(X, Y, cache, keep_prob, mistake):
    """dW/db through dropout with one known mistake: no mask, no division, or neither in layer 1.

    The ReLU slope is taken from Z here. (Taken from A after dropout, it is already 0 for every dropped
    unit, so a forgotten mask changes nothing there: that form is correct.)"""
    m = X.shape[1]
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache
    mask1 = 1.0 if mistake in ("no_mask", "one_layer") else D1
    mask2 = 1.0 if mistake == "no_mask" else D2
    scale1 = 1.0 if mistake in ("not_divided", "one_layer") else keep_prob
    scale2 = 1.0 if mistake == "not_divided" else keep_prob
    dZ3 = A3 - Y
    dA2 = (W3.T @ dZ3) * mask2 / scale2
    dZ2 = dA2 * (Z2 > 0)
    dA1 = (W2.T @ dZ2) * mask1 / scale1
    dZ1 = dA1 * (Z1 > 0)
    return {"dW3": dZ3 @ A2.T / m, "db3": dZ3.sum(axis=1, keepdims=True) / m,
            "dW2": dZ2 @ A1.T / m, "db2": dZ2.sum(axis=1, keepdims=True) / m,
            "dW1": dZ1 @ X.T / m, "db1": dZ1.sum(axis=1, keepdims=True) / m}


def _regularization(nb):
    out = {}
    # L2 cost: the published test case (RandomState(1), lambd = 0.1) -> 1.7864859451590758.
    rng = np.random.RandomState(1)
    Y = np.array([[1, 1, 0, 1, 0]])
    P = _three_layer_params(rng, (3, 2, 3))
    A3 = np.array([[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]])
    out["reg/cost/A3"], out["reg/cost/Y"] = A3, Y
    for k, v in P.items():
        out[f"reg/cost/{k}"] = v
    out["reg/cost/expected"] = float(nb.compute_cost_with_regularization(A3, Y, P, 0.1))
    m, lambd = Y.shape[1], 0.1
    ce = _cross_entropy(A3, Y)
    sq = {l: float(np.sum(P[f"W{l}"] ** 2)) for l in (1, 2, 3)}
    sq_b = sum(float(np.sum(P[f"b{l}"] ** 2)) for l in (1, 2, 3))
    out["reg/cost/mistake/no_1_over_m"] = ce + lambd / 2 * sum(sq.values())
    out["reg/cost/mistake/no_half"] = ce + lambd / m * sum(sq.values())
    out["reg/cost/mistake/only_W3"] = ce + lambd / (2 * m) * sq[3]
    out["reg/cost/mistake/with_b"] = ce + lambd / (2 * m) * (sum(sq.values()) + sq_b)
    out["reg/cost/mistake/cross_entropy_only"] = ce

    # L2 backward: the published test case. Its cache is the forward pass of parameters drawn from
    # RandomState(1) after X (3, 5); the published dW1 and dW3 (lambd = 0.7) follow to 8 digits.
    rng = np.random.RandomState(1)
    X = rng.randn(3, 5)
    P = _three_layer_params(rng, (3, 2, 3))
    _, cache = nb.forward_propagation(X, P)
    out["reg/back/X"], out["reg/back/Y"] = X, Y
    for i, v in enumerate(cache):
        out[f"reg/back/cache/{i}"] = v
    lambd = 0.7
    grads = nb.backward_propagation_with_regularization(X, Y, cache, lambd)
    plain = nb.backward_propagation(X, Y, cache)
    for l in (1, 2, 3):
        W = P[f"W{l}"]
        out[f"reg/back/dW{l}"], out[f"reg/back/db{l}"] = grads[f"dW{l}"], grads[f"db{l}"]
        out[f"reg/back/mistake/no_term/dW{l}"] = plain[f"dW{l}"]
        out[f"reg/back/mistake/no_1_over_m/dW{l}"] = plain[f"dW{l}"] + lambd * W
        out[f"reg/back/mistake/doubled/dW{l}"] = plain[f"dW{l}"] + 2 * lambd / m * W
        out[f"reg/back/mistake/on_b/db{l}"] = plain[f"db{l}"] + lambd / m * P[f"b{l}"]

    # Dropout forward: our own case (the published ones use the global generator). Sizes [3, 4, 3, 1],
    # m = 8, keep_prob = 0.7, masks from RandomState(2); biases non-zero so that ReLU cuts both ways.
    rng = np.random.RandomState(6)
    X = rng.randn(3, 8)
    P = _three_layer_params(rng, (3, 4, 3))
    for k in ("b1", "b2", "b3"):
        P[k] = P[k] * 0.5
    out["reg/drop/X"] = X
    for k, v in P.items():
        out[f"reg/drop/{k}"] = v
    _, cache = nb.forward_propagation_with_dropout(X, P, 0.7, rng=np.random.RandomState(2))
    for i, v in enumerate(cache):
        out[f"reg/drop/cache/{i}"] = np.asarray(v, dtype=float)
    for mistake in ("inverse", "not_divided", "output_masked", "D2_first"):
        wrong = _dropout_forward_variant(X, P, 0.7, np.random.RandomState(2), mistake)
        for i, v in enumerate(wrong):
            out[f"reg/drop/mistake/{mistake}/{i}"] = np.asarray(v, dtype=float)
    out["reg/drop/A3_rng_none"] = nb.forward_propagation_with_dropout(X, P, 0.7)[0]
    out["reg/drop/mistake/global/A3_rng_none"] = \
        _dropout_forward_variant(X, P, 0.7, np.random.RandomState(GLOBAL_SEED), None)[11]

    # Dropout backward: sizes [4, 5, 3, 1], m = 6, keep_prob = 0.8, masks from RandomState(5).
    rng = np.random.RandomState(8)
    X = rng.randn(4, 6)
    Y = np.array([[1, 0, 0, 1, 1, 0]])
    P = _three_layer_params(rng, (4, 5, 3))
    _, cache = nb.forward_propagation_with_dropout(X, P, 0.8, rng=np.random.RandomState(5))
    out["reg/dback/X"], out["reg/dback/Y"] = X, Y
    for i, v in enumerate(cache):
        out[f"reg/dback/cache/{i}"] = np.asarray(v, dtype=float)
    grads = nb.backward_propagation_with_dropout(X, Y, cache, 0.8)
    for key in ("dW1", "db1", "dW2", "db2", "dW3", "db3"):
        out[f"reg/dback/{key}"] = grads[key]
    for mistake in ("no_mask", "not_divided", "one_layer"):
        wrong = _dropout_backward_variant(X, Y, cache, 0.8, mistake)
        for key, v in wrong.items():
            out[f"reg/dback/mistake/{mistake}/{key}"] = v
    return out

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
    out = {}
    out.update(_initialization(solutions["1_initialization"]))
    out.update(_regularization(solutions["2_regularization"]))
    out.update(_gradient_checking(solutions["3_gradient_checking"]))
    return out
