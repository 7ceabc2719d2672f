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
# # Báo cáo định kỳ / Periodic report (Kế hoạch 3042/KH-UBND)
#
# Báo cáo 6 tháng (trước 01/5) hoặc báo cáo năm (trước 01/11): bảng 12 chỉ tiêu so với mục tiêu, tình
# hình nộp báo cáo, so sánh giữa các huyện, phụ lục Excel. / The six-monthly (before 1 May) or annual
# (before 1 November) report: the twelve targets, reporting completeness, districts compared, the Excel
# annex. Mọi con số do `btchild_analysis` tính.

# %% tags=["parameters"]
from typing import Optional

period: str = "2024"  # kỳ báo cáo / report period: "2024" (báo cáo năm / annual) or "2024H1" (6 tháng / six-monthly)
district: Optional[str] = None  # huyện: mã hoặc tên / district code or name; None: toàn tỉnh / the province
by: Optional[str] = None  # theo giới tính / split: "sex": trẻ trai và trẻ gái cạnh nhau và chênh lệch / boys and girls side by side and the gap; None: không chia / no split
lang: str = "vi"  # ngôn ngữ / language: "vi" or "en"
data: Optional[str] = None  # thư mục số liệu / data folder; None: mẫu MÔ PHỎNG / the SYNTHETIC sample
output_dir: str = "."  # nơi ghi phụ lục Excel và CSV / folder for the Excel annex and CSV downloads
report_name: str = "03_plan_progress_report"  # tên tệp của báo cáo / file stem of the report

# %%
from IPython.display import Markdown, display

from btchild_analysis import indicators, messages, plots, scorecard, sections, sex_figures

split = sex_figures.check_by(by)
ds, code = sections.begin("report", data, period, district, lang)
values = ds.indicator_table()
display(Markdown(messages.messages_markdown(messages.key_messages(
    values, None, ds.assessment(), ds.submission_dates, period, district, lang), lang)))

# %%
display(Markdown(sections.heading("scorecard", lang)))
card = scorecard.plan_scorecard(values, period, lang, unit_code=code)
if card.empty:
    display(Markdown(sections.sentence("no_period", lang, period=sections.period_text(period, lang))))
else:
    display(scorecard.scorecard_styler(card, lang))
    display(Markdown(sections.md(scorecard.legend(lang))))
    display(Markdown(sections.download(scorecard.scorecard_download(card), output_dir, report_name, "bang_tong_hop", ds, lang)))

# %%
display(Markdown(sections.heading("completeness", lang)))
if not ds.has("arrivals"):
    display(Markdown(sections.sentence("no_arrivals", lang)))
else:
    done = sections.completeness_table(ds.submission_dates, period, lang)
    sections.table(done, "nop_bao_cao", lang, output_dir, report_name, ds)
    display(Markdown(sections.heading("late", lang)))
    sections.table(sections.late_table(ds.submission_dates, period, lang), "chua_nop_tre_han", lang, output_dir, report_name, ds)

# %%
display(Markdown(sections.heading("comparison", lang)))
if sections.has_value(values, "stunting_u5", period, "district"):
    sections.show_figure(plots.district_comparison(values, "stunting_u5", str(sections.period_of(period)), lang=lang, synthetic=ds.synthetic))
else:
    display(Markdown(sections.sentence("no_indicator_period", lang, period=sections.period_text(period, lang))))

# %%
if split == "sex":
    sex_figures.show_gap(ds, period, code, lang, output_dir, report_name)

# %%
display(Markdown(sections.heading("annex", lang)))
annex = sections.annex_tables(values, period, lang)
if not annex:
    display(Markdown(sections.sentence("no_period", lang, period=sections.period_text(period, lang))))
else:
    path = sections.write_annex(annex, sections.output_path(output_dir, report_name, "phu_luc.xlsx"), ds, period, lang)
    display(Markdown(sections.link(path, lang)))
    for ind, table in annex.items():
        display(Markdown(f"**{sections.md(indicators.indicator(ind).label(lang))}**"))
        display(sections.show(table, lang))

# %%
display(Markdown(messages.methods_box(ds, period, lang, district=district)))
