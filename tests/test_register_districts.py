"""Districts named loosely: admin_units.find_district."""
import pytest

from btchild_analysis import admin_units as reg
from btchild_analysis.errors import RegisterError


@pytest.mark.parametrize("text", ["Ba Tri", "ba tri", "H. Ba Tri", "Huyện Ba Tri", "huyen ba tri",
                                  "HUYỆN  BA TRI ", "836", 836, " 836"])
def test_ba_tri_by_any_name(text):
    row = reg.find_district(text)
    assert row["district_code"] == "836"
    assert row["district_name"] == "Huyện Ba Tri"


@pytest.mark.parametrize("text", ["TP Bến Tre", "Thành phố Bến Tre", "tp ben tre", "TP. Bến Tre",
                                  "thanh pho ben tre", "Bến Tre", 829])
def test_city_by_any_name(text):
    assert reg.find_district(text)["district_code"] == "829"


def test_decomposed_unicode_is_the_same_name():
    import unicodedata
    assert reg.find_district(unicodedata.normalize("NFD", "Huyện Mỏ Cày Bắc"))["district_code"] == "838"
    # Mỏ Cày Nam and Mỏ Cày Bắc differ only by the last word: no mix-up
    assert reg.find_district("mo cay nam")["district_code"] == "833"


def test_units_of_a_year():
    # Ba Tri had 24 units in 2013 and 23 after 856/NQ-UBTVQH14 (GSO lists)
    assert reg.find_district("Ba Tri", 2019)["n_units"] == 24
    assert reg.find_district("Ba Tri", 2020)["n_units"] == 23


@pytest.mark.parametrize("text", ["Ba Trii", "830", "", "Bến", 8360, "Châu Thành A"])
def test_unknown_lists_names_and_codes(text):
    with pytest.raises(RegisterError) as e:
        reg.find_district(text)
    msg = str(e.value)
    for name, code in [("Huyện Ba Tri", "836"), ("Thành phố Bến Tre", "829"), ("Huyện Mỏ Cày Bắc", "838")]:
        assert name in msg and code in msg
    assert msg.count("(8") == 9


def test_no_districts_after_2025_07():
    with pytest.raises(RegisterError, match="no districts"):
        reg.find_district("Ba Tri", "2025-07-01")
