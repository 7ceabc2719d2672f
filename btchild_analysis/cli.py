"""The ``btchild`` command.  Each sub-command prints a table (CSV or aligned text) or a summary.

Three rules hold for every sub-command, each implemented once here:

* **Errors are one line.**  :class:`_Cli` (the command group) catches what a command raises: a known
  error (a package error, a bad file, a bad parameter) prints ``btchild: <message>`` on stderr and
  exits 2; anything else prints one line plus ``run with --debug for details`` and exits 1.
  ``--debug`` shows the Python traceback.  Parameters are checked before a command runs (files must
  be regular files: a FIFO is refused, never opened; dates, periods, vintages, districts, languages).
* **Nothing raw reaches the terminal.**  Every printed text goes through :func:`clean`, which shows
  control characters (terminal escape sequences, C1 controls, bidirectional overrides) as ``\\xNN``.
* **Synthetic data say so.**  When the data used are synthetic, a CSV on stdout has a first column
  ``synthetic`` = ``true`` and a table has the first line ``DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA``.

Length: over 400 lines because it holds one short function per ``btchild`` command and the single
error handler they share; the work of each command lives in the library.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import stat
import sys
import traceback
from enum import Enum
from pathlib import Path
from typing import Any, List, Optional

import pandas as pd
import typer
from typer.core import TyperGroup

from .errors import BtchildError
from .i18n import label

SYNTHETIC_BANNER = "DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA"
DEBUG_HINT = "run with --debug for details"
#: Longest error line printed (the rest is cut with "…").
MAX_ERROR_CHARS = 2000
_TABLE_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm", ".xls", ".yaml", ".yml")


# ----------------------------------------------------------------------------- printing

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape_char(m: re.Match) -> str:
    c = m.group(0)
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"


def clean(text: object, one_line: bool = False) -> str:
    """Text safe to print on a terminal: control characters shown as ``\\xNN``, never sent raw.

    Line feeds and tabs are kept unless ``one_line``, where every run of white space is one space.

    >>> clean("Xã \\x1b[31mRED\\x1b[0m")
    'Xã \\\\x1b[31mRED\\\\x1b[0m'
    >>> clean("a\\n  b\\r", one_line=True)
    'a b'
    """
    s = str(text)
    if one_line:
        s = " ".join(s.split())
        return _CONTROL_LINE.sub(_escape_char, s)
    return _CONTROL.sub(_escape_char, s)


def _say(text: object, err: bool = False) -> None:
    typer.echo(clean(text), err=err)


def _error_line(message: object, hint: str = "") -> None:
    text = clean(message, one_line=True) or "error"
    if len(text) > MAX_ERROR_CHARS:
        text = text[:MAX_ERROR_CHARS] + "…"
    typer.echo(f"btchild: {text}" + (f" ({hint})" if hint else ""), err=True)


def _clean_cells(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: clean(v, one_line=True) if isinstance(v, str) else v)
    out.columns = [clean(c, one_line=True) for c in out.columns]
    return out


def _emit(df: pd.DataFrame, fmt: "Fmt", synthetic: bool = False) -> None:
    """Print a table as CSV (injection-safe; column ``synthetic`` first when synthetic) or aligned text."""
    from .outputs import csv_safe

    if fmt == Fmt.csv:
        out = csv_safe(df)
        if synthetic:
            out.insert(0, "synthetic", "true")
        _say(out.to_csv(index=False, lineterminator="\n").rstrip("\n"))
        return
    with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200):
        body = _clean_cells(df).to_string(index=False)
    _say(f"{SYNTHETIC_BANNER}\n{body}" if synthetic else body)


# ----------------------------------------------------------------------------- the error handler

def _known_errors() -> tuple[type[BaseException], ...]:
    import zipfile

    known: list[type[BaseException]] = [BtchildError, OSError, UnicodeError, zipfile.BadZipFile,
                                        pd.errors.EmptyDataError, pd.errors.ParserError]
    try:
        from openpyxl.utils.exceptions import InvalidFileException
        known.append(InvalidFileException)
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        pass
    return tuple(known)


def _message(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        where = exc.filename if exc.filename is not None else ""
        return f"{where}: {exc.strerror}" if where else exc.strerror
    if isinstance(exc, UnicodeDecodeError):
        return f"the file is not text in a known encoding ({exc.reason} at byte {exc.start})"
    text = str(exc).strip()
    return text or type(exc).__name__


def _kind(exc: BaseException) -> set[str]:
    """Names of the exception's classes: typer vendors click (``typer._click``) in recent versions and
    uses ``click`` itself in older ones, so click's errors are recognised by name, not by class."""
    return {c.__name__ for c in type(exc).__mro__}


