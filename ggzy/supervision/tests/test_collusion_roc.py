"""scripts/collusion_roc.py: the rank-formula AUC, and a run over the labelled collusion sets in
../shared/testdata/collusion (skipped only when they are absent; never in CI: GGZY_REQUIRE_TESTDATA=1)."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest

from ggzy.core.testing import shared_data_path

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "collusion_roc.py"


@pytest.fixture(scope="module")
def roc():
    spec = importlib.util.spec_from_file_location("collusion_roc", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_auc_rank_formula(roc):
    assert roc.auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]) == 1.0
    assert roc.auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]) == 0.0
    # ties count a half: one positive tied with one negative among the rest
    assert roc.auc([0.5, 0.5, 0.9, 0.1], [0, 1, 1, 0]) == pytest.approx(0.875)
    assert math.isnan(roc.auc([1, 2], [1, 1]))


def test_every_labelled_dataset_is_scored(roc, capsys):
    directory = shared_data_path("collusion")
    assert roc.main(["collusion_roc.py", str(directory)]) == 0
    printed = capsys.readouterr().out
    for name in roc.DATASETS:
        line = next(line for line in printed.splitlines() if line.startswith(name))
        score_auc, cv_auc = (float(x) for x in line.split()[-2:])
        assert 0 <= score_auc <= 1 and 0 <= cv_auc <= 1
    # the tenders and labels are read as the README describes (Brazil 101 tenders, 33 collusive)
    assert roc.evaluate(roc.DATASETS["Brazil"][1], directory)["tenders"] == 101
    assert roc.evaluate(roc.DATASETS["Brazil"][1], directory)["collusive"] == 33
