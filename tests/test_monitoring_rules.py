"""Issue 14's monitoring rules, each with a hand-worked case: register dates, commune classes,
series-break metadata and the stated interval of every indicator."""
import pandas as pd
import pytest

from btchild_analysis import indicators as I
from btchild_analysis import register, standard
from btchild_analysis.registry import indicator, indicators


# ----------------------------------------------------------------------------- register

@pytest.mark.parametrize("on, city, chau_thanh", [("2013-04-05", 16, 23), ("2012", 16, 23), ("2012H1", 16, 23),
                                                  ("2013-04-06", 17, 22), ("2013", 17, 22)])
def test_membership_before_resolution_49_of_2013(on, city, chau_thanh):
    # 49/NQ-CP (05/4/2013): "Thành phố Bến Tre ... có 10 phường và 07 xã"; Châu Thành "còn lại ... 22"
    d = register.districts(on).set_index("district_code")
    assert (d.loc["829", "n_units"], d.loc["831", "n_units"]) == (city, chau_thanh)
    my_thanh = register.units(on).set_index("code").loc["28867"]
    assert my_thanh["district_name"] == ("Thành phố Bến Tre" if city == 17 else "Huyện Châu Thành")
    assert len(register.units(on)) == 164


def test_a_2012_report_aggregates_my_thanh_into_chau_thanh():
    d = pd.DataFrame([("28867", "2012", "u5_measured", 100), ("28867", "2012", "u5_stunted", 30),
                      ("28867", "2014", "u5_measured", 100), ("28867", "2014", "u5_stunted", 20)],
                     columns=["commune_code", "period", "element", "value"])
    out = I.compute(d, "district", which=["stunting_u5"]).set_index("period")
    assert out.loc["2012", "unit_code"] == "831" and out.loc["2014", "unit_code"] == "829"
    assert out.loc["2012", "communes_expected"] == 23 and out.loc["2014", "communes_expected"] == 17


def test_after_july_2025_the_aggregate_is_the_former_ben_tre_area_coded_86():
    u = register.units("2025-07-01")
    assert set(u["province_code"]) == {"86"}
    assert set(u["province_name"]) == {"Địa bàn tỉnh Bến Tre cũ (nay thuộc tỉnh Vĩnh Long)"}
    assert set(register.units("2025-06-30")["province_code"]) == {"83"}


# ----------------------------------------------------------------------------- metadata

def test_series_breaks_in_the_metadata():
    assert indicator("child_friendly_commune").break_years == (2014, 2019)
    assert indicator("special_circumstances").break_years == (2017,)
    assert indicator("special_circumstances_assisted").break_years == (2017,)
    assert indicator("stunting_u5").break_years == ()
    assert "102/2016/QH13" in indicator("special_circumstances").breaks[0].reason("en")


def test_every_indicator_states_its_interval():
    for ind in indicators().values():
        assert ind.interval == ("none" if ind.is_share_of_communes else "wilson"), ind.id


def test_one_method_per_indicator():
    assert {k for k, i in indicators().items() if i.trend_method == "aarr"} == {"stunting_u5", "underweight_u5"}
    assert indicator("stunting_u5").bounds == (0.0, 100.0) and indicator("abuse_rate").bounds == (0.0, None)
