"""Reference outputs for 08_batch_normalization (the visible tests), computed with the source solutions.

Besides the expected outputs it stores the answers known mistakes produce, so the tests can name them:
normalising over the wrong axis, the unbiased variance, eps outside the square root, gamma and beta swapped,
the momentum on the wrong term; a backward pass without the path through the mean or the variance, or with
dgamma and dbeta summed over the wrong axis; a network with batch norm after the ReLU or without ReLU.
"""

import copy

import numpy as np


def _normalise(Z, mu, var, eps):
    return (Z - mu) / np.sqrt(var + eps)


def build_forward(s, out):
    rng = np.random.RandomState(8)
    n, m, eps, momentum = 3, 6, 1e-5, 0.9
    # one unit with a tiny spread (its variance is comparable to eps), so that eps's place matters
    Z = rng.randn(n, m) * np.array([[0.003], [1.5], [4.0]]) + np.array([[0.5], [-2.0], [3.0]])
    gamma, beta = rng.randn(n, 1), rng.randn(n, 1)
    running_mean, running_var = rng.randn(n, 1), rng.rand(n, 1) + 0.5
    out.update({"bnf/Z": Z, "bnf/gamma": gamma, "bnf/beta": beta, "bnf/eps": eps, "bnf/momentum": momentum,
                "bnf/running_mean": running_mean, "bnf/running_var": running_var})
    bn_param = {"mode": "train", "eps": eps, "momentum": momentum, "running_mean": running_mean.copy(),
                "running_var": running_var.copy()}
    out["bnf/out_train"], _ = s.batchnorm_forward(Z, gamma, beta, bn_param)
    out["bnf/running_mean_after"], out["bnf/running_var_after"] = bn_param["running_mean"], bn_param["running_var"]
    test_param = {"mode": "test", "eps": eps, "momentum": momentum, "running_mean": running_mean.copy(),
                  "running_var": running_var.copy()}
    out["bnf/out_test"], _ = s.batchnorm_forward(Z, gamma, beta, test_param)

    mu, var = Z.mean(axis=1, keepdims=True), Z.var(axis=1, keepdims=True)
    var_unbiased = var * m / (m - 1)
    out["bnf/mistake/axis0"] = gamma * _normalise(Z, Z.mean(axis=0, keepdims=True), Z.var(axis=0, keepdims=True), eps) + beta
    out["bnf/mistake/unbiased"] = gamma * _normalise(Z, mu, var_unbiased, eps) + beta
    out["bnf/mistake/eps_outside"] = gamma * (Z - mu) / (np.sqrt(var) + eps) + beta
    out["bnf/mistake/swapped"] = beta * _normalise(Z, mu, var, eps) + gamma
    out["bnf/mistake/running_mean_swapped"] = (1 - momentum) * running_mean + momentum * mu
    out["bnf/mistake/running_var_swapped"] = (1 - momentum) * running_var + momentum * var
    out["bnf/mistake/running_var_unbiased"] = momentum * running_var + (1 - momentum) * var_unbiased
    out["bnf/mistake/test_eps_outside"] = gamma * (Z - running_mean) / (np.sqrt(running_var) + eps) + beta

    # backward: dout on the same Z
    dout = rng.randn(n, m)
    _, cache = s.batchnorm_forward(Z, gamma, beta, {"mode": "train", "eps": eps})
    dZ, dgamma, dbeta = s.batchnorm_backward(dout, cache)
    out.update({"bnb/dout": dout, "bnb/dZ": dZ, "bnb/dgamma": dgamma, "bnb/dbeta": dbeta})
    std = np.sqrt(var + eps)
    Z_hat = (Z - mu) / std
    sum_d, sum_dz = dout.sum(axis=1, keepdims=True), (dout * Z_hat).sum(axis=1, keepdims=True)
    out["bnb/mistake/no_mean_path"] = gamma / (m * std) * (m * dout - Z_hat * sum_dz)
    out["bnb/mistake/no_var_path"] = gamma / (m * std) * (m * dout - sum_d)
    out["bnb/mistake/no_stat_paths"] = gamma * dout / std
    out["bnb/mistake/no_gamma"] = dZ / gamma
    out["bnb/mistake/dbeta_axis0"] = dout.sum(axis=0, keepdims=True)
    out["bnb/mistake/dgamma_axis0"] = (dout * Z_hat).sum(axis=0, keepdims=True)
    out["bnb/mistake/dgamma_Z"] = (dout * Z).sum(axis=1, keepdims=True)


def _forward_variant(X, params, L, order):
    """The network with batch norm and ReLU in another order (a known mistake), never the graded solution."""
    A = X
    for l in range(1, L):
        Z = params[f"W{l}"] @ A
        if order == "bn_after_relu":
            Z = np.maximum(0, Z)
        mu, var = Z.mean(axis=1, keepdims=True), Z.var(axis=1, keepdims=True)
        A = params[f"gamma{l}"] * _normalise(Z, mu, var, 1e-5) + params[f"beta{l}"]
    return 1 / (1 + np.exp(-(params[f"W{L}"] @ A + params[f"b{L}"])))


def build_network(s, out):
    rng = np.random.RandomState(9)
    dims, m = [5, 4, 3, 1], 8
    # drawn until no batch-normalised value sits near ReLU's kink, so that every gradient entry counts
    while True:
        params = {}
        for l in (1, 2):
            params[f"W{l}"] = rng.randn(dims[l], dims[l - 1])
            params[f"gamma{l}"], params[f"beta{l}"] = rng.randn(dims[l], 1), 0.5 * rng.randn(dims[l], 1)
        params["W3"], params["b3"] = rng.randn(1, 3), rng.randn(1, 1)
        X = rng.randn(5, m)
        _, caches = s.L_model_forward_bn(X, params, [{"mode": "train"}, {"mode": "train"}], "train")
        if all(np.abs(c[3]).min() > 0.05 and (c[3] > 0).any(axis=1).all() for c in caches[:-1]):
            break
    Y = np.array([[1.0, 0, 0, 1, 1, 0, 1, 0]])
    out["net/X"], out["net/Y"] = X, Y
    for k, v in params.items():
        out[f"net/{k}"] = v
    bn_params = []
    for l in (1, 2):
        mean, var = rng.randn(dims[l], 1), rng.rand(dims[l], 1) + 0.5
        out[f"net/running_mean{l}"], out[f"net/running_var{l}"] = mean, var
        bn_params.append({"mode": "train", "running_mean": mean.copy(), "running_var": var.copy()})
    out["net/AL_train"], _ = s.L_model_forward_bn(X, params, bn_params, "train")
    for l in (1, 2):
        out[f"net/running_mean{l}_after"] = bn_params[l - 1]["running_mean"]
        out[f"net/running_var{l}_after"] = bn_params[l - 1]["running_var"]
    out["net/AL_test"], _ = s.L_model_forward_bn(X, params, copy.deepcopy(bn_params), "test")
    out["net/mistake/bn_after_relu"] = _forward_variant(X, params, 3, "bn_after_relu")
    out["net/mistake/no_relu"] = _forward_variant(X, params, 3, "no_relu")

    AL, caches = s.L_model_forward_bn(X, params, [{"mode": "train"}, {"mode": "train"}], "train")
    for k, v in s.L_model_backward_bn(AL, Y, caches).items():
        out[f"net/grads/{k}"] = v


def build(solutions):
    s = solutions["batch_normalization"]
    out = {}
    build_forward(s, out)
    build_network(s, out)
    return out
