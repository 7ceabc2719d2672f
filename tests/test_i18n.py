"""One lookup of user-facing text (issue 13): ``i18n.label`` refuses an unknown language and no module
chooses a text with a vi/en conditional.  Expected texts are the ones written in labels.yaml / the
issue, checked by hand; dates and separators are the Vietnamese and ISO conventions."""
from __future__ import annotations

import datetime as dt
import re
import string
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from btchild_analysis import anthro_quality, fmt, i18n, messages, portfolio_index, style
from btchild_analysis._resources import load_yaml
from btchild_analysis.anthro_io import MeasurementSet
from btchild_analysis.anthropometry import indicator_label
from btchild_analysis.errors import BtchildError, LanguageError
from btchild_analysis.figure_text import period_label
from btchild_analysis.standard import Criterion

PACKAGE = Path(i18n.__file__).parent

#: A text chosen by a conditional on the language: ``"…" if lang == "vi" else "…"``, ``lang != "en"``,
#: ``pair[0 if lang == "vi" else 1]``, ``pair[0 if vi else 1]``, ``check_lang(lang) == "vi" else``, and the
#: command line's enum: ``lang == Lang.vi``, ``lang is not Lang.en``, ``Lang.vi == lang``, ``lang.value == "en"``.
#: Any comparison (``==``, ``!=``, ``is``, ``is not``) with a language literal, on either side, is one.
_LANG = r"""(?:['"](?:vi|en)['"]|\bLang\.(?:vi|en)\b)"""
TERNARY = re.compile(rf"""(?:[!=]=|\bis(?:\s+not)?)\s*{_LANG}|{_LANG}\s*(?:[!=]=|\bis\b)|\[\s*0\s+if\s+vi\s+else""")

#: Modules other helpers are editing today (issue 13 leaves them to their owners); each is listed in
#: the session report.  A module leaves this set when its last conditional goes.
PENDING: set[str] = set()

#: Behaviour that is not a choice of text: Vietnamese pages show a unit's name as registered
#: (messages.unit_name), so the language decides whether the English type words are applied.
ALLOWED = {("messages.py", 'if check_lang(lang) == "vi":')}


def ternaries(source: str, name: str = "") -> list[str]:
    """Lines of ``source`` that choose by language (code only: comments are skipped)."""
    found = []
    for line in source.splitlines():
        code = line.split("#", 1)[0]
        if TERNARY.search(code) and (name, line.strip()) not in ALLOWED:
            found.append(line.strip())
    return found


@pytest.mark.parametrize("planted", [
    'title = "Năm" if lang == "vi" else "Year"',
    "head = ('Xã', 'Commune')[0 if lang == 'vi' else 1]",
    'x = a if lang != "en" else b',
    'return f"6 tháng {y}" if check_lang(lang) == "vi" else f"{y} H1"',
    'v = PAIRS[k][0 if vi else 1]',
    """_say(f"  {'giá trị bất thường' if lang == Lang.vi else 'outliers'}: {n}")""",
    'word = "Nữ" if lang is Lang.vi else "Female"',
    'if lang is not Lang.en: head = "Xã"',
    'head = "Commune" if Lang.en == lang else "Xã"',
    'x = a if lang.value != "en" else b',
    'x = a if "vi" == language else b',
])
def test_the_detector_finds_a_planted_ternary(planted):
    assert ternaries(f"def f(lang):\n    {planted}\n") == [planted]


@pytest.mark.parametrize("fine", [
    "def load(lang: Lang = typer.Option(Lang.vi)) -> None:",
    'LANGUAGES = ("vi", "en")',
    "_say(f\"  {label('cli.outliers', lang.value)}: {n}\")",
    'x = n + 1  # a comment saying lang == Lang.vi is not code',
])
def test_the_detector_leaves_a_language_that_is_passed_on(fine):
    """A default, the list of languages, a lookup: no text chosen (and a comment is not code)."""
    assert ternaries(f"def f(lang):\n    {fine}\n") == []


def test_no_module_chooses_a_text_with_a_language_conditional():
    bad = {}
    for path in sorted(PACKAGE.glob("*.py")):
        if path.name in PENDING:
            continue
        hits = ternaries(path.read_text(encoding="utf-8"), path.name)
        if hits:
            bad[path.name] = hits
    assert not bad, f"use i18n.label / i18n.in_lang instead: {bad}"


