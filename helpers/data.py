"""Datasets of the course, loaded the same way in every notebook.

* Iris, two classes (01_perceptron, 02_adaline): scikit-learn's bundled copy, examples in rows.
* Cat / non-cat images (03_logistic_regression, 05_deep_network): downloaded once with pooch,
  checked against a pinned sha256 and cached in ``data/``; ``NN_COURSE_DATA`` names a folder that
  holds the two files instead (CI points it at a local mirror).
* The planar "flower" and other 2-D sets (04_shallow_network): generated, examples in columns.
* The 2-D "football field" set (06_regularization): downloaded and checked like the cat files.
* Handwritten digits (09_hyperparameters): scikit-learn's bundled copy, examples in columns.

Every random generator takes a seed and draws from its own ``np.random.RandomState``; nothing
reads or seeds numpy's global generator.
"""

import os
from collections import namedtuple
from pathlib import Path

import numpy as np

from .paths import DATA_DIR, CourseError

# --------------------------------------------------------------------------------------------
# Iris (rows are examples)
# --------------------------------------------------------------------------------------------
IRIS_CLASSES = ("setosa", "versicolor", "virginica")
IRIS_FEATURES = ("sepal length", "sepal width", "petal length", "petal width")


def load_iris_binary(classes=("setosa", "versicolor"), features=("sepal length", "petal length")):
    """Two Iris classes as a binary problem, the way the perceptron slides set it up.

    Returns ``X`` of shape (100, len(features)) in cm, one example per row, and ``y`` of shape
    (100,) with -1 for ``classes[0]`` and +1 for ``classes[1]``. The default is the slides'
    setosa (-1) vs versicolor (+1) on sepal length and petal length, which is linearly
    separable; ``("versicolor", "virginica")`` is not. Introduced in 01_perceptron.
    """
    from sklearn.datasets import load_iris

    for c in classes:
        if c not in IRIS_CLASSES:
            raise ValueError(f"unknown Iris class {c!r}; choose from {IRIS_CLASSES}")
    for f in features:
        if f not in IRIS_FEATURES:
            raise ValueError(f"unknown Iris feature {f!r}; choose from {IRIS_FEATURES}")
    if len(classes) != 2 or classes[0] == classes[1]:
        raise ValueError(f"give two different classes, got {classes!r}")
    iris = load_iris()
    codes = [IRIS_CLASSES.index(c) for c in classes]
    rows = np.isin(iris.target, codes)
    cols = [IRIS_FEATURES.index(f) for f in features]
    X = iris.data[rows][:, cols].astype(float)
    y = np.where(iris.target[rows] == codes[0], -1, 1)
    return X, y


# --------------------------------------------------------------------------------------------
# Cat / non-cat (64x64 RGB images)
# --------------------------------------------------------------------------------------------
DATA_ENV = "NN_COURSE_DATA"
CAT_FILES = {
    "train_catvnoncat.h5": "fbe56ab67c3ae28d564e3a644189117976d6b31af0a3ce9bb17dbf22908af242",
    "test_catvnoncat.h5": "6a9d39ce52fa85953c5834695b8534a30ed8cfd54971fb2f080b5a24d002b951",
}
# Pinned to commits (raw bytes, not Git-LFS pointers); the second is a mirror with identical files.
CAT_URLS = (
    "https://raw.githubusercontent.com/y33-j3T/Coursera-Deep-Learning/b919cf2dd96245dfe5f9a1480762dd5ee33fcf16/"
    "Neural%20Networks%20and%20Deep%20Learning/Week%202/Logistic%20Regression%20as%20a%20Neural%20Network/"
    "datasets/{name}",
    "https://raw.githubusercontent.com/Filtee/Coursera-DeepLearning/2c4e05e2939378c7d5538c4dd8e187d31c301a15/"
    "C1-W2A2/datasets/{name}",
)

CatData = namedtuple("CatData", "train_x_orig train_y test_x_orig test_y classes")
CatData.__doc__ = """The cat / non-cat set: images (m, 64, 64, 3) uint8, labels (1, m) 0/1, class names."""


class DataUnavailableError(CourseError):
    """A downloaded dataset could not be found or downloaded. The message says how to get it."""


def _how_to_fix(folder, files, urls, size):
    """Instructions for getting ``files`` (a dict name -> sha256) into ``folder`` or ``NN_COURSE_DATA``."""
    names = " and ".join(files)
    them, count = ("them", f"the {len(files)} files") if len(files) > 1 else ("it", "the file")
    first = next(iter(files))
    more = f" (and {', '.join(list(files)[1:])})" if len(files) > 1 else ""
    url = urls[0].format(name=first)
    if not url.endswith("/" + first):  # stored remotely under another name
        more += f", saved as {first}"
    return (
        "To fix it, do one of these and run the cell again:\n"
        f"  1. Connect to the internet: {count} ({size}) {'are' if len(files) > 1 else 'is'} downloaded once into "
        f"{folder}\n     and checked against {'their' if len(files) > 1 else 'its'} sha256.\n"
        f"  2. Copy {names} into {folder}.\n"
        f"  3. Put {them} in any folder and point {DATA_ENV} at it before starting Jupyter,\n"
        f"     e.g.  {DATA_ENV}=/path/to/folder make lab\n"
        f"Where to get {them}: {url}{more}."
    )


