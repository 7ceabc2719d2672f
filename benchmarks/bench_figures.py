"""Figures of the reports as a warm report kernel pays for them: each figure made, then its page PNG.

One process plays a warm kernel: the library imported, the synthetic sample loaded once, the
province-wide results computed once.  Then every repeat makes each figure of notebooks 01, 02 and 05
(in turn, interleaved: figure A, B, C …, then again A, B, C …) and turns it into the page's PNG with
``sections._png`` (what ``show_figure`` / ``show_map`` do).  The first repeat is a warm-up (fonts,
label-size cache) and is left out of the figures.  Prints, per figure, min, median and n of the
making, of the PNG and of both, and the PNG's size.  ``--save DIR`` writes the last repeat's PNGs
there (to compare pictures before and after a change).  Asserts nothing.

    nice -n 10 .venv/bin/python benchmarks/bench_figures.py [--repeats 5] [--only NAME] [--save DIR]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from _common import fmt, machine_line  # noqa: E402


def _inputs() -> dict:
    """The data the three notebooks draw from, computed once (as the shared results of a run)."""
    from btchild_analysis import admin_units, indicators, sections
    from btchild_analysis import anthropometry as an
    from btchild_analysis import boundaries as bnd
    from btchild_analysis.catalog import plan_indicators
    from btchild_analysis.dataset import load_dataset

    ds = load_dataset(None)
    assessment = ds.assessment()
    year = sections.assessment_year(assessment, "2024")
    elements = ds.all_elements()
    plan = sections.annual_values(indicators.compute(elements, "province", which=plan_indicators()), "2024")
    area = sections.annual_values(indicators.compute(elements, "province", which=["stunting_u5"]), "2024")
    commune = indicators.compute(elements, "commune", vintage=sections.vintage_for("2024"), which=["stunting_u5"])
    loaded = an.read_measurements(ds.parts["measurements"])
    records = loaded.records[loaded.records["period"] == "2024"]
    scored = an.score(records)
    stunting = indicators.compute(an.as_elements(an.prevalence(scored)), "commune", which=["stunting_u5"])
    return dict(ds=ds, assessment=assessment, year=year, geo_year=bnd.get_geometry(None, year),
                geo_2024=bnd.get_geometry(None, "2024"), plan=plan, plan_ids=plan_indicators(), area=area,
                commune=commune, scored=scored, stunting=stunting, units=admin_units.units(year))


def _figures(d: dict, lang: str) -> dict:
    """Name → a function making the figure as the notebook does (district 831 for notebook 01)."""
    from btchild_analysis import anthro_quality as aq
    from btchild_analysis import maps, plots, sections

    syn = d["ds"].synthetic
    years = sorted({int(p) for p in d["commune"]["period"].astype(str) if p.isdigit()})
    return {
        "01 status map, district 831": lambda: maps.status_map(d["assessment"], d["year"], d["geo_year"], district="831",
                                                               lang=lang, synthetic=syn),
        "01 criterion heatmap, district 831": lambda: plots.criterion_heatmap(
            sections.in_area(d["ds"].scores, "831", d["year"]), d["year"], d["units"], lang=lang, synthetic=syn),
        "01 status map, province": lambda: maps.status_map(d["assessment"], d["year"], d["geo_year"], lang=lang,
                                                           synthetic=syn),
        "02 trend grid (12 panels)": lambda: plots.trend_grid(d["plan"], d["plan_ids"], lang=lang, synthetic=syn),
        "02 trend chart": lambda: plots.trend_chart(d["area"], "stunting_u5", lang=lang, synthetic=syn),
        "02 change map, province": lambda: maps.change_map(d["commune"], "stunting_u5", str(years[0]), str(years[-1]),
                                                           d["geo_2024"], lang=lang, synthetic=syn),
        "05 z distributions": lambda: aq.plot_z_distributions(d["scored"], lang, syn),
        "05 digits and ages": lambda: aq.plot_digits_and_ages(d["scored"], lang, syn),
        "05 stunting map, province": lambda: maps.indicator_map(d["stunting"], "stunting_u5", "2024", d["geo_2024"],
                                                                lang=lang, synthetic=syn),
    }


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=5, help="measured repeats (after one warm-up)")
    p.add_argument("--only", default="", help="only figures whose name contains this")
    p.add_argument("--lang", default="vi")
    p.add_argument("--save", default="", help="folder for the last repeat's PNGs")
    a = p.parse_args(argv)
    print(machine_line())
    os.environ.setdefault("BTCHILD_CACHE_DIR", str(HERE / "_work" / "cache"))
    from btchild_analysis import sections

    figs = {k: f for k, f in _figures(_inputs(), a.lang).items() if a.only in k}
    made, png, size = ({k: [] for k in figs} for _ in range(3))
    for rep in range(a.repeats + 1):
        for name, make in figs.items():
            t0 = time.perf_counter()
            fig = make()
            t1 = time.perf_counter()
            data = sections._png(fig)
            t2 = time.perf_counter()
            plt.close(fig)
            if rep:
                made[name].append(t1 - t0)
                png[name].append(t2 - t1)
                size[name].append(len(data))
            if a.save and rep == a.repeats:
                Path(a.save).mkdir(parents=True, exist_ok=True)
                (Path(a.save) / (name.replace(" ", "_").replace(",", "").replace("(", "").replace(")", "") + ".png")
                 ).write_bytes(data)
    total = []
    for name in figs:
        both = [m + q for m, q in zip(made[name], png[name])]
        total.append(min(both))
        print(f"{name:36s} make {fmt(made[name])} | png {fmt(png[name])} | both {fmt(both)} | {size[name][-1] / 1024:6.0f} KB")
    print(f"sum of the figures' minima: {sum(total):.2f} s")
    print(machine_line())


if __name__ == "__main__":
    main()
