"""The ``btchild`` command.  Each sub-command prints a table (CSV or aligned text) or a summary."""
from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import pandas as pd
import typer

from .errors import BtchildError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Bến Tre child monitoring (Plan 3042/KH-UBND): register, loading, indicators, "
                       "targets, the child-friendly standard, maps and reports.")


class Fmt(str, Enum):
    csv = "csv"
    table = "table"


class Level(str, Enum):
    commune = "commune"
    district = "district"
    province = "province"


def _emit(df: pd.DataFrame, fmt: Fmt) -> None:
    if fmt == Fmt.csv:
        df.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200):
            typer.echo(df.to_string(index=False))


def _fail(exc: Exception) -> None:
    typer.echo(f"btchild: {exc}", err=True)
    raise typer.Exit(2)


@app.command()
def register(on: str = typer.Option("2013-04-06", help="Date (YYYY-MM-DD), year or period"),
             changes: bool = typer.Option(False, "--changes", help="Print the change table instead"),
             format: Fmt = typer.Option(Fmt.csv, "--format")) -> None:
    """Units in force on a date, or the change table 2013 → 2025."""
    from . import register as reg
    try:
        if changes:
            _emit(reg.changes(), format)
        else:
            u = reg.units(on)
            cols = ["code", "name", "type", "district_code", "district_name", "population_2019", "lat", "lon", "class"]
            _emit(u[cols], format)
    except BtchildError as exc:
        _fail(exc)


@app.command()
def sample(seed: int = typer.Option(2013), out: Path = typer.Option(Path("data/sample")),
           messy: bool = typer.Option(True, help="Also write the messy files to OUT/messy")) -> None:
    """Write the SYNTHETIC sample (deterministic for a seed)."""
    from . import messy as messy_mod
    from .sample import generate
    s = generate(seed)
    paths = s.write(out)
    if messy:
        paths += messy_mod.write_messy(s, out / "messy")
    for p in paths:
        typer.echo(str(p))


@app.command()
def elements(lang: str = typer.Option("vi"), format: Fmt = typer.Option(Fmt.table, "--format")) -> None:
    """The registry of data elements (ids, labels, kinds)."""
    from .registry import elements_table
    _emit(elements_table(lang), format)


@app.command()
def load(files: List[Path] = typer.Argument(..., help="CSV or Excel submissions"),
         quarantine: Optional[Path] = typer.Option(None, help="Write the quarantine to this .csv or .xlsx"),
         district: Optional[str] = typer.Option(None, help="District (code or name) for files that name communes"),
         lang: str = typer.Option("vi")) -> None:
    """Load and validate submissions; print the counts; write the quarantine for the districts."""
    from .io import load_submissions
    try:
        res = load_submissions(files, district=district)
    except BtchildError as exc:
        _fail(exc)
    typer.echo(res.summary_text(lang))
    if len(res.quarantine):
        counts = res.quarantine["reason"].value_counts()
        for reason, n in counts.items():
            typer.echo(f"  {reason}: {n}")
    if res.flags is not None and len(res.flags):
        typer.echo(f"  {'giá trị bất thường (giữ lại, gắn cờ)' if lang == 'vi' else 'outliers (kept, flagged)'}: {len(res.flags)}")
    if quarantine:
        res.write_quarantine(quarantine)
        typer.echo(f"→ {quarantine}")


def _dataset(data: Optional[Path]):
    from .dataset import load_dataset
    return load_dataset(data)


@app.command()
def completeness(data: Optional[Path] = typer.Argument(None, help="Sample-like folder or submission_dates CSV"),
                 period: str = typer.Option(..., help="2015 or 2015H1"),
                 format: Fmt = typer.Option(Fmt.table, "--format")) -> None:
    """Reports received, missing, on time and late, by district and province."""
    from .quality import completeness as comp
    try:
        if data is not None and data.is_file():
            dates = pd.read_csv(data, dtype=str)
        else:
            dates = _dataset(data).submission_dates
        if dates is None:
            raise BtchildError("no submission dates found (submission_dates*.csv)")
        _emit(comp(dates, period), format)
    except BtchildError as exc:
        _fail(exc)


@app.command()
def indicators(data: Optional[Path] = typer.Argument(None, help="Sample-like folder or submission files (default: the sample)"),
               level: Level = typer.Option(Level.province), vintage: Optional[str] = typer.Option(None),
               indicator: Optional[List[str]] = typer.Option(None, help="Indicator id (repeatable)"),
               format: Fmt = typer.Option(Fmt.csv, "--format")) -> None:
    """Indicators with numerator, denominator, value and 95% Wilson interval."""
    from .indicators import compute
    try:
        d = _dataset(data)
        _emit(compute(d.all_elements(), level.value, vintage, indicator or None), format)
    except BtchildError as exc:
        _fail(exc)


