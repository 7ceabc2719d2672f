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
# # Chất lượng số liệu / Data quality
#
# Số dòng đọc được, nhận, cách ly (kèm lý do để gửi lại huyện), tình hình nộp báo cáo và các giá trị bất
# thường của chính bộ số liệu được dùng. / Rows read, accepted and quarantined (with reasons to send back
# to the districts), reporting completeness and implausible values of the data actually used.

# %% tags=["parameters"]
from typing import Optional

period: str = "2024"  # kỳ báo cáo / report period: "2024" or "2024H1"
files: Optional[list] = None  # tệp cần kiểm tra thêm / more submission files to check; None: only the data folder
lang: str = "vi"  # ngôn ngữ / language: "vi" or "en"
data: Optional[str] = None  # thư mục số liệu / data folder; None: mẫu MÔ PHỎNG / the SYNTHETIC sample
output_dir: str = "."  # nơi ghi bảng cách ly / folder for the quarantine workbook
report_name: str = "04_data_quality"  # tên tệp của báo cáo / file stem of the report

# %%
from IPython.display import Markdown, display

from btchild_analysis import messages, plots, sections

ds, _ = sections.begin("quality", data, period, None, lang)
checked = sections.with_files(ds, files)
display(Markdown(messages.messages_markdown(messages.key_messages(dates=ds.submission_dates, period=period, lang=lang), lang)))

# %%
display(Markdown(sections.heading("load", lang)))
display(Markdown(sections.load_summary(checked, lang)))
notes = sections.load_notes(checked, lang)
if len(notes):
    display(sections.show(notes, lang))

# %%
display(Markdown(sections.heading("quarantine", lang)))
if checked.quarantine.empty:
    display(Markdown(sections.sentence("no_quarantine", lang)))
else:
    display(sections.show(sections.quarantine_summary(checked.quarantine, lang), lang))
    display(sections.show(sections.quarantine_rows(checked.quarantine, lang), lang))
    path = sections.write_quarantine(checked, sections.output_path(output_dir, report_name, "cach_ly.xlsx"), lang)
    display(Markdown(sections.link(path, lang)))

# %%
display(Markdown(sections.heading("completeness", lang)))
if not ds.has("arrivals"):
    display(Markdown(sections.sentence("no_arrivals", lang)))
else:
    sections.table(sections.completeness_table(ds.submission_dates, period, lang), "nop_bao_cao", lang, output_dir, report_name, ds)
    sections.show_figure(plots.completeness_chart(ds.submission_dates, sections.arrival_periods(ds), lang=lang, synthetic=ds.synthetic))
    display(Markdown(sections.heading("late", lang)))
    sections.table(sections.late_table(ds.submission_dates, period, lang), "chua_nop_tre_han", lang, output_dir, report_name, ds)

# %%
display(Markdown(sections.heading("outliers", lang)))
flags = sections.outlier_rows(checked, period, lang)
if flags.empty:
    display(Markdown(sections.sentence("no_outliers", lang)))
else:
    sections.table(flags, "bat_thuong", lang, output_dir, report_name, ds)

# %%
display(Markdown(messages.methods_box(ds, period, lang)))
