"""Reference outputs for 09_hyperparameters (visible tests of both notebooks), computed with the source
solutions.

Besides the expected outputs it stores the answers of known mistakes, so the tests can name them: a
softmax over the wrong axis or shifted by each row's maximum; a cost summed instead of averaged, summing
every class's log-probability, or the binary cross-entropy; a split that shuffles Y with a second
permutation; log-uniform sampling done uniformly in the value or with mismatched logarithm bases.

``examples/<function>/args/...`` and ``examples/<function>/out/...`` hold one call of each function of
1_softmax with its result: 2_tuning's setup cell tries the student's functions on them
(``helpers.notebooks.load_checked_definitions``) before it uses them.
"""

import numpy as np


def _example(out, name, fn, *args):
    for i, arg in enumerate(args):
        out[f"examples/{name}/args/{i}"] = np.asarray(arg)
    out[f"examples/{name}/out"] = np.asarray(fn(*args))


def build_softmax(s, out):
    rng = np.random.RandomState(9)

    Z = rng.randn(4, 6) * 2
    out["softmax/Z"] = Z
    out["softmax/expected"] = s.softmax(Z)
    out["softmax/row_wise"] = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    shifted = np.exp(Z - Z.max(axis=1, keepdims=True))
    out["softmax/row_shift"] = shifted / shifted.sum(axis=0, keepdims=True)
    Z_big = np.array([[1000.0, -1000.0, 2.0], [998.0, -1003.0, 0.5], [1001.0, -999.5, -1.0]])
    out["softmax/Z_big"] = Z_big
    out["softmax/expected_big"] = s.softmax(Z_big)
    _example(out, "softmax", s.softmax, Z)

    y = np.array([2, 0, 3, 1, 3, 0, 2])
    out["one_hot/y"] = y
    out["one_hot/expected"] = s.one_hot(y, 4)
    _example(out, "one_hot", s.one_hot, y, 4)

    Z = rng.randn(3, 5)
    AL = np.exp(Z) / np.exp(Z).sum(axis=0)
    Y = s.one_hot(np.array([0, 2, 1, 1, 0]), 3)
    out["cost/AL"], out["cost/Y"] = AL, Y
    out["cost/expected"] = s.compute_cost_softmax(AL, Y)
    out["cost/summed"] = -np.sum(Y * np.log(AL))
    out["cost/all_classes"] = -np.sum(np.log(AL)) / 5
    out["cost/binary"] = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / 5
    _example(out, "compute_cost_softmax", s.compute_cost_softmax, AL, Y)


def build_tuning(s, out):
    # split: X (3, 10), each column tagged by its index; Y (1, 10) labels tied to the column
    X = np.vstack([np.arange(10.0), 10 + np.arange(10.0), 100 + np.arange(10.0)])
    Y = (np.arange(10) % 3).reshape(1, 10) + 0.5 * np.arange(10).reshape(1, 10)
    out["split/X"], out["split/Y"] = X, Y
    for i, part in enumerate(s.split_train_dev_test(X, Y, (0.6, 0.2, 0.2), seed=1)):
        out[f"split/expected/{i}"] = part
    rng = np.random.RandomState(1)
    rng.permutation(10)  # the permutation of X; a second one shuffles Y in the mistake
    second = rng.permutation(10)
    out["split/two_permutations/Y_train"] = Y[:, second[:6]]
    out["split/unshuffled/X_train"] = X[:, :6]

    # sample_log_uniform: RandomState(4), learning rates in [1e-4, 1e-1], 6 draws
    out["slu/expected"] = s.sample_log_uniform(1e-4, 1e-1, 6, np.random.RandomState(4))
    out["slu/uniform_in_value"] = np.random.RandomState(4).uniform(1e-4, 1e-1, 6)
    out["slu/natural_log_bounds"] = 10 ** np.random.RandomState(4).uniform(np.log(1e-4), np.log(1e-1), 6)
    out["slu/exp_of_log10"] = np.exp(np.random.RandomState(4).uniform(np.log10(1e-4), np.log10(1e-1), 6))


def build(solutions):
    out = {}
    build_softmax(solutions["1_softmax"], out)
    if "2_tuning" in solutions:
        build_tuning(solutions["2_tuning"], out)
    return out
