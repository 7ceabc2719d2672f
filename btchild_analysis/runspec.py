"""The run spec of ``btchild report``: a YAML file listing the report runs (notebook + parameters).

Everything in a spec is checked before any notebook runs:

* the keys of the file, of ``site`` and of each run are the known ones (a misspelt ``defualts:`` is
  refused, with a suggestion), validated by pydantic models so the bad key is named;
* every parameter name is a Python identifier declared in the notebook's ``parameters`` cell (read by
  ``papermill.inspect_notebook``, which parses the cell and runs nothing); a name that is not, is
  refused with the list of the notebook's names — so a key can never become code;
* each output name, after ``{placeholders}`` are filled, slugs to a non-empty name other than ``index``.

``period: auto`` takes the report due next after the run date (:func:`btchild_analysis.periods.due_next`).
"""
from __future__ import annotations

import datetime as dt
import difflib
import keyword
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Optional

import papermill as pm
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from . import admin_units
from ._resources import DATA
from .errors import PeriodError, RegisterError, RunSpecError
from .outputs import slug
from .paths import PathSetupError, notebooks_dir
from .periods import due_next, parse_period

DEFAULT_SPEC = DATA / "runspec.yaml"
#: Parameters the runner sets itself: a spec may not set them.
RUNNER_PARAMS = ("output_dir", "report_name")
#: Parameters whose values are paths of input files or folders (made absolute, fingerprinted).
PATH_PARAMS = ("data", "boundaries", "files")
#: Output names a report may not take (the portfolio's own files).
RESERVED_NAMES = ("index",)
DEFAULT_TIMEOUT = 1800.0
LANGS = ("vi", "en")
MAX_SPEC_BYTES = 1_000_000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Site(_Strict):
    """Titles of the portfolio's index page."""

    title_vi: str = "btchild"
    title_en: str = "btchild"


class Title(_Strict):
    """A report's title in each language."""

    vi: str
    en: str


def _check_names(params: dict[str, Any]) -> dict[str, Any]:
    for name in params:
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise ValueError(f"parameter name {name!r} is not a Python identifier")
        if name in RUNNER_PARAMS:
            raise ValueError(f"parameter '{name}' is set by the runner, not by the spec")
    return params


class Run(_Strict):
    """One entry of ``runs``: a notebook, its parameters, and how its output is named."""

    name: str = Field(min_length=1, max_length=200)
    notebook: str = Field(min_length=1)
    title: Optional[Title] = None
    params: dict[str, Any] = Field(default_factory=dict)
    for_each: Optional[Literal["districts"]] = None
    timeout: Optional[float] = Field(default=None, gt=0)

    @field_validator("params")
    @classmethod
    def _identifiers(cls, v: dict[str, Any]) -> dict[str, Any]:
        return _check_names(v)


class Spec(_Strict):
    """A whole run spec."""

    site: Site = Field(default_factory=Site)
    defaults: dict[str, Any] = Field(default_factory=dict)
    timeout: float = Field(default=DEFAULT_TIMEOUT, gt=0)
    runs: list[Run] = Field(min_length=1)

    @field_validator("defaults")
    @classmethod
    def _identifiers(cls, v: dict[str, Any]) -> dict[str, Any]:
        return _check_names(v)


@dataclass
class Job:
    """One notebook run: its output name, notebook, parameters and, once run, its outcome."""

    name: str
    notebook: str
    params: dict
    title: dict = field(default_factory=dict)   # {"vi": ..., "en": ...} of the report kind
    timeout: float = DEFAULT_TIMEOUT
    status: str = "pending"  # pending | ok | failed | skipped | stopped
    seconds: float = 0.0
    error: str = ""
    html: str = ""
    fingerprint: str = ""
    outputs: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)


