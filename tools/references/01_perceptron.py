"""Reference outputs for 01_perceptron (visible tests), computed with the source solution.

Also stores the answers known mistakes produce, so the tests can name them (and only them): the slide's
rule without x_j, a bias that is never updated, and a refit that does not start again from zero weights.
"""

import numpy as np


def _variant(X, y, eta, epochs, use_x=True, update_bias=True, w_start=None):
    """The perceptron rule with one known mistake switched on (never the graded solution).

    X: (m, n); y: (m,) in {-1, 1}. ``w_start`` (n + 1,) continues from earlier weights instead of zeros.
    Returns w (n + 1,), bias first."""
    w = np.zeros(1 + X.shape[1]) if w_start is None else np.array(w_start, dtype=float)
    for _ in range(epochs):
        for xi, target in zip(X, y):
            update = eta * (target - (1 if xi @ w[1:] + w[0] >= 0 else -1))
            w[1:] += update * (xi if use_x else 1.0)
            if update_bias:
                w[0] += update
    return w


def build(solutions):
    Perceptron = solutions["perceptron"].Perceptron
    rng = np.random.RandomState(1)
    out = {}

    # net_input: 6 examples, 3 features
    X = rng.randn(6, 3)
    w = rng.randn(4)
    ppn = Perceptron()
    ppn.w_ = w.copy()
    out["net_input/X"] = X
    out["net_input/w"] = w
    out["net_input/expected"] = ppn.net_input(X)
    out["net_input/without_bias"] = X @ w[1:]

    # predict: integer data so that some net inputs are exactly 0 (ties go to +1)
    X = rng.randint(-3, 4, size=(8, 2)).astype(float)
    X[0] = [2.0, 1.0]
    w = np.array([1.0, -1.0, 1.0])
    ppn.w_ = w.copy()
    out["predict/X"] = X
    out["predict/w"] = w
    out["predict/expected"] = ppn.predict(X)

    # fit: a small separable set that needs a bias, and a second set to check refitting. The seed
    # is chosen so that the two known mistakes give distinct, non-zero weights.
    rng = np.random.RandomState(16)
    X = rng.randn(12, 2) + np.array([1.0, 0.5])
    y = np.where(X[:, 0] - 2 * X[:, 1] + 0.7 >= 0, 1, -1)
    eta, epochs = 0.2, 6
    ppn = Perceptron(eta=eta, epochs=epochs).fit(X, y)
    out["fit/X"], out["fit/y"], out["fit/eta"], out["fit/epochs"] = X, y, eta, epochs
    out["fit/w_"] = ppn.w_
    out["fit/errors_"] = np.array(ppn.errors_)
    out["fit/w_if_xj_missing"] = _variant(X, y, eta, epochs, use_x=False)
    out["fit/w_if_bias_not_updated"] = _variant(X, y, eta, epochs, update_bias=False)
    X2 = rng.randn(7, 2) * 3
    out["fit/X2"] = X2
    out["fit/y2"] = np.where(X2[:, 1] >= 0, 1, -1)
    # a refit that keeps the weights of the earlier fit on (X2, y2) instead of starting from zeros
    w_after_X2 = Perceptron(eta=eta, epochs=epochs).fit(X2, out["fit/y2"]).w_
    out["fit/w_if_not_reset"] = _variant(X, y, eta, epochs, w_start=w_after_X2)
    return out
