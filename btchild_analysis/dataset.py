"""One call that gives an analysis everything it needs: accepted elements, arrival log, scores, classes.

A *data folder* holds the files a province has: commune submissions (long CSV or district workbooks),
self-assessment score sheets of the child-friendly standard, the arrival log of reports and the
commune classes.  Each part is named in the folder's descriptor ``datapackage.yaml`` or, without one,
found by the headings inside each file (:func:`classify`).  The descriptor also says what the data
are (``synthetic: true|false``, title, source, as-of date); a folder without one is real data.

``load_dataset()`` with no path gives the bundled SYNTHETIC sample (whose descriptor says so).

Length: just over 400 lines: the descriptor, the parts of a folder and the small parts' readers
make one data folder.
"""
from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from . import io, standard
from ._resources import load_yaml
from .errors import BtchildError, SubmissionError
from .fmt import date as fmt_date
from .anthro_io import heading_key
from .headings import fold_key, parse_date
from .periods import parse_period, period_order
from .validation import reason_text
from .style import label
from .sample import sample_dir
from .sex_parts import empty_by_sex

DESCRIPTOR = "datapackage.yaml"
PART_KINDS = ("submissions", "scores", "arrivals", "classes", "measurements")
TABLE_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm", ".xls")
_DESCRIPTOR_KEYS = {"title", "source", "as_of", "synthetic", "resources", "description", "licence", "license"}
#: Folded headings that tell the parts apart (see :func:`classify`).
_ARRIVAL_HEADS = {"submitted on", "submitted_on", "ngay nop", "ngay nhan", "ngay gui", "ngay nop bao cao"}
_CRITERION_HEADS = {"criterion", "tieu chi", "ma tieu chi"}
_SCORE_HEADS = {"score", "diem", "diem tu cham", "so diem"}
_CLASS_HEADS = {"class", "loai xa", "phan loai", "phan loai xa"}


def _measurement_heads() -> tuple[set[str], set[str]]:
    """Headings of a list of children measured: (sex or date of birth) and (weight or height)."""
    cols = load_yaml("anthropometry.yaml")["columns"]
    return ({heading_key(n) for n in cols["sex"] + cols["birth_date"]},
            {heading_key(n) for n in cols["weight_kg"] + cols["lenhei_cm"]})


class DatasetError(BtchildError):
    """A data folder or descriptor that cannot be used."""


