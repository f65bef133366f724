"""Reference outputs for 02_adaline (visible tests), computed with the source solutions.

The expected values come from the notebook's own ``AdalineGD``, ``AdalineSGD`` and ``standardize``.
The answers that known mistakes produce are computed by small independent variants below (never
the graded solution), so the tests can name the mistake: a flipped gradient sign, a gradient
scaled by 2 or by 1/m, a bias that never moves, a cost recorded at the wrong moment or as a mean,
rows or the whole matrix standardised, ddof=1, X shuffled without y, mini-batches ignored, and
``partial_fit`` starting again from zeros.
"""

import numpy as np


# --------------------------------------------------------------------------------------------
# independent variants (each switch is one known mistake)
# --------------------------------------------------------------------------------------------
def _gd_variant(X, y, eta, epochs, sign=1.0, scale=1.0, update_bias=True, cost="sse_half",
                cost_after=False):
    """Batch gradient descent on SSE/2 with one mistake switched on. Returns (w, costs)."""
    m = X.shape[0]
    w = np.zeros(1 + X.shape[1])
    costs = []

    def cost_of(e):
        return {"sse_half": (e ** 2).sum() / 2, "mse": (e ** 2).mean(), "sse": (e ** 2).sum(),
                "mse_half": (e ** 2).mean() / 2}[cost]

    for _ in range(epochs):
        e = y - (X @ w[1:] + w[0])
        step = sign * eta * (scale if scale != "1/m" else 1.0 / m)
        w[1:] += step * (X.T @ e)
        if update_bias:
            w[0] += step * e.sum()
        if cost_after:
            e = y - (X @ w[1:] + w[0])
        costs.append(cost_of(e))
    return w, np.array(costs)


def _sgd_variant(X, y, eta, epochs, shuffle=False, random_state=None, batch_size=1, sign=1.0,
                 update_bias=True, cost="sse_half", cost_before=False, cumulative=False,
                 shuffle_y=True, batch_mean=False, split="blocks"):
    """Mini-batch SGD with one mistake (or the accepted cumulative shuffle) switched on."""
    m = X.shape[0]
    w = np.zeros(1 + X.shape[1])
    costs = []
    rgen = np.random.RandomState(random_state)
    Xe, ye = X, y
    for _ in range(epochs):
        e_before = y - (X @ w[1:] + w[0])
        if not cumulative:
            Xe, ye = X, y
        if shuffle:
            order = rgen.permutation(m)
            Xe = Xe[order]
            ye = ye[order] if shuffle_y else ye
        if split == "blocks":
            batches = [(Xe[s:s + batch_size], ye[s:s + batch_size]) for s in range(0, m, batch_size)]
        elif split == "drop_last":
            batches = [(Xe[s:s + batch_size], ye[s:s + batch_size]) for s in range(0, m - batch_size + 1, batch_size)]
        else:  # np.array_split: batches of (nearly) equal size
            k = -(-m // batch_size)
            batches = list(zip(np.array_split(Xe, k), np.array_split(ye, k)))
        for Xb, yb in batches:
            e = yb - (Xb @ w[1:] + w[0])
            step = sign * eta / (len(yb) if batch_mean else 1)
            w[1:] += step * (Xb.T @ e)
            if update_bias:
                w[0] += step * e.sum()
        e = e_before if cost_before else y - (X @ w[1:] + w[0])
        costs.append((e ** 2).sum() / 2 if cost == "sse_half" else (e ** 2).mean())
    return w, np.array(costs)


def _one_pass(w, X, y, eta):
    """One pass of per-example delta-rule updates from w, in the given order (partial_fit)."""
    w = np.array(w, dtype=float)
    for xi, target in zip(X, y):
        error = target - (xi @ w[1:] + w[0])
        w[1:] += eta * error * xi
        w[0] += eta * error
    return w


def _agree(solution, independent, what):
    """The source solution must agree with the independent variant without mistakes."""
    if not np.allclose(np.asarray(solution, dtype=float), independent, rtol=1e-10, atol=1e-12):
        raise AssertionError(f"reference spec: the source solution's {what} disagrees with the independent version")


def _distinct(values):
    """Fail loudly if two stored answers coincide: a mistake the test could not tell apart."""
    items = list(values.items())
    for i, (ka, a) in enumerate(items):
        for kb, b in items[i + 1:]:
            if np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-4, atol=1e-8):
                raise AssertionError(f"reference spec: {ka} and {kb} are indistinguishable")


