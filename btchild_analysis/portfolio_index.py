"""The portfolio's ``index.html``: every report of an output folder, from its state file.

Built from the state entries (so two runs into one folder both appear) with the jinja2 template
``templates/index.html.j2`` (autoescape).  Reports are grouped by kind (the notebook), then listed by
area (province first, then districts by name) and period; the link text is the area's name, the
group heading the report's title.  Each row lists the report's Excel and CSV downloads found in the
folder (``{report}_*.xlsx`` / ``{report}_*.csv``); a failed report shows a one-line reason.
The synthetic-data notice appears only when a listed report was made from synthetic data
(``synthetic`` of :func:`btchild_analysis.dataset.read_descriptor`, recorded by :func:`report_entry`).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from . import admin_units
from .pages import environment, one_line, texts
from .periods import parse_period
from .runspec import PATH_PARAMS, RUNNER_PARAMS, Job
from .i18n import label

try:
    from .dataset import read_descriptor
except ImportError:  # the descriptor reader is not there yet: the sample is the synthetic data
    read_descriptor = None

_DOWNLOADS = {".xlsx": "excel", ".csv": "csv"}


def period_text(period: object, lang: str) -> tuple[str, str]:
    """``("Năm 2024", "từ 01/11/2023 đến 31/10/2024")`` for a period; the text as given otherwise."""
    t = texts(lang)
    try:
        p = parse_period(period)
    except Exception:
        return ("" if period is None else str(period)), ""
    start, end = p.window
    fmt = label("date_format", lang)
    words = (t["half"] if p.kind == "H1" else t["annual"]).format(year=p.year)
    return words, t["window"].format(start=start.strftime(fmt), end=end.strftime(fmt))


def downloads(out_dir: Path, names: list[str]) -> dict[str, list[str]]:
    """Annex files of each report: ``{name}_*.xlsx|csv``, each given to the longest matching report name."""
    by_name: dict[str, list[str]] = {n: [] for n in names}
    longest_first = sorted(names, key=len, reverse=True)
    for f in sorted(out_dir.iterdir()) if out_dir.is_dir() else []:
        if f.suffix not in _DOWNLOADS or f.name.startswith(".") or not f.is_file():
            continue
        owner = next((n for n in longest_first if f.name.startswith(n + "_")), None)
        if owner is not None:
            by_name[owner].append(f.name)
    return by_name


def _details(entry: dict) -> str:
    shown = {k: v for k, v in (entry.get("display_params") or {}).items()}
    return ", ".join(f"{k}={v}" for k, v in shown.items())


def _row(name: str, entry: dict, files: list[str], lang: str, t: dict) -> dict:
    status = entry.get("status", "pending")
    period, window = period_text(entry.get("period"), lang)
    finished = entry.get("finished") or ""
    if finished:
        try:
            stamp = dt.datetime.fromisoformat(finished)
            finished = stamp.strftime(label("datetime_format", lang))
        except ValueError:
            finished = one_line(finished, 40)
    area = entry.get("area") or {}
    return {"status": status if status in ("ok", "failed", "stopped") else "pending",
            "status_text": t.get(status, t["pending"]),
            "reason": one_line(entry.get("error", "")) if status != "ok" else "",
            "html": entry.get("html") or "",
            "area": area.get(lang) or area.get("vi") or t["province"],
            "area_sort": (entry.get("district") is not None, str(entry.get("district") or "")),  # GSO order
            "period": period, "window": window, "period_sort": str(entry.get("period") or ""),
            "details": _details(entry), "finished": finished,
            "downloads": [{"href": f, "name": Path(f).stem[len(name) + 1:] or f, "kind": t[_DOWNLOADS[Path(f).suffix]]}
                          for f in files]}


def _area(job: Job) -> dict:
    district = job.params.get("district")
    if district is None:
        return {"vi": label("province", "vi"), "en": label("province", "en")}
    try:
        on = parse_period(job.params.get("period") or job.params.get("year") or 2020).reference_date
        name = str(admin_units.find_district(district, on)["district_name"])
    except Exception:  # an unknown district fails in the notebook itself; here the index shows it as given
        name = str(district)
    return {"vi": name, "en": name}


def _provenance(params: dict) -> tuple[bool, str]:
    """Whether a report's data are synthetic, and a source line without paths."""
    data = params.get("data")
    if read_descriptor is not None:
        try:
            d = read_descriptor(data or None)
            source = " — ".join(str(x) for x in (d.get("title") or d.get("source"), d.get("as_of")) if x)
            return bool(d.get("synthetic")), one_line(source or (Path(data).name if data else ""), 200)
        except Exception:  # a bad descriptor fails the notebook with its own reason
            pass
    return data is None, (Path(str(data)).name if data else "")