@dataclass
class Dataset:
    """Accepted data elements plus what the reports need around them.

    Attributes
    ----------
    elements : DataFrame
        Accepted data elements ``commune_code, period, element, value, file`` (totals only).
    by_sex : DataFrame
        Parts of elements split by sex ``commune_code, period, element, sex, value, derived`` (``sex``
        ``male`` or ``female``; ``derived``: computed as the total minus the other part).  Empty (with
        these columns) when the data are not split; pass it to ``indicators.compute(..., by="sex")``.
    submission_dates : DataFrame or None
        Arrival log ``commune_code, period, submitted_on`` (ISO dates; empty = never received).
    scores : DataFrame or None
        Accepted self-assessment scores ``commune_code, year, edition, criterion, score``.
    classes : DataFrame or None
        Commune classes ``commune_code, year, class``.
    synthetic : bool
        True when any input is synthetic (from the descriptor, never from file names).
    source, title, as_of : str
        What the data are, from the descriptor or the folder.
    load, score_load : LoadResult or None
        The outcome of loading submissions and score sheets (counts, quarantine).
    parts : dict
        Which files made up each part (``submissions``, ``scores``, ``arrivals``, ``classes``,
        ``measurements``: lists of children measured, read by :mod:`btchild_analysis.anthropometry`).
    """

    elements: pd.DataFrame
    submission_dates: pd.DataFrame | None = None
    scores: pd.DataFrame | None = None
    classes: pd.DataFrame | None = None
    synthetic: bool = False
    source: str = ""
    title: str = ""
    as_of: str = ""
    load: io.LoadResult | None = None
    score_load: io.LoadResult | None = None
    parts: dict = field(default_factory=dict)
    extra_quarantine: pd.DataFrame | None = None
    by_sex: pd.DataFrame = field(default_factory=empty_by_sex)
    _assessment: pd.DataFrame | None = field(default=None, repr=False)
    _indicators: pd.DataFrame | None = field(default=None, repr=False)

    # ------------------------------------------------------------------ what the data hold
    def has(self, part: str) -> bool:
        """Whether a part (``submissions``, ``scores``, ``arrivals``, ``classes``) holds any row."""
        if part == "measurements":
            return bool(self.parts.get("measurements"))
        table = {"submissions": self.elements, "scores": self.scores, "arrivals": self.submission_dates,
                 "classes": self.classes}[part]
        return table is not None and len(table) > 0

    def periods(self) -> list[str]:
        """Periods with accepted submissions, in time order (``2015H1`` before ``2015``)."""
        if self.elements is None or self.elements.empty:
            return []
        return sorted(self.elements["period"].astype(str).unique(), key=period_order)

    def years(self) -> list[int]:
        """Years with annual submissions or score sheets."""
        ys = {int(p) for p in self.periods() if len(p) == 4}
        if self.has("scores"):
            ys |= set(self.scores["year"].astype(int))
        return sorted(ys)

    @property
    def quarantine(self) -> pd.DataFrame:
        """Every quarantined row of this dataset (submissions, score sheets, arrival log)."""
        parts = [r.quarantine for r in (self.load, self.score_load) if r is not None]
        if self.extra_quarantine is not None:
            parts.append(self.extra_quarantine)
        parts = [p for p in parts if len(p)]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=io.QUARANTINE_COLUMNS)

    def source_line(self, lang: str = "vi") -> str:
        """One line naming the data: source and as-of date (plain text; escape it for HTML)."""
        as_of = f", {label('as_of', lang)} {fmt_date(self.as_of, lang)}" if self.as_of else ""
        return f"{label('data_source', lang)}: {self.title or self.source}{as_of}"

    # ------------------------------------------------------------------ derived tables
    def assessment(self, transitional: str | None = None) -> pd.DataFrame:
        """Verdicts of the child-friendly standard for every commune and year with a sheet."""
        if not self.has("scores"):
            return pd.DataFrame()
        if transitional is not None:
            return standard.assess(self.scores, self.classes, transitional)
        if self._assessment is None:
            self._assessment = standard.assess(self.scores, self.classes)
        return self._assessment

    def all_elements(self) -> pd.DataFrame:
        """The submitted elements plus ``child_friendly_met`` from the standard's verdicts."""
        a = self.assessment()
        base = self.elements[["commune_code", "period", "element", "value"]]
        if a.empty:
            return base
        return pd.concat([base, standard.as_elements(a)], ignore_index=True)

    def indicator_table(self, which: list[str] | None = None) -> pd.DataFrame:
        """Every indicator at the three levels, computed once per dataset: ``compute_all(all_elements())``.

        Under ``btchild report`` the table is computed with the shared dataset (once per run and data
        fingerprint, :mod:`btchild_analysis.cache`), so the reports only select from it.

        Parameters
        ----------
        which : list of str, optional
            Indicator ids (default: all); the rows are those of
            ``indicators.compute_all(self.all_elements(), which=which)``, in the same order.

        Raises
        ------
        RegistryError
            An unknown indicator id (as :func:`btchild_analysis.catalog.indicator`).
        ValueError
            No submitted rows to compute from (as :func:`btchild_analysis.indicators.compute_all`).
        """
        from . import indicators
        order = {i: n for n, i in enumerate(which or [])}
        for ind_id in order:
            indicators.indicator(ind_id)
        if self._indicators is None:
            self._indicators = indicators.compute_all(self.all_elements())
        t = self._indicators
        if which is None:
            return t.copy()
        t = t[t["indicator"].isin(list(order))]
        level = {lv: n for n, lv in enumerate(indicators.LEVELS)}
        rank = t["level"].map(level).to_numpy() * len(order) + t["indicator"].map(order).to_numpy()
        return t.iloc[rank.argsort(kind="stable")].reset_index(drop=True)

    def _repr_html_(self) -> str:
        e = html.escape
        rows = [("Nguồn / Source", self.title or self.source), ("Dữ liệu mô phỏng / Synthetic", "có / yes" if self.synthetic else "không / no"),
                ("Cập nhật / As of", self.as_of), ("Kỳ / Periods", ", ".join(self.periods()[-6:]) + (" …" if len(self.periods()) > 6 else "")),
                ("Dòng nhận / Rows accepted", f"{len(self.elements):,}"),
                ("Dòng cách ly / Rows quarantined", f"{len(self.quarantine):,}")]
        rows += [(f"{k}", ", ".join(Path(p).name for p in v)) for k, v in self.parts.items() if v]
        body = "".join(f"<tr><th style='text-align:left'>{e(k)}</th><td style='text-align:left'>{e(str(v))}</td></tr>" for k, v in rows)
        return f"<table><caption>btchild Dataset</caption>{body}</table>"