# --------------------------------------------------------------------------------------------
def build(solutions):
    nb = solutions["adaline"]
    AdalineGD, AdalineSGD, standardize = nb.AdalineGD, nb.AdalineSGD, nb.standardize
    out = {}
    rng = np.random.RandomState(2)

    # ---- AdalineGD.net_input / activation / predict ------------------------------------------
    X = rng.randn(6, 3)
    w = rng.randn(4)
    ada = AdalineGD()
    ada.w_ = w.copy()
    out["gd/net_input/X"] = X
    out["gd/net_input/w"] = w
    out["gd/net_input/expected"] = ada.net_input(X)
    out["gd/net_input/without_bias"] = X @ w[1:]
    z = rng.randn(5)
    out["gd/activation/z"] = z
    out["gd/activation/expected"] = ada.activation(z)

    # predict: integer data so that some net inputs are exactly 0 (ties go to +1)
    X = rng.randint(-3, 4, size=(9, 2)).astype(float)
    X[0] = [1.0, 2.0]
    w = np.array([1.0, 1.0, -1.0])
    ada.w_ = w.copy()
    out["gd/predict/X"] = X
    out["gd/predict/w"] = w
    out["gd/predict/expected"] = ada.predict(X)

    # ---- AdalineGD.fit -------------------------------------------------------------------------
    X = rng.randn(12, 3) * np.array([1.0, 2.0, 0.5]) + np.array([0.5, -1.0, 0.0])
    y = np.where(X @ np.array([1.0, -0.5, 2.0]) + 0.8 >= 0, 1, -1)
    eta, epochs = 0.01, 8
    ada = AdalineGD(eta=eta, epochs=epochs).fit(X, y)
    out["gd/fit/X"], out["gd/fit/y"], out["gd/fit/eta"], out["gd/fit/epochs"] = X, y, eta, epochs
    out["gd/fit/w_"] = ada.w_
    out["gd/fit/cost_"] = np.array(ada.cost_, dtype=float)
    ws = {
        "w_": ada.w_,
        "w_sign_flipped": _gd_variant(X, y, eta, epochs, sign=-1.0)[0],
        "w_twice": _gd_variant(X, y, eta, epochs, scale=2.0)[0],
        "w_mean": _gd_variant(X, y, eta, epochs, scale="1/m")[0],
        "w_no_bias": _gd_variant(X, y, eta, epochs, update_bias=False)[0],
    }
    costs = {
        "cost_": out["gd/fit/cost_"],
        "cost_after_update": _gd_variant(X, y, eta, epochs, cost_after=True)[1],
        "cost_mse": _gd_variant(X, y, eta, epochs, cost="mse")[1],
        "cost_sse": _gd_variant(X, y, eta, epochs, cost="sse")[1],
        "cost_mse_half": _gd_variant(X, y, eta, epochs, cost="mse_half")[1],
    }
    _agree(ada.w_, _gd_variant(X, y, eta, epochs)[0], "AdalineGD.fit -> w_")
    _agree(ada.cost_, _gd_variant(X, y, eta, epochs)[1], "AdalineGD.fit -> cost_")
    _distinct(ws)
    _distinct(costs)
    for key, value in {**ws, **costs}.items():
        if key not in ("w_", "cost_"):
            out[f"gd/fit/{key}"] = value
    X2 = rng.randn(7, 3) * 2
    out["gd/fit/X2"] = X2
    out["gd/fit/y2"] = np.where(X2[:, 0] >= 0, 1, -1)

    # ---- standardize ---------------------------------------------------------------------------
    X = rng.randn(7, 3) * np.array([0.5, 3.0, 10.0]) + np.array([5.0, -2.0, 100.0])
    out["standardize/X"] = X
    out["standardize/expected"] = standardize(X)
    wrong = {
        "expected": out["standardize/expected"],
        "rows": (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True),
        "whole": (X - X.mean()) / X.std(),
        "ddof1": (X - X.mean(axis=0)) / X.std(axis=0, ddof=1),
        "not_divided": X - X.mean(axis=0),
    }
    _distinct(wrong)
    for key, value in wrong.items():
        if key != "expected":
            out[f"standardize/{key}"] = value

    # ---- AdalineSGD ----------------------------------------------------------------------------
    X = rng.randn(10, 3) * np.array([1.0, 0.5, 1.5])
    y = np.where(X @ np.array([-1.0, 2.0, 0.5]) - 0.3 >= 0, 1, -1)
    eta, epochs = 0.05, 5
    out["sgd/X"], out["sgd/y"], out["sgd/eta"], out["sgd/epochs"] = X, y, eta, epochs

    # net_input / predict, as for AdalineGD
    sgd = AdalineSGD()
    sgd.w_ = out["gd/net_input/w"].copy()
    out["sgd/net_input/expected"] = sgd.net_input(out["gd/net_input/X"])
    sgd.w_ = out["gd/predict/w"].copy()
    out["sgd/predict/expected"] = sgd.predict(out["gd/predict/X"])

    # plain SGD: no shuffling, one example per update
    sgd = AdalineSGD(eta=eta, epochs=epochs, shuffle=False).fit(X, y)
    plain = {
        "w_": sgd.w_,
        "w_sign_flipped": _sgd_variant(X, y, eta, epochs, sign=-1.0)[0],
        "w_no_bias": _sgd_variant(X, y, eta, epochs, update_bias=False)[0],
    }
    plain_costs = {
        "cost_": np.array(sgd.cost_, dtype=float),
        "cost_before_updates": _sgd_variant(X, y, eta, epochs, cost_before=True)[1],
        "cost_mse": _sgd_variant(X, y, eta, epochs, cost="mse")[1],
    }
    _agree(sgd.w_, _sgd_variant(X, y, eta, epochs)[0], "AdalineSGD(shuffle=False).fit -> w_")
    _agree(sgd.cost_, _sgd_variant(X, y, eta, epochs)[1], "AdalineSGD(shuffle=False).fit -> cost_")
    _distinct(plain)
    _distinct(plain_costs)
    for key, value in {**plain, **plain_costs}.items():
        out[f"sgd/plain/{key}"] = value

    # shuffled SGD
    seed = 1
    sgd = AdalineSGD(eta=eta, epochs=epochs, shuffle=True, random_state=seed).fit(X, y)
    shuffled = {
        "w_": sgd.w_,
        "w_cumulative": _sgd_variant(X, y, eta, epochs, shuffle=True, random_state=seed, cumulative=True)[0],
        "w_x_only": _sgd_variant(X, y, eta, epochs, shuffle=True, random_state=seed, shuffle_y=False)[0],
        "w_x_only_cumulative": _sgd_variant(X, y, eta, epochs, shuffle=True, random_state=seed,
                                            shuffle_y=False, cumulative=True)[0],
        "w_not_shuffled": out["sgd/plain/w_"],
    }
    _agree(sgd.w_, _sgd_variant(X, y, eta, epochs, shuffle=True, random_state=seed)[0], "AdalineSGD.fit -> w_")
    _distinct(shuffled)
    out["sgd/shuffled/random_state"] = seed
    out["sgd/shuffled/cost_"] = np.array(sgd.cost_, dtype=float)
    out["sgd/shuffled/cost_cumulative"] = _sgd_variant(X, y, eta, epochs, shuffle=True, random_state=seed,
                                                       cumulative=True)[1]
    for key, value in shuffled.items():
        if key != "w_not_shuffled":
            out[f"sgd/shuffled/{key}"] = value

    # mini-batches: 10 examples in batches of 4 -> 4, 4, 2
    batch_size = 4
    sgd = AdalineSGD(eta=eta, epochs=epochs, shuffle=True, random_state=seed, batch_size=batch_size).fit(X, y)
    kw = dict(shuffle=True, random_state=seed, batch_size=batch_size)
    mini = {
        "w_": sgd.w_,
        "w_cumulative": _sgd_variant(X, y, eta, epochs, cumulative=True, **kw)[0],
        "w_batch_ignored": out["sgd/shuffled/w_"],
        "w_batch_mean": _sgd_variant(X, y, eta, epochs, batch_mean=True, **kw)[0],
        "w_equal_split": _sgd_variant(X, y, eta, epochs, split="equal", **kw)[0],
        "w_drop_last": _sgd_variant(X, y, eta, epochs, split="drop_last", **kw)[0],
    }
    _agree(sgd.w_, _sgd_variant(X, y, eta, epochs, **kw)[0], "AdalineSGD(batch_size=4).fit -> w_")
    _agree(sgd.cost_, _sgd_variant(X, y, eta, epochs, **kw)[1], "AdalineSGD(batch_size=4).fit -> cost_")
    _distinct(mini)
    out["sgd/minibatch/batch_size"] = batch_size
    out["sgd/minibatch/cost_"] = np.array(sgd.cost_, dtype=float)
    out["sgd/minibatch/cost_cumulative"] = _sgd_variant(X, y, eta, epochs, cumulative=True, **kw)[1]
    for key, value in mini.items():
        if key != "w_batch_ignored":
            out[f"sgd/minibatch/{key}"] = value

    # partial_fit: from scratch, and after fit (online learning continues from the fitted weights)
    X_new = rng.randn(3, 3)
    y_new = np.array([1, -1, 1])
    out["sgd/partial/X_new"], out["sgd/partial/y_new"] = X_new, y_new
    fresh = AdalineSGD(eta=eta, epochs=epochs, shuffle=True, random_state=seed).partial_fit(X_new, y_new)
    out["sgd/partial/w_fresh"] = fresh.w_
    sgd = AdalineSGD(eta=eta, epochs=epochs, shuffle=False).fit(X, y)
    sgd.partial_fit(X_new, y_new)
    out["sgd/partial/w_after_fit"] = sgd.w_
    _agree(sgd.w_, _one_pass(out["sgd/plain/w_"], X_new, y_new, eta), "AdalineSGD.partial_fit -> w_")
    _distinct({"after_fit": out["sgd/partial/w_after_fit"], "fresh": out["sgd/partial/w_fresh"],
               "fit_only": out["sgd/plain/w_"]})
    return out
