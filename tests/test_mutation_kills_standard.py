"""The child-friendly standard: faults planted by mutation testing (issue 17) that no earlier test caught.

Pass marks and flags come from the edition files, which quote the decisions (QĐ 37/2010, QĐ 34/2014,
QĐ 06/2019): 2019 pass marks 900 / 850 / 800 by class, no criterion at 0; 2010 pass marks 750 / 650.
"""
import dataclasses

import pandas as pd
import pytest

from btchild_analysis import admin_units, standard
from btchild_analysis.errors import EditionError

E19 = standard.load_edition("cfc_2019")
E10 = standard.load_edition("cfc_2010")
E14 = standard.load_edition("cfc_2014")
C2019 = [c.id for c in E19.criteria]
C2010 = [c.id for c in E10.criteria]


def sheet(code, year, scores, criteria):
    return pd.DataFrame({"commune_code": code, "year": year, "criterion": criteria, "score": scores})


def s19(total):
    """13 whole scores adding up to ``total`` within the confirmed maxima (C01 100, C06 125, C07 50)."""
    rest_total = total - 275
    rest = [rest_total // 10] * 10
    for i in range(rest_total - sum(rest)):
        rest[i] += 1
    return [100] + rest[:4] + [125, 50] + rest[4:]


def got19(total):
    return dict(zip(C2019, map(float, s19(total))))


# ------------------------------------------------------------------------------- pass marks

@pytest.mark.parametrize("klass, mark", [("phuong_quan_tp_tw", 900), ("con_lai", 850),
                                         ("xa_dac_biet_kho_khan", 800), ("mien_nui_hai_dao", 800)])
def test_2019_pass_mark_exactly_met_and_one_point_short(klass, mark):
    at = standard._verdict(E19, got19(mark), klass)
    assert (at["status"], at["threshold"], at["total"], at["provisional"]) == ("met", mark, mark, False)
    assert at["reasons_vi"] == at["reasons_en"] == ""
    below = standard._verdict(E19, got19(mark - 1), klass)
    assert below["status"] == "not_met"
    assert below["reasons_vi"] == f"Tổng {mark - 1} < {mark}" and below["reasons_en"] == f"Total {mark - 1} < {mark}"


def test_half_a_point_short_fails_and_is_written_as_it_is():
    got = got19(850)
    got["2019.C02"] -= 0.5
    v = standard._verdict(E19, got, "con_lai")
    assert v["status"] == "not_met" and v["total"] == 849.5 and v["reasons_en"] == "Total 849.5 < 850"


def test_verdict_counts_and_edition():
    v = standard._verdict(E19, got19(900), "con_lai")
    assert (v["edition"], v["class"], v["n_scored"], v["n_criteria"]) == ("cfc_2019", "con_lai", 13, 13)


def test_2010_mountain_pass_mark_and_partly_confirmed_marks_are_provisional():
    # 650 for mountain/island communes is "partial" in the edition file: used, but marked provisional
    scale = {c.id: c.max_points for c in E10.criteria}
    got = {cid: float(m) * 0.65 for cid, m in scale.items()}  # 65 % of 1000 = 650
    v = standard._verdict(E10, got, "mien_nui_hai_dao")
    assert v["total"] == pytest.approx(650) and v["status"] == "met" and v["provisional"] is True
    assert v["reasons_en"] == "pass mark 650 for class 'mien_nui_hai_dao' not confirmed"
    assert v["reasons_vi"] == "ngưỡng 650 điểm cho loại 'mien_nui_hai_dao' chưa được xác nhận"


def test_confirmed_means_exactly_true():
    assert E10.threshold("xa_phuong_tp_thuoc_tinh") == (750, False)  # "partial"
    assert E10.threshold("xa_dong_bang") == (750, False)             # false
    assert E14.threshold("phuong_quan_tp_tw") == (850, True)
    assert E19.min_total_by_class["xa_dac_biet_kho_khan"] == 800
    assert E19.min_total_by_class["phuong_quan_tp_tw"] == 900


# ------------------------------------------------------------------------------- the no-zero rule

def test_2019_every_zero_criterion_is_named_before_the_total():
    got = got19(900)
    got["2019.C03"] = 0.0
    got["2019.C07"] = 0.0    # 900 − 63 − 50 = 787 < 850
    v = standard._verdict(E19, got, "con_lai")
    t = v["total"]
    assert t == 787 and v["status"] == "not_met" and v["provisional"] is False
    assert v["reasons_vi"] == f"Tiêu chí 3 đạt 0 điểm; Tiêu chí 7 đạt 0 điểm; Tổng {t:g} < 850"
    assert v["reasons_en"] == f"Criterion 3 scored 0; Criterion 7 scored 0; Total {t:g} < 850"


def test_a_zero_is_allowed_where_the_edition_has_no_such_rule():
    # QĐ 37/2010 has no no-zero rule: a zero criterion with enough points passes
    got = {c.id: float(c.max_points) for c in E10.criteria}
    got["2010.street_children"] = 0.0          # 1000 − 25 = 975
    v = standard._verdict(E10, got, "phuong_quan_tp_tw")
    assert v["total"] == 975 and v["status"] == "met" and "0" not in v["reasons_en"].replace("850", "")


def test_a_verdict_resting_on_an_unconfirmed_no_zero_rule_is_provisional():
    ed = dataclasses.replace(E19, no_zero_confirmed="partial")
    got = got19(1000)
    got["2019.C07"] = 0.0                       # 950 ≥ 850: fails only by the no-zero rule
    v = standard._verdict(ed, got, "con_lai")
    assert v["status"] == "not_met" and v["provisional"] is True
    # the same sheet without a zero does not rest on the rule: not provisional
    assert standard._verdict(ed, got19(1000), "con_lai")["provisional"] is False
    # confirmed rule: not provisional
    assert standard._verdict(E19, got, "con_lai")["provisional"] is False


def test_the_reason_names_the_unconfirmed_no_zero_rule_not_the_pass_mark():
    ed = dataclasses.replace(E19, no_zero_confirmed=False)
    got = got19(1000)
    got["2019.C07"] = 0.0
    v = standard._verdict(ed, got, "con_lai")
    assert "pass mark 850" not in v["reasons_en"]   # 850 for con_lai is confirmed in the 2019 edition
    assert v["provisional"] and "no criterion may score 0 is not confirmed" in v["reasons_en"]


def test_missing_criterion_allowed_when_the_edition_does_not_require_all():
    ed = dataclasses.replace(E19, all_criteria_scored=False)
    got = got19(900)
    del got["2019.C05"]
    v = standard._verdict(ed, got, "con_lai")
    assert v["status"] in ("met", "not_met") and v["n_scored"] == 12
    assert v["status"] == ("met" if v["total"] >= 850 else "not_met")


def test_every_missing_criterion_is_named():
    got = got19(900)
    del got["2019.C05"], got["2019.C12"]
    v = standard._verdict(E19, got, "con_lai")
    assert v["status"] == "insufficient_data" and v["n_scored"] == 11
    assert v["reasons_vi"] == "Thiếu điểm Tiêu chí 5, Tiêu chí 12"
    assert v["reasons_en"] == "No score for Criterion 5, Criterion 12"


# ------------------------------------------------------------------------------- editions and lookups

def test_criterion_short_names():
    assert E19.criterion("2019.C07").short("vi") == "Tiêu chí 7" and E19.criterion("2019.C12").short("en") == "Criterion 12"
    c = E10.criterion("2010.street_children")
    assert c.short("vi") == "Trẻ em lang thang" and c.short("en") == "Street children" and c.short() == c.short("vi")


def test_unknown_criterion_class_and_edition_are_explained():
    with pytest.raises(EditionError, match=r"criterion '2019\.C99' is not part of edition cfc_2019: its criteria are 2019\.C01, 2019\.C02"):
        E19.criterion("2019.C99")
    with pytest.raises(EditionError, match=r"edition cfc_2019 has no pass mark for class 'ward'; classes: phuong_quan_tp_tw, "):
        E19.threshold("ward")
    with pytest.raises(EditionError, match=r"no edition 'cfc_1999'; editions: cfc_2010, cfc_2014, cfc_2019"):
        standard.load_edition("cfc_1999")


def test_value_and_confirmation_from_the_edition_file():
    assert standard._value({"value": 750, "confirmed": False}) == (750, False)
    assert standard._value({"value": 750}) == (750, True)       # a plain value is taken as confirmed
    assert standard._value(800) == (800, True)
    assert standard._value({}) == (None, True)


def test_edition_files_flags():
    assert E10.max_total == 1000 and E10.max_total_confirmed == "partial"
    assert E10.no_zero is False and E10.no_zero_confirmed is False and E10.all_criteria_scored is True
    assert E19.id == "cfc_2019" and E19.max_total_confirmed is False
    assert len(E10.audit_rules) == 3 and E14.audit_rules == ()


@pytest.mark.parametrize("year, edition", [(2010, "cfc_2010"), (2013, "cfc_2010"), (2014, "cfc_2014"),
                                           (2015, "cfc_2014"), (2018, "cfc_2014"), (2019, "cfc_2019"),
                                           (2100, "cfc_2019"), ("2016", "cfc_2014")])
def test_edition_for_each_year(year, edition):
    assert standard.edition_for_year(year) == edition


def test_transitional_choice_only_in_2014():
    assert standard.edition_for_year(2014, "cfc_2014") == "cfc_2014"
    assert standard.edition_for_year(2015, "cfc_2010") == "cfc_2014"   # no choice outside 2014
    with pytest.raises(EditionError, match="2014 can be scored under cfc_2014 or cfc_2010"):
        standard.edition_for_year(2014, "cfc_2019")
    with pytest.raises(EditionError, match=r"no edition of the child-friendly standard covers 2101 \(first: 2010\)"):
        standard.edition_for_year(2101)


def test_class_overrides_apply_to_their_year_only():
    o = pd.DataFrame({"commune_code": ["29230", "28804"], "year": ["2019", 2020], "class": ["xa_dac_biet_kho_khan"] * 2})
    k19 = standard.commune_classes(2019, o)
    assert k19["29230"] == "xa_dac_biet_kho_khan" and k19["28804"] == admin_units.units(2019).set_index("code").loc["28804", "class"]
    assert standard.commune_classes(2019, o.iloc[:0]).equals(standard.commune_classes(2019))


# ------------------------------------------------------------------------------- assess, audit, elements

def test_assess_columns_names_and_labels():
    df = pd.concat([sheet("28804", 2019, s19(860), C2019), sheet("29230", 2019, s19(820), C2019),
                    sheet("29230", 2020, s19(900), C2019)])
    a = standard.assess(df)
    assert a.columns.tolist()[:16] == ["commune_code", "name", "district_code", "district_name", "year", "edition", "class",
                                  "total", "threshold", "n_scored", "n_criteria", "status", "status_vi", "provisional",
                                  "reasons_vi", "reasons_en"]
    assert list(zip(a["commune_code"], a["year"], a["status"], a["status_vi"])) == [
        ("28804", 2019, "met", "đạt"), ("29230", 2019, "not_met", "chưa đạt"), ("29230", 2020, "met", "đạt")]
    u = admin_units.units(2019).set_index("code")
    assert a["name"].iloc[0] == u.loc["28804", "name"] and a["district_name"].iloc[1] == u.loc["29230", "district_name"]


def test_assess_of_nothing_is_empty():
    assert standard.assess(sheet("28804", 2019, [], [])).empty


def test_insufficient_data_label():
    a = standard.assess(sheet("28804", 2019, s19(900)[:12], C2019[:12]))
    assert a["status_vi"].iloc[0] == "không đủ dữ liệu" and standard.STATUS["insufficient_data"][1] == "insufficient data"


def imm(code, period, value, indicator="full_immunisation_u1"):
    return pd.DataFrame({"unit_code": [code], "period": [period], "indicator": [indicator], "value": [value]})


def test_audit_at_the_threshold_and_below_full_points():
    full = sheet("28804", 2019, s19(850), C2019)            # C07 scored 50 of 50
    assert standard.audit(full, imm("28804", "2019", 98.0)).empty      # ">= 98": 98 meets it
    f = standard.audit(full, imm("28804", "2019", 97.96))
    assert len(f) == 1 and f["value"].iloc[0] == 97.96 and bool(f["confirmed"].iloc[0]) is True
    assert f["message_vi"].iloc[0] == ("Tiêu chí 7: tự chấm 50/50 điểm nhưng full_immunisation_u1 = 98.0% "
                                      "(ngưỡng >= 98%)")
    assert f["message_en"].iloc[0] == "Criterion 7: self-scored 50/50 but full_immunisation_u1 = 98.0% (threshold >= 98%)"
    part = full.copy()
    part.loc[part["criterion"] == "2019.C07", "score"] = 49
    assert standard.audit(part, imm("28804", "2019", 50.0)).empty     # not full points: nothing to audit


def test_audit_ignores_six_monthly_values_other_units_and_missing_values():
    full = sheet("28804", 2019, s19(850), C2019)
    assert standard.audit(full, imm("28804", "2019H1", 10.0)).empty
    assert standard.audit(full, imm("28805", "2019", 10.0)).empty
    assert standard.audit(full, imm("28804", "2019", float("nan"))).empty


def test_audit_2010_unconfirmed_rule_and_strict_sign():
    scores = {c.id: c.max_points for c in E10.criteria}
    df = sheet("29173", 2012, list(scores.values()), list(scores))
    vals = pd.concat([imm("29173", "2012", 95.0),                                   # "> 95": 95 fails
                      imm("29173", "2012", 25.0, "stunting_u5"),                    # "< 20": 25 fails
                      imm("29173", "2012", 90.0, "birth_registration")])            # ">= 90": passes
    f = standard.audit(df, vals).set_index("indicator")
    assert sorted(f.index) == ["full_immunisation_u1", "stunting_u5"]
    assert not f.loc["stunting_u5", "confirmed"] and f.loc["full_immunisation_u1", "confirmed"] == False  # noqa: E712
    assert (f.loc["stunting_u5", "criterion"], f.loc["stunting_u5", "max_points"], f.loc["stunting_u5", "op"],
            f.loc["stunting_u5", "threshold"]) == ("2010.malnutrition_u5", 50, "<", 20)
    assert f.loc["full_immunisation_u1", "year"] == 2012 and f.loc["full_immunisation_u1", "score"] == 50.0


def test_as_elements_counts_only_met_and_fills_units_without_a_sheet():
    a = pd.DataFrame({"commune_code": ["28804", "29230", "28756"], "year": [2019, 2019, 2019],
                      "status": ["met", "not_met", "insufficient_data"]})
    e = standard.as_elements(a)
    n = len(admin_units.units(2019))
    assert len(e) == n and set(e["element"]) == {"child_friendly_met"} and set(e["period"]) == {"2019"}
    assert e["value"].sum() == 1.0 and e.set_index("commune_code").loc["28804", "value"] == 1.0
    assert e["commune_code"].nunique() == n and e.index.tolist() == list(range(n))
    assert e.columns.tolist() == ["commune_code", "period", "element", "value"] and e["value"].notna().all()
    assert e.set_index("commune_code").loc["28757", "value"] == 0.0    # no sheet: not recognised
    only = standard.as_elements(a, every_unit=False)
    assert only["value"].tolist() == [1.0, 0.0, 0.0] and only["commune_code"].tolist() == ["28804", "29230", "28756"]


# ------------------------------------------------------------------------------- an uncertain class

UNSURE = ("không rõ", "no confirmed list")


def test_the_other_class_pass_mark():
    assert standard._other_threshold(E19, "con_lai") == 800
    assert standard._other_threshold(E19, "xa_dac_biet_kho_khan") == 850
    assert standard._other_threshold(E19, "mien_nui_hai_dao") is None     # 800 either way
    assert standard._other_threshold(E10, "mien_nui_hai_dao") == 750
    assert standard._other_threshold(E10, "xa_dong_bang") is None         # 750 either way


@pytest.mark.parametrize("total, provisional", [(799, False), (800, True), (849, True), (850, False)])
def test_uncertain_class_makes_provisional_only_the_totals_between_the_two_marks(total, provisional):
    v = standard._verdict(E19, got19(total), "con_lai", UNSURE)
    assert v["provisional"] is provisional
    assert v["status"] == ("met" if total >= 850 else "not_met")
    tail = "class uncertain: no confirmed list; with the pass mark 800 the verdict would differ"
    assert v["reasons_en"].endswith(tail) is provisional
    if provisional:
        assert v["reasons_vi"].endswith("loại xã chưa chắc chắn: không rõ; với ngưỡng 800 điểm kết quả sẽ khác")


def test_uncertain_class_does_not_matter_for_a_missing_or_zero_criterion():
    got = got19(820)
    del got["2019.C05"]
    assert standard._verdict(E19, got, "con_lai", UNSURE)["provisional"] is False
    got = got19(820)
    got["2019.C07"] = 0.0
    v = standard._verdict(E19, got, "con_lai", UNSURE)
    assert v["status"] == "not_met" and v["provisional"] is False and "class uncertain" not in v["reasons_en"]


def test_a_certain_class_is_never_provisional_on_that_ground():
    assert standard._verdict(E19, got19(820), "con_lai")["provisional"] is False


def test_defaults_of_an_edition_file_that_leaves_rules_out(monkeypatch):
    # a new edition file with only a pass mark: no no-zero rule, every criterion must be scored, no audit
    spec = {"id": "cfc_test", "vi": "thử", "en": "test", "legal_basis": {}, "max_total": 100,
            "criteria": [{"id": "t.C01", "vi": "a", "en": "a", "max_points": 100}],
            "pass_rule": {"min_total_by_class": {"con_lai": {"value": 50, "confirmed": False}}}}
    monkeypatch.setattr(standard, "load_yaml", lambda name: spec)
    ed = standard.load_edition.__wrapped__("cfc_test")
    assert (ed.no_zero, ed.no_zero_confirmed, ed.all_criteria_scored, ed.audit_rules) == (False, True, True, ())
    assert (ed.max_total, ed.max_total_confirmed, ed.thresholds) == (100, True, {"con_lai": (50, False)})
    assert ed.criteria[0].max_points == 100 and ed.criteria[0].confirmed is None


# ------------------------------------------------------------------------------- classes and their lists

def test_listed_classes_in_force_on_the_reference_date():
    # An Quy (Thạnh Phú) is on 539/QĐ-TTg for 2013–2015 (valid 1/4/2013 – 31/12/2015)
    t13 = standard.class_table(2013)
    assert t13.loc["29218", "class"] == "xa_dac_biet_kho_khan" and t13.loc["29218", "class_basis"].startswith("539/QĐ-TTg")
    assert (t13["class"] == "xa_dac_biet_kho_khan").sum() == 16
    assert (t13["class_unsure_en"] == "").all()          # the 2013 lists are partly confirmed: no doubt raised
    t16 = standard.class_table(2016)
    assert (t16.loc["29218", "class"], t16.loc["29218", "class_basis"]) == ("xa_dong_bang", "register")
    # Hưng Phong and Tam Hiệp recognised as island communes by 589/QĐ-TTg (20/4/2021)
    t21 = standard.class_table(2021)
    assert t21.loc[["29023", "29053"], "class"].tolist() == ["mien_nui_hai_dao"] * 2
    assert (t21["class"] == "mien_nui_hai_dao").sum() == 2 and t21.loc["29023", "class_basis"].startswith("589/QĐ-TTg")


def test_a_year_without_a_confirmed_list_says_so_with_the_note():
    t = standard.class_table(2016)
    assert t.loc["29218", "class_unsure_en"] == ("no confirmed list of 'xa_dac_biet_kho_khan' for 2016 "
                                                 "(the Bến Tre part of these decisions could not be found)")
    assert t.loc["29218", "class_unsure_vi"] == ("chưa xác nhận được danh sách 'xa_dac_biet_kho_khan' năm 2016 "
                                                 "(chưa tìm được danh sách xã của Bến Tre trong các quyết định này)")
    t30 = standard.class_table(2030)      # no list known at all: both listed classes in doubt, no note
    assert set(t30["class_unsure_en"]) == {"no confirmed list of 'xa_dac_biet_kho_khan' for 2030; "
                                           "no confirmed list of 'mien_nui_hai_dao' for 2030"}
    assert set(t30["class_unsure_vi"]) == {"chưa xác nhận được danh sách 'xa_dac_biet_kho_khan' năm 2030; "
                                           "chưa xác nhận được danh sách 'mien_nui_hai_dao' năm 2030"}
    assert standard.class_lists(2030) == {"xa_dac_biet_kho_khan": None, "mien_nui_hai_dao": None}
    assert standard.class_lists(2013)["xa_dac_biet_kho_khan"]["confirmed"] == "partial"


def test_a_supplied_list_settles_its_class_for_its_year():
    o = pd.DataFrame({"commune_code": ["28804", "29230"], "year": [2019, 2018], "class": ["xa_dac_biet_kho_khan"] * 2})
    t = standard.class_table(2019, o)
    assert (t.loc["28804", "class"], t.loc["28804", "class_basis"]) == ("xa_dac_biet_kho_khan", "supplied list")
    assert t.loc["29230", "class"] != "xa_dac_biet_kho_khan"            # the 2018 row is not for 2019
    assert (t["class_unsure_en"] == "").all() and (t["class_unsure_vi"] == "").all()
    named = standard.class_table(2019, o.assign(source="Sở LĐ-TB&XH 2019"))
    assert named.loc["28804", "class_basis"] == "Sở LĐ-TB&XH 2019"
    other_year = standard.class_table(2019, o.assign(year=2018))
    assert other_year.loc["28804", "class_unsure_en"].startswith("no confirmed list of 'xa_dac_biet_kho_khan' for 2019")


def test_assess_carries_the_class_doubt_into_the_verdict():
    df = pd.concat([sheet("29230", 2019, s19(820), C2019), sheet("28804", 2019, s19(860), C2019)])
    a = standard.assess(df).set_index("commune_code")
    doubt = a.loc["29230"]                 # 820: fails at 850, would pass at 800 if especially difficult
    assert doubt["status"] == "not_met" and bool(doubt["provisional"]) is True
    assert doubt["reasons_en"].startswith("Total 820 < 850; class uncertain: no confirmed list of 'xa_dac_biet_kho_khan'")
    assert doubt["class_basis"] == "register"
    assert bool(a.loc["28804", "provisional"]) is False   # 860 passes under either mark


def test_a_unit_not_in_the_register_is_judged_as_an_ordinary_commune():
    a = standard.assess(sheet("99999", 2019, s19(850), C2019)).iloc[0]
    assert (a["class"], a["threshold"], a["status"], a["class_basis"]) == ("con_lai", 850, "met", "")
    assert pd.isna(a["name"])


# ------------------------------------------------------------------------------- audit: more communes, 2014, columns

AUDIT_COLUMNS = ["commune_code", "year", "criterion", "score", "max_points", "indicator", "value", "op",
                 "threshold", "confirmed", "message_vi", "message_en"]


def test_audit_checks_every_commune_after_one_that_passes():
    # two communes with full points on C07 in 2019: the first meets ">= 98", the second does not
    full = pd.concat([sheet("28756", 2019, s19(850), C2019), sheet("28804", 2019, s19(850), C2019)])
    vals = pd.concat([imm("28756", "2019", 99.0), imm("28804", "2019", 90.0)])
    f = standard.audit(full, vals)
    assert f["commune_code"].tolist() == ["28804"] and f["criterion"].tolist() == ["2019.C07"]
    assert list(f.columns) == AUDIT_COLUMNS


def test_audit_value_rounded_to_two_decimals():
    f = standard.audit(sheet("28804", 2019, s19(850), C2019), imm("28804", "2019", 97.9549))
    assert f["value"].iloc[0] == 97.95                    # two decimals, not 97.955
    assert "= 98.0% (threshold >= 98%)" in f["message_en"].iloc[0]


def test_audit_without_flags_keeps_its_columns():
    f = standard.audit(sheet("28804", 2019, s19(850), C2019), imm("28804", "2019", 99.0))
    assert f.empty and list(f.columns) == AUDIT_COLUMNS


def test_audit_of_a_2014_round_scored_under_the_2010_standard():
    # 2014 is transitional: under QĐ 34/2014 (the default) nothing is audited; scored under QĐ 37/2010
    # the 2010 rules apply (birth registration ">= 90": 80 fails)
    scores = {c.id: c.max_points for c in E10.criteria}
    df = sheet("29173", 2014, list(scores.values()), list(scores))
    vals = imm("29173", "2014", 80.0, "birth_registration")
    assert standard.audit(df, vals).empty
    f = standard.audit(df, vals, transitional="cfc_2010")
    assert (f["criterion"].tolist(), f["year"].tolist(), f["threshold"].tolist()) == (["2010.birth_registration"], [2014], [90])


def test_assess_rows_sorted_by_year_then_commune_whatever_the_input_order():
    df = pd.concat([sheet("29230", 2020, s19(900), C2019), sheet("29230", 2019, s19(820), C2019),
                    sheet("28804", 2019, s19(860), C2019)])
    a = standard.assess(df)
    assert list(zip(a["year"], a["commune_code"])) == [(2019, "28804"), (2019, "29230"), (2020, "29230")]


def test_the_reasons_of_a_verdict_on_an_unconfirmed_no_zero_rule_word_for_word():
    ed = dataclasses.replace(E19, no_zero_confirmed=False)
    got = got19(1000)
    got["2019.C07"] = 0.0                       # 950 ≥ 850: fails only by the no-zero rule
    v = standard._verdict(ed, got, "con_lai")
    assert v["reasons_vi"] == "Tiêu chí 7 đạt 0 điểm; quy tắc không tiêu chí nào 0 điểm chưa được xác nhận"
    assert v["reasons_en"] == "Criterion 7 scored 0; the rule that no criterion may score 0 is not confirmed"


@pytest.mark.parametrize("valid_from, valid_to, listed", [
    ("2024-10-31", "2026-12-31", True),    # in force from the reference date of 2024 (31 October) itself
    ("2020-01-01", "2024-10-31", True),    # … or until that day
    ("2024-11-01", "2026-12-31", False),   # a day late: the register's class
    ("2020-01-01", "2024-10-30", False),
])
def test_a_class_list_counts_on_its_first_and_last_day(monkeypatch, valid_from, valid_to, listed):
    import datetime as dt
    rows, lists = standard._class_data()
    rows = rows.copy()
    hung_phong = rows["commune_code"] == "29023"            # xã đảo (589/QĐ-TTg), register class xa_dong_bang
    rows.loc[hung_phong, "valid_from"] = dt.date.fromisoformat(valid_from)
    rows.loc[hung_phong, "valid_to"] = dt.date.fromisoformat(valid_to)
    monkeypatch.setattr(standard, "_class_data", lambda: (rows, lists))
    expected = "mien_nui_hai_dao" if listed else "xa_dong_bang"
    assert standard.class_table(2024).loc["29023", "class"] == expected