def _where(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _allowed(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names of the model at ``loc`` (for the 'allowed keys' of an unknown-key message)."""
    parent = loc[:-1]
    if not parent:
        return list(Spec.model_fields)
    if parent[0] == "runs":
        return list(Title.model_fields) if "title" in parent else list(Run.model_fields)
    if parent[0] == "site":
        return list(Site.model_fields)
    return []


def _message(path: Path, exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        where = _where(loc)
        if err["type"] == "extra_forbidden":
            allowed = _allowed(Spec, loc)
            guess = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            hint = f"; did you mean '{guess[0]}'?" if guess else ""
            lines.append(f"{where}: unknown key '{loc[-1]}' (allowed: {', '.join(allowed)}){hint}")
        elif err["type"] == "missing":
            lines.append(f"{where}: missing")
        elif err["type"] == "too_short" and loc == ("runs",):
            lines.append("runs: list at least one run (name, notebook, params)")
        else:
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"{where}: {msg}")
    return f"{path}: " + "; ".join(lines)


def load_spec(path: str | Path | None = None) -> Spec:
    """Read and validate a run spec (structure and keys; parameters are checked by :func:`expand`).

    Raises
    ------
    RunSpecError
        The file cannot be read, is not YAML, or has a missing, unknown or bad key (named).
    """
    path = Path(path) if path else DEFAULT_SPEC
    try:
        if path.stat().st_size > MAX_SPEC_BYTES:
            raise RunSpecError(f"{path}: a run spec larger than {MAX_SPEC_BYTES:,} bytes is refused")
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise RunSpecError(f"{path}: no such run spec file") from None
    except UnicodeDecodeError:
        raise RunSpecError(f"{path}: not a UTF-8 text file") from None
    except yaml.YAMLError as exc:
        raise RunSpecError(f"{path}: not valid YAML ({' '.join(str(exc).split())})") from None
    if not isinstance(raw, dict):
        raise RunSpecError(f"{path}: a run spec is a mapping with 'runs' (and optionally site, defaults, timeout)")
    try:
        return Spec.model_validate(raw)
    except ValidationError as exc:
        raise RunSpecError(_message(path, exc)) from None


def __getattr__(name: str) -> Path:
    """``NOTEBOOKS``: the report notebooks' folder, found when asked (:func:`btchild_analysis.paths.notebooks_dir`)."""
    if name == "NOTEBOOKS":
        return notebooks_dir()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def notebook_path(notebook: str, spec_dir: Path | None = None) -> Path:
    """Find a run's notebook: absolute, in the notebooks' folder (``$BTCHILD_NOTEBOOKS`` or shipped), beside the spec, or here."""
    given = Path(notebook)
    try:
        shipped = [notebooks_dir()]
    except PathSetupError:
        shipped = []
    candidates = [given] if given.is_absolute() else \
        [d / given for d in shipped] + ([spec_dir / given] if spec_dir else []) + [Path.cwd() / given]
    for c in candidates:
        if c.is_file():
            return c.resolve()
    raise RunSpecError(f"notebook {notebook} not found (looked in {', '.join(map(str, shipped)) or 'no notebooks folder'}"
                       + (f" and {spec_dir}" if spec_dir else "") + ")")


@lru_cache(maxsize=64)
def _parameters_of(path: str, mtime_ns: int) -> tuple[str, ...]:
    try:
        return tuple(pm.inspect_notebook(path))
    except Exception as exc:  # papermill raises plain errors for unreadable notebooks
        raise RunSpecError(f"{Path(path).name}: cannot read its parameters cell ({type(exc).__name__}: {exc})") from None


def notebook_parameters(path: str | Path) -> tuple[str, ...]:
    """Names declared in the notebook's ``parameters`` cell (parsed by papermill, nothing executed)."""
    p = Path(path)
    return _parameters_of(str(p), p.stat().st_mtime_ns)


_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def _fill(template: str, values: dict, where: str) -> str:
    """``{name}`` placeholders filled from ``values``: plain names only (no attribute or index access)."""
    def sub(m: re.Match) -> str:
        key = m.group(1)
        if not key.isidentifier() or key not in values:
            raise RunSpecError(f"{where}: '{{{key}}}' is not a parameter of this run "
                               f"(use one of {', '.join('{' + k + '}' for k in sorted(values))})")
        return str(values[key])
    filled = _PLACEHOLDER.sub(sub, template)
    if "{" in filled or "}" in filled:
        raise RunSpecError(f"{where}: unbalanced braces in '{template}'")
    return filled


def _absolute(value: object) -> object:
    """Paths given relative to where the command runs, made absolute (notebooks run in notebooks/)."""
    if isinstance(value, list):
        return [_absolute(v) for v in value]
    if isinstance(value, str) and value and not Path(value).is_absolute():
        return str(Path(value).resolve())
    return value


def resolve_auto(value: object, key: str, today: dt.date | None = None) -> object:
    """``"auto"`` for ``period`` → the report due next after the run date (``year``: its year).

    >>> resolve_auto("auto", "period", dt.date(2026, 4, 20)), resolve_auto("auto", "period", dt.date(2026, 11, 2))
    ('2026H1', '2027H1')
    """
    if value != "auto":
        return value
    if key == "period":
        return str(due_next(today))
    if key == "year":
        return due_next(today).year
    raise RunSpecError(f"'auto' is only understood for period, not for '{key}'")


def _normalise(params: dict, where: str, today: dt.date | None) -> dict:
    out = {}
    for k, v in params.items():
        v = _absolute(v) if k in PATH_PARAMS else resolve_auto(v, k, today)
        if k == "period" and v is not None:
            try:
                v = str(parse_period(v))
            except PeriodError as exc:
                raise RunSpecError(f"{where}.period: {exc}") from None
        if k == "lang" and v not in LANGS:
            raise RunSpecError(f"{where}.lang: '{v}' is not a language of the reports (use vi or en)")
        out[k] = v
    return out


def _districts_for(params: dict) -> list[str]:
    on = params.get("period") or params.get("year") or 2020
    try:
        return admin_units.districts(parse_period(on).reference_date)["district_code"].tolist()
    except (RegisterError, PeriodError) as exc:
        raise RunSpecError(f"for_each: districts: {exc}") from None


def _check_params(names: set[str], declared: tuple[str, ...], where: str, nb: Path) -> None:
    unknown = sorted(names - set(declared))
    if unknown:
        valid = [p for p in declared if p not in RUNNER_PARAMS]
        listed = f"its parameters are: {', '.join(valid)}" if valid else "it has no cell tagged 'parameters'"
        raise RunSpecError(f"{where}: {nb.name} has no parameter {', '.join(repr(u) for u in unknown)}; {listed}")


def _output_name(run: Run, params: dict, where: str) -> str:
    values = {k: ("tinh" if v is None and k == "district" else v) for k, v in params.items()}
    values.setdefault("district", "tinh")
    name = slug(_fill(run.name, values, f"{where}.name"))
    if not name:
        raise RunSpecError(f"{where}.name: '{run.name}' gives an empty file name; use letters or digits")
    if name in RESERVED_NAMES:
        raise RunSpecError(f"{where}.name: '{name}' is reserved for the portfolio's own page; choose another")
    return name


def _jobs_of(run: Run, where: str, nb: Path, names: tuple[str, ...], defaults: dict, timeout: float,
             today: dt.date | None) -> list[Job]:
    """The jobs of one run: its parameters checked against the notebook, one job per district if asked."""
    _check_params(set(run.params) | ({"district"} if run.for_each else set()), names, f"{where}.params", nb)
    params = {k: v for k, v in defaults.items() if k in names}
    params = _normalise({**params, **run.params}, where, today)
    title = run.title.model_dump() if run.title else {"vi": run.name, "en": run.name}
    if run.for_each == "districts":
        variants = [{**params, "district": d} for d in [None] + _districts_for(params)]
    else:
        variants = [params]
    return [Job(name=_output_name(run, p, where), notebook=str(nb), params=p, title=title,
                timeout=float(run.timeout or timeout)) for p in variants]


def expand(spec: Spec | dict, today: dt.date | None = None, overrides: dict | None = None,
           spec_dir: Path | None = None) -> list[Job]:
    """The jobs of a spec, every parameter checked against its notebook before anything runs.

    ``defaults`` (and ``overrides``, e.g. ``lang`` from the command line) go to every notebook that
    declares them; a default no notebook of the spec declares is refused.  A run's own ``params`` must
    all be declared by its notebook.  ``for_each: districts`` gives the province (``district: None``)
    and each district in force on the period's reference date.

    Raises
    ------
    RunSpecError
        Unknown parameter (with the notebook's list), bad period or language, empty or reserved
        output name, two runs with one output name.
    """
    if isinstance(spec, dict):
        try:
            spec = Spec.model_validate(spec)
        except ValidationError as exc:
            raise RunSpecError(_message(Path("run spec"), exc)) from None
    extra = {k: v for k, v in (overrides or {}).items() if v is not None}
    try:
        _check_names(extra)
    except ValueError as exc:
        raise RunSpecError(f"overrides: {exc}") from None
    defaults = {**spec.defaults, **extra}
    notebooks = [notebook_path(run.notebook, spec_dir) for run in spec.runs]
    declared = [notebook_parameters(nb) for nb in notebooks]
    known_anywhere = set().union(*declared)
    unused = sorted(set(defaults) - known_anywhere)
    if unused:
        raise RunSpecError(f"defaults: no notebook of the spec has a parameter {', '.join(repr(u) for u in unused)}; "
                           f"their parameters are: {', '.join(sorted(known_anywhere - set(RUNNER_PARAMS)))}")
    jobs: list[Job] = []
    for i, (run, nb, names) in enumerate(zip(spec.runs, notebooks, declared)):
        jobs += _jobs_of(run, f"runs[{i}]", nb, names, defaults, spec.timeout, today)
    seen: dict[str, int] = {}
    for j in jobs:
        seen[j.name] = seen.get(j.name, 0) + 1
    dup = sorted(n for n, c in seen.items() if c > 1)
    if dup:
        raise RunSpecError(f"two runs produce the same output name ({', '.join(dup)}); make each 'name' distinct")
    return jobs