def test_an_unknown_language_is_refused_naming_the_allowed_ones():
    with pytest.raises(LanguageError, match=r"unknown language 'fr': use one of vi, en"):
        i18n.label("no_data", "fr")
    with pytest.raises(LanguageError, match="vi, en"):
        i18n.in_lang(("Đạt", "Met"), "fr")
    assert issubclass(LanguageError, BtchildError)


@pytest.mark.parametrize("call", [
    lambda: fmt.date(dt.date(2024, 3, 5), "fr"),
    lambda: fmt.join_names(["A", "B"], "EN"),
    lambda: period_label("2015H1", "fr"),
    lambda: indicator_label("stunting", "fr"),
    lambda: anthro_quality.text("title", "fr"),
    lambda: Criterion("2019.C07", "Tiêu chí bảy", "Seven", 100, True).short("fr"),
    lambda: messages.text("key", "gained", "fr", n=2),
])
def test_every_text_lookup_refuses_an_unknown_language(call):
    """Before, some of these fell back to English and others to Vietnamese."""
    with pytest.raises(LanguageError):
        call()


def test_an_unknown_key_names_the_file_to_add_it_to():
    with pytest.raises(i18n.LabelError, match=r"no label 'no_such_text' in btchild_analysis/data/labels.yaml"):
        i18n.label("no_such_text", "vi")
    assert issubclass(i18n.LabelError, KeyError) and issubclass(i18n.LabelError, BtchildError)
    with pytest.raises(i18n.LabelError, match="no heading 'records'"):
        anthro_quality.text("records", "vi")  # a check's label, not a heading of the report


def test_fields_are_filled_and_blocks_reached_with_a_dotted_key(monkeypatch):
    table = {"greeting": {"vi": "Chào {name}", "en": "Hello {name}"},
             "sex": {"male": {"vi": "Nam", "en": "Male"}, "female": {"vi": "Nữ", "en": "Female"}}}
    monkeypatch.setattr(i18n, "load_yaml", lambda name: table)
    assert i18n.label("greeting", "en", name="Ba Tri") == "Hello Ba Tri"
    assert i18n.label("greeting", "vi") == "Chào {name}"  # no fields: the text as written
    assert (i18n.label("sex.male", "vi"), i18n.label("sex.female", "en")) == ("Nam", "Female")
    with pytest.raises(i18n.LabelError, match="is a block, not a text: name one of its keys"):
        i18n.label("sex", "vi")
    with pytest.raises(i18n.LabelError, match="no label 'sex.other'"):
        i18n.label("sex.other", "vi")


def test_style_serves_the_same_lookup():
    assert style.label is i18n.label and style.check_lang is i18n.check_lang


def _texts(node, path=()):
    """Every (key, entry) of labels.yaml, walking into blocks."""
    for k, v in node.items():
        if isinstance(v, dict) and not ({"vi", "en"} & set(v)):
            yield from _texts(v, path + (k,))
        else:
            yield ".".join(path + (k,)), v


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_label_is_two_texts_with_the_same_fields():
    bad = {}
    for key, v in _texts(load_yaml("labels.yaml")):
        if not (isinstance(v, dict) and set(v) == {"vi", "en"} and all(isinstance(t, str) and t for t in v.values())):
            bad[key] = "not a pair of texts"
        elif _fields(v["vi"]) != _fields(v["en"]):
            bad[key] = f"fields differ: {_fields(v['vi'])} / {_fields(v['en'])}"
    assert not bad, bad


# ---------------------------------------------------------------- the texts moved out of code


def test_dates_and_periods_are_written_the_page_way():
    day = dt.date(2024, 3, 5)
    assert (fmt.date(day, "vi"), fmt.date(day, "en")) == ("05/03/2024", "2024-03-05")
    assert (period_label("2015H1", "vi"), period_label("2015H1", "en")) == ("6 tháng đầu 2015", "2015 H1")
    assert portfolio_index.period_text("2024H1", "vi")[1].endswith("30/04/2024")  # the window's last day, d/m/Y
    assert portfolio_index.period_text("2024H1", "en")[1].count("2024-04-30") == 1


def test_names_are_joined_with_the_page_words():
    assert fmt.join_names(["A", "B", "C"], "vi") == "A, B và C"
    assert fmt.join_names(["A", "B", "C", "D"], "vi", limit=2) == "A, B và 2 xã khác"
    assert fmt.join_names(["A", "B", "C", "D"], "en", limit=3) == "A, B, C and 1 more"
    many = [f"X{i}" for i in range(messages.NAMES_LIMIT + 2)]
    assert messages._join(many, "en").count(" and ") == 1


