"""Reference outputs for 07_optimization (the visible tests), computed with the source solutions.

Besides the expected outputs, it stores the answers of the known mistakes the issue lists, each
computed here by its own few lines (never by a solution), so the tests can name the mistake:

* gradient descent with a plus sign;
* momentum in CS231n's form v = beta v + dW, and an update that uses dW instead of v;
* RMSprop with epsilon inside the square root (on tiny gradients, where it matters) and with s
  averaged from dW instead of dW**2;
* Adam without bias correction, with t + 1 in the correction, with beta1 and beta2 swapped, and with
  epsilon added to s-hat inside the square root.

The mini-batch test builds its own data; here only the expected order of the columns is stored.
"""

import numpy as np

KEYS = ("W", "b")


def _parameters(rng, dims, scale=1.0):
    p = {}
    for l in range(1, len(dims)):
        p[f"W{l}"] = rng.randn(dims[l], dims[l - 1]) * scale
        p[f"b{l}"] = rng.randn(dims[l], 1) * scale
    return p


def _like(rng, params, prefix="d", scale=1.0, positive=False):
    out = {}
    for k, v in params.items():
        draw = rng.randn(*v.shape) * scale
        out[prefix + k] = np.abs(draw) if positive else draw
    return out


def _store(out, prefix, values):
    for k, v in values.items():
        out[f"{prefix}/{k}"] = np.asarray(v, dtype=float)


def _step(params, direction, lr):
    return {k: params[k] - lr * direction["d" + k] for k in params}


