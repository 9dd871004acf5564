import numpy as np
import pandas as pd
import pytest

from deeptda.cli import main
from deeptda.datasets import make_collar_stream


def test_cli_help_for_every_subcommand(capsys):
    for args in (["--help"], ["demo", "--help"], ["embed", "--help"]):
        with pytest.raises(SystemExit) as exc:
            main(args)
        assert exc.value.code == 0
        assert "usage" in capsys.readouterr().out


def test_cli_options_are_never_abbreviated(capsys):
    # ``--labels`` (a file of bouts) and ``--label`` (a column) must never be read one for the other
    for args in (["cluster", "rec.csv", "--lab", "behaviour"], ["embed", "rec.csv", "--meth", "umap"]):
        with pytest.raises(SystemExit) as exc:
            main(args)
        assert exc.value.code == 2
        assert "unrecognized arguments: " + " ".join(args[2:]) in capsys.readouterr().err


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
    code = main(
        [
            "embed",
            str(csv),
            "--out",
            str(out),
            "--method",
            method,
            "--timestamp",
            "timestamp",
            "--channels",
            "x,y,z",
            "--label",
            "behaviour",
            "--window",
            "2.56s",
            "--stride",
            "1.28s",
        ]
    )
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
