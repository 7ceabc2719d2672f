"""The report runner: a YAML run spec → papermill runs in parallel → HTML (code hidden) → index page.

One failing notebook does not stop the others: its HTML shows the error and the index marks it.
Outputs are written to a temporary file and moved into place, so a killed run leaves no half-written
page.  A run whose notebook, parameters and data have not changed since its last success is skipped
unless ``force``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import os
import re
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from . import register
from ._resources import DATA
from .errors import RunSpecError
from .style import label

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
DEFAULT_SPEC = DATA / "runspec.yaml"
CACHE_FILE = ".btchild_runs.json"
_RUN_KEYS = {"name", "notebook", "params", "for_each"}


@dataclass
class Job:
    """One notebook run: its output name, notebook and parameters."""

    name: str
    notebook: str
    params: dict
    status: str = "pending"  # pending | ok | failed | skipped
    seconds: float = 0.0
    error: str = ""
    html: str = ""
    fingerprint: str = ""
    extra: dict = field(default_factory=dict)


def resolve_auto(value: object, key: str, today: dt.date | None = None) -> object:
    """Replace ``"auto"`` for ``year``/``period`` by the report due around the run date.

    The annual report of year Y is due before 1 November of Y; the six-monthly one before 1 May.
    ``year: auto`` gives the run date's year; ``period: auto`` gives ``YYYYH1`` from January to
    October's end of the first half's reporting window (before 1 May) and ``YYYY`` after.

    >>> resolve_auto("auto", "year", dt.date(2026, 4, 20)), resolve_auto("auto", "period", dt.date(2026, 4, 20))
    (2026, '2026H1')
    >>> resolve_auto("auto", "period", dt.date(2026, 10, 2))
    '2026'
    """
    if value != "auto":
        return value
    today = today or dt.date.today()
    if key == "year":
        return today.year
    if key == "period":
        return f"{today.year}H1" if today < dt.date(today.year, 5, 1) else str(today.year)
    raise RunSpecError(f"'auto' is only understood for year and period, not for '{key}'")


def load_spec(path: str | Path | None = None) -> dict:
    """Read and validate a run spec; :class:`RunSpecError` names the bad key."""
    path = Path(path) if path else DEFAULT_SPEC
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunSpecError(f"{path}: no such run spec") from None
    except yaml.YAMLError as exc:
        raise RunSpecError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(spec, dict) or not isinstance(spec.get("runs"), list) or not spec["runs"]:
        raise RunSpecError(f"{path}: 'runs' must be a non-empty list")
    for i, run in enumerate(spec["runs"]):
        where = f"{path}: runs[{i}]"
        if not isinstance(run, dict):
            raise RunSpecError(f"{where} must be a mapping")
        unknown = set(run) - _RUN_KEYS
        if unknown:
            raise RunSpecError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(_RUN_KEYS))}")
        for key in ("name", "notebook"):
            if not isinstance(run.get(key), str) or not run[key]:
                raise RunSpecError(f"{where}.{key} is missing or not text")
        if not (NOTEBOOKS / run["notebook"]).exists() and not Path(run["notebook"]).exists():
            raise RunSpecError(f"{where}.notebook: {run['notebook']} not found in {NOTEBOOKS}")
        if "params" in run and not isinstance(run["params"], dict):
            raise RunSpecError(f"{where}.params must be a mapping")
        if run.get("for_each") not in (None, "districts"):
            raise RunSpecError(f"{where}.for_each: only 'districts' is understood, not {run['for_each']!r}")
    if "defaults" in spec and not isinstance(spec["defaults"], dict):
        raise RunSpecError(f"{path}: 'defaults' must be a mapping")
    return spec


def _slug(text: str) -> str:
    s = register.fold(text)
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


_PATH_PARAMS = ("data", "boundaries", "files")


def _absolute(value: object) -> object:
    """Paths given relative to where the command runs, made absolute (notebooks run in notebooks/)."""
    if isinstance(value, list):
        return [_absolute(v) for v in value]
    if isinstance(value, str) and value and not Path(value).is_absolute():
        return str(Path(value).resolve())
    return value


def expand(spec: dict, today: dt.date | None = None, overrides: dict | None = None) -> list[Job]:
    """The jobs of a spec: ``for_each: districts`` → the province and each district."""
    defaults = dict(spec.get("defaults") or {})
    defaults.update({k: v for k, v in (overrides or {}).items() if v is not None})
    jobs = []
    for run in spec["runs"]:
        params = {**defaults, **(run.get("params") or {})}
        params = {k: _absolute(v) if k in _PATH_PARAMS else resolve_auto(v, k, today) for k, v in params.items()}
        variants = [None]
        if run.get("for_each") == "districts":
            variants = [None] + register.districts(params.get("year", 2020))["district_code"].tolist()
        for d in variants:
            p = dict(params)
            if run.get("for_each") == "districts":
                p["district"] = d
            fmt = {k: ("tinh" if v is None and k == "district" else v) for k, v in p.items()}
            name = _slug(run["name"].format(**{**fmt, "district": fmt.get("district", "tinh")}))
            nb = run["notebook"] if Path(run["notebook"]).is_absolute() else str(NOTEBOOKS / run["notebook"])
            jobs.append(Job(name=name, notebook=nb, params=p))
    names = [j.name for j in jobs]
    if len(set(names)) != len(names):
        raise RunSpecError("two runs produce the same output name; make each 'name' distinct")
    return jobs


def _data_fingerprint(params: dict) -> str:
    h = hashlib.sha256()
    paths = [params.get("data"), params.get("boundaries"), os.environ.get("BTCHILD_BOUNDARIES")]
    from .sample import sample_dir
    if not params.get("data"):
        paths.append(str(sample_dir()))
    for p in filter(None, paths):
        p = Path(p)
        files = sorted(p.rglob("*")) if p.is_dir() else [p]
        for f in files:
            if f.is_file():
                st = f.stat()
                h.update(f"{f}:{st.st_size}:{st.st_mtime_ns}".encode())
    pkg = Path(__file__).resolve().parent
    for f in sorted(pkg.rglob("*")):
        if f.suffix in (".py", ".yaml", ".csv"):
            h.update(f.read_bytes())
    return h.hexdigest()


def fingerprint(job: Job) -> str:
    """Hash of the notebook, the parameters, the data files and the package code."""
    h = hashlib.sha256(Path(job.notebook).read_bytes())
    h.update(json.dumps(job.params, sort_keys=True, default=str).encode())
    h.update(_data_fingerprint(job.params).encode())
    return h.hexdigest()


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def to_html(nb) -> str:
    """HTML of an executed notebook with code cells hidden."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    return body


