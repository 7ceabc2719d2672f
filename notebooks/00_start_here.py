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

# %% [markdown]
# # Bắt đầu từ đây / Start here
#
# Giờ làm việc đầu tiên với `btchild_analysis`: mỗi bước là **một lệnh** của thư viện và một câu nói nó
# cho thấy gì. / A statistician's first hour with `btchild_analysis`: each step is **one library call**
# and a sentence on what it shows.
#
# Chạy từng ô bằng Shift+Enter. / Run each cell with Shift+Enter.

# %% [markdown]
# ## 1. Chọn số liệu / Choose the data
#
# `data = None` dùng **mẫu mô phỏng** (không phải số liệu thật). Để dùng số liệu của tỉnh, ghi đường dẫn
# thư mục chứa các tệp báo cáo của huyện (Excel hoặc CSV), ví dụ `data = "D:/so_lieu/2024"`.
# / `data = None` uses the **synthetic sample** (not real figures). For the province's own data, give the
# folder of the districts' files (Excel or CSV).

# %% tags=["parameters"]
from typing import Optional

data: Optional[str] = None  # thư mục số liệu / data folder; None: mẫu MÔ PHỎNG / the SYNTHETIC sample
period: str = "2024"  # kỳ báo cáo / report period: "2024" or "2024H1"
indicator_id: str = "stunting_u5"  # chỉ tiêu để xem / the indicator to look at (`btchild elements`)
lang: str = "vi"  # ngôn ngữ / language: "vi" or "en"
output_dir: str = "."  # nơi ghi tệp Excel / where the Excel file is written

# %%
from IPython.display import Markdown, display

from btchild_analysis import boundaries, indicators, maps, plots, sections
from btchild_analysis.dataset import load_dataset

ds = load_dataset(data)
ds

# %% [markdown]
# ## 2. Đọc được gì, cách ly gì / What was read, what was quarantined
#
# Mỗi dòng đọc được hoặc được nhận, hoặc bị cách ly kèm lý do (tệp, dòng, cột), hoặc được bỏ qua có lý
# do; các con số cộng lại bằng số dòng đọc được. / Every row read is accepted, quarantined with its
# reason (file, row, column) or skipped with a reason; the counts add up.

# %%
ds.load

# %% [markdown]
# ## 3. Một chỉ tiêu ở ba cấp / One indicator at three levels
#
# Tỷ lệ của huyện, tỉnh là tổng tử số chia tổng mẫu số của các xã báo cáo đủ cả hai (không phải trung bình
# các tỷ lệ xã). / A district or province rate is the sum of numerators over the sum of denominators of
# the communes that reported both (never a mean of commune rates).

# %%
values = indicators.compute_all(ds.all_elements(), which=[indicator_id])
sections.show(sections.share_table(values, indicator_id, period, lang), lang)

# %% [markdown]
# ## 4. Bản đồ theo xã / A map by commune
#
# Không có tệp ranh giới thì bản đồ là sơ đồ lục giác (mỗi ô một xã, gần vị trí thật) và ghi rõ như vậy.
# / Without a boundary file the map is a hexagon schematic (one cell per commune) and says so.

# %%
geo = boundaries.get_geometry(None, period)
sections.show_map(maps.indicator_map(values, indicator_id, period, geo, lang=lang, synthetic=ds.synthetic), lang)

# %% [markdown]
# ## 5. So sánh các huyện / Compare districts

# %%
sections.show_figure(plots.district_comparison(values, indicator_id, period, lang=lang, synthetic=ds.synthetic))

# %% [markdown]
# ## 6. Xuất bảng ra Excel / Export a table to Excel
#
# Mọi ô được ghi là giá trị (không bao giờ là công thức); số liệu mô phỏng có trang ghi chú nói rõ.
# / Every cell is written as a value (never a formula); synthetic data get a cover sheet saying so.

# %%
path = sections.write_annex({indicator_id: sections.share_table(values, indicator_id, period, lang)},
                            sections.output_path(output_dir, "bat_dau", "bang.xlsx"), ds, period, lang)
display(Markdown(sections.link(path, lang)))