# ---------------------------------------------------------------------- descriptor

def read_descriptor(path: str | Path | list | None = None) -> dict:
    """What a data folder is: ``title, source, as_of, synthetic, resources, described``.

    ``path=None`` is the bundled sample.  A folder's ``datapackage.yaml`` is read and checked (unknown
    keys refused); a folder without one, or a list of files, is *real* data whose source is the folder
    and whose as-of date is the newest file's modification date.

    >>> read_descriptor(None)["synthetic"]
    True
    """
    folder = _folder_of(path)
    file = folder / DESCRIPTOR if folder is not None else None
    if file is None or not file.is_file():
        files = _table_files(folder) if folder is not None and folder.is_dir() else \
            [Path(p) for p in ([path] if isinstance(path, (str, Path)) else list(path or []))]
        return {"title": str(folder) if folder is not None else ", ".join(map(str, files)),
                "source": str(folder) if folder is not None else "", "as_of": _newest_date(files),
                "synthetic": False, "resources": [], "described": False}
    try:
        meta = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{file}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(meta, dict):
        raise DatasetError(f"{file}: expected keys {', '.join(sorted(_DESCRIPTOR_KEYS))}")
    unknown = set(meta) - _DESCRIPTOR_KEYS
    if unknown:
        raise DatasetError(f"{file}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
                           f"allowed: {', '.join(sorted(_DESCRIPTOR_KEYS))}")
    synthetic = meta.get("synthetic", False)
    if not isinstance(synthetic, bool):
        raise DatasetError(f"{file}: 'synthetic' must be true or false, not {synthetic!r}")
    resources = []
    for i, r in enumerate(meta.get("resources") or []):
        if not isinstance(r, dict) or not isinstance(r.get("path"), str) or r.get("kind") not in PART_KINDS:
            raise DatasetError(f"{file}: resources[{i}] needs 'path' and 'kind' (one of {', '.join(PART_KINDS)})")
        p = (folder / r["path"]).resolve()
        if folder.resolve() not in p.parents:
            raise DatasetError(f"{file}: resources[{i}].path must stay inside the folder")
        resources.append({"path": p, "kind": r["kind"]})
    files = _table_files(folder)
    as_of = meta.get("as_of")
    return {"title": str(meta.get("title") or folder), "source": str(meta.get("source") or folder),
            "as_of": str(as_of) if as_of else _newest_date(files), "synthetic": synthetic,
            "resources": resources, "described": True}


def _folder_of(path) -> Path | None:
    if path is None:
        return sample_dir()
    if isinstance(path, (str, Path)):
        p = Path(path)
        return p if p.is_dir() else p.parent
    paths = [Path(p) for p in path]
    parents = {p.parent for p in paths}
    return parents.pop() if len(parents) == 1 else None


def _table_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in TABLE_SUFFIXES
                  and not p.name.startswith((".", "~$")))


