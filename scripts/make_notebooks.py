"""Write the report notebooks (no outputs, a cell tagged `parameters`).  Run after editing them here."""
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parents[1] / "notebooks"
SETUP = """%matplotlib inline
import matplotlib.pyplot as plt
from IPython.display import Markdown, display
from btchild_analysis import boundaries as bnd, indicators, maps, plots, quality, register, sections, standard, targets, trends
from btchild_analysis.dataset import load_dataset

ds = load_dataset(data)"""


def nb(cells, params, intro):
    book = new_notebook()
    book.cells = [new_markdown_cell(intro), new_code_cell(params, metadata={"tags": ["parameters"]}),
                  new_code_cell(SETUP)] + [new_markdown_cell(c[3:]) if c.startswith("md:") else new_code_cell(c) for c in cells]
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    book.metadata["language_info"] = {"name": "python"}
    return book


NOTEBOOKS = {
    "01_child_friendly_status.ipynb": nb([
        'display(Markdown(sections.title("status", year, district, lang)))\ndisplay(Markdown(sections.synthetic_banner(ds.synthetic, lang)))',
        'display(Markdown(sections.heading("status_map", lang)))\n'
        'assessment = ds.assessment()\ngeo = bnd.get_geometry(boundaries, year)\n'
        'fig = maps.status_map(assessment, year, geo, district=sections.district_code(district, year), lang=lang, synthetic=ds.synthetic)\nplt.show()',
        'display(Markdown(sections.heading("vs_targets", lang)))\n'
        'values = indicators.compute_all(ds.all_elements(), which=["child_friendly_commune"])\n'
        'status = targets.status_table(values[values["period"].str.fullmatch(r"\\d{4}") & (values["period"].str[:4].astype(int) <= year)])\n'
        'display(sections.show(sections.target_rows(status, sections.district_code(district, year), lang)))',
        'display(Markdown(sections.heading("by_district", lang)))\ndisplay(sections.show(sections.share_table(values, "child_friendly_commune", year, lang)))',
        'display(Markdown(sections.heading("heatmap", lang)))\n'
        'fig = plots.criterion_heatmap(sections.in_area(ds.scores, district, year), year, register.units(year), lang=lang, synthetic=ds.synthetic)\nplt.show()',
        'display(Markdown(sections.heading("failed", lang)))\ndisplay(sections.show(sections.failed_communes(assessment, year, district, lang)))',
    ], 'year = 2024\n# district: a district code or name; None = the province\ndistrict = None\n# boundaries: a boundary file; None = $BTCHILD_BOUNDARIES, else the schematic layout\nboundaries = None\n'
       '# lang: "vi" or "en"\nlang = "vi"\n# data: None = the bundled SYNTHETIC sample\ndata = None\noutput_dir = "."\nreport_name = "01_child_friendly_status"',
       "Trạng thái xã, phường phù hợp với trẻ em / Child-friendly commune status. Every number comes from `btchild_analysis`."),
    "02_indicator_trends.ipynb": nb([
        'display(Markdown(sections.title("trends", f"{start}–{end}", None, lang) if not district else sections.title("trends", end, district, lang)))\n'
        'display(Markdown(sections.synthetic_banner(ds.synthetic, lang)))',
        'elements = ds.all_elements()\nlevel = "district" if district else "province"\n'
        'area_values = indicators.compute(elements, level, which=list(indicator_ids))\n'
        'if district:\n    area_values = area_values[area_values["unit_code"] == sections.district_code(district, end)]\n'
        'commune_values = indicators.compute(elements, "commune", vintage=vintage, which=list(indicator_ids))\n'
        'commune_values = sections.in_area(commune_values, district, end, code_col="unit_code")\n'
        'geo = bnd.get_geometry(boundaries, register.VINTAGES[str(vintage)])\n'
        'commune_trends = trends.trend_table(commune_values, start, end)',
        'for ind in indicator_ids:\n'
        '    display(Markdown(sections.heading("trend", lang, f": {indicators.indicator(ind).label(lang)}")))\n'
        '    plots.trend_chart(area_values, ind, lang=lang, synthetic=ds.synthetic); plt.show()\n'
        '    display(Markdown(sections.heading("change", lang)))\n'
        '    maps.change_map(commune_values, ind, str(start), str(end), geo, district=sections.district_code(district, end), lang=lang, synthetic=ds.synthetic); plt.show()\n'
        '    display(Markdown(sections.heading("movers", lang)))\n'
        '    display(sections.show(sections.movers(commune_trends, ind, 5, lang)))',
    ], 'indicator_ids = ["stunting_u5", "underweight_u5", "kindergarten_enrolment", "child_friendly_commune"]\nstart = 2013\nend = 2024\n'
       'district = None\n# vintage: communes re-expressed on the 157 units of 2020\nvintage = "2020"\nboundaries = None\nlang = "vi"\ndata = None\nyear = 2024\noutput_dir = "."\nreport_name = "02_indicator_trends"',
       "Xu hướng chỉ tiêu / Indicator trends. Every number comes from `btchild_analysis`."),
    "03_plan_progress_report.ipynb": nb([
        'display(Markdown(sections.title("report", year if period == "A" else f"{year} (6 tháng)" if lang == "vi" else f"{year} (H1)", None, lang)))\n'
        'display(Markdown(sections.synthetic_banner(ds.synthetic, lang)))',
        'display(Markdown(sections.heading("scorecard", lang)))\nvalues = indicators.compute_all(ds.all_elements())\n'
        'display(sections.scorecard_table(values, year if period == "A" else year - 1, lang))',
        'display(Markdown(sections.heading("completeness", lang)))\nreport_period = str(year) if period == "A" else f"{year}H1"\n'
        'display(sections.show(sections.completeness_table(ds.submission_dates, report_period, lang)))\n'
        'display(Markdown(sections.heading("late", lang)))\ndisplay(sections.show(sections.late_table(ds.submission_dates, report_period, lang)))',
        'plots.district_comparison(values, "stunting_u5", report_period, lang=lang, synthetic=ds.synthetic); plt.show()',
        'display(Markdown(sections.heading("annex", lang)))\nfrom pathlib import Path\n'
        'annex = sections.annex_tables(values, year, period, lang)\npath = sections.write_annex(annex, Path(output_dir) / f"{report_name}_phu_luc.xlsx")\n'
        'display(Markdown(f"[{path.name}]({path.name})"))\nfor ind, table in annex.items():\n    display(Markdown(f"**{indicators.indicator(ind).label(lang)}**"))\n    display(sections.show(table))',
    ], 'year = 2024\n# period: "A" = annual report (due before 1 November), "H1" = six-monthly (before 1 May)\nperiod = "A"\nlang = "vi"\ndata = None\n'
       'district = None\nboundaries = None\noutput_dir = "."\nreport_name = "03_plan_progress_report"',
       "Báo cáo định kỳ / Periodic report. Every number comes from `btchild_analysis`."),
    "04_data_quality.ipynb": nb([
        'display(Markdown(sections.title("quality", period, None, lang)))\ndisplay(Markdown(sections.synthetic_banner(ds.synthetic, lang)))',
        'display(Markdown(sections.heading("quarantine", lang)))\nfrom btchild_analysis import io, sample\n'
        'loaded = io.load_submissions(files or sample.messy_files())\ndisplay(Markdown(loaded.summary_text(lang)))\n'
        'display(sections.show(sections.quarantine_summary(loaded, lang)))\ndisplay(sections.show(sections.quarantine_rows(loaded, lang)))',
        'display(Markdown(sections.heading("completeness", lang)))\ndisplay(sections.show(sections.completeness_table(ds.submission_dates, period, lang)))\n'
        'plots.completeness_chart(ds.submission_dates, sorted(ds.submission_dates["period"].unique()), lang=lang, synthetic=ds.synthetic); plt.show()\n'
        'display(Markdown(sections.heading("late", lang)))\ndisplay(sections.show(sections.late_table(ds.submission_dates, period, lang)))',
        'display(Markdown(sections.heading("outliers", lang)))\n'
        'flags = quality.outliers(ds.elements[ds.elements["period"].astype(str).str[:4] == str(period)[:4]])\n'
        'display(sections.show(flags[flags["period"].astype(str) == str(period)]))',
    ], 'period = "2024"\n# files: submission files to check; None = the messy SYNTHETIC files\nfiles = None\nlang = "vi"\ndata = None\n'
       'year = 2024\ndistrict = None\nboundaries = None\noutput_dir = "."\nreport_name = "04_data_quality"',
       "Chất lượng số liệu / Data quality. Every number comes from `btchild_analysis`."),
}

if __name__ == "__main__":
    HERE.mkdir(exist_ok=True)
    for name, book in NOTEBOOKS.items():
        nbformat.write(book, HERE / name)
        print(HERE / name)