def run_job(job: Job, out_dir: str | Path) -> Job:
    """Execute one job with papermill and write its HTML (also when the notebook fails)."""
    import nbformat
    import papermill as pm

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    params = {**job.params, "output_dir": str(out_dir.resolve()), "report_name": job.name}
    with tempfile.TemporaryDirectory() as tmp:
        executed = Path(tmp) / "out.ipynb"
        try:
            pm.execute_notebook(job.notebook, str(executed), parameters=params, kernel_name="python3",
                                progress_bar=False, cwd=str(Path(job.notebook).parent), log_output=False)
            job.status = "ok"
        except Exception as exc:  # papermill writes the failed notebook with its error before raising
            job.status = "failed"
            job.error = _short_error(exc)
        if executed.exists():
            nb = nbformat.read(executed, as_version=4)
            page = to_html(nb)
        else:
            page = f"<html><body><h1>{html.escape(job.name)}</h1><pre>{html.escape(job.error)}</pre></body></html>"
    target = out_dir / f"{job.name}.html"
    _atomic_write(target, page)
    job.html = target.name
    job.seconds = round(time.perf_counter() - start, 2)
    return job


def _short_error(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    lines = [ln for ln in text if ln.strip()]
    return " | ".join(lines[-3:])[:500] if lines else type(exc).__name__


def run_portfolio(spec_path: str | Path | None = None, out_dir: str | Path = "outputs", jobs: int | None = None,
                  force: bool = False, overrides: dict | None = None, today: dt.date | None = None,
                  progress: bool = True) -> list[Job]:
    """Run every job of a spec and write ``index.html``.

    Parameters
    ----------
    spec_path : path, optional
        Run spec (default: the bundled one).
    out_dir : path
        Where the HTML pages, annex workbooks and ``index.html`` go.
    jobs : int, optional
        Notebooks run at once (default: the number of cores).
    force : bool
        Re-run jobs whose inputs have not changed.
    overrides : dict, optional
        Parameters that replace the spec's defaults (``lang``, ``data``, ``boundaries``).

    Returns
    -------
    list of Job
    """
    from tqdm import tqdm

    spec = load_spec(spec_path)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    todo = expand(spec, today, overrides)
    cache_path = out / CACHE_FILE
    cache = json.loads(cache_path.read_text()) if cache_path.exists() else {}
    pending = []
    for job in todo:
        job.fingerprint = fingerprint(job)
        prev = cache.get(job.name, {})
        if not force and prev.get("fingerprint") == job.fingerprint and prev.get("status") == "ok" \
                and (out / f"{job.name}.html").exists():
            job.status, job.html, job.seconds = "skipped", f"{job.name}.html", prev.get("seconds", 0.0)
        else:
            pending.append(job)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(pending) or 1))
    done = []
    bar = tqdm(total=len(pending), desc="btchild report", disable=not progress, unit="nb")
    if workers == 1:
        for job in pending:
            done.append(run_job(job, out))
            bar.update()
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(run_job, job, out): job for job in pending}
            for fut in as_completed(futures):
                done.append(fut.result())
                bar.update()
    bar.close()
    by_name = {j.name: j for j in done}
    result = [by_name.get(j.name, j) for j in todo]
    for j in result:
        cache[j.name] = {"fingerprint": j.fingerprint, "status": "ok" if j.status in ("ok", "skipped") else j.status,
                         "seconds": j.seconds}
    _atomic_write(cache_path, json.dumps(cache, indent=1))
    _atomic_write(out / "index.html", index_page(result, spec, lang=(overrides or {}).get("lang") or
                                                  (spec.get("defaults") or {}).get("lang", "vi")))
    return result


