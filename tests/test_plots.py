"""helpers.plots: every figure has a title and axis labels, for rows and columns layouts."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import plots  # noqa: E402


class Threshold:
    def predict(self, X):
        return np.where(X[:, 0] + X[:, 1] >= 0, 1, -1)


def _labelled(ax):
    return ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def test_decision_regions_rows_and_columns():
    rng = np.random.RandomState(0)
    X = rng.randn(30, 2)
    y = Threshold().predict(X)
    ax = plots.plot_decision_regions(Threshold(), X, y, title="T", xlabel="a", ylabel="b")
    assert _labelled(ax) and len(ax.collections) >= 2
    plt.close("all")
    ax = plots.plot_decision_regions(lambda Xc: (Xc[0] > 0).astype(int), X.T, (X[:, 0] > 0).astype(int)[None, :],
                                     layout="columns")
    assert _labelled(ax)
    plt.close("all")


def test_decision_regions_rejects_bad_input():
    with pytest.raises(ValueError, match="2-D points"):
        plots.plot_decision_regions(Threshold(), np.zeros((5, 3)), np.zeros(5))
    with pytest.raises(ValueError, match="labels"):
        plots.plot_decision_regions(Threshold(), np.zeros((5, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="layout"):
        plots.plot_decision_regions(Threshold(), np.zeros((5, 2)), np.zeros(5), layout="diagonal")


def test_curves_single_and_compared():
    ax = plots.plot_curves([3, 2, 1], title="cost")
    assert _labelled(ax) and len(ax.lines) == 1
    plt.close("all")
    ax = plots.plot_curves({"a": [1, 2], "b": [2, 1]}, title="compare", log=True, step=100, start=0)
    assert ax.get_yscale() == "log" and ax.get_legend() is not None
    assert list(ax.lines[0].get_xdata()) == [0, 100]
    plt.close("all")


def test_show_images_from_arrays_and_columns():
    images = np.zeros((5, 64, 64, 3), dtype=np.uint8)
    fig = plots.show_images(images, np.array([[0, 1, 0, 1, 1]]), title="cats", classes=[b"non-cat", b"cat"], ncols=3)
    assert fig._suptitle.get_text() == "cats"
    assert [ax.get_title() for ax in fig.axes[:2]] == ["non-cat", "cat"]
    plt.close("all")
    fig = plots.show_images(images.reshape(5, -1).T / 255.0, title="flattened")
    assert len(fig.axes) == 5
    plt.close("all")
    with pytest.raises(ValueError):
        plots.show_images(np.zeros((0, 8, 8, 3)), title="none")
