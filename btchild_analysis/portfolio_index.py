"""The portfolio's ``index.html``: every report of an output folder, from its state file.

Built from the state entries (so two runs into one folder both appear) with the jinja2 template
``templates/index.html.j2`` (autoescape).  Reports are grouped by kind (the notebook), then listed by
area (province first, then districts by name) and period; the link text is the area's name, the
group heading the report's title.  Each row lists the report's Excel and CSV downloads found in the
folder (``{report}_*.xlsx`` / ``{report}_*.csv``); a failed report shows a one-line reason.
The synthetic-data notice appears only when a listed report was made from synthetic data.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from .pages import environment, one_line, texts
from .periods import parse_period
from .style import label

_DOWNLOADS = {".xlsx": "excel", ".csv": "csv"}


def period_text(period: object, lang: str) -> tuple[str, str]:
    """``("Năm 2024", "từ 01/11/2023 đến 31/10/2024")`` for a period; the text as given otherwise."""
    t = texts(lang)
    try:
        p = parse_period(period)
    except Exception:
        return ("" if period is None else str(period)), ""
    start, end = p.window
    fmt = "%d/%m/%Y" if lang == "vi" else "%Y-%m-%d"
    label = (t["half"] if p.kind == "H1" else t["annual"]).format(year=p.year)
    return label, t["window"].format(start=start.strftime(fmt), end=end.strftime(fmt))


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
            finished = stamp.strftime("%d/%m/%Y %H:%M" if lang == "vi" else "%Y-%m-%d %H:%M")
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
    stamp = (now or dt.datetime.now()).strftime("%d/%m/%Y %H:%M" if lang == "vi" else "%Y-%m-%d %H:%M")
    title = site.get(f"title_{lang}") or site.get("title_vi") or "btchild"
    return environment().get_template("index.html.j2").render(
        lang=lang, title=title, synthetic=synthetic, sources=sources, groups=ordered, t=t,
        summary=t["summary"].format(n=len(shown), failed=n_failed, stamp=stamp))