_STATUS_TEXT = {"ok": ("Hoàn thành", "Done"), "failed": ("Lỗi", "Failed"), "skipped": ("Không đổi (dùng lại)", "Unchanged (reused)"),
                "pending": ("Chưa chạy", "Not run")}


def index_page(jobs: list[Job], spec: dict, lang: str = "vi") -> str:
    """The portfolio's index: every report with its parameters, status, run time and link (escaped)."""
    e = html.escape
    site = spec.get("site") or {}
    title = site.get("title_vi" if lang == "vi" else "title_en", "btchild")
    heads = ("Báo cáo", "Tham số", "Trạng thái", "Thời gian chạy (giây)") if lang == "vi" else \
        ("Report", "Parameters", "Status", "Run time (s)")
    rows = []
    for j in jobs:
        params = ", ".join(f"{e(str(k))}={e(str(v))}" for k, v in j.params.items() if k not in ("output_dir",))
        status = _STATUS_TEXT[j.status][0 if lang == "vi" else 1]
        err = f"<br><small>{e(j.error)}</small>" if j.error else ""
        cls = "failed" if j.status == "failed" else ""
        rows.append(f'<tr class="{cls}"><td><a href="{e(j.html)}">{e(j.name)}</a></td><td>{params}</td>'
                    f"<td>{e(status)}{err}</td><td>{j.seconds:.1f}</td></tr>")
    n_failed = sum(j.status == "failed" for j in jobs)
    notice = e(label("synthetic_notice", lang)) if any(not j.params.get("data") for j in jobs) else ""
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    summary = (f"{len(jobs)} báo cáo, {n_failed} lỗi — tạo lúc {stamp}" if lang == "vi"
               else f"{len(jobs)} reports, {n_failed} failed — built {stamp}")
    return f"""<!DOCTYPE html>
<html lang="{e(lang)}"><head><meta charset="utf-8"><title>{e(title)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:70em}}table{{border-collapse:collapse;width:100%}}
td,th{{border:1px solid #ccc;padding:.35em .6em;text-align:left;vertical-align:top}}tr.failed{{background:#fde2e1}}
.notice{{color:#b00020;font-weight:bold}}</style></head>
<body><h1>{e(title)}</h1><p class="notice">{notice}</p><p>{e(summary)}</p>
<table><thead><tr>{''.join(f'<th>{h}</th>' for h in heads)}</tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""
