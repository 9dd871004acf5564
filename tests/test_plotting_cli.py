import numpy as np
import pandas as pd
import pytest

from deeptda import plot_embeddings, plot_history, plot_persistence_diagram, plot_timeline
from deeptda.cli import main
from deeptda.datasets import make_collar_stream


def test_plot_embeddings_points_colours_and_legend():
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)
    labels = np.array(["a"] * 10 + ["b"] * 5 + ["c"] * 5)
    fig = plt.figure()
    axes = plot_embeddings({"one": rng.normal(size=(20, 2)), "two": rng.normal(size=(20, 2))}, labels, fig=fig)
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
    history = [{"stage": "encoder", "epoch": i, "contrastive": 1.0 / (i + 1)} for i in range(3)] + \
              [{"stage": "map", "epoch": i, "attraction": 1.0, "repulsion": 0.5} for i in range(4)]
    ax = plot_history(history)
    assert len(ax.get_lines()) == 3
    df = make_collar_stream(duration=30, random_state=0)
    sig, lab = plot_timeline(df, df["behaviour"].to_numpy())
    assert len(sig.get_lines()) == 3
    assert len(lab.collections[0].get_offsets()) == len(df)


def test_cli_help_for_every_subcommand(capsys):
    for args in (["--help"], ["demo", "--help"], ["embed", "--help"]):
        with pytest.raises(SystemExit) as exc:
            main(args)
        assert exc.value.code == 0
        assert "usage" in capsys.readouterr().out


def test_cli_demo_end_to_end(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--duration", "400", "--epochs", "3"]) == 0
    printed = capsys.readouterr().out
    for name in ("embeddings.png", "metrics.csv", "metrics.md", "explore.html"):
        assert (out / name).exists() and str(out / name) in printed
    table = pd.read_csv(out / "metrics.csv", index_col=0)
    assert list(table.index) == ["DeepTDA", "t-SNE", "UMAP"]
    assert table["knn_accuracy"].between(0, 1).all()


@pytest.mark.parametrize("method", ["deeptda", "umap"])
def test_cli_embed_end_to_end(tmp_path, method, capsys):
    df = make_collar_stream(duration=300, random_state=0)
    csv = tmp_path / "rec.csv"
    df.reset_index().to_csv(csv, index=False)
    out = tmp_path / "emb"
    code = main(["embed", str(csv), "--out", str(out), "--method", method, "--timestamp", "timestamp",
                 "--channels", "x,y,z", "--label", "behaviour", "--window", "2.56s", "--stride", "1.28s"])
    assert code == 0
    emb = pd.read_csv(f"{out}.csv")
    assert {"start", "end", "x", "y", "label"} <= set(emb.columns)
    assert np.isfinite(emb[["x", "y"]].to_numpy()).all()
    assert (tmp_path / "emb.png").exists()


def test_cli_reports_bad_input(tmp_path, capsys):
    csv = tmp_path / "bad.csv"
    csv.write_text("t,x\n0,1\n1,2\n")
    assert main(["embed", str(csv), "--window", "64"]) == 2
    assert "longer than the stream" in capsys.readouterr().err