def _newest_date(files: list[Path]) -> str:
    times = [p.stat().st_mtime for p in files if p.exists()]
    return dt.date.fromtimestamp(max(times)).isoformat() if times else ""


# ---------------------------------------------------------------------- finding the parts

def _head_cells(path: Path, rows: int = 30) -> set[str]:
    """Folded text of the first rows of a file (every sheet of a workbook), to recognise its part."""
    suffix = path.suffix.lower()
    cells: list[object] = []
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook
        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception:  # a broken workbook is the loader's to report, with its reason
            return set()
        try:
            for ws in wb.worksheets[:10]:
                for row in ws.iter_rows(max_row=rows, max_col=60, values_only=True):
                    cells.extend(row)
        finally:
            wb.close()
    elif suffix in (".csv", ".txt"):
        with open(path, "rb") as fh:
            raw = fh.read(64 * 1024)
        text = raw.decode(io.detect_encoding(raw), errors="replace")
        for line in text.splitlines()[:rows]:
            sep = max([",", ";", "\t"], key=line.count)
            cells.extend(line.split(sep))
    return {fold_key(c) for c in cells
            if isinstance(c, str) and c.strip()}


def classify(path: str | Path) -> str:
    """The part a file holds, from its headings: ``measurements``, ``arrivals``, ``scores``, ``classes``
    or ``submissions``.

    A list of children measured has a sex or date-of-birth column and a weight or height column; an arrival log has a date-of-receipt column (*Ngày nộp*); a score sheet a criterion and a score
    column (*Tiêu chí*, *Điểm*); a class list a class column (*Loại xã*); anything else is read as
    submissions (and refused by the loader, with its reason, if it is none).
    """
    heads = _head_cells(Path(path))
    who, size = _measurement_heads()
    keys = {heading_key(h) for h in heads}  # folded as the measurement reader folds them
    if keys & who and keys & size:
        return "measurements"
    if heads & _ARRIVAL_HEADS:
        return "arrivals"
    if heads & _CRITERION_HEADS and heads & _SCORE_HEADS:
        return "scores"
    if heads & _CLASS_HEADS:
        return "classes"
    return "submissions"


def find_parts(folder: str | Path) -> dict[str, list[Path]]:
    """The files of each part of a data folder: named in its descriptor, else found by content."""
    folder = Path(folder)
    desc = read_descriptor(folder)
    parts: dict[str, list[Path]] = {k: [] for k in PART_KINDS}
    if desc["resources"]:
        for r in desc["resources"]:
            parts[r["kind"]].append(r["path"])
        return parts
    for p in _table_files(folder):
        parts[classify(p)].append(p)
    return parts


# ---------------------------------------------------------------------- reading the small parts

_ARRIVAL_COLUMNS = {"commune code": "commune_code", "ma xa": "commune_code", "ma don vi": "commune_code",
                    "period": "period", "ky bao cao": "period", "ky": "period",
                    **{h: "submitted_on" for h in _ARRIVAL_HEADS}}
_CLASS_COLUMNS = {"commune code": "commune_code", "ma xa": "commune_code", "year": "year", "nam": "year",
                  **{h: "class" for h in _CLASS_HEADS}}


def _read_small_table(path: Path, columns: dict[str, str], needed: list[str]) -> pd.DataFrame:
    """A small table (arrival log, class list) read within the loader's limits, headings mapped."""
    table = io.read_table(path, header_words=set(columns))
    table.columns = [columns.get(fold_key(c), str(c)) for c in table.columns]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise SubmissionError(f"{path}: missing column(s) {', '.join(missing)}")
    return table


