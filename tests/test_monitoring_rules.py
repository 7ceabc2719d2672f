"""Issue 14's monitoring rules, each with a hand-worked case: register dates, commune classes,
series-break metadata and the stated interval of every indicator."""
import pandas as pd
import pytest

from btchild_analysis import indicators as I
from btchild_analysis import admin_units, standard
from btchild_analysis.catalog import indicator, indicators


# ----------------------------------------------------------------------------- register

@pytest.mark.parametrize("on, city, chau_thanh", [("2013-04-05", 16, 23), ("2012", 16, 23), ("2012H1", 16, 23),
                                                  ("2013-04-06", 17, 22), ("2013", 17, 22)])
def test_membership_before_resolution_49_of_2013(on, city, chau_thanh):
    # 49/NQ-CP (05/4/2013): "Thành phố Bến Tre ... có 10 phường và 07 xã"; Châu Thành "còn lại ... 22"
    d = admin_units.districts(on).set_index("district_code")
    assert (d.loc["829", "n_units"], d.loc["831", "n_units"]) == (city, chau_thanh)
    my_thanh = admin_units.units(on).set_index("code").loc["28867"]
    assert my_thanh["district_name"] == ("Thành phố Bến Tre" if city == 17 else "Huyện Châu Thành")
    assert len(admin_units.units(on)) == 164


def test_a_2012_report_aggregates_my_thanh_into_chau_thanh():
    d = pd.DataFrame([("28867", "2012", "u5_measured", 100), ("28867", "2012", "u5_stunted", 30),
                      ("28867", "2014", "u5_measured", 100), ("28867", "2014", "u5_stunted", 20)],
                     columns=["commune_code", "period", "element", "value"])
    out = I.compute(d, "district", which=["stunting_u5"]).set_index("period")
    assert out.loc["2012", "unit_code"] == "831" and out.loc["2014", "unit_code"] == "829"
    assert out.loc["2012", "communes_expected"] == 23 and out.loc["2014", "communes_expected"] == 17


def test_after_july_2025_the_aggregate_is_the_former_ben_tre_area_coded_86():
    u = admin_units.units("2025-07-01")
    assert set(u["province_code"]) == {"86"}
    assert set(u["province_name"]) == {"Địa bàn tỉnh Bến Tre cũ (nay thuộc tỉnh Vĩnh Long)"}
    assert set(admin_units.units("2025-06-30")["province_code"]) == {"83"}


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


# ----------------------------------------------------------------------------- commune classes

C2019 = [c.id for c in standard.load_edition("cfc_2019").criteria]


def sheet19(code, year, total):
    """13 criteria summing to ``total``, none zero (criterion 1 takes the remainder)."""
    rest = [60] * 12
    return pd.DataFrame({"commune_code": code, "year": year, "criterion": C2019,
                         "score": [float(total - sum(rest))] + [float(x) for x in rest]})


def verdict(df, classes=None):
    return standard.assess(df, classes).iloc[0]


def test_an_island_commune_at_849_in_2022_passes_at_800():
    # Xã Tam Hiệp (29053), recognised as an island commune by 589/QĐ-TTg of 20/4/2021
    v = verdict(sheet19("29053", 2022, 849))
    assert v["class"] == "mien_nui_hai_dao" and v["threshold"] == 800 and v["status"] == "met"
    assert "589/QĐ-TTg" in v["class_basis"] and not v["provisional"]


def test_before_recognition_the_same_commune_is_ordinary():
    v = verdict(sheet19("29053", 2020, 849))  # 2020: before 589/QĐ-TTg
    assert v["class"] == "xa_dong_bang" and v["threshold"] == 850 and v["status"] == "not_met"
    # 2020 has no confirmed list of especially difficult communes: at 800 it would pass → provisional, said why
    assert v["provisional"] and "xa_dac_biet_kho_khan" in v["reasons_en"] and "2020" in v["reasons_en"]


def test_provisional_band_is_800_to_849():
    at800 = verdict(sheet19("29173", 2022, 800))  # fails at 850, passes at 800: in doubt
    assert at800["status"] == "not_met" and at800["provisional"]
    at850 = verdict(sheet19("29173", 2022, 850))
    assert at850["status"] == "met" and not at850["provisional"]


def test_a_verdict_the_class_cannot_change_is_not_provisional():
    for total, status in ((870, "met"), (790, "not_met")):  # above 850 or below 800: same in any class
        v = verdict(sheet19("29173", 2022, total))
        assert v["status"] == status and not v["provisional"], total


def test_a_supplied_list_is_the_complete_list_of_its_year():
    classes = pd.DataFrame({"commune_code": ["29230"], "year": [2022], "class": ["xa_dac_biet_kho_khan"],
                            "source": ["synthetic list (not a legal list)"]})
    listed = verdict(sheet19("29230", 2022, 820), classes)
    assert listed["status"] == "met" and listed["threshold"] == 800 and not listed["provisional"]
    assert listed["class_basis"] == "synthetic list (not a legal list)"
    other = verdict(sheet19("29173", 2022, 820), classes)
    assert other["status"] == "not_met" and not other["provisional"] and other["class_basis"] == "register"


def test_class_table_rows_carry_their_legal_basis():
    t = standard.class_table(2022)
    assert set(t.loc[t["class"] == "mien_nui_hai_dao"].index) == {"29023", "29053"}
    assert (t["class_unsure_en"] != "").all()  # 2022: 353/QĐ-TTg names not confirmed
    t14 = standard.class_table(2014)  # 539/QĐ-TTg (2013–2015), partly confirmed: used, nothing in doubt
    assert (t14["class"] == "xa_dac_biet_kho_khan").sum() == 16 and (t14["class_unsure_en"] == "").all()
    assert standard.class_lists(2030)["xa_dac_biet_kho_khan"] is None


def test_a_supplied_list_keeps_the_legal_island_list():
    classes = pd.DataFrame({"commune_code": ["29230"], "year": [2022], "class": ["xa_dac_biet_kho_khan"]})
    t = standard.class_table(2022, classes)
    assert t.loc["29053", "class"] == "mien_nui_hai_dao" and t.loc["29230", "class_basis"] == "supplied list"
    assert (t["class_unsure_en"] == "").all()  # both classes now have a list for 2022
    t25 = standard.class_table(2025, classes.assign(year=2025, commune_code="29020"))
    assert (t25["class_unsure_en"] != "").all() and "mien_nui_hai_dao" in t25["class_unsure_en"].iloc[0]