@app.command()
def targets(data: Optional[Path] = typer.Argument(None), level: Level = typer.Option(Level.province),
            vintage: Optional[str] = typer.Option(None), format: Fmt = typer.Option(Fmt.csv, "--format")) -> None:
    """Status of the twelve plan targets: baseline, latest, target, status, projection."""
    from .indicators import compute
    from .targets import status_table
    try:
        d = _dataset(data)
        _emit(status_table(compute(d.all_elements(), level.value, vintage)), format)
    except BtchildError as exc:
        _fail(exc)


@app.command()
def standard(scores: Path = typer.Argument(..., help="Self-assessment scores (CSV/Excel, long)"),
             year: Optional[int] = typer.Option(None), data: Optional[Path] = typer.Option(None, help="Data for --audit"),
             classes: Optional[Path] = typer.Option(None, help="commune_code,year,class overrides"),
             edition_2014: Optional[str] = typer.Option(None, help="cfc_2010 to score 2014 under QĐ 37/2010"),
             audit: bool = typer.Option(False, "--audit"), format: Fmt = typer.Option(Fmt.csv, "--format")) -> None:
    """Verdicts of the child-friendly standard per commune (and audit flags with --audit)."""
    from . import standard as std
    from .indicators import compute
    from .io import load_scores
    try:
        res = load_scores(scores, transitional=edition_2014)
        if len(res.quarantine):
            typer.echo(f"{res.summary_text()} (quarantine: {len(res.quarantine)})", err=True)
        s = res.accepted if year is None else res.accepted[res.accepted["year"] == year]
        cls = pd.read_csv(classes, dtype={"commune_code": str}) if classes else None
        if cls is None and data is None and "synthetic" in scores.name:
            cls = _dataset(scores.parent).classes
        verdicts = std.assess(s, cls, edition_2014)
        out = verdicts[["commune_code", "name", "district_name", "year", "edition", "total", "threshold",
                        "status", "reasons_vi"]].rename(columns={"commune_code": "code", "district_name": "district",
                                                                 "reasons_vi": "reasons"})
        if audit:
            d = _dataset(data if data is not None else scores.parent)
            flags = std.audit(s, compute(d.all_elements(), "commune"), edition_2014)
            agg = flags.groupby(["commune_code", "year"])["message_vi"].agg("; ".join).rename("audit")
            out = out.merge(agg, left_on=["code", "year"], right_index=True, how="left").fillna({"audit": ""})
        _emit(out, format)
    except BtchildError as exc:
        _fail(exc)


@app.command()
def boundaries(file: Path = typer.Argument(..., help="GeoJSON, GeoPackage or Shapefile"),
               on: str = typer.Option("2013-04-06", help="Vintage of the polygons"),
               encoding: Optional[str] = typer.Option(None)) -> None:
    """Match a boundary file to the register; exit non-zero when units are left unmatched."""
    from .boundaries import read_boundaries
    try:
        _, rep = read_boundaries(file, on=on, encoding=encoding, allow_unmatched=True)
    except BtchildError as exc:
        _fail(exc)
    typer.echo(rep.text())
    if not rep.ok:
        raise typer.Exit(1)


@app.command()
def report(spec: Optional[Path] = typer.Option(None, help="Run spec YAML (default: the bundled one)"),
           out: Path = typer.Option(Path("outputs")), jobs: Optional[int] = typer.Option(None, help="Notebooks at once"),
           force: bool = typer.Option(False, "--force"), lang: Optional[str] = typer.Option(None),
           data: Optional[Path] = typer.Option(None), boundaries: Optional[Path] = typer.Option(None)) -> None:
    """Run the report notebooks and build the HTML portfolio with its index page."""
    from .reports import run_portfolio
    try:
        result = run_portfolio(spec, out, jobs=jobs, force=force,
                               overrides={"lang": lang, "data": str(data) if data else None,
                                          "boundaries": str(boundaries) if boundaries else None})
    except BtchildError as exc:
        _fail(exc)
    failed = [j for j in result if j.status == "failed"]
    for j in result:
        typer.echo(f"{j.status:8s} {j.seconds:6.1f}s  {out / j.html}")
    typer.echo(f"→ {out / 'index.html'}")
    if failed:
        typer.echo(f"{len(failed)} of {len(result)} reports failed", err=True)
        raise typer.Exit(1)


def main() -> None:
    """Entry point of the console script."""
    app()


if __name__ == "__main__":
    main()