def build(solutions):
    s = solutions["optimization"]
    out = {}
    rng = np.random.RandomState(7)

    # update_parameters_with_gd: 3 layers [4, 3, 2, 1], learning rate 0.01
    params = _parameters(rng, [4, 3, 2, 1])
    grads = _like(rng, params)
    _store(out, "gd/parameters", params)
    _store(out, "gd/grads", grads)
    _store(out, "gd/expected", s.update_parameters_with_gd(params, grads, 0.01))
    _store(out, "gd/plus", {k: params[k] + 0.01 * grads["d" + k] for k in params})

    # random_mini_batches: m = 148 columns, batches of 64 -> 64, 64, 20; the test builds X and Y itself
    out["mini/order"] = np.random.RandomState(2).permutation(148)

    # momentum: 3 layers [3, 4, 2, 1], a velocity from earlier steps, beta 0.9, learning rate 0.01
    params = _parameters(rng, [3, 4, 2, 1])
    grads = _like(rng, params)
    v = _like(rng, params, scale=0.5)
    _store(out, "momentum/parameters", params)
    _store(out, "momentum/grads", grads)
    _store(out, "momentum/v", v)
    new_params, new_v = s.update_parameters_with_momentum(params, grads, v, 0.9, 0.01)
    _store(out, "momentum/expected/parameters", new_params)
    _store(out, "momentum/expected/v", new_v)
    cs231n_v = {k: 0.9 * v[k] + grads[k] for k in v}
    _store(out, "momentum/cs231n/v", cs231n_v)
    _store(out, "momentum/cs231n/parameters", _step(params, cs231n_v, 0.01))
    _store(out, "momentum/with_dW/parameters", _step(params, grads, 0.01))

    # RMSprop, case 1: ordinary gradients, s from earlier steps, beta2 0.9, learning rate 0.01
    params = _parameters(rng, [3, 4, 2, 1])
    grads = _like(rng, params)
    s_prev = _like(rng, params, scale=0.5, positive=True)
    _store(out, "rmsprop/parameters", params)
    _store(out, "rmsprop/grads", grads)
    _store(out, "rmsprop/s", s_prev)
    new_params, new_s = s.update_parameters_with_rmsprop(params, grads, s_prev, 0.9, 0.01)
    _store(out, "rmsprop/expected/parameters", new_params)
    _store(out, "rmsprop/expected/s", new_s)
    s_from_dW = {k: 0.9 * s_prev[k] + 0.1 * grads[k] for k in s_prev}
    _store(out, "rmsprop/s_from_dW/s", s_from_dW)
    # case 2: tiny gradients (about 1e-6) from s = 0, where epsilon inside the root changes everything
    grads_tiny = _like(rng, params, scale=1e-6)
    zeros = {k: np.zeros_like(g) for k, g in grads_tiny.items()}
    _store(out, "rmsprop_tiny/grads", grads_tiny)
    new_params, new_s = s.update_parameters_with_rmsprop(params, grads_tiny, zeros, 0.9, 0.01)
    _store(out, "rmsprop_tiny/expected/parameters", new_params)
    _store(out, "rmsprop_tiny/expected/s", new_s)
    s_tiny = {k: 0.1 * g ** 2 for k, g in grads_tiny.items()}
    _store(out, "rmsprop_tiny/eps_inside/parameters",
           {k: params[k] - 0.01 * grads_tiny["d" + k] / np.sqrt(s_tiny["d" + k] + 1e-8) for k in params})

    # Adam, case 1: ordinary gradients, v and s from two earlier updates, t = 3, default hyperparameters
    params = _parameters(rng, [3, 4, 2, 1])
    grads = _like(rng, params)
    v_prev = _like(rng, params, scale=0.3)
    s_prev = _like(rng, params, scale=0.1, positive=True)
    _store(out, "adam/parameters", params)
    _store(out, "adam/grads", grads)
    _store(out, "adam/v", v_prev)
    _store(out, "adam/s", s_prev)
    result = s.update_parameters_with_adam(params, grads, v_prev, s_prev, 3)
    for name, value in zip(("parameters", "v", "s", "v_corrected", "s_corrected"), result):
        _store(out, f"adam/expected/{name}", value)
    _adam_mistakes(out, "adam", params, grads, v_prev, s_prev, 3)

    # Adam, case 2: the first update (t = 1, v = s = 0) on tiny gradients
    grads_tiny = _like(rng, params, scale=1e-7)
    zeros = {k: np.zeros_like(g) for k, g in grads_tiny.items()}
    _store(out, "adam_tiny/grads", grads_tiny)
    result = s.update_parameters_with_adam(params, grads_tiny, zeros, zeros, 1)
    for name, value in zip(("parameters", "v", "s", "v_corrected", "s_corrected"), result):
        _store(out, f"adam_tiny/expected/{name}", value)
    _adam_mistakes(out, "adam_tiny", params, grads_tiny, zeros, zeros, 1)

    # learning-rate decay: the published unit figures and a few more
    out["update_lr/0.5_2_1"] = float(s.update_lr(0.5, 2, 1))
    out["schedule/0.5_10_0.3_100"] = float(s.schedule_lr_decay(0.5, 10, 0.3, 100))
    out["schedule/0.5_100_0.3_100"] = float(s.schedule_lr_decay(0.5, 100, 0.3, 100))
    return out


def _adam_mistakes(out, prefix, params, grads, v_prev, s_prev, t, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8):
    """The parameters each known Adam mistake produces (written here, independently of the solution)."""

    def update(b1, b2, t_used, correct=True, eps_inside=False):
        new = {}
        for k in params:
            g = grads["d" + k]
            v = b1 * v_prev["d" + k] + (1 - b1) * g
            s = b2 * s_prev["d" + k] + (1 - b2) * g ** 2
            if correct:
                v, s = v / (1 - b1 ** t_used), s / (1 - b2 ** t_used)
            new[k] = params[k] - lr * v / (np.sqrt(s + eps) if eps_inside else np.sqrt(s) + eps)
        return new

    _store(out, f"{prefix}/no_correction/parameters", update(beta1, beta2, t, correct=False))
    _store(out, f"{prefix}/t_plus_1/parameters", update(beta1, beta2, t + 1))
    _store(out, f"{prefix}/swapped/parameters", update(beta2, beta1, t))
    _store(out, f"{prefix}/eps_inside/parameters", update(beta1, beta2, t, eps_inside=True))
