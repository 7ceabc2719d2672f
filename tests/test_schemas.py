"""The package data an official edits is checked by schema models: a bad key is named (issue 13)."""
import copy

import pytest

from btchild_analysis import schemas
from btchild_analysis._resources import load_yaml
from btchild_analysis.errors import EditionError, RegistryError
from btchild_analysis.standard import load_edition


def test_shipped_files_pass_their_schemas():
    schemas.check("elements.yaml", load_yaml("elements.yaml"), schemas.ElementFile)
    schemas.check("indicators.yaml", load_yaml("indicators.yaml"), schemas.IndicatorFile)
    for ed in ("cfc_2010", "cfc_2014", "cfc_2019"):
        assert load_edition(ed).criteria


def test_a_misspelt_indicator_key_is_named():
    data = copy.deepcopy(load_yaml("indicators.yaml"))
    data["indicators"]["stunting_u5"]["denominatr"] = data["indicators"]["stunting_u5"].pop("denominator")
    with pytest.raises(RegistryError, match=r"indicators\.yaml: indicators → stunting_u5 → denominat"):
        schemas.check("indicators.yaml", data, schemas.IndicatorFile)


def test_a_bad_operator_and_a_bad_element_kind_are_named():
    data = copy.deepcopy(load_yaml("indicators.yaml"))
    data["indicators"]["stunting_u5"]["targets"]["2020"]["op"] = "=<"
    with pytest.raises(RegistryError, match=r"stunting_u5 → targets → 2020 → op"):
        schemas.check("indicators.yaml", data, schemas.IndicatorFile)
    els = copy.deepcopy(load_yaml("elements.yaml"))
    els["elements"]["u5_measured"]["kind"] = "number"
    with pytest.raises(RegistryError, match=r"u5_measured → kind"):
        schemas.check("elements.yaml", els, schemas.ElementFile)


def test_an_edition_without_its_pass_marks_is_refused():
    data = copy.deepcopy(load_yaml("editions/cfc_2019.yaml"))
    del data["pass_rule"]["min_total_by_class"]
    with pytest.raises(EditionError, match=r"pass_rule → min_total_by_class: Field required"):
        schemas.check("editions/cfc_2019.yaml", data, schemas.EditionSpec, EditionError)


def test_every_label_is_a_pair_of_texts_in_vietnamese_and_english():
    # a block of labels (``sex: {male: {vi, en}, …}``, reached as ``label("sex.male")``) is walked into,
    # at any depth (``sex_gap: {short: {stunting_u5: {vi, en}}}``)
    def walk(prefix, v):
        if isinstance(v, dict) and v and not {"vi", "en"} & set(v):
            for k, vv in v.items():
                yield from walk(f"{prefix}.{k}" if prefix else str(k), vv)
        else:
            yield prefix, v

    labels = dict(walk("", load_yaml("labels.yaml")))
    assert len(labels) > 200 and "sex_gap.short.stunting_u5" in labels and "sex.male" in labels
    bad = {k: v for k, v in labels.items()
           if not (isinstance(v, dict) and set(v) == {"vi", "en"} and all(isinstance(t, str) and t for t in v.values()))}
    assert not bad


def _catalog_from(monkeypatch, indicators_yaml: dict):
    """``catalog.indicators()`` read from ``indicators_yaml`` instead of the package file."""
    from btchild_analysis import catalog
    real = catalog.load_yaml
    monkeypatch.setattr(catalog, "load_yaml", lambda name: indicators_yaml if name == "indicators.yaml" else real(name))
    catalog.indicators.cache_clear()
    return catalog


def test_the_catalog_builds_indicators_from_the_validated_entries_with_the_schemas_defaults(monkeypatch):
    entry = {"vi": "Tỷ lệ thử", "en": "A test rate", "area": "health", "numerator": "u5_stunted",
             "denominator": "u5_measured", "factor": 1000, "unit": "‰", "direction": "lower",
             "targets": {"2020": {"op": "<=", "value": 20}}}
    ranged = {**entry, "factor": 100, "range": [None, 5], "interval": "none", "aarr": True,
              "breaks": [{"year": 2017, "vi": "Luật Trẻ em", "en": "Law on Children"}]}
    try:
        catalog = _catalog_from(monkeypatch, {"indicators": {"per_mille": entry, "ranged": ranged}})
        per_mille, r = catalog.indicator("per_mille"), catalog.indicator("ranged")
        # the schema's defaults: Wilson interval, no AARR, no breaks, no English unit; a range from 0, open
        # above unless the factor is 100
        assert (per_mille.interval, per_mille.aarr, per_mille.breaks, per_mille.unit_en) == ("wilson", False, (), None)
        assert per_mille.bounds == (0.0, None) and per_mille.factor == 1000.0
        assert per_mille.targets == (catalog.Target(2020, "<=", 20.0, ""),) and per_mille.targets[0].met(20.0)
        assert r.bounds == (None, 5.0) and r.interval == "none" and r.trend_method == "aarr"
        assert r.break_years == (2017,) and r.breaks[0].reason("en") == "Law on Children"
        bad = {"indicators": {"per_mille": {**entry, "interval": "bootstrap"}}}
        catalog = _catalog_from(monkeypatch, bad)
        with pytest.raises(RegistryError, match=r"indicators\.yaml: indicators → per_mille → interval"):
            catalog.indicators()
    finally:
        monkeypatch.undo()
        catalog.indicators.cache_clear()
    assert catalog.indicator("stunting_u5").bounds == (0.0, 100.0)    # a percentage without a range: 0–100
