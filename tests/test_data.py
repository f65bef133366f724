"""helpers.data: shapes and values of every dataset, and clear failures when downloaded files are missing."""

import os
from pathlib import Path

import numpy as np
import pytest

from helpers import data


def test_iris_binary_default_is_the_slides_setup():
    X, y = data.load_iris_binary()
    assert X.shape == (100, 2) and y.shape == (100,)
    assert set(np.unique(y)) == {-1, 1} and (y[:50] == -1).all() and (y[50:] == 1).all()
    assert np.allclose(X[0], [5.1, 1.4])  # first setosa: sepal length, petal length


def test_iris_binary_other_pair_and_errors():
    X, y = data.load_iris_binary(("versicolor", "virginica"), ("petal length", "petal width"))
    assert X.shape == (100, 2) and (y[:50] == -1).all()
    with pytest.raises(ValueError, match="unknown Iris class"):
        data.load_iris_binary(("setosa", "rose"))
    with pytest.raises(ValueError, match="unknown Iris feature"):
        data.load_iris_binary(features=("stem length",))
    with pytest.raises(ValueError, match="two different classes"):
        data.load_iris_binary(("setosa", "setosa"))


def test_planar_flower_follows_the_design():
    state = np.random.get_state()[1].copy()
    X, Y = data.make_planar_flower()
    assert np.array_equal(np.random.get_state()[1], state), "must not touch numpy's global generator"
    assert X.shape == (2, 400) and Y.shape == (1, 400)
    assert (Y[0, :200] == 0).all() and (Y[0, 200:] == 1).all()
    # The widely used planar set starts at this point (RandomState(1), angle noise before radius noise).
    assert np.allclose(X[:, 0], [1.20444229, 3.57611415])
    X2, _ = data.make_planar_flower()
    assert np.array_equal(X, X2)
    assert not np.array_equal(X, data.make_planar_flower(seed=2)[0])


@pytest.mark.parametrize("kind", ["circles", "moons", "blobs", "gaussian_quantiles"])
def test_2d_datasets(kind):
    X, Y = data.make_2d_dataset(kind, m=120, seed=3)
    assert X.shape == (2, 120) and Y.shape == (1, 120)
    assert set(np.unique(Y)) == {0, 1}
    assert np.array_equal(X, data.make_2d_dataset(kind, m=120, seed=3)[0])


def test_2d_dataset_unknown():
    with pytest.raises(ValueError, match="unknown dataset"):
        data.make_2d_dataset("spirals")


def test_flatten_images():
    images = np.arange(2 * 4 * 4 * 3, dtype=np.uint8).reshape(2, 4, 4, 3)
    X = data.flatten_images(images)
    assert X.shape == (48, 2) and X.max() <= 1.0
    assert np.allclose(X[:, 1] * 255, images[1].ravel())  # each column is one whole image
    with pytest.raises(ValueError, match="expected images of shape"):
        data.flatten_images(np.zeros((3, 4)))


def test_load_image_resizes(tmp_path):
    from PIL import Image

    Image.fromarray(np.zeros((30, 50, 4), dtype=np.uint8)).save(tmp_path / "x.png")
    assert data.load_image(tmp_path / "x.png").shape == (64, 64, 3)
    with pytest.raises(FileNotFoundError):
        data.load_image(tmp_path / "missing.png")


# --- the cat data -----------------------------------------------------------------------------
def test_cat_dataset_shapes(cat_data):
    cats = data.load_cat_dataset()
    assert cats.train_x_orig.shape == (209, 64, 64, 3) and cats.train_x_orig.dtype == np.uint8
    assert cats.train_y.shape == (1, 209) and int(cats.train_y.sum()) == 72
    assert cats.test_x_orig.shape == (50, 64, 64, 3) and cats.test_y.shape == (1, 50)
    assert int(cats.test_y.sum()) == 33
    assert [c.decode() for c in cats.classes] == ["non-cat", "cat"]
    assert data.flatten_images(cats.train_x_orig).shape == (12288, 209)


def test_env_folder_without_files_says_how_to_fix(tmp_path, monkeypatch):
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path))
    with pytest.raises(data.DataUnavailableError) as info:
        data.load_cat_dataset()
    msg = str(info.value)
    assert f"{data.DATA_ENV} is set to {tmp_path}, but train_catvnoncat.h5 is not there" in msg
    assert "To fix it" in msg and "make lab" in msg


def test_env_folder_with_a_damaged_file(tmp_path, monkeypatch):
    for name in data.CAT_FILES:
        (tmp_path / name).write_bytes(b"not an hdf5 file")
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path))
    with pytest.raises(data.DataUnavailableError, match="is not the expected file: its sha256"):
        data.cat_dataset_paths()


def test_offline_without_local_copy_says_how_to_fix(tmp_path, monkeypatch):
    monkeypatch.delenv(data.DATA_ENV, raising=False)
    monkeypatch.setattr(data, "DATA_DIR", tmp_path / "cache")
    # Port 9 on localhost refuses at once: a machine with no network, without waiting for DNS.
    monkeypatch.setattr(data, "CAT_URLS", ("http://127.0.0.1:9/{name}",))
    with pytest.raises(data.DataUnavailableError) as info:
        data.load_cat_dataset()
    msg = str(info.value)
    assert "could not be downloaded" in msg and "http://127.0.0.1:9/train_catvnoncat.h5" in msg
    assert f"point {data.DATA_ENV} at it" in msg


