"""Reference outputs for 05_deep_network (visible tests of both notebooks), computed with the source
solutions.

Besides the expected outputs, it stores

* the answers known mistakes produce, so the tests can name them (the slides' ReLU slope at 0, a
  last layer with ReLU or every layer with the sigmoid, the slides' dW[L]T in the backward pass, a
  model that ignores its seed, learning rate or initialisation);
* ``examples/<function>/args/...`` and ``examples/<function>/out/...``: one call of each building block
  of 1_step_by_step with its expected result. 2_cat_classifier's setup cell tries the student's blocks
  on them (``helpers.notebooks.load_checked_definitions``) before it uses them.

The models of 2_cat_classifier call the building blocks of 1_step_by_step. The notebook's setup cell
loads those at run time; here the source solutions of part 1 are put into part 2's namespace instead.
"""

import numpy as np


def _flatten(prefix, value, out):
    """Store a nested result under numbered (tuples, lists) and named (dicts) paths."""
    if isinstance(value, (tuple, list)):
        for i, v in enumerate(value):
            _flatten(f"{prefix}/{i}", v, out)
    elif isinstance(value, dict):
        for k, v in value.items():
            _flatten(f"{prefix}/{k}", v, out)
    else:
        out[prefix] = value if isinstance(value, str) else np.asarray(value)


def _example(out, name, fn, *args):
    _flatten(f"examples/{name}/args", list(args), out)
    _flatten(f"examples/{name}/out", fn(*args), out)


def _params(rng, dims, bias_scale=1.0):
    p = {}
    for l in range(1, len(dims)):
        p[f"W{l}"] = rng.randn(dims[l], dims[l - 1])
        p[f"b{l}"] = rng.randn(dims[l], 1) * bias_scale
    return p


def _forward_variant(X, params, hidden, last):
    """Forward pass with chosen activations (the known mistakes), never the graded solution."""
    act = {"relu": lambda z: np.maximum(z, 0), "sigmoid": lambda z: 1 / (1 + np.exp(-z))}
    L = len(params) // 2
    A = X
    for l in range(1, L + 1):
        A = act[hidden if l < L else last](params[f"W{l}"] @ A + params[f"b{l}"])
    return A


def _backward_through_dW(AL, Y, caches):
    """The slides' summary: the error passed back through dW[l] instead of W[l] (a known mistake)."""
    L = len(caches)
    grads = {}
    dA = -(Y / AL - (1 - Y) / (1 - AL))
    for l in range(L, 0, -1):
        (A_prev, _, _), Z = caches[l - 1]
        s = 1 / (1 + np.exp(-Z))
        dZ = dA * s * (1 - s) if l == L else dA * (Z > 0)
        m = A_prev.shape[1]
        dW = dZ @ A_prev.T / m
        grads[f"dW{l}"], grads[f"db{l}"] = dW, dZ.sum(axis=1, keepdims=True) / m
        dA = dW.T @ dZ
        grads[f"dA{l - 1}"] = dA
    return grads


