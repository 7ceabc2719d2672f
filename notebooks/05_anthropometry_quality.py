# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python (btchild)
#     language: python
#     name: btchild
# ---

# %% [markdown] tags=["notebook-only"]
# # Cân đo trẻ em: điểm z WHO 2006 và chất lượng số liệu / Children's measurements: WHO 2006 z-scores and data quality
#
# Từ danh sách trẻ được cân, đo của trạm y tế: dòng bị cách ly, chất lượng số đo (như báo cáo của WHO
# Anthro), giá trị bất thường, tỷ lệ thấp còi, nhẹ cân, gầy còm, thừa cân và so sánh với số liệu xã tự
# tổng hợp. / From the health stations' lists of children weighed and measured: quarantined rows, the
# quality of the measurements (as WHO Anthro reports it), implausible values, the prevalence of stunting,
# underweight, wasting and overweight, and the records against the communes' own tallies.

# %% tags=["parameters"]
from typing import Optional

period: str = "2024"  # kỳ báo cáo / report period: "2024" or "2024H1"
district: Optional[str] = None  # huyện: mã hoặc tên ("Ba Tri", "836") / district code or name; None: toàn tỉnh / the province
lang: str = "vi"  # ngôn ngữ / language: "vi" or "en"
data: Optional[str] = None  # thư mục hoặc tệp danh sách cân đo / folder or file of measurement lists; None: mẫu MÔ PHỎNG / the SYNTHETIC sample
boundaries: Optional[str] = None  # tệp ranh giới xã / commune boundary file; None: sơ đồ / schematic layout
output_dir: str = "."  # nơi ghi các bảng tải về / folder for the downloadable tables
report_name: str = "05_anthropometry_quality"  # tên tệp của báo cáo / file stem of the report

# %%
from IPython.display import HTML, Markdown, display

from btchild_analysis import anthro_quality as aq
from btchild_analysis import anthropometry as an
from btchild_analysis import boundaries as bnd
from btchild_analysis import indicators, interactive, maps, messages, sections

ds, code = sections.begin("anthropometry", data, period, district, lang)
synthetic = ds.synthetic
display(Markdown(aq.text("source", lang, ref=an.reference_source())))

# %%
display(Markdown(f"## {aq.text('load', lang)}"))
files = ds.parts["measurements"]
loaded = an.read_measurements(files) if files else None
records = loaded.records if loaded is not None else None
if records is not None:
    records = sections.in_area(records[records["period"] == str(period)], district, period)
if records is None or records.empty:
    display(Markdown(f"*{aq.text('none', lang)}*"))
else:
    display(Markdown(loaded.summary_text(lang)))
    scored = an.score(records)
    prev = an.prevalence(scored)

# %%
if loaded is not None:
    display(Markdown(f"## {aq.text('quarantine', lang)}"))
    q = loaded.quarantine[loaded.quarantine["period"].isin([str(period), ""])]
    q = sections.in_area(q, district, period) if code else q
    if q.empty:
        display(Markdown(f"*{aq.text('no_quarantine', lang)}*"))
    else:
        shown, csv = aq.quarantine_shown(q, lang)
        display(sections.show(shown.head(50), lang))
        display(Markdown(aq.write_table(csv, output_dir, report_name, "cach_ly", synthetic, lang)))

# %%
if records is not None and not records.empty:
    display(Markdown(f"## {aq.text('quality', lang)}"))
    display(sections.show(aq.quality_table(scored, lang), lang))
    sections.show_figure(aq.plot_z_distributions(scored, lang, synthetic))
    sections.show_figure(aq.plot_digits_and_ages(scored, lang, synthetic))
    display(Markdown(f"### {aq.text('zsummary', lang)}"))
    by_commune = aq.z_summary(scored, by="commune_code")
    sentence, outside = aq.sd_outside_shown(by_commune, lang)
    display(Markdown(sentence))
    if len(outside):
        display(sections.show(outside, lang))
    display(Markdown(aq.write_table(by_commune, output_dir, report_name, "diem_z_theo_xa", synthetic, lang)))

# %%
if records is not None and not records.empty:
    display(Markdown(f"## {aq.text('flagged', lang)}"))
    display(Markdown(aq.limits_text(lang)))
    fl = an.flagged(scored)
    if fl.empty:
        display(Markdown(f"*{aq.text('no_flagged', lang)}*"))
    else:
        shown, csv = aq.flagged_shown(fl, lang)
        display(sections.show(shown.head(50), lang))
        display(Markdown(aq.write_table(csv, output_dir, report_name, "gia_tri_bat_thuong", synthetic, lang)))

# %%
if records is not None and not records.empty:
    display(Markdown(f"## {aq.text('prevalence', lang)}"))
    top = "district" if code else "province"
    display(sections.show(aq.prevalence_table(prev, top, lang), lang))
    if not code and (prev["level"] == "district").any():
        display(sections.show(aq.prevalence_table(prev, "district", lang, ["stunting", "underweight", "wasting"]), lang))
    display(Markdown(f"### {aq.text('by_sex_age', lang)}"))
    main = ["stunting", "underweight", "wasting", "overweight"]
    display(sections.show(aq.prevalence_table(prev, top, lang, main, by="sex"), lang))
    display(sections.show(aq.prevalence_table(prev, top, lang, main, by="age_group"), lang))
    display(Markdown(aq.write_table(prev, output_dir, report_name, "ty_le", synthetic, lang)))

# %%
if records is not None and not records.empty:
    display(Markdown(f"## {aq.text('tallies', lang)}"))
    elements = an.as_elements(prev)
    tallies = aq.commune_tallies(ds.elements, period)
    if tallies.empty:
        display(Markdown(f"*{aq.text('no_tallies', lang)}*"))
    else:
        display(sections.show(aq.compare_tallies(elements, tallies, lang), lang))

# %%
if records is not None and not records.empty:
    display(Markdown(f"## {aq.text('map', lang)}"))
    values = indicators.compute(elements, "commune", which=["stunting_u5"])
    geo = bnd.get_geometry(boundaries, period)
    sections.show_map(maps.indicator_map(values, "stunting_u5", str(period), geo, district=code, lang=lang, synthetic=synthetic), lang)
    display(HTML(interactive.indicator_svg(values, "stunting_u5", str(period), geo, district=code, lang=lang, synthetic=synthetic)))

# %%
display(Markdown(messages.methods_box(ds, period, lang, boundary_source=boundaries, district=district)))
