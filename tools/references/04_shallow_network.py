"""Reference outputs for 04_shallow_network (visible tests), computed with the source solutions.

Besides the expected values it stores the answers that known mistakes produce, so the visible tests can
name them: an activation's derivative applied to z instead of a = g(z), the slides' ReLU derivative of 1
at z = 0, a hidden sigmoid or ReLU instead of tanh, W1 without the 0.01 scale or drawn after W2, the tanh
derivative taken of Z1, dW2 used in place of W2 (the slides' summary), an update that adds the gradient,
and a training loop that never updates.
"""

import numpy as np


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _params(rng, n_x, n_h, n_y, scale=1.0):
    """Random weights AND biases of ordinary size, so that tanh is far from linear and biases matter."""
    return {"W1": rng.randn(n_h, n_x) * scale, "b1": rng.randn(n_h, 1) * 0.5,
            "W2": rng.randn(n_y, n_h) * scale, "b2": rng.randn(n_y, 1) * 0.5}


def _backward_variant(P, cache, X, Y, derivative):
    """dW1 and db1 with a wrong hidden-layer derivative or dW2 in place of W2 (never the solution)."""
    m = X.shape[1]
    A1, A2, Z1 = cache["A1"], cache["A2"], cache["Z1"]
    dZ2 = A2 - Y
    W2 = P["W2"]
    if derivative == "dW2_for_W2":
        W2 = dZ2 @ A1.T / m
        slope = 1 - A1 ** 2
    else:
        slope = {"tanh_derivative_of_Z1": 1 - Z1 ** 2, "sigmoid_derivative": A1 * (1 - A1),
                 "no_derivative": np.ones_like(A1)}[derivative]
    dZ1 = (W2.T @ dZ2) * slope
    return dZ1 @ X.T / m, dZ1.sum(axis=1, keepdims=True) / m


