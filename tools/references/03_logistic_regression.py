"""Reference outputs for 03_logistic_regression (visible tests), computed with the source solutions.

Also stores the answers known mistakes produce, so the tests can name them: a gradient built from A
instead of A - Y, the slide's dw_2 typo (every dw_j from x_1), a learning rate ignored or fixed at
optimize's default, costs recorded after the update, and `model` trained on the test set or with
optimize's default hyperparameters. The mistaken variants are written here, never in the notebook.
"""

import numpy as np


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _gradient_descent(w, b, X, Y, num_iterations, learning_rate, record_after_update=False):
    """Plain gradient descent; with record_after_update the cost is taken after each recorded step
    (a known mistake). Returns (w, b, costs)."""
    m = X.shape[1]
    costs = []
    for i in range(num_iterations):
        A = _sigmoid(w.T @ X + b)
        dw = X @ (A - Y).T / m
        db = float(np.sum(A - Y) / m)
        w = w - learning_rate * dw
        b = b - learning_rate * db
        if i % 100 == 0:
            A_rec = _sigmoid(w.T @ X + b) if record_after_update else A
            costs.append(float(-np.mean(Y * np.log(A_rec) + (1 - Y) * np.log(1 - A_rec))))
    return w, b, np.array(costs)


def build(solutions):
    nb = solutions["logistic_regression"]
    out = {}

    # sigmoid: a row of values around 0
    z = np.array([[-3.0, -0.5, 0.0, 0.7, 4.0]])
    out["sigmoid/z"] = z
    out["sigmoid/expected"] = nb.sigmoid(z)
    out["sigmoid/exp_of_plus_z"] = 1.0 / (1.0 + np.exp(z))

    # propagate (and propagate_loop): n_x = 3 features, m = 4 examples
    rng = np.random.RandomState(3)
    X = rng.randn(3, 4)
    Y = np.array([[1, 0, 1, 0]])
    w = rng.randn(3, 1) * 0.5
    b = 0.4
    grads, cost = nb.propagate(w, b, X, Y)
    m = X.shape[1]
    A = _sigmoid(w.T @ X + b)
    out.update({"propagate/X": X, "propagate/Y": Y, "propagate/w": w, "propagate/b": b,
                "propagate/dw": grads["dw"], "propagate/db": float(grads["db"]), "propagate/cost": float(cost),
                "propagate/dw_with_A": X @ A.T / m,
                "propagate/dw_with_x1": np.full((3, 1), float(np.sum(X[0] * (A - Y)[0])) / m)})

    # optimize: n_x = 4, m = 6, 201 iterations (costs at 0, 100, 200), a learning rate that is not the default
    rng = np.random.RandomState(5)
    X = rng.randn(4, 6)
    Y = np.array([[1.0, 0.0, 0.0, 1.0, 1.0, 0.0]])
    w = rng.randn(4, 1) * 0.2
    b = -0.1
    num_iterations, learning_rate = 201, 0.05
    params, grads, costs = nb.optimize(w.copy(), b, X, Y, num_iterations=num_iterations, learning_rate=learning_rate)
    out.update({"optimize/X": X, "optimize/Y": Y, "optimize/w": w, "optimize/b": b,
                "optimize/num_iterations": num_iterations, "optimize/learning_rate": learning_rate,
                "optimize/w_out": params["w"], "optimize/b_out": float(params["b"]),
                "optimize/dw_out": grads["dw"], "optimize/db_out": float(grads["db"]),
                "optimize/costs": np.array([float(c) for c in costs]),
                "optimize/w_if_lr_1": _gradient_descent(w, b, X, Y, num_iterations, 1.0)[0],
                "optimize/w_if_lr_default": _gradient_descent(w, b, X, Y, num_iterations, 0.009)[0],
                "optimize/costs_after_update": _gradient_descent(w, b, X, Y, num_iterations, learning_rate,
                                                                 record_after_update=True)[2]})
    params, _, _ = nb.optimize(w.copy(), b, X, Y, num_iterations=1, learning_rate=0.5)
    out["optimize/w_one_step"] = params["w"]
    out["optimize/w_one_step_if_lr_1"] = _gradient_descent(w, b, X, Y, 1, 1.0)[0]
    out["optimize/w_one_step_if_lr_default"] = _gradient_descent(w, b, X, Y, 1, 0.009)[0]

    # predict: n_x = 3, m = 7, no A close to the threshold
    rng = np.random.RandomState(6)
    X = rng.randn(3, 7)
    w = rng.randn(3, 1)
    b = 0.1
    A = _sigmoid(w.T @ X + b)
    assert np.abs(A - 0.5).min() > 1e-3, "choose another seed: an A is too close to 0.5"
    out.update({"predict/X": X, "predict/w": w, "predict/b": b, "predict/expected": nb.predict(w, b, X)})

    # model: n_x = 4, 30 training and 12 test examples; the test labels follow another rule, so that
    # training on the test set gives other weights
    rng = np.random.RandomState(7)
    X_train = rng.randn(4, 30)
    Y_train = (X_train[0:1] - X_train[2:3] + 0.5 * rng.randn(1, 30) > 0).astype(float)
    X_test = rng.randn(4, 12)
    Y_test = (X_test[1:2] > 0).astype(float)
    num_iterations, learning_rate = 300, 0.1
    d = nb.model(X_train, Y_train, X_test, Y_test, num_iterations=num_iterations, learning_rate=learning_rate)
    for X_set in (X_train, X_test):
        A = _sigmoid(d["w"].T @ X_set + d["b"])
        assert np.abs(A - 0.5).min() > 1e-6, "choose another seed: a prediction is too close to 0.5"
    zeros = np.zeros((4, 1))
    out.update({"model/X_train": X_train, "model/Y_train": Y_train, "model/X_test": X_test, "model/Y_test": Y_test,
                "model/num_iterations": num_iterations, "model/learning_rate": learning_rate,
                "model/w": d["w"], "model/b": float(d["b"]),
                "model/costs": np.array([float(c) for c in d["costs"]]),
                "model/Y_prediction_test": d["Y_prediction_test"], "model/Y_prediction_train": d["Y_prediction_train"],
                "model/w_if_trained_on_test": _gradient_descent(zeros, 0.0, X_test, Y_test, num_iterations,
                                                                learning_rate)[0],
                "model/w_if_defaults": _gradient_descent(zeros, 0.0, X_train, Y_train, 100, 0.009)[0]})
    return out
