# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python (btchild)
#     language: python
#     name: btchild
# ---

# %% [markdown] tags=["notebook-only"]
# # Xã, phường phù hợp với trẻ em / Child-friendly communes
#
# Bản đồ trạng thái, tỷ lệ xã đạt chuẩn so với mục tiêu của Kế hoạch 3042, điểm từng tiêu chí và các xã
# chưa đạt kèm lý do. / Status map, share of communes meeting the standard against the plan's targets,
# scores by criterion, and the communes that did not meet it with the reasons.
# Mọi con số do thư viện `btchild_analysis` tính / every number comes from `btchild_analysis`.
# Sửa tham số ở ô dưới / change the parameters in the cell below.

# %% tags=["parameters"]
from typing import Optional

period: str = "2024"  # kỳ báo cáo / report period: "2024" (năm / annual) or "2024H1" (6 tháng / first half)
district: Optional[str] = None  # huyện: mã hoặc tên ("Ba Tri", "836") / district code or name; None: toàn tỉnh / the province
lang: str = "vi"  # ngôn ngữ / language: "vi" or "en"
data: Optional[str] = None  # thư mục số liệu / data folder; None: mẫu MÔ PHỎNG / the SYNTHETIC sample
boundaries: Optional[str] = None  # tệp ranh giới / boundary file; None: $BTCHILD_BOUNDARIES, else the schematic layout
output_dir: str = "."  # nơi ghi bảng CSV tải về / folder for the CSV downloads
report_name: str = "01_child_friendly_status"  # tên tệp của báo cáo / file stem of the report

# %%
from IPython.display import HTML, Markdown, display

from btchild_analysis import boundaries as bnd
from btchild_analysis import interactive, maps, messages, plots, admin_units, sections

ds, code = sections.begin("status", data, period, district, lang)

# %%
assessment = ds.assessment()
year = sections.assessment_year(assessment, period)
geo = bnd.get_geometry(boundaries, year or period)
values = ds.indicator_table(which=["child_friendly_commune"])
status = sections.target_status(values, period)
display(Markdown(messages.messages_markdown(messages.key_messages(
    values, sections.messages_status(status, period), assessment, ds.submission_dates, period, district, lang, which=["child_friendly_commune"]), lang)))
if year is None:
    display(Markdown(sections.sentence("no_scores_year", lang, year=sections.period_of(period).year)))
else:
    display(Markdown(sections.sentence("assessment_year", lang, year=year, period=sections.period_text(period, lang))))

# %%
if year is not None:
    display(Markdown(sections.heading("status_map", lang)))
    sections.show_map(maps.status_map(assessment, year, geo, district=code, lang=lang, synthetic=ds.synthetic), lang)
    display(HTML(interactive.status_svg(assessment, year, geo, district=code, lang=lang, synthetic=ds.synthetic)))

# %%
if year is not None:
    display(Markdown(sections.heading("vs_targets", lang)))
    sections.table(sections.target_rows(status, code, lang), "muc_tieu", lang, output_dir, report_name, ds)
    display(Markdown(sections.heading("by_district", lang)))
    shares = sections.share_table(values, "child_friendly_commune", year, lang)
    sections.table(shares, "theo_huyen", lang, output_dir, report_name, ds)

# %%
if year is not None:
    display(Markdown(sections.heading("heatmap", lang)))
    sections.show_map(plots.criterion_heatmap(sections.in_area(ds.scores, district, year), year, admin_units.units(year),
                                              lang=lang, synthetic=ds.synthetic), lang)

# %%
if year is not None:
    display(Markdown(sections.heading("failed", lang)))
    failed = sections.failed_communes(assessment, year, district, lang)
    if failed.empty:
        display(Markdown(sections.sentence("no_failed", lang)))
    else:
        sections.table(failed, "xa_chua_dat", lang, output_dir, report_name, ds)

# %%
display(Markdown(messages.methods_box(ds, period, lang, boundary_source=geo, district=district)))