def test_download_cache_is_used_when_present(tmp_path, monkeypatch, cat_data):
    # A folder that already holds verified files needs no network at all.
    monkeypatch.delenv(data.DATA_ENV, raising=False)
    cache = tmp_path / "cache"
    cache.mkdir()
    for name, path in cat_data.items():
        (cache / name).write_bytes(Path(path).read_bytes())
    monkeypatch.setattr(data, "DATA_DIR", cache)
    monkeypatch.setattr(data, "CAT_URLS", ("http://127.0.0.1:9/{name}",))
    paths = data.cat_dataset_paths()
    assert {p.parent for p in paths.values()} == {cache}


def test_cat_files_are_never_committed():
    tracked = os.popen(f"git -C {Path(data.__file__).parent.parent} ls-files").read().split()
    assert not [t for t in tracked if Path(t).name in data.CAT_FILES]


def test_missing_data_renders_as_a_message_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path))
    with pytest.raises(data.DataUnavailableError) as info:
        data.load_cat_dataset()
    rendered = info.value._render_traceback_()
    assert "DataUnavailableError" in rendered[0] and "To fix it" in "\n".join(rendered)
    assert not any(line.lstrip().startswith("File ") for line in rendered)


# --- the regularization ("football field") data: the same mechanism as the cat files -----------
def test_regularization_dataset_shapes(regularization_data):
    before = np.random.get_state()[1].copy()
    train_X, train_Y, test_X, test_Y = data.load_regularization_dataset()
    assert np.array_equal(np.random.get_state()[1], before), "must not touch numpy's global generator"
    assert train_X.shape == (2, 211) and train_Y.shape == (1, 211)
    assert test_X.shape == (2, 200) and test_Y.shape == (1, 200)
    assert train_X.dtype == np.float64 and train_Y.dtype.kind == "i"  # not uint8, where -Y wraps around
    assert set(np.unique(train_Y)) == {0, 1} and set(np.unique(test_Y)) == {0, 1}
    assert int(train_Y.sum()) == 106 and int(test_Y.sum()) == 87
    assert -0.8 < train_X.min() and train_X.max() < 0.8  # positions on the field, not pixels


def test_regularization_works_from_the_env_folder_alone(tmp_path, monkeypatch, regularization_data):
    # Only the .mat file in the folder (no cat files), and no network: it loads from there.
    (tmp_path / "regularization_data.mat").write_bytes(Path(regularization_data["regularization_data.mat"]).read_bytes())
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path))
    monkeypatch.setattr(data, "REGULARIZATION_URLS", ("http://127.0.0.1:9/data.mat",))
    assert data.regularization_dataset_paths() == {"regularization_data.mat": tmp_path / "regularization_data.mat"}
    assert data.load_regularization_dataset().train_X.shape == (2, 211)


def test_regularization_env_folder_without_the_file_says_how_to_fix(tmp_path, monkeypatch):
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path))
    with pytest.raises(data.DataUnavailableError) as info:
        data.load_regularization_dataset()
    msg = str(info.value)
    assert f"{data.DATA_ENV} is set to {tmp_path}, but regularization_data.mat is not there" in msg
    assert "To fix it" in msg and "make lab" in msg
    # the file is called data.mat at the pinned URL: the message says what to call it
    assert data.REGULARIZATION_URLS[0] in msg and "saved as regularization_data.mat" in msg


def test_regularization_env_folder_with_a_damaged_file(tmp_path, monkeypatch):
    (tmp_path / "regularization_data.mat").write_bytes(b"MATLAB 5.0 MAT-file, but not the one")
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path))
    with pytest.raises(data.DataUnavailableError, match="is not the expected file: its sha256"):
        data.load_regularization_dataset()


def test_regularization_offline_without_local_copy_says_how_to_fix(tmp_path, monkeypatch):
    monkeypatch.delenv(data.DATA_ENV, raising=False)
    monkeypatch.setattr(data, "DATA_DIR", tmp_path / "cache")
    monkeypatch.setattr(data, "REGULARIZATION_URLS", ("http://127.0.0.1:9/data.mat",))
    with pytest.raises(data.DataUnavailableError) as info:
        data.load_regularization_dataset()
    msg = str(info.value)
    assert "The regularization dataset is not available" in msg and "http://127.0.0.1:9/data.mat" in msg
    assert f"point {data.DATA_ENV} at it" in msg


def test_regularization_download_cache_is_used_when_present(tmp_path, monkeypatch, regularization_data):
    monkeypatch.delenv(data.DATA_ENV, raising=False)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "regularization_data.mat").write_bytes(Path(regularization_data["regularization_data.mat"]).read_bytes())
    monkeypatch.setattr(data, "DATA_DIR", cache)
    monkeypatch.setattr(data, "REGULARIZATION_URLS", ("http://127.0.0.1:9/data.mat",))
    assert data.regularization_dataset_paths()["regularization_data.mat"].parent == cache


def test_regularization_file_is_never_committed():
    tracked = os.popen(f"git -C {Path(data.__file__).parent.parent} ls-files").read().split()
    assert not [t for t in tracked if Path(t).name in data.REGULARIZATION_FILES]