def _dataset_paths(title, files, urls, size):
    """Paths of verified downloaded files, as ``{name: Path}``.

    ``files`` maps each file's local name to its sha256; ``urls`` are templates tried in order
    (``{name}`` is replaced by the local name). With ``NN_COURSE_DATA`` set, the files must be in
    that folder (nothing is downloaded). Otherwise they are downloaded on first use into ``data/``
    and verified with pooch. Raises :class:`DataUnavailableError` with instructions when neither works.
    """
    __tracebackhide__ = True
    import pooch

    folder = os.environ.get(DATA_ENV)
    paths = {}
    if folder:
        folder = Path(folder).expanduser()
        for name, sha in files.items():
            path = folder / name
            if not path.is_file():
                raise DataUnavailableError(
                    f"{DATA_ENV} is set to {folder}, but {name} is not there.\n"
                    + _how_to_fix(folder, files, urls, size)) from None
            actual = pooch.file_hash(str(path), alg="sha256")
            if actual != sha:
                raise DataUnavailableError(
                    f"{path} is not the expected file: its sha256 is {actual}, expected {sha}.\n"
                    "The file is damaged or a different version; replace it.\n"
                    + _how_to_fix(folder, files, urls, size)) from None
            paths[name] = path
        return paths

    logger = pooch.get_logger()
    logger.setLevel("WARNING")  # no "Downloading ..." lines on stderr in the notebook
    downloader = pooch.HTTPDownloader(timeout=30, progressbar=False)
    for name, sha in files.items():
        errors = []
        for url in urls:
            try:
                paths[name] = Path(pooch.retrieve(url.format(name=name), known_hash=f"sha256:{sha}",
                                                  fname=name, path=DATA_DIR, downloader=downloader))
                break
            except Exception as error:  # noqa: BLE001 - network, HTTP and checksum errors alike
                errors.append(f"{url.format(name=name)}: {type(error).__name__}: {str(error)[:200]}")
        else:
            tried = "\n".join("  - " + e for e in errors)
            raise DataUnavailableError(
                f"The {title} is not available: {name} is not in {DATA_DIR} and could not "
                f"be downloaded.\nTried:\n{tried}\n" + _how_to_fix(DATA_DIR, files, urls, size)) from None
    return paths


def cat_dataset_paths():
    """Paths of the two verified cat files, as ``{"train_catvnoncat.h5": Path, ...}``.

    With ``NN_COURSE_DATA`` set, the files must be in that folder (nothing is downloaded).
    Otherwise they are downloaded on first use into ``data/`` and verified with pooch. Raises
    :class:`DataUnavailableError` with instructions when neither works.
    """
    __tracebackhide__ = True
    return _dataset_paths("cat / non-cat dataset", CAT_FILES, CAT_URLS, "3.2 MB")


def load_cat_dataset():
    """Load the cat / non-cat images (03_logistic_regression, 05_deep_network).

    Returns a ``CatData`` tuple ``(train_x_orig, train_y, test_x_orig, test_y, classes)``:
    images of shape (209, 64, 64, 3) and (50, 64, 64, 3), uint8; labels of shape (1, 209) and
    (1, 50), 1 = cat, 0 = non-cat; ``classes`` = array([b'non-cat', b'cat']).
    """
    __tracebackhide__ = True
    import h5py

    paths = cat_dataset_paths()
    with h5py.File(paths["train_catvnoncat.h5"], "r") as f:
        train_x = np.array(f["train_set_x"][:])
        train_y = np.array(f["train_set_y"][:]).reshape(1, -1)
        classes = np.array(f["list_classes"][:])
    with h5py.File(paths["test_catvnoncat.h5"], "r") as f:
        test_x = np.array(f["test_set_x"][:])
        test_y = np.array(f["test_set_y"][:]).reshape(1, -1)
    return CatData(train_x, train_y, test_x, test_y, classes)


def flatten_images(images):
    """Images (m, height, width, channels) uint8 -> X of shape (height*width*channels, m) in [0, 1].

    One image per column, as from 03_logistic_regression on. ``reshape(m, -1).T`` keeps each
    image's pixels together; ``reshape(-1, m)`` would mix pixels of different images.
    """
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"expected images of shape (m, height, width, channels), got {images.shape}")
    return images.reshape(images.shape[0], -1).T / 255.0


def load_image(path, size=(64, 64)):
    """Any image file -> array (height, width, 3) uint8, resized to ``size`` (for "try your own image")."""
    from PIL import Image

    path = Path(path).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"no image at {path}")
    with Image.open(path) as img:
        return np.asarray(img.convert("RGB").resize(size))