def build_step_by_step(s, out):
    rng = np.random.RandomState(5)

    # activations: a Z with an exact 0 (the ReLU slope there is 0), dA without zeros
    Z = np.array([[-2.0, -0.5, 0.0, 0.3], [1.5, -1.2, 2.2, 0.0], [0.7, -3.0, 0.1, 4.0]])
    dA = rng.randn(3, 4)
    dA[np.abs(dA) < 0.1] = 0.5
    out["act/Z"], out["act/dA"] = Z, dA
    out["act/sigmoid"], out["act/relu"] = s.sigmoid(Z), s.relu(Z)
    out["act/sigmoid_backward"] = s.sigmoid_backward(dA, Z)
    out["act/relu_backward"] = s.relu_backward(dA, Z)
    out["act/relu_backward_slides"] = np.where(Z >= 0, dA, 0.0)
    _example(out, "sigmoid", s.sigmoid, Z)
    _example(out, "relu", s.relu, Z)
    _example(out, "sigmoid_backward", s.sigmoid_backward, dA, Z)
    _example(out, "relu_backward", s.relu_backward, dA, Z)

    # initialisation
    for k, v in s.initialize_parameters(3, 2, 1).items():
        out[f"init/{k}"] = v
    for k, v in s.initialize_parameters_deep([5, 4, 3]).items():
        out[f"init_deep/{k}"] = v
    _example(out, "initialize_parameters", s.initialize_parameters, 3, 2, 1)
    _example(out, "initialize_parameters_deep", s.initialize_parameters_deep, np.array([5, 4, 3]))

    # linear_forward: A (3, 5), W (2, 3)
    A, W, b = rng.randn(3, 5), rng.randn(2, 3), rng.randn(2, 1)
    out["lin/A"], out["lin/W"], out["lin/b"] = A, W, b
    out["lin/Z"] = s.linear_forward(A, W, b)[0]
    _example(out, "linear_forward", s.linear_forward, A, W, b)

    # linear_activation_forward: A_prev (3, 6), W (2, 3); Z has both signs
    A_prev, W, b = rng.randn(3, 6), rng.randn(2, 3), rng.randn(2, 1)
    out["laf/A_prev"], out["laf/W"], out["laf/b"] = A_prev, W, b
    for activation in ("sigmoid", "relu"):
        A_out, (_, Z) = s.linear_activation_forward(A_prev, W, b, activation)
        out[f"laf/A_{activation}"] = A_out
    out["laf/Z"] = Z
    _example(out, "linear_activation_forward", s.linear_activation_forward, A_prev, W, b, "relu")

    # L_model_forward: layer_dims [5, 4, 3, 1], m = 7
    params = _params(rng, [5, 4, 3, 1], bias_scale=0.5)
    X = rng.randn(5, 7)
    out["lmf/X"] = X
    for k, v in params.items():
        out[f"lmf/{k}"] = v
    AL, caches = s.L_model_forward(X, params)
    out["lmf/AL"] = AL
    for l, (_, Z) in enumerate(caches, start=1):
        out[f"lmf/Z{l}"] = Z
    out["lmf/AL_last_relu"] = _forward_variant(X, params, "relu", "relu")
    out["lmf/AL_all_sigmoid"] = _forward_variant(X, params, "sigmoid", "sigmoid")
    _example(out, "L_model_forward", s.L_model_forward, X, params)

    # compute_cost: m = 6
    AL = np.array([[0.8, 0.1, 0.65, 0.4, 0.95, 0.3]])
    Y = np.array([[1, 0, 1, 0, 1, 1]])
    out["cost/AL"], out["cost/Y"] = AL, Y
    out["cost/expected"] = s.compute_cost(AL, Y)
    _example(out, "compute_cost", s.compute_cost, AL, Y)

    # linear_backward: dZ (3, 4), A_prev (5, 4), W (3, 5)
    dZ, A_prev, W, b = rng.randn(3, 4), rng.randn(5, 4), rng.randn(3, 5), rng.randn(3, 1)
    out["lb/dZ"], out["lb/A_prev"], out["lb/W"], out["lb/b"] = dZ, A_prev, W, b
    out["lb/dA_prev"], out["lb/dW"], out["lb/db"] = s.linear_backward(dZ, (A_prev, W, b))
    _example(out, "linear_backward", s.linear_backward, dZ, (A_prev, W, b))

    # linear_activation_backward: dA (2, 5), A_prev (3, 5), W (2, 3)
    dA, A_prev, W, b = rng.randn(2, 5), rng.randn(3, 5), rng.randn(2, 3), rng.randn(2, 1)
    Z = W @ A_prev + b
    out["lab/dA"], out["lab/A_prev"], out["lab/W"], out["lab/b"], out["lab/Z"] = dA, A_prev, W, b, Z
    for activation in ("sigmoid", "relu"):
        grads = s.linear_activation_backward(dA, ((A_prev, W, b), Z), activation)
        for key, value in zip(("dA_prev", "dW", "db"), grads):
            out[f"lab/{activation}/{key}"] = value
    _example(out, "linear_activation_backward", s.linear_activation_backward, dA, ((A_prev, W, b), Z), "relu")

    # L_model_backward: layer_dims [4, 3, 2, 1], m = 5 (caches built by the forward pass). Drawn until every
    # hidden unit is active for some example and no Z sits near ReLU's kink, so that every gradient entry counts.
    Y = np.array([[1, 0, 1, 1, 0]])
    while True:
        params = _params(rng, [4, 3, 2, 1], bias_scale=0.5)
        X = rng.randn(4, 5)
        AL, caches = s.L_model_forward(X, params)
        hidden = [Z for (_, Z) in caches[:-1]]
        if all((Z > 0).any(axis=1).all() and np.abs(Z).min() > 0.05 for Z in hidden) and 0.05 < AL.min() < AL.max() < 0.95:
            break
    out["lmb/AL"], out["lmb/Y"] = AL, Y
    for l, ((A_prev, W, b), Z) in enumerate(caches, start=1):
        out[f"lmb/A{l - 1}"], out[f"lmb/W{l}"], out[f"lmb/b{l}"], out[f"lmb/Z{l}"] = A_prev, W, b, Z
    for k, v in s.L_model_backward(AL, Y, caches).items():
        out[f"lmb/{k}"] = v
    for k, v in _backward_through_dW(AL, Y, caches).items():
        out[f"lmb/slides/{k}"] = v
    _example(out, "L_model_backward", s.L_model_backward, AL, Y, tuple(caches))

    # update_parameters: 3 layers, learning rate 0.1
    params = _params(rng, [4, 3, 2, 1])
    grads = {f"d{k}": rng.randn(*v.shape) for k, v in params.items()}
    for k, v in params.items():
        out[f"upd/{k}"] = v
        out[f"upd/d{k}"] = grads[f"d{k}"]
    for k, v in s.update_parameters(params, grads, 0.1).items():
        out[f"upd/new/{k}"] = v
    _example(out, "update_parameters", s.update_parameters, params, grads, 0.1)


