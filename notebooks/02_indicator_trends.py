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
# # Xu hướng các chỉ tiêu / Indicator trends
#
# Với mỗi chỉ tiêu: giá trị hằng năm của tỉnh hoặc huyện với khoảng tin cậy, mục tiêu 2015 và 2020, đường
# xu hướng; bản đồ thay đổi theo xã; các xã tiến bộ nhiều nhất và ít nhất. / For each indicator: annual
# values of the area with intervals, the 2015 and 2020 targets and the trend; a map of the change by
# commune; the communes that moved most and least. Mọi con số do `btchild_analysis` tính.

# %% tags=["parameters"]
from typing import Optional

period: str = "2024"  # kỳ cuối của xu hướng / last period of the trends: "2024" (trends use annual values)
start: int = 2013  # năm đầu / first year of the trends
indicator_ids: list = ["stunting_u5", "underweight_u5", "kindergarten_enrolment", "child_friendly_commune"]  # chỉ tiêu / indicator ids (`btchild indicators`)
district: Optional[str] = None  # huyện: mã hoặc tên / district code or name; None: toàn tỉnh / the province
by: Optional[str] = None  # theo giới tính / split: "sex": trẻ trai và trẻ gái cạnh nhau và chênh lệch / boys and girls side by side and the gap; None: không chia / no split
lang: str = "vi"  # ngôn ngữ / language: "vi" or "en"
data: Optional[str] = None  # thư mục số liệu / data folder; None: mẫu MÔ PHỎNG / the SYNTHETIC sample
boundaries: Optional[str] = None  # tệp ranh giới / boundary file; None: $BTCHILD_BOUNDARIES, else the schematic layout
output_dir: str = "."  # nơi ghi bảng CSV tải về / folder for the CSV downloads
report_name: str = "02_indicator_trends"  # tên tệp của báo cáo / file stem of the report

# %%
from IPython.display import Markdown, display

from btchild_analysis import boundaries as bnd
from btchild_analysis import indicators, maps, messages, plots, sections, sex_figures, trends
from btchild_analysis.catalog import plan_indicators

split = sex_figures.check_by(by)
ds, code = sections.begin("trends", data, period, district, lang)
end = sections.period_of(period).year

# %%
vintage = sections.vintage_for(period)
elements = ds.all_elements()
# the area's values of the chosen indicators and of the plan's twelve: one computation for both
area_all = indicators.compute(elements, "district" if code else "province",
                              which=list(dict.fromkeys([*indicator_ids, *plan_indicators()])))
area_all = sections.annual_values(area_all[area_all["unit_code"] == code] if code else area_all, period)
area_values = area_all[area_all["indicator"].isin(indicator_ids)]
plan_values = area_all[area_all["indicator"].isin(plan_indicators())]
commune_values = indicators.compute(elements, "commune", vintage=vintage, which=list(indicator_ids))
commune_values = sections.in_area(commune_values, district, period, code_col="unit_code")
commune_trends = trends.trend_table(commune_values, start, end)
geo = bnd.get_geometry(boundaries, str(sections.period_of(period)))
display(Markdown(messages.messages_markdown(messages.key_messages(
    area_values, None, None, None, period, district, lang, which=list(indicator_ids)), lang)))

# %%
display(Markdown(sections.heading("trends_all", lang)))
sections.show_figure(plots.trend_grid(plan_values, plan_indicators(), lang=lang, synthetic=ds.synthetic))

# %%
for ind in indicator_ids:
    display(Markdown(sections.heading("trend", lang, f": {indicators.indicator(ind).label(lang)}")))
    years = [y for y in sections.years_with(area_values, ind) if start <= y <= end]
    if len(years) < 2:
        display(Markdown(sections.sentence("too_few_years", lang, n=len(years)) if years else sections.sentence("no_indicator", lang)))
        continue
    sections.show_figure(plots.trend_chart(area_values, ind, lang=lang, synthetic=ds.synthetic))
    display(Markdown(sections.heading("change", lang)))
    sections.show_map(maps.change_map(commune_values, ind, str(years[0]), str(years[-1]), geo, district=code, lang=lang,
                    synthetic=ds.synthetic), lang)
    moved = sections.movers(commune_trends, ind, 5, lang, period)
    if len(moved):
        display(Markdown(sections.heading("movers", lang)))
        display(Markdown(sections.movers_rule(lang)))
        sections.table(moved, f"xa_{ind}", lang, output_dir, report_name, ds)

# %%
if split == "sex":
    sex_figures.show_gap_trend(ds, period, start, code, lang, output_dir, report_name, which=list(indicator_ids))

# %%
display(Markdown(messages.methods_box(ds, period, lang, boundary_source=geo, district=district)))