# --------------------------------------------------------------------------------------------
# 2-D sets for the shallow network (columns are examples)
# --------------------------------------------------------------------------------------------
def make_planar_flower(seed=1, m=400, petals_amplitude=4):
    """The planar "flower": two interleaved classes that no straight line separates.

    For class j in {0, 1}: angles t = m/2 evenly spaced values from 3.12 j to 3.12 (j + 1) plus
    N(0, 0.2²) noise; radii r = a sin(4t) plus N(0, 0.2²) noise (angle noise drawn first); the
    points are (r sin t, r cos t). Returns ``X`` (2, m) float and ``Y`` (1, m) int 0/1.
    Introduced in 04_shallow_network.
    """
    rng = np.random.RandomState(seed)
    n = m // 2
    X = np.zeros((m, 2))
    Y = np.zeros((m, 1), dtype=int)
    for j in range(2):
        ix = slice(n * j, n * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, n) + rng.randn(n) * 0.2
        r = petals_amplitude * np.sin(4 * t) + rng.randn(n) * 0.2
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    return X.T, Y.T


def make_2d_dataset(kind, m=200, seed=1):
    """Other 2-D binary sets from scikit-learn, examples in columns: X (2, m), Y (1, m) 0/1.

    ``kind`` is one of "circles", "moons", "blobs" (6 blobs, labels taken mod 2) or
    "gaussian_quantiles". Introduced in 04_shallow_network.
    """
    from sklearn import datasets

    if kind == "circles":
        X, y = datasets.make_circles(n_samples=m, factor=0.5, noise=0.3, random_state=seed)
    elif kind == "moons":
        X, y = datasets.make_moons(n_samples=m, noise=0.2, random_state=seed)
    elif kind == "blobs":
        X, y = datasets.make_blobs(n_samples=m, n_features=2, centers=6, random_state=seed)
        y = y % 2
    elif kind == "gaussian_quantiles":
        X, y = datasets.make_gaussian_quantiles(cov=0.5, n_samples=m, n_features=2, n_classes=2,
                                                random_state=seed)
    else:
        raise ValueError(f"unknown dataset {kind!r}; choose circles, moons, blobs or gaussian_quantiles")
    return X.T, y.reshape(1, -1).astype(int)


# --------------------------------------------------------------------------------------------
# The 2-D "football field" set for regularization (columns are examples)
# --------------------------------------------------------------------------------------------
REGULARIZATION_FILES = {
    "regularization_data.mat": "1218828095bf91d215622d00b2a5b8784c359e29d9d9c5734949b8e60c5bc231",
}
# Pinned to a commit; the same bytes are in two folders of it. Remotely the file is called data.mat,
# locally it is cached under its own name.
REGULARIZATION_URLS = (
    "https://raw.githubusercontent.com/Filtee/Coursera-DeepLearning/2c4e05e2939378c7d5538c4dd8e187d31c301a15/"
    "C2-W1A2/datasets/data.mat",
    "https://raw.githubusercontent.com/Filtee/Coursera-DeepLearning/2c4e05e2939378c7d5538c4dd8e187d31c301a15/"
    "C2-W2A1/datasets/data.mat",
)

RegularizationData = namedtuple("RegularizationData", "train_X train_Y test_X test_Y")
RegularizationData.__doc__ = """The football-field set: X (2, m) float, Y (1, m) int 0/1, for train and test."""


def regularization_dataset_paths():
    """Path of the verified ``regularization_data.mat``, as ``{"regularization_data.mat": Path}``.

    Found in ``NN_COURSE_DATA`` or downloaded into ``data/`` exactly like the cat files
    (:func:`cat_dataset_paths`); raises :class:`DataUnavailableError` with instructions otherwise.
    """
    __tracebackhide__ = True
    return _dataset_paths("regularization dataset", REGULARIZATION_FILES, REGULARIZATION_URLS, "6 kB")


def load_regularization_dataset():
    """Load the 2-D "football field" set (06_regularization), examples in columns.

    Returns a ``RegularizationData`` tuple ``(train_X, train_Y, test_X, test_Y)``: ``train_X``
    (2, 211) and ``test_X`` (2, 200) float64 positions on the field, ``train_Y`` (1, 211) and
    ``test_Y`` (1, 200) labels 0/1 as int (the file stores uint8, where ``-Y`` would wrap around).
    """
    __tracebackhide__ = True
    from scipy.io import loadmat

    mat = loadmat(regularization_dataset_paths()["regularization_data.mat"])
    return RegularizationData(mat["X"].T.astype(float), mat["y"].T.astype(int),
                              mat["Xval"].T.astype(float), mat["yval"].T.astype(int))


# --------------------------------------------------------------------------------------------
# Handwritten digits (09_hyperparameters, columns are examples)
# --------------------------------------------------------------------------------------------
DigitsDataset = namedtuple("DigitsDataset", ["X", "y", "images"])


def load_digits_dataset():
    """scikit-learn's bundled handwritten digits (nothing is downloaded): 1797 pictures of 8 x 8 pixels.

    Returns ``X`` (64, 1797) float, the pixel intensities 0..16 divided by 16 so they lie in [0, 1],
    one picture per column; ``y`` (1, 1797) int labels 0..9; ``images`` (1797, 8, 8) the same
    pixels as pictures (0..16), for plotting. Introduced in 09_hyperparameters.
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    X = digits.data.T / 16.0
    y = digits.target.reshape(1, -1).astype(int)
    return DigitsDataset(X, y, digits.images)