def handle(exc: BaseException, debug: bool) -> int:
    """Print one line for an exception; return the exit code (2 known, 1 unexpected).

    Click's usage errors (unknown option, bad value, missing argument) keep their exit code (2).
    """
    kinds = _kind(exc)
    if "NoArgsIsHelpError" in kinds:
        typer.echo(exc.ctx.get_help(), err=True)
        return exc.exit_code
    if "ClickException" in kinds:
        ctx = getattr(exc, "ctx", None)
        hint = f"see '{ctx.command_path} --help'" if "UsageError" in kinds and ctx is not None else ""
        _error_line(exc.format_message(), hint)
        return exc.exit_code
    if "Abort" in kinds or isinstance(exc, KeyboardInterrupt):
        _error_line("interrupted")
        return 130
    if debug:
        _say("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip("\n"), err=True)
    if isinstance(exc, _known_errors()):
        _error_line(_message(exc))
        return 2
    _error_line(f"unexpected error: {type(exc).__name__}: {_message(exc)}", "" if debug else DEBUG_HINT)
    return 1


class _Cli(TyperGroup):
    """The command group: parses ``--debug`` anywhere and runs every command under :func:`handle`."""

    def main(self, args: Optional[list] = None, prog_name: Optional[str] = None,
             complete_var: Optional[str] = None, standalone_mode: bool = True, **extra: Any) -> Any:
        args = list(sys.argv[1:] if args is None else args)
        debug = "--debug" in args
        args = [a for a in args if a != "--debug"]
        try:
            rv = super().main(args, "btchild", complete_var, standalone_mode=False, **extra)
            code = rv if isinstance(rv, int) else 0
        except SystemExit as exc:  # a library calling sys.exit: keep its code
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException as exc:  # noqa: BLE001 - the one place every error is turned into a line
            code = handle(exc, debug)
        if standalone_mode:
            sys.exit(code)
        return code


app = typer.Typer(cls=_Cli, add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Bến Tre child monitoring (Plan 3042/KH-UBND): admin_units, loading, indicators, "
                       "targets, the child-friendly standard, maps and reports.")


@app.callback()
def _options(debug: bool = typer.Option(False, "--debug", help="Show the Python traceback of an error "
                                                                 "(may be given anywhere on the line)")) -> None:
    """Bến Tre child monitoring (Plan 3042/KH-UBND)."""


# ----------------------------------------------------------------------------- parameter checks

class Fmt(str, Enum):
    csv = "csv"
    table = "table"


class Level(str, Enum):
    commune = "commune"
    district = "district"
    province = "province"


class Lang(str, Enum):
    vi = "vi"
    en = "en"


class By(str, Enum):
    sex = "sex"


_BY_HELP = "sex: a row per sex (column sex: Nam/Nữ, Male/Female with --lang en)"


def _file_problem(path: Path, folder_ok: bool = False) -> str | None:
    """Why ``path`` cannot be read as an input (None when it can); never opens it."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "no such file or folder"
    except NotADirectoryError:
        return "a part of the path is a file, not a folder"
    except OSError as exc:
        return exc.strerror or "cannot be read"
    if stat.S_ISDIR(st.st_mode):
        if not folder_ok:
            return "is a folder; give the file(s) in it (e.g. FOLDER/*.xlsx)"
        return _folder_problem(path)
    if not stat.S_ISREG(st.st_mode):
        return "is not a regular file (a pipe, device or socket); give a CSV or Excel file"
    if not os.access(path, os.R_OK):
        return "permission denied"
    if st.st_size == 0:
        return "the file is empty"
    from .limits import ENV, get_limits
    limit = get_limits().max_file_bytes
    if st.st_size > limit:
        return f"refused, the file has {st.st_size:,} bytes; the limit is {limit:,} ({ENV['max_file_bytes']})"
    return None


def _folder_problem(folder: Path) -> str | None:
    if not os.access(folder, os.R_OK | os.X_OK):
        return "permission denied"
    entries = [p for p in folder.iterdir() if p.suffix.lower() in _TABLE_SUFFIXES and not p.name.startswith(".")]
    for p in entries:
        try:
            if not stat.S_ISREG(os.stat(p).st_mode) and not p.is_dir():
                return f"{p.name} is not a regular file (a pipe, device or socket)"
        except OSError:
            return f"{p.name} cannot be read"
    if not [p for p in entries if p.suffix.lower() not in (".yaml", ".yml")]:
        return "no CSV or Excel file in this folder"
    return None


def _check_input(value: Optional[Path], folder_ok: bool = False) -> Optional[Path]:
    if value is None:
        return None
    problem = _file_problem(value, folder_ok)
    if problem:
        raise typer.BadParameter(f"{value}: {problem}")
    return value


def _in_file(value: Optional[Path]) -> Optional[Path]:
    return _check_input(value)


def _in_files(values: Optional[List[Path]]) -> Optional[List[Path]]:
    """Files to read, or one data folder (its parts found as ``btchild report --data`` finds them)."""
    one_folder = len(values or []) == 1 and values[0].is_dir()
    for v in values or []:
        _check_input(v, folder_ok=one_folder)
    return values


def _in_data(value: Optional[Path]) -> Optional[Path]:
    return _check_input(value, folder_ok=True)


def _out_file(value: Optional[Path]) -> Optional[Path]:
    if value is not None and (value.is_dir() or (value.exists() and not value.is_file())):
        raise typer.BadParameter(f"{value}: exists and is not a regular file; give a file name to write")
    return value


def _out_dir(value: Optional[Path]) -> Optional[Path]:
    if value is not None and value.exists() and not value.is_dir():
        raise typer.BadParameter(f"{value}: exists and is not a folder; give a folder to write into")
    return value


def _when(value: Optional[str]) -> Optional[str]:
    """A date (YYYY-MM-DD), a year or a period."""
    if value is None:
        return None
    from .admin_units import as_date
    try:
        as_date(value)
    except (ValueError, BtchildError):
        raise typer.BadParameter(f"'{value}' is not a date (YYYY-MM-DD), a year (2015) or a period (2015H1)") from None
    return value


def _period(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    from .periods import parse_period
    try:
        return str(parse_period(value))
    except BtchildError as exc:
        raise typer.BadParameter(str(exc)) from None


def _period_or_auto(value: Optional[str]) -> Optional[str]:
    """A period, or ``auto``: the report due next after today (deadlines from ``plan.yaml``)."""
    if value is not None and value.strip().lower() == "auto":
        from .periods import due_next
        return str(due_next())
    return _period(value)


def _vintage(value: Optional[str]) -> Optional[str]:
    """A vintage key (2013, 2020, 2023, 2024, 2025) or a date, year or period not after today."""
    if value is None:
        return None
    from .admin_units import VINTAGES, as_date
    if value.strip() in VINTAGES:
        return value.strip()
    keys = ", ".join(VINTAGES)
    try:
        day = as_date(value)
    except (ValueError, BtchildError):
        raise typer.BadParameter(f"'{value}' is not a vintage: use {keys}, or a date, year or period") from None
    if day > dt.date.today():
        raise typer.BadParameter(f"'{value}' is in the future: the register knows the vintages {keys}")
    return value


def _district(value: Optional[str]) -> Optional[str]:
    """A district named loosely → its GSO code (unknown: the list of names)."""
    if value is None:
        return None
    from .admin_units import find_district
    try:
        return str(find_district(value)["district_code"])
    except BtchildError as exc:
        raise typer.BadParameter(str(exc)) from None


def _year(value: Optional[int]) -> Optional[int]:
    if value is None:
        return None
    from .standard import edition_for_year
    try:
        edition_for_year(value)
    except BtchildError as exc:
        raise typer.BadParameter(str(exc)) from None
    return value


# ----------------------------------------------------------------------------- data

def _dataset(data: Optional[Path]):
    from .dataset import load_dataset
    return load_dataset(data)


def _descriptor_synthetic(folder: Path) -> bool:
    from .dataset import read_descriptor
    return bool(read_descriptor(folder)["synthetic"])


# ----------------------------------------------------------------------------- commands

@app.command()
def register(on: str = typer.Option("2013-04-06", callback=_when, help="Date (YYYY-MM-DD), year or period"),
             changes: bool = typer.Option(False, "--changes", help="Print the change table instead"),
             format: Fmt = typer.Option(Fmt.csv, "--format")) -> None:
    """Units in force on a date, or the change table 2013 → 2025."""
    from . import admin_units as reg
    if changes:
        _emit(reg.changes(), format)
    else:
        u = reg.units(on)
        cols = ["code", "name", "type", "district_code", "district_name", "population_2019", "lat", "lon", "class"]
        _emit(u[cols], format)


@app.command()
def sample(seed: int = typer.Option(2013, min=0, max=2**32 - 1),
           out: Path = typer.Option(Path("data/sample"), callback=_out_dir),
           messy: bool = typer.Option(True, help="Also write the messy files to OUT/messy")) -> None:
    """Write the SYNTHETIC sample (deterministic for a seed) with a descriptor saying so."""
    from . import messy as messy_mod
    from . import sample_anthro
    from .dataset import DESCRIPTOR
    from .outputs import atomic_write_text
    from .sample import generate
    described = (out / DESCRIPTOR).is_file()
    if out.is_dir() and not _descriptor_synthetic(out) and (described or any(out.iterdir())):
        raise BtchildError(f"{out}: this folder holds other data (no {DESCRIPTOR} saying synthetic: true); "
                           f"write the synthetic sample into a new folder")
    s = generate(seed)
    paths = s.write(out)
    paths.append(sample_anthro.write(out, seed=seed, submissions=s.submissions))
    if not described:
        paths.append(atomic_write_text(out / DESCRIPTOR, _sample_descriptor(seed, paths)))
    if messy:
        paths += messy_mod.write_messy(s, out / "messy")
    for p in paths:
        _say(p)


def _sample_descriptor(seed: int, paths: list[Path]) -> str:
    import yaml

    from .dataset import classify
    meta = {"title": f"Mẫu dữ liệu mô phỏng btchild (seed {seed}) / btchild synthetic sample (seed {seed})",
            "source": f"btchild_analysis.sample.generate(seed={seed}): GSO commune codes and 2019 census sizes "
                      f"(real); child figures invented",
            "synthetic": True, "resources": [{"path": p.name, "kind": classify(p)} for p in paths]}
    return (f"# THIS FOLDER IS SYNTHETIC: made by `btchild sample --seed {seed}`; no child figure here is real.\n"
            + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False))


@app.command()
def elements(lang: Lang = typer.Option(Lang.vi), format: Fmt = typer.Option(Fmt.table, "--format")) -> None:
    """The registry of data elements (ids, labels, kinds)."""
    from .catalog import elements_table
    _emit(elements_table(lang.value), format)


def _load_result(files: List[Path], district: Optional[str]):
    """The submissions' LoadResult of the files, or of the one data folder given."""
    if len(files) == 1 and files[0].is_dir():
        if district:
            raise typer.BadParameter(f"{files[0]}: --district applies to files; a folder's districts come "
                                     "from its file and sheet names", param_hint="'--district'")
        ds = _dataset(files[0])
        if ds.load is None:
            raise BtchildError(f"{files[0]}: no submissions found in this folder (CSV or Excel files with "
                               "commune codes or names, periods and data elements)")
        return ds.load
    from .io import load_submissions
    return load_submissions(files, district=district)


@app.command()
def load(files: List[Path] = typer.Argument(..., callback=_in_files,
                                            help="CSV or Excel submissions, or one data folder"),
         quarantine: Optional[Path] = typer.Option(None, callback=_out_file,
                                                   help="Write the quarantine to this .csv or .xlsx"),
         district: Optional[str] = typer.Option(None, callback=_district,
                                                help="District (code or name) for files that name communes"),
         lang: Lang = typer.Option(Lang.vi)) -> None:
    """Load and validate submissions; print the counts; write the quarantine for the districts."""
    res = _load_result(files, district)
    _say(res.summary_text(lang.value))
    if len(res.quarantine):
        counts = res.quarantine["reason"].value_counts()
        for reason, n in counts.items():
            _say(f"  {reason}: {n}")
    if res.flags is not None and len(res.flags):
        _say(f"  {label('cli.outliers', lang.value)}: {len(res.flags)}")
    if quarantine:
        res.write_quarantine(quarantine)
        _say(f"→ {quarantine}")


@app.command()
def completeness(data: Optional[Path] = typer.Argument(None, callback=_in_data,
                                                       help="Data folder or arrival log (default: the sample)"),
                 period: str = typer.Option(..., callback=_period, help="2015 or 2015H1"),
                 format: Fmt = typer.Option(Fmt.table, "--format")) -> None:
    """Reports received, missing, on time and late, by district and province."""
    from .quality import completeness as comp
    if data is not None and data.is_file():
        from .dataset import read_arrivals
        dates, _ = read_arrivals([data])
        synthetic = _descriptor_synthetic(data.parent)
    else:
        d = _dataset(data)
        dates, synthetic = d.submission_dates, d.synthetic
    if dates is None:
        raise BtchildError(f"{data or 'the sample'}: no arrival log of reports (Mã xã, Kỳ báo cáo, Ngày nộp)")
    _emit(comp(dates, period), format, synthetic)


@app.command()
def indicators(data: Optional[Path] = typer.Argument(None, callback=_in_data,
                                                     help="Data folder or submission file (default: the sample)"),
               level: Level = typer.Option(Level.province),
               vintage: Optional[str] = typer.Option(None, callback=_vintage, help="2013, 2020, 2023, 2024, 2025 or a date"),
               indicator: Optional[List[str]] = typer.Option(None, help="Indicator id (repeatable)"),
               by: Optional[By] = typer.Option(None, "--by", help=_BY_HELP),
               lang: Lang = typer.Option(Lang.vi, help="Words of the sex column (with --by sex)"),
               format: Fmt = typer.Option(Fmt.csv, "--format")) -> None:
    """Indicators with numerator, denominator, value and 95% Wilson interval."""
    d = _dataset(data)
    _emit(_values(d, level.value, vintage, indicator or None, by, lang.value), format, d.synthetic)


@app.command()
def targets(data: Optional[Path] = typer.Argument(None, callback=_in_data), level: Level = typer.Option(Level.province),
            vintage: Optional[str] = typer.Option(None, callback=_vintage),
            by: Optional[By] = typer.Option(None, "--by", help=_BY_HELP + "; each sex against the same targets"),
            lang: Lang = typer.Option(Lang.vi, help="Words of the sex column (with --by sex)"),
            format: Fmt = typer.Option(Fmt.csv, "--format")) -> None:
    """Status of the twelve plan targets: baseline, latest, target, status, projection."""
    from .targets import status_table
    d = _dataset(data)
    values = _values(d, level.value, vintage, None, by, lang.value)
    if by is None:
        _emit(status_table(values), format, d.synthetic)
        return
    parts = [status_table(v).assign(sex=s) for s, v in values.groupby("sex", sort=False)]
    out = pd.concat(parts, ignore_index=True) if parts else status_table(values)
    out.insert(out.columns.get_loc("indicator") + 1, "sex", out.pop("sex") if "sex" in out else "")
    _emit(out, format, d.synthetic)


def _values(d, level: str, vintage: Optional[str], which: Optional[list], by: Optional[By], lang: str) -> pd.DataFrame:
    """The indicator table, by sex when asked (column ``sex`` in words, right after ``indicator``).

    Data without a split by sex: a one-line note on stderr and the totals (``sex`` = Tổng số / Total).
    """
    from .indicators import compute
    if by is None:
        return compute(d.all_elements(), level, vintage, which)
    from .indicators import sex_indicators
    from .sex_figures import has_split, sex_word, text
    by_sex = getattr(d, "by_sex", None)
    if not has_split(by_sex):
        _say("btchild: " + text("cli_no_split", lang).format(total=sex_word("total", lang)), err=True)
        out = compute(d.all_elements(), level, vintage, which)
        out.insert(out.columns.get_loc("indicator") + 1, "sex", sex_word("total", lang))
        return out
    unsplit = [w for w in which or [] if w not in sex_indicators(which)]
    if unsplit:
        _say("btchild: " + text("cli_unsplit", lang).format(ids=", ".join(unsplit)), err=True)
    out = compute(by_sex, level, vintage, which, by="sex")
    out["sex"] = out["sex"].map(lambda s: sex_word(s, lang))
    return out


@app.command()
def standard(scores: Path = typer.Argument(..., callback=_in_file, help="Self-assessment scores (CSV/Excel, long)"),
             year: Optional[int] = typer.Option(None, callback=_year),
             data: Optional[Path] = typer.Option(None, callback=_in_data, help="Data for --audit"),
             classes: Optional[Path] = typer.Option(None, callback=_in_file, help="commune_code,year,class overrides"),
             edition_2014: Optional[str] = typer.Option(None, help="cfc_2010 to score 2014 under QĐ 37/2010"),
             audit: bool = typer.Option(False, "--audit"), format: Fmt = typer.Option(Fmt.csv, "--format")) -> None:
    """Verdicts of the child-friendly standard per commune (and audit flags with --audit)."""
    from . import standard as std
    from .indicators import compute
    from .io import load_scores
    res = load_scores(scores, transitional=edition_2014)
    if len(res.quarantine):
        _say(f"{res.summary_text()} (quarantine: {len(res.quarantine)})", err=True)
    s = res.accepted if year is None else res.accepted[res.accepted["year"] == year]
    if s.empty:
        years = sorted(set(res.accepted["year"]))
        have = f"years in the file: {years[0]}–{years[-1]}" if years else "no score was accepted"
        raise BtchildError(f"{scores}: no scores for {year if year is not None else 'any year'} ({have})")
    synthetic = _descriptor_synthetic(scores.parent)
    if classes:
        from .dataset import read_classes
        cls = read_classes([classes])
    else:
        cls = _dataset(scores.parent).classes if data is None and synthetic else None
    verdicts = std.assess(s, cls, edition_2014)
    out = verdicts[["commune_code", "name", "district_name", "year", "edition", "total", "threshold",
                    "status", "reasons_vi"]].rename(columns={"commune_code": "code", "district_name": "district",
                                                             "reasons_vi": "reasons"})
    if audit:
        d = _dataset(data if data is not None else scores.parent)
        synthetic = synthetic or d.synthetic
        flags = std.audit(s, compute(d.all_elements(), "commune"), edition_2014)
        agg = flags.groupby(["commune_code", "year"])["message_vi"].agg("; ".join).rename("audit")
        out = out.merge(agg, left_on=["code", "year"], right_index=True, how="left").fillna({"audit": ""})
    _emit(out, format, synthetic)


@app.command()
def boundaries(file: Path = typer.Argument(..., callback=_in_file, help="GeoJSON, GeoPackage or Shapefile"),
               on: str = typer.Option("2013-04-06", callback=_when, help="Vintage of the polygons"),
               encoding: Optional[str] = typer.Option(None)) -> None:
    """Match a boundary file to the register; exit 1 when units are left unmatched."""
    from .boundaries import read_boundaries
    _, rep = read_boundaries(file, on=on, encoding=encoding, allow_unmatched=True)
    _say(rep.text())
    if not rep.ok:
        raise typer.Exit(1)


@app.command()
def report(spec: Optional[Path] = typer.Option(None, callback=_in_file, help="Run spec YAML (default: the bundled one)"),
           out: Path = typer.Option(Path("outputs"), callback=_out_dir, help="Folder of the portfolio"),
           jobs: Optional[int] = typer.Option(None, min=1, help="Notebooks at once"),
           force: bool = typer.Option(False, "--force"), lang: Optional[Lang] = typer.Option(None),
           data: Optional[Path] = typer.Option(None, callback=_in_data),
           boundaries: Optional[Path] = typer.Option(None, callback=_in_file),
           timeout: Optional[float] = typer.Option(None, min=1, help="Seconds per report (overrides the spec)"),
           warm: bool = typer.Option(True, "--warm/--no-warm", help="Keep one kernel per worker, library imported, "
                                                                     "reset between reports (--no-warm: a new one per report)"),
           executor: Optional[str] = typer.Option(None, help="'dask' or dask://host:port: run the reports on a "
                                                             "dask.distributed cluster (the package's dask extra)")) -> None:
    """Run the report notebooks and build the HTML portfolio with its index page."""
    from . import reports
    extra = {"timeout": timeout} if timeout is not None else {}
    result = reports.run_portfolio(spec, out, jobs=jobs, force=force, warm=warm, executor=executor,
                                   overrides={"lang": lang.value if lang else None, "data": str(data) if data else None,
                                              "boundaries": str(boundaries) if boundaries else None}, **extra)
    failed = [j for j in result if j.status == "failed"]
    for j in result:
        _say(f"{j.status:8s} {j.seconds:6.1f}s  {out / j.html}")
    _say(f"→ {out / 'index.html'}")
    if failed:
        _say(f"{len(failed)} of {len(result)} reports failed", err=True)
        raise typer.Exit(1)


@app.command()
def template(outdir: Path = typer.Argument(..., callback=_out_dir, help="Folder to write the templates into"),
             period: str = typer.Option("auto", callback=_period_or_auto,
                                        help="Year (H1 and annual sheets), YYYYH1, or auto (the report due next): "
                                             "the communes in force then are listed"),
             district: Optional[str] = typer.Option(None, callback=_district, help="Only this district's communes"),
             force: bool = typer.Option(False, "--force", help="Overwrite templates already in OUTDIR")) -> None:
    """Write empty Excel templates (submissions, scores, arrival log, classes) and a datapackage.yaml."""
    from .templates_xlsx import write_templates
    for p in write_templates(outdir, period, district, overwrite=force):
        _say(p)


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point of the console script; returns (and exits with) the exit code."""
    return app(args=argv, prog_name="btchild")


if __name__ == "__main__":
    main()
