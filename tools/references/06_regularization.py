"""Reference outputs for 06_regularization (visible tests), computed with the source solutions.

One private function per notebook, each returning keys under its own prefix (``init/`` for
1_initialization, ``reg/`` for 2_regularization); ``build`` merges them.

Besides the expected outputs, it stores the answers that known mistakes produce, so the visible tests can
name them: initialisations without their scale, with the wrong scale (He's sqrt(1/n) or n[l] instead of
n[l-1]), drawn in the wrong order or shape or from numpy's global generator; an L2 cost without 1/m or ½,
only on W3 or with the biases in it; an L2 backward pass that misses a layer's term; dropout masks that keep
1 - keep_prob of the units, are not divided by keep_prob or also hit the output layer; a dropout backward
pass without the mask or without the division.
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


def build(solutions):
    out = {}
    out.update(_initialization(solutions["1_initialization"]))
    return out