def _display_params(params: dict) -> dict:
    shown = {}
    for k, v in params.items():
        if k in RUNNER_PARAMS or k in ("district", "period", "lang") or v is None:
            continue
        if k in PATH_PARAMS:
            v = [Path(str(x)).name for x in v] if isinstance(v, list) else Path(str(v)).name
        shown[k] = one_line(", ".join(map(str, v)) if isinstance(v, list) else v, 120)
    return shown


def page_title(job: Job, lang: str) -> str:
    """Title of a report's page: report, area, period in the page's language."""
    period, _ = period_text(job.params.get("period"), lang)
    parts = [job.title.get(lang) or job.name, _area(job)[lang], period]
    return " — ".join(p for p in parts if p)


def report_entry(job: Job, lang: str) -> dict:
    """The state entry of a finished report: what the index shows about it (no absolute paths)."""
    synthetic, source = _provenance(job.params)
    return {"name": job.name, "kind": Path(job.notebook).stem, "title": job.title,
            "district": job.params.get("district"), "area": _area(job),
            "period": job.params.get("period", job.params.get("year")), "lang": job.params.get("lang", lang),
            "status": job.status, "error": job.error, "html": job.html, "outputs": job.outputs,
            "fingerprint": job.fingerprint, "seconds": job.seconds,
            "finished": dt.datetime.now().isoformat(timespec="seconds"),
            "synthetic": synthetic, "source": source, "display_params": _display_params(job.params)}


def build_index(entries: dict[str, dict], out_dir: str | Path, site: dict, lang: str = "vi",
                now: dt.datetime | None = None) -> str:
    """HTML of the index page.

    Parameters
    ----------
    entries : dict
        State entries by report name (see :mod:`btchild_analysis.state`); an entry whose page is gone
        from ``out_dir`` is left out.
    out_dir : path
        The output folder (annex files are looked up there).
    site : dict
        ``title_vi`` / ``title_en`` of the portfolio.
    lang : str
        Language of the page.
    """
    t = texts(lang)
    out = Path(out_dir)
    shown = {n: e for n, e in entries.items() if e.get("html") and (out / e["html"]).is_file()}
    files = downloads(out, list(shown))
    groups: dict[str, dict] = {}
    for name, entry in shown.items():
        kind = entry.get("kind") or name
        title = (entry.get("title") or {}).get(lang) or kind
        group = groups.setdefault(kind, {"title": title, "rows": []})
        group["rows"].append(_row(name, entry, files[name], lang, t))
    ordered = [groups[k] for k in sorted(groups)]
    for g in ordered:
        g["rows"].sort(key=lambda r: (r["area_sort"], r["period_sort"]))
    synthetic = label("synthetic_notice", lang) if any(e.get("synthetic") for e in shown.values()) else ""
    sources = sorted({e["source"] for e in shown.values() if e.get("source") and not e.get("synthetic")})
    n_failed = sum(e.get("status") in ("failed", "stopped") for e in shown.values())
    stamp = (now or dt.datetime.now()).strftime(label("datetime_format", lang))
    title = site.get(f"title_{lang}") or site.get("title_vi") or "btchild"
    return environment().get_template("index.html.j2").render(
        lang=lang, title=title, synthetic=synthetic, sources=sources, groups=ordered, t=t,
        summary=t["summary"].format(n=len(shown), failed=n_failed, stamp=stamp))