def _synthetic(rng, n_x, m):
    """A small learnable problem: the label is whether two features have the same sign."""
    X = rng.randn(n_x, m)
    Y = (X[0] * X[1] > 0).astype(float).reshape(1, m)
    return X, Y


def build_cat_classifier(s, out):
    rng = np.random.RandomState(6)

    for k, v in s.initialize_parameters_deep_scaled([6, 4, 3, 1]).items():
        out[f"init_scaled/{k}"] = v

    X, Y = _synthetic(rng, 4, 12)
    out["two_layer/X"], out["two_layer/Y"] = X, Y
    runs = {"expected": dict(learning_rate=0.3, seed=2), "default_seed": dict(learning_rate=0.3),
            "default_lr": dict(seed=2)}
    for name, kwargs in runs.items():
        params, costs = s.two_layer_model(X, Y, (4, 3, 1), num_iterations=250, **kwargs)
        for k, v in params.items():
            out[f"two_layer/{name}/{k}"] = v
        out[f"two_layer/{name}/costs"] = np.array(costs, dtype=float)

    X, Y = _synthetic(rng, 4, 10)
    out["L_layer/X"], out["L_layer/Y"] = X, Y
    runs = {"expected": dict(learning_rate=0.1, seed=2), "default_seed": dict(learning_rate=0.1),
            "default_lr": dict(seed=2), "small_init": dict(learning_rate=0.1, seed=2, init="small")}
    for name, kwargs in runs.items():
        params, costs = s.L_layer_model(X, Y, (4, 5, 3, 1), num_iterations=250, **kwargs)
        for k, v in params.items():
            out[f"L_layer/{name}/{k}"] = v
        out[f"L_layer/{name}/costs"] = np.array(costs, dtype=float)

    params = _params(rng, [4, 3, 2, 1], bias_scale=0.3)
    X = rng.randn(4, 9)
    out["predict/X"] = X
    for k, v in params.items():
        out[f"predict/{k}"] = v
    out["predict/expected"] = s.predict(X, params)


def with_building_blocks(solutions):
    """Part 2's solutions, able to run: part 2's setup cell loads part 1's functions when the notebook
    runs; here part 1's solutions get the same names in part 2's namespace. (Also used by `make bench`.)"""
    step, cat = solutions["1_step_by_step"], solutions["2_cat_classifier"]
    shared = cat.two_layer_model.__globals__
    for name, value in vars(step).items():
        if callable(value) and not name.startswith("_") and name not in shared:
            shared[name] = value
    return cat


def build(solutions):
    step, cat = solutions["1_step_by_step"], with_building_blocks(solutions)
    out = {}
    build_step_by_step(step, out)
    build_cat_classifier(cat, out)
    return out