def test_criterion_short_names():
    c = Criterion("2019.C07", "Tiêu chí bảy", "Seven", 100, True)
    assert (c.short("vi"), c.short("en")) == ("Tiêu chí 7", "Criterion 7")
    other = Criterion("2019.extra", "Điểm cộng", "Bonus", None, False)
    assert (other.short("vi"), other.short("en")) == ("Điểm cộng", "Bonus")


def test_measurement_summary_in_both_languages():
    ms = MeasurementSet(records=pd.DataFrame({"x": [1, 2, 3]}), quarantine=pd.DataFrame({"x": [1]}),
                        duplicates_folded=2, files=["a.csv"])
    assert ms.summary_text("vi") == "1 tệp, 6 trẻ (dòng) đọc được: 3 nhận, 1 cách ly, 2 trùng lặp gộp"
    assert ms.summary_text("en") == "1 files, 6 children (rows) read: 3 accepted, 1 quarantined, 2 duplicates folded"


def test_anthropometry_report_texts():
    assert anthro_quality.text("source", "en", ref="x") == (
        "z-scores of the WHO 2006 Child Growth Standards, reference tables of the package x.")
    # WHO's flag limits (WHO Anthro): HAZ outside ±6, WAZ below -6 or above 5, WHZ outside ±5
    assert anthro_quality.limits_text("vi") == ("Giá trị bị đánh dấu (loại khỏi tỷ lệ): "
                                                "HAZ < -6 hoặc > 6; WAZ < -6 hoặc > 5; WHZ < -5 hoặc > 5")
    assert anthro_quality.limits_text("en") == ("Flagged (excluded from prevalence): "
                                                "HAZ < -6 or > 6; WAZ < -6 or > 5; WHZ < -5 or > 5")
    assert (indicator_label("stunting", "vi"), indicator_label("stunting", "en")) == (
        load_yaml("anthropometry.yaml")["indicators"]["stunting"]["vi"],
        load_yaml("anthropometry.yaml")["indicators"]["stunting"]["en"])


def test_prevalence_table_headings_follow_the_language():
    prev = pd.DataFrame({"level": ["commune"] * 2, "unit_name": ["Xã A", "Xã A"], "sex": ["male", "female"],
                         "age_group": ["all", "all"], "indicator": ["stunting", "stunting"],
                         "numerator": [3, 2], "denominator": [30, 40], "value": [10.0, 5.0],
                         "ci_low": [3.5, 1.4], "ci_high": [25.6, 16.5], "base_mark": ["", ""]})
    vi = anthro_quality.prevalence_table(prev, lang="vi", by="sex")
    en = anthro_quality.prevalence_table(prev, lang="en", by="sex")
    assert list(vi.columns[:3]) == ["Đơn vị", "Giới", "Chỉ tiêu"] and vi["Giới"].tolist() == ["Nam", "Nữ"]
    assert list(en.columns[:3]) == ["Unit", "Sex", "Indicator"] and en["Sex"].tolist() == ["Boys", "Girls"]
    assert en["95% CI"].tolist() == ["3.5–25.6", "1.4–16.5"]
    assert np.array_equal(en["Prevalence (%)"].to_numpy(), [10.0, 5.0])


def test_load_notes_take_their_half_in_each_language():
    """A load note "vi / en" shows its Vietnamese half on Vietnamese pages, its English half otherwise;
    a note with one language only shows as it is."""
    from types import SimpleNamespace

    import pandas as pd

    from btchild_analysis import sections
    notes = pd.DataFrame({"file": ["/d/Ba Tri.xlsx", "/d/x.csv"], "sheet": ["2024", ""],
                          "note": ["kỳ lấy từ tên trang / period from the sheet name", "only one"]})
    ds = SimpleNamespace(load=SimpleNamespace(notes=notes))
    vi, en = sections.load_notes(ds, "vi"), sections.load_notes(ds, "en")
    assert vi.iloc[:, 2].tolist() == ["kỳ lấy từ tên trang", "only one"]
    assert en.iloc[:, 2].tolist() == ["period from the sheet name", "only one"]
    assert vi.iloc[:, 0].tolist() == ["Ba Tri.xlsx", "x.csv"]
    with pytest.raises(i18n.LanguageError):
        sections.load_notes(ds, "fr")
