"""Plots used across the course. Every figure gets a title and axis labels.

* :func:`plot_decision_regions` - anything with a ``predict`` (or a predict function), for 2-D
  data with examples in rows (01, 02) or in columns (03 on).
* :func:`plot_curves` - cost or error curves, one or several, optionally on a log scale.
* :func:`show_images` - a grid of images with their labels.

Each function draws into ``ax`` when given one, and returns the axes, so figures can be combined.
"""

import numpy as np


def _plt():
    import matplotlib.pyplot as plt  # imported lazily so `import helpers` stays fast

    return plt


def plot_decision_regions(model, X, y, *, layout="rows", resolution=0.02, ax=None,
                          title="Decision regions", xlabel="$x_1$", ylabel="$x_2$", legend=True,
                          class_names=None):
    """Colour the plane by the class a model predicts, and scatter the data on top.

    ``model`` has a ``predict(X)`` method or is itself a function ``predict(X)``. ``layout`` says
    how ``X`` holds examples: "rows" means X is (m, 2) and predict takes (k, 2) (01, 02);
    "columns" means X is (2, m) and predict takes (2, k) (03 on). ``y`` holds the labels, shape
    (m,) or (1, m). Returns the axes. Introduced in 01_perceptron; used through 04_shallow_network.
    """
    plt = _plt()
    from matplotlib.colors import ListedColormap

    if layout not in ("rows", "columns"):
        raise ValueError(f"layout must be 'rows' or 'columns', got {layout!r}")
    predict = model.predict if hasattr(model, "predict") else model
    X = np.asarray(X, dtype=float)
    pts = X if layout == "rows" else X.T
    if pts.ndim != 2 or pts.shape[1] != 2:
        raise ValueError(f"decision regions need 2-D points; got X of shape {X.shape} with layout={layout!r}")
    y = np.asarray(y).ravel()
    if y.size != pts.shape[0]:
        raise ValueError(f"{pts.shape[0]} points but {y.size} labels")
    ax = ax or plt.gca()
    pad = 1.0
    x1_min, x1_max = pts[:, 0].min() - pad, pts[:, 0].max() + pad
    x2_min, x2_max = pts[:, 1].min() - pad, pts[:, 1].max() + pad
    # Cap the grid so a fine resolution on a wide range cannot create millions of points.
    step = max(resolution, (x1_max - x1_min) / 400, (x2_max - x2_min) / 400)
    xx1, xx2 = np.meshgrid(np.arange(x1_min, x1_max, step), np.arange(x2_min, x2_max, step))
    grid = np.c_[xx1.ravel(), xx2.ravel()]
    Z = np.asarray(predict(grid if layout == "rows" else grid.T)).astype(float).reshape(xx1.shape)
    classes = np.unique(y)
    colors = ("tab:red", "tab:blue", "tab:green", "tab:gray", "tab:cyan")
    markers = ("s", "x", "o", "^", "v")
    cmap = ListedColormap(colors[: len(classes)])
    classes_f = classes.astype(float)
    # One colour band per class: boundaries halfway between consecutive labels (finite, so
    # matplotlib's normalisation stays quiet).
    levels = np.concatenate([[classes_f[0] - 1.0], (classes_f[:-1] + classes_f[1:]) / 2.0, [classes_f[-1] + 1.0]])
    ax.contourf(xx1, xx2, Z, levels=levels, alpha=0.3, cmap=cmap)
    for i, c in enumerate(classes):
        label = class_names[i] if class_names is not None else f"class {c}"
        ax.scatter(pts[y == c, 0], pts[y == c, 1], c=colors[i], marker=markers[i], label=label,
                   edgecolor="black" if markers[i] not in ("x",) else None, s=30, alpha=0.8)
    ax.set_xlim(xx1.min(), xx1.max())
    ax.set_ylim(xx2.min(), xx2.max())
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if legend:
        ax.legend(loc="upper left")
    return ax


def plot_curves(curves, *, title, xlabel="epoch", ylabel="cost", log=False, ax=None, step=1,
                start=1, marker="o"):
    """Plot one or more curves, e.g. the cost per epoch or the errors per epoch.

    ``curves`` is a sequence of values, or a dict ``{label: values}`` to compare several runs.
    Point i is drawn at x = start + i * step (``step=100`` for "one cost per 100 iterations").
    ``log=True`` puts the y-axis on a log scale (for costs that explode or shrink a lot).
    Introduced in 01_perceptron (errors per epoch); the cost curves of every later assignment.
    """
    plt = _plt()
    ax = ax or plt.gca()
    if not isinstance(curves, dict):
        curves = {None: curves}
    for label, values in curves.items():
        values = np.asarray(values, dtype=float).ravel()
        x = start + step * np.arange(values.size)
        ax.plot(x, values, marker=marker if values.size <= 60 else None, label=label)
    if log:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if any(label is not None for label in curves):
        ax.legend()
    ax.grid(True, alpha=0.3)
    return ax


def show_images(images, labels=None, *, title, ncols=8, classes=None, size=1.6, titles=None):
    """Show a grid of images with their labels.

    ``images`` is (m, h, w, 3) (uint8 or floats in [0, 1]) or flattened (h*w*3, m) 64x64 RGB
    columns. ``labels`` (m,) or (1, m) are shown above each image, through ``classes`` (e.g.
    [b'non-cat', b'cat']) when given. ``titles`` overrides the per-image titles. Returns the figure.
    Introduced in 03_logistic_regression (the cat images); used again in 05_deep_network.
    """
    plt = _plt()
    images = np.asarray(images)
    if images.ndim == 2:  # columns of flattened 64x64x3 images
        side = int(round((images.shape[0] / 3) ** 0.5))
        images = images.T.reshape(-1, side, side, 3)
    if images.ndim != 4:
        raise ValueError(f"expected images (m, h, w, 3) or flattened columns, got shape {images.shape}")
    m = images.shape[0]
    if m == 0:
        raise ValueError("no images to show")
    ncols = min(ncols, m)
    nrows = -(-m // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.6), squeeze=False)
    labels = None if labels is None else np.asarray(labels).ravel()
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i >= m:
            continue
        ax.imshow(images[i])
        if titles is not None:
            ax.set_title(titles[i], fontsize=8)
        elif labels is not None:
            name = labels[i]
            if classes is not None:
                name = classes[int(labels[i])]
                name = name.decode() if isinstance(name, bytes) else name
            ax.set_title(str(name), fontsize=9)
    fig.suptitle(title)
    fig.tight_layout()
    return fig
