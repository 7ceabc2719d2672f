"""The synthetic sample's figures by sex: the totals untouched, the parts adding up, the sample's load."""
import csv
import hashlib
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from btchild_analysis import indicators as I
from btchild_analysis import sample as smp

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "data" / "sample"
#: sha256 of data/sample/submissions_synthetic.csv as committed before the split by sex (commit f4e113b,
#: `git show f4e113b:data/sample/submissions_synthetic.csv | sha256sum`): the totals must not move.
TOTALS_SHA256 = "3310d83609ca58305d54f612044952cee859ff5c3bf789e90d6f50ec83d0f745"
SPLIT = {"u5_measured", "u5_stunted", "u5_weighed", "u5_underweight", "pop_0_2", "enrolled_0_2", "pop_3_5",
         "enrolled_3_5", "pop_6_10", "primary_ontime", "pop_11_14", "lower_secondary_ontime", "pop_u16",
         "special_circumstances", "special_circumstances_assisted"}
DENOMINATOR = {"u5_stunted": "u5_measured", "u5_underweight": "u5_weighed", "enrolled_0_2": "pop_0_2",
               "enrolled_3_5": "pop_3_5", "primary_ontime": "pop_6_10", "lower_secondary_ontime": "pop_11_14",
               "special_circumstances": "pop_u16", "special_circumstances_assisted": "special_circumstances"}


def _read(name):
    with open(FOLDER / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def files():
    totals = {(r["commune_code"], r["period"], r["element"]): int(r["value"])
              for r in _read("submissions_synthetic.csv")}
    parts = defaultdict(dict)
    for r in _read("submissions_by_sex_synthetic.csv"):
        parts[(r["commune_code"], r["period"], r["element"])][r["sex"]] = int(r["value"])
    return totals, parts


def test_totals_are_those_committed_before_the_split():
    assert hashlib.sha256((FOLDER / "submissions_synthetic.csv").read_bytes()).hexdigest() == TOTALS_SHA256


def test_parts_add_up_to_the_totals_for_every_split_element(files):
    totals, parts = files
    want = {k for k in totals if k[2] in SPLIT}
    assert set(parts) == want                      # every split total has parts, nothing else has
    for key, p in parts.items():
        assert set(p) == {"male", "female"}
        assert p["male"] + p["female"] == totals[key], key
        assert p["male"] >= 0 and p["female"] >= 0


def test_each_part_stays_within_its_denominators_part(files):
    _, parts = files
    for (c, per, el), p in parts.items():
        den = DENOMINATOR.get(el)
        if den is None:
            continue
        for sex in ("male", "female"):
            assert p[sex] <= parts[(c, per, den)][sex], (c, per, el, sex)


def test_boys_share_and_the_stunting_ratio(files):
    _, parts = files
    sums = defaultdict(lambda: [0, 0])
    for (_, _, el), p in parts.items():
        sums[el][0] += p["male"]
        sums[el][1] += p["female"]
    boys = sums["pop_u16"][0] / sum(sums["pop_u16"])
    assert 0.51 < boys < 0.52
    rate = {sex: sums["u5_stunted"][k] / sums["u5_measured"][k] for k, sex in enumerate(("male", "female"))}
    assert 1.05 < rate["male"] / rate["female"] < 1.15
    enrol = {sex: sums["enrolled_3_5"][k] / sums["pop_3_5"][k] for k, sex in enumerate(("male", "female"))}
    assert abs(enrol["male"] - enrol["female"]) < 0.01


def test_the_committed_parts_are_the_generators_output():
    committed = smp.load_sample()
    again = smp.split_by_sex(committed.submissions, 2013)
    pd.testing.assert_frame_equal(committed.submissions_by_sex, again, check_dtype=False)
    other = smp.split_by_sex(committed.submissions, 7)
    assert not other["value"].equals(again["value"])


def test_the_sample_loads_with_parts_and_gaps(dataset):
    assert dataset.synthetic
    assert dataset.load.summary["quarantined"] == 0 and dataset.load.summary["derived"] == 0
    assert len(dataset.by_sex) == sum(1 for _ in open(FOLDER / "submissions_by_sex_synthetic.csv")) - 1
    gap = I.sex_gap(I.compute(dataset.by_sex, "province", which=["stunting_u5"], by="sex"))
    assert len(gap) == dataset.by_sex["period"].nunique() and (gap["gap"] > 0).mean() > 0.8