def build(solutions):
    nb = solutions["shallow_network"]
    out = {}

    # layer_sizes: 5 features, 2 outputs, 3 examples (so shape[1] mistakes show)
    rng = np.random.RandomState(0)
    X = rng.randn(5, 3)
    Y = rng.randn(2, 3)
    out["layer_sizes/X"], out["layer_sizes/Y"] = X, Y
    out["layer_sizes/expected"] = np.array(nb.layer_sizes(X, Y))
    out["layer_sizes/expected_n_h_7"] = np.array(nb.layer_sizes(X, Y, n_h=7))

    # activations: a (3, 4) array with exactly 0, both signs, and saturated values
    z = np.array([[-8.0, -2.5, -1.0, -0.2], [0.0, 0.0, 0.3, 1.0], [2.0, 4.0, -0.05, 8.0]])
    out["activations/z"] = z
    for name in ("sigmoid", "sigmoid_derivative", "tanh", "tanh_derivative", "relu", "relu_derivative",
                 "leaky_relu", "leaky_relu_derivative"):
        out[f"activations/{name}"] = np.asarray(getattr(nb, name)(z), dtype=float)
    out["activations/relu_derivative_slides"] = np.where(z >= 0, 1.0, 0.0)
    out["activations/leaky_relu_derivative_slides"] = np.where(z >= 0, 1.0, 0.01)
    out["activations/leaky_relu_slope_0_1"] = np.where(z > 0, z, 0.1 * z)

    # initialize_parameters(2, 4, 1) with the default seed 3, and the draws known mistakes make
    p = nb.initialize_parameters(2, 4, 1)
    for key in ("W1", "b1", "W2", "b2"):
        out[f"init/{key}"] = p[key]
    r = np.random.RandomState(3)
    W1_raw, W2_raw = r.randn(4, 2), r.randn(1, 4)
    out["init/W1_unscaled"], out["init/W2_unscaled"] = W1_raw, W2_raw
    r = np.random.RandomState(3)
    out["init/W2_if_W2_first"] = r.randn(1, 4) * 0.01
    out["init/W1_if_W2_first"] = r.randn(4, 2) * 0.01
    out["init/W1_drawn_transposed"] = np.random.RandomState(3).randn(2, 4).T * 0.01
    out["init/W1_uniform"] = np.random.RandomState(3).rand(4, 2) * 0.01
    out["init/W1_default_rng"] = np.random.default_rng(3).standard_normal((4, 2)) * 0.01

    # forward_propagation: n_x = 2, n_h = 4, n_y = 1, m = 5
    rng = np.random.RandomState(1)
    P = _params(rng, 2, 4, 1)
    X = rng.randn(2, 5) * 1.5
    A2, cache = nb.forward_propagation(X, P)
    out["forward/X"] = X
    for key in P:
        out[f"forward/{key}"] = P[key]
    for key in ("Z1", "A1", "Z2", "A2"):
        out[f"forward/{key}"] = cache[key]
    out["forward/Z1_without_b1"] = P["W1"] @ X
    out["forward/A1_sigmoid"] = _sigmoid(cache["Z1"])
    out["forward/A1_relu"] = np.maximum(cache["Z1"], 0)
    out["forward/Z2_from_Z1"] = P["W2"] @ cache["Z1"] + P["b2"]
    out["forward/A2_tanh"] = np.tanh(cache["Z2"])

    # compute_cost: m = 5
    rng = np.random.RandomState(2)
    A2 = _sigmoid(rng.randn(1, 5) * 2)
    Y = np.array([[1, 0, 1, 1, 0]])
    out["cost/A2"], out["cost/Y"] = A2, Y
    out["cost/expected"] = float(nb.compute_cost(A2, Y))

    # backward_propagation: n_x = 3, n_h = 4, n_y = 1, m = 6, with a consistent cache (A1 = tanh(Z1))
    rng = np.random.RandomState(4)
    P = _params(rng, 3, 4, 1, scale=0.8)
    X = rng.randn(3, 6)
    Y = np.array([[1, 0, 0, 1, 1, 0]])
    _, cache = nb.forward_propagation(X, P)
    grads = nb.backward_propagation(P, cache, X, Y)
    out["backward/X"], out["backward/Y"] = X, Y
    for key in P:
        out[f"backward/{key}"] = P[key]
    for key in ("Z1", "A1", "Z2", "A2"):
        out[f"backward/cache_{key}"] = cache[key]
    for key in ("dW1", "db1", "dW2", "db2"):
        out[f"backward/{key}"] = grads[key]
    for variant in ("tanh_derivative_of_Z1", "sigmoid_derivative", "no_derivative", "dW2_for_W2"):
        dW1, db1 = _backward_variant(P, cache, X, Y, variant)
        out[f"backward/dW1_{variant}"], out[f"backward/db1_{variant}"] = dW1, db1

    # update_parameters: n_x = 3, n_h = 2, n_y = 1, default learning rate 1.2
    rng = np.random.RandomState(6)
    P = _params(rng, 3, 2, 1)
    G = {"d" + k: rng.randn(*v.shape) for k, v in P.items()}
    new = nb.update_parameters(P, G)
    for key in P:
        out[f"update/{key}"] = P[key]
        out[f"update/d{key}"] = G["d" + key]
        out[f"update/new_{key}"] = new[key]
        out[f"update/added_{key}"] = P[key] + 1.2 * G["d" + key]
        out[f"update/no_lr_{key}"] = P[key] - G["d" + key]

    # nn_model: 200 iterations, n_h = 4, on 40 points of an XOR-like pattern
    rng = np.random.RandomState(9)
    X = rng.randn(2, 40)
    Y = (X[0] * X[1] > 0).astype(int).reshape(1, -1)
    trained = nb.nn_model(X, Y, 4, num_iterations=200)
    start = nb.initialize_parameters(2, 4, 1)
    out["nn_model/X"], out["nn_model/Y"] = X, Y
    for key in ("W1", "b1", "W2", "b2"):
        out[f"nn_model/{key}"] = trained[key]
        out[f"nn_model/init_{key}"] = start[key]

    # predict: random network, 12 points, both classes present
    rng = np.random.RandomState(14)  # 7 of the 12 predictions are 1
    P = _params(rng, 2, 3, 1, scale=1.5)
    X = rng.randn(2, 12) * 2
    for key in P:
        out[f"predict/{key}"] = P[key]
    out["predict/X"] = X
    out["predict/expected"] = np.asarray(nb.predict(P, X)).astype(int)
    return out
