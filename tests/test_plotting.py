import numpy as np
import pytest

from deeptda import (
    plot_embeddings,
    plot_history,
    plot_persistence_diagram,
    plot_representatives,
    plot_timeline,
    representative_windows,
)
from deeptda.datasets import make_collar_stream


def test_plot_embeddings_points_colours_and_legend():
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)
    labels = np.array(["a"] * 10 + ["b"] * 5 + ["c"] * 5)
    fig = plt.figure()
    assert plot_embeddings({"one": rng.normal(size=(20, 2)), "two": rng.normal(size=(20, 2))}, labels, fig=fig) is fig
    axes = fig.axes
    assert len(axes) == 2
    for ax in axes:
        assert sum(len(c.get_offsets()) for c in ax.collections) == 20
        assert len(ax.collections) == 3
    # one legend for the figure, with one entry per label, same colours in both panels
    assert len(fig.legends) == 1 and len(fig.legends[0].get_texts()) == 3
    c0 = [tuple(c.get_facecolor()[0]) for c in axes[0].collections]
    c1 = [tuple(c.get_facecolor()[0]) for c in axes[1].collections]
    assert c0 == c1
    with pytest.raises(ValueError, match="labels has"):
        plot_embeddings({"one": rng.normal(size=(20, 2))}, labels[:5])


def test_plot_persistence_history_timeline():
    ax = plot_persistence_diagram([np.array([[0, 1.0], [0, 2.0]]), np.array([[0.5, 1.5]])])
    assert sum(len(c.get_offsets()) for c in ax.collections) == 3
    history = [{"stage": "encoder", "epoch": i, "contrastive": 1.0 / (i + 1)} for i in range(3)] + [
        {"stage": "map", "epoch": i, "attraction": 1.0, "repulsion": 0.5} for i in range(4)
    ]
    ax = plot_history(history)
    assert len(ax.get_lines()) == 3
    df = make_collar_stream(duration=30, random_state=0)
    sig, lab = plot_timeline(df, df["behaviour"].to_numpy()).axes
    assert len(sig.get_lines()) == 3
    assert len(lab.collections[0].get_offsets()) == len(df)


def test_points_that_cannot_be_drawn_are_said_and_essential_classes_are_drawn():
    import warnings

    Y = np.random.default_rng(0).normal(size=(20, 2))
    Y[[3, 7]] = np.nan
    with pytest.warns(UserWarning, match="'map' has 2 points with NaN or infinite coordinates; they are not drawn"):
        plot_embeddings({"map": Y})
    # the class that never dies (the whole point cloud's component) sits on a dashed line above the rest
    ax = plot_persistence_diagram([np.array([[0, 1.0], [0, 2.0], [0, np.inf]])])
    (points,) = ax.collections
    deaths = points.get_offsets()[:, 1]
    assert np.isfinite(deaths).all() and deaths[2] > 2.0 and deaths[2] == ax.get_lines()[-1].get_ydata()[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["H0", "∞"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an empty diagram: no legend, no matplotlib warning
        assert plot_persistence_diagram([np.zeros((0, 2))]).get_legend() is None


def test_unlabelled_samples_are_grey_and_named():
    labels = np.array(["walk", None, "rest", np.nan, "walk"], dtype=object)
    fig = plot_embeddings({"map": np.random.default_rng(0).normal(size=(5, 2))}, labels)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["rest", "walk", "unlabelled"]
    assert sum(len(c.get_offsets()) for c in fig.axes[0].collections) == 5
    _, lab = plot_timeline(np.zeros((5, 1)), labels).axes
    assert [t.get_text() for t in lab.get_yticklabels()] == ["rest", "walk", "unlabelled"]


def test_one_plotting_convention():
    """Single panels draw into the given ``ax`` and return it; multi-panel ones return their Figure."""
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    _, ax = plt.subplots()
    assert plot_persistence_diagram([np.array([[0, 1.0]])], ax=ax) is ax
    _, ax = plt.subplots()
    assert plot_history([{"stage": "map", "epoch": 0, "attraction": 1.0}], ax=ax) is ax
    assert isinstance(plot_embeddings({"a": np.zeros((4, 2))}), Figure)
    assert isinstance(plot_timeline(np.zeros((10, 2)), [0] * 10), Figure)
    sub = plt.figure().subfigures(1, 2)[0]  # a SubFigure is drawn into and returned
    assert plot_embeddings({"a": np.zeros((4, 2))}, fig=sub) is sub
    plt.close("all")


def test_representative_windows_feed_plot_representatives_as_they_are():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3, 16))
    labels = np.repeat([0, 1], 20)
    Z = rng.normal(size=(40, 2)) + labels[:, None] * 5
    reps = representative_windows(Z, labels, X, random_state=0)
    fig = plot_representatives(reps, channels="xyz")
    assert [ax.get_title() for ax in fig.axes] == ["0", "1"]
    index, window = reps[1]
    np.testing.assert_array_equal(fig.axes[1].get_lines()[0].get_ydata(), window[0])
    assert np.array_equal(window, X[index])
    with pytest.raises(ValueError, match="n_channels, n_timepoints"):
        plot_representatives({"bad": np.zeros(5)})
    import matplotlib.pyplot as plt

    plt.close("all")