def read_arrivals(paths: list[Path]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The arrival log (``commune_code, period, submitted_on``) and the rows it could not use."""
    good, bad = [], []
    for path in paths:
        t = _read_small_table(path, _ARRIVAL_COLUMNS, ["commune_code", "period", "submitted_on"])
        for i, code, per, day in zip(t.index + 1, t["commune_code"], t["period"], t["submitted_on"]):
            c = io.normalise_code(code)
            day_parsed, readable = parse_date(day)
            d = day_parsed.isoformat() if day_parsed else (None if readable else "!")
            try:
                p = str(parse_period(per))
            except BtchildError:
                p = None
            reason = ("bad_code", "commune_code", code) if not isinstance(c, str) or c.startswith("!") else \
                ("bad_period", "period", per) if p is None else \
                ("bad_date", "submitted_on", day) if d == "!" else None
            if reason:
                bad.append({"file": str(path), "sheet": "", "row": i, "column": reason[1], "commune_code": str(code),
                            "commune_name": "", "period": str(per), "element": "", "value": str(reason[2]),
                            "reason": reason[0], "reason_vi": reason_text(reason[0], "vi", reason[2]),
                            "reason_en": reason_text(reason[0], "en", reason[2])})
            else:
                good.append((c, p, d or ""))
    dates = pd.DataFrame(good, columns=["commune_code", "period", "submitted_on"])
    return dates, pd.DataFrame(bad, columns=io.QUARANTINE_COLUMNS)


def read_classes(paths: list[Path]) -> pd.DataFrame:
    """Commune classes ``commune_code, year, class`` (codes normalised)."""
    frames = []
    for path in paths:
        t = _read_small_table(path, _CLASS_COLUMNS, ["commune_code", "year", "class"])
        frames.append(pd.DataFrame({"commune_code": t["commune_code"].map(io.normalise_code),
                                    "year": pd.to_numeric(t["year"], errors="coerce"), "class": t["class"]}))
    out = pd.concat(frames, ignore_index=True).dropna()
    return out.assign(year=out["year"].astype(int))


# ---------------------------------------------------------------------- loading

def load_dataset(path: str | Path | list | None = None) -> Dataset:
    """Load a data folder (its parts named by ``datapackage.yaml`` or found by content) or files.

    Parameters
    ----------
    path : folder, file, list of files, or None
        ``None`` loads the bundled SYNTHETIC sample.

    Returns
    -------
    Dataset
        Parts that are absent are ``None``; every report says which part it lacks.

    Raises
    ------
    SubmissionError, DatasetError
        A folder with no readable file, a file that cannot be read at all, a bad descriptor.

    Notes
    -----
    Under ``btchild report`` (``BTCHILD_CACHE_DIR`` set) the result is shared by the run's reports
    (:mod:`btchild_analysis.cache`): loaded once per data fingerprint, then read back.
    """
    from .cache import shared_dataset
    return shared_dataset(path, _load_dataset)


def _load_dataset(path: str | Path | list | None) -> Dataset:
    """:func:`load_dataset` without the run's cache: read and validate every part."""
    if path is None:
        path = sample_dir()
    desc = read_descriptor(path)
    if isinstance(path, (str, Path)) and Path(path).is_dir():
        parts = find_parts(path)
        if not any(parts.values()):
            raise SubmissionError(f"{path}: no CSV or Excel file in this folder")
    else:
        files = [Path(path)] if isinstance(path, (str, Path)) else [Path(p) for p in path]
        parts = {k: [] for k in PART_KINDS}
        for f in files:
            parts[classify(f)].append(f)
    res = io.load_submissions(parts["submissions"]) if parts["submissions"] else None
    score_res = io.load_scores(parts["scores"]) if parts["scores"] else None
    dates, bad_dates = read_arrivals(parts["arrivals"]) if parts["arrivals"] else (None, None)
    classes = read_classes(parts["classes"]) if parts["classes"] else None
    elements = res.accepted if res is not None else pd.DataFrame(columns=["commune_code", "period", "element", "value", "file"])
    return Dataset(elements=elements, submission_dates=dates, scores=score_res.accepted if score_res else None,
                   classes=classes, synthetic=desc["synthetic"], source=desc["source"], title=desc["title"],
                   as_of=desc["as_of"], load=res, score_load=score_res, parts=parts, extra_quarantine=bad_dates,
                   by_sex=res.by_sex if res is not None else empty_by_sex())
