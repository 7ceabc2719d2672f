"""Build the register package data from ``../shared/data`` (developer tool, run once).

Writes ``btchild_analysis/data/units_2013.csv`` (164 units of 2013 with 2019 census population and a
centroid) and copies the change table. Centroids are the representative points of the 2013 commune
polygons of censusVN2009 (MIT, Marc Choisy 2017) computed in UTM 48N; the polygons themselves are not
copied into the project.

Usage: ``python scripts/build_register_data.py [SHARED_DIR]``
"""
from __future__ import annotations

import shutil
import sys
import unicodedata
from pathlib import Path

import geopandas as gpd
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "btchild_analysis" / "data"


def main(shared: Path) -> None:
    reg = shared / "data" / "register"
    units = pd.read_csv(reg / "ben_tre_units_2013.csv", dtype=str)
    pop = pd.read_csv(reg / "ben_tre_population_census2019.csv", dtype={"code": str}).fillna(0)
    poly = gpd.read_file(shared / "data" / "boundaries" / "ben_tre_communes_2013_censusVN2009.geojson")
    pts = poly.to_crs(32648).representative_point().to_crs(4326)
    cent = pd.DataFrame({"code": poly["ma_xa"].astype(str), "lat": pts.y.round(4), "lon": pts.x.round(4)})
    out = units.merge(pop, on="code", validate="1:1").merge(cent, on="code", validate="1:1")
    out = out.rename(columns={"population_total": "population_2019", "population_urban": "population_urban_2019",
                              "population_rural": "population_rural_2019"})
    for col in ["population_2019", "population_urban_2019", "population_rural_2019"]:
        out[col] = out[col].astype(int)
    for col in ["name", "type", "district_name"]:
        out[col] = out[col].map(lambda s: unicodedata.normalize("NFC", s))
    assert len(out) == 164
    out.to_csv(OUT / "units_2013.csv", index=False)
    shutil.copy(reg / "ben_tre_unit_changes.csv", OUT / "unit_changes.csv")
    print(f"wrote {len(out)} units to {OUT / 'units_2013.csv'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared")
