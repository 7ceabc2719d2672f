"""Building blocks of the notebooks: titles, notices and the tables they show (pure functions)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import register
from .registry import indicator, plan_indicators
from .style import label

TITLES = {
    "status": ("Xã, phường phù hợp với trẻ em", "Child-friendly communes"),
    "trends": ("Xu hướng các chỉ tiêu", "Indicator trends"),
    "report": ("Báo cáo tiến độ thực hiện Kế hoạch 3042/KH-UBND", "Progress report on Plan 3042/KH-UBND"),
    "quality": ("Chất lượng số liệu", "Data quality"),
}


def _district(district: str, year: object) -> pd.Series:
    """The register's row of a district given by code or name."""
    d = register.districts(year)
    hit = d[(d["district_code"] == str(district)) | (d["district_name"] == district)]
    if hit.empty:
        raise ValueError(f"unknown district '{district}'; districts: {', '.join(d['district_code'])}")
    return hit.iloc[0]


def area_name(district: str | None, year: object = 2020, lang: str = "vi") -> str:
    """``"Tỉnh Bến Tre"`` or the district's name (code or name accepted)."""
    return _district(district, year)["district_name"] if district else label("province", lang)


def district_code(district: str | None, year: object = 2020) -> str | None:
    """The district's code (code or name accepted); None for the province."""
    return _district(district, year)["district_code"] if district else None


def title(kind: str, year: object, district: str | None = None, lang: str = "vi", extra: str = "") -> str:
    """Markdown heading carrying the parameters (area and year)."""
    t = TITLES[kind][0 if lang == "vi" else 1]
    return f"# {t} — {area_name(district, year, lang)}, {year}{extra}"


def synthetic_banner(synthetic: bool, lang: str = "vi") -> str:
    """A visible warning when the numbers come from the synthetic sample ('' otherwise)."""
    if not synthetic:
        return ""
    return f"> **⚠ {label('synthetic_notice', lang)}**"


def in_area(df: pd.DataFrame, district: str | None, year: object, code_col: str = "commune_code") -> pd.DataFrame:
    """Rows of communes in the district (all rows for the province)."""
    code = district_code(district, year)
    if code is None:
        return df
    units = register.units(year)
    return df[df[code_col].isin(units.loc[units["district_code"] == code, "code"])]


def failed_communes(assessment: pd.DataFrame, year: int, district: str | None = None, lang: str = "vi") -> pd.DataFrame:
    """Communes that did not meet the standard in ``year`` and why."""
    a = in_area(assessment[assessment["year"] == int(year)], district, year)
    a = a[a["status"] != "met"]
    cols = {"name": label("commune", lang), "district_name": label("district", lang), "total": "Tổng điểm" if lang == "vi" else "Total",
            "threshold": "Ngưỡng" if lang == "vi" else "Pass mark",
            "reasons_vi" if lang == "vi" else "reasons_en": "Lý do" if lang == "vi" else "Reasons"}
    return a.sort_values(["district_name", "name"])[list(cols)].rename(columns=cols).reset_index(drop=True)


def share_table(values: pd.DataFrame, indicator_id: str, year: int, lang: str = "vi") -> pd.DataFrame:
    """District and province rows of one indicator for a year: value, interval, numerator, denominator."""
    v = values[(values["indicator"] == indicator_id) & (values["period"].astype(str) == str(year))]
    v = v[v["level"].isin(["district", "province"])].copy()
    v["_o"] = v["level"].map({"district": 0, "province": 1})
    v = v.sort_values(["_o", "unit_name"])
    out = pd.DataFrame({
        "Đơn vị" if lang == "vi" else "Unit": v["unit_name"],
        "Tử số" if lang == "vi" else "Numerator": v["numerator"].round(0).astype("Int64"),
        "Mẫu số" if lang == "vi" else "Denominator": v["denominator"].round(0).astype("Int64"),
        indicator(indicator_id).unit_label(lang): v["value"].round(1),
        "KTC 95%" if lang == "vi" else "95% CI": [f"{lo:.1f}–{hi:.1f}" for lo, hi in zip(v["ci_low"], v["ci_high"])],
        "": v["base_mark"],
    })
    return out.reset_index(drop=True)


def annex_tables(values: pd.DataFrame, year: int, period: str = "A", lang: str = "vi") -> dict[str, pd.DataFrame]:
    """Annex of the periodic report: one table per plan indicator (district and province rows)."""
    per = str(year) if period in ("A", None, "") else f"{year}H1"
    out = {}
    for ind_id in plan_indicators():
        t = share_table(values, ind_id, per, lang)
        if len(t):
            out[ind_id] = t
    return out


def write_annex(tables: dict[str, pd.DataFrame], path: str | Path) -> Path:
    """Write tables to an Excel workbook, one sheet each (sheet names cut to Excel's 31 characters)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        for name, table in tables.items():
            table.to_excel(xl, sheet_name=name[:31], index=False)
    return path


def scorecard_style(card: pd.DataFrame):
    """A pandas Styler colouring the status cells (for notebooks)."""
    colours = {"Đạt": "#c7e9c0", "Achieved": "#c7e9c0", "Không đạt": "#fcbba1", "Not achieved": "#fcbba1",
               "Đúng hướng": "#deebf7", "On track": "#deebf7", "Chậm tiến độ": "#fdd0a2", "Off track": "#fdd0a2"}
    cols = [c for c in card.columns if c.startswith("status_")]
    return card.style.map(lambda v: f"background-color: {colours.get(v, '')}", subset=cols).format(precision=1)


HEADINGS = {
    "status_map": ("## Bản đồ trạng thái", "## Status map"),
    "vs_targets": ("## Tỷ lệ xã đạt chuẩn so với mục tiêu của Kế hoạch", "## Share of communes meeting the standard against the plan's targets"),
    "by_district": ("## Theo huyện", "## By district"),
    "heatmap": ("## Điểm từng tiêu chí", "## Score by criterion"),
    "failed": ("## Các xã chưa đạt và lý do", "## Communes that did not meet the standard, and why"),
    "trend": ("## Xu hướng", "## Trend"),
    "change": ("## Thay đổi theo xã", "## Change by commune"),
    "movers": ("## Xã tiến bộ nhiều nhất và ít nhất", "## Communes that moved most and least"),
    "scorecard": ("## Bảng tổng hợp 12 chỉ tiêu", "## Scorecard of the twelve targets"),
    "completeness": ("## Tình hình nộp báo cáo", "## Completeness and timeliness of reporting"),
    "annex": ("## Phụ lục", "## Annex"),
    "quarantine": ("## Dòng bị cách ly", "## Quarantined rows"),
    "outliers": ("## Giá trị bất thường (giữ lại, gắn cờ)", "## Implausible values (kept, flagged)"),
    "late": ("## Xã chưa nộp hoặc nộp trễ", "## Units missing or late"),
}


def heading(key: str, lang: str = "vi", suffix: str = "") -> str:
    """A section heading in ``lang`` (markdown)."""
    return HEADINGS[key][0 if lang == "vi" else 1] + suffix


def target_rows(status: pd.DataFrame, unit_code: str | None, lang: str = "vi") -> pd.DataFrame:
    """Target status rows of one unit (province when ``unit_code`` is None), labelled."""
    from .targets import STATUS_LABELS

    s = status[status["level"] == "province"] if unit_code is None else status[status["unit_code"] == unit_code]
    vi = lang == "vi"
    return pd.DataFrame({
        "Chỉ tiêu" if vi else "Indicator": [indicator(i).label(lang) for i in s["indicator"]],
        "Năm mục tiêu" if vi else "Target year": s["target_year"].to_numpy(),
        "Mục tiêu" if vi else "Target": [f"{o} {t:g}" for o, t in zip(s["op"], s["target"])],
        "Gốc" if vi else "Baseline": [f"{v:.1f} ({y})" for v, y in zip(s["baseline_value"], s["baseline_year"])],
        "Mới nhất" if vi else "Latest": [f"{v:.1f} ({y})" for v, y in zip(s["latest_value"], s["latest_year"])],
        "Trạng thái" if vi else "Status": [STATUS_LABELS[x][0 if vi else 1] for x in s["status"]],
        "Năm đạt (dự báo)" if vi else "Year reached (projected)": [("" if y is None or pd.isna(y) else int(y)) for y in s["year_reached"]],
    })


def movers(trend: pd.DataFrame, indicator_id: str, n: int = 5, lang: str = "vi") -> pd.DataFrame:
    """The ``n`` communes that improved most and least (Theil–Sen slope, signed so that + is better)."""
    from .trends import rank

    r = rank(trend, indicator_id, "progress")
    if r.empty:
        return r
    pick = pd.concat([r.head(n), r.tail(n)]).drop_duplicates("unit_code")
    vi = lang == "vi"
    return pd.DataFrame({
        "Hạng" if vi else "Rank": pick["rank"].to_numpy(),
        label("commune", lang): pick["unit_name"].to_numpy(),
        "Đầu kỳ" if vi else "First": [f"{v:.1f} ({y})" for v, y in zip(pick["first_value"], pick["first_year"])],
        "Cuối kỳ" if vi else "Last": [f"{v:.1f} ({y})" for v, y in zip(pick["last_value"], pick["last_year"])],
        "Độ dốc/năm" if vi else "Slope/year": pick["slope"].round(2).to_numpy(),
        "p (Mann–Kendall)": pick["p_value"].round(3).to_numpy(),
    })


def quarantine_summary(result, lang: str = "vi") -> pd.DataFrame:
    """The quarantine counted by reason, with one example of each, labelled in ``lang``."""
    q = result.quarantine
    col = "reason_vi" if lang == "vi" else "reason_en"
    by = q.groupby("reason").agg(n=("reason", "size"), example=(col, "first")).reset_index() if len(q) else \
        pd.DataFrame(columns=["reason", "n", "example"])
    by = by.sort_values("n", ascending=False).reset_index(drop=True)
    vi = lang != "en"
    return by.rename(columns={"reason": "Mã lý do" if vi else "Reason", "n": "Số dòng" if vi else "Rows",
                              "example": "Ví dụ" if vi else "Example"})


def quarantine_rows(result, lang: str = "vi", limit: int = 50) -> pd.DataFrame:
    """The quarantined rows to send back to districts (total rows left out: they are not faults)."""
    q = result.quarantine
    q = q[q["reason"] != "total_row"].head(limit)
    vi = lang != "en"
    who = [c if isinstance(c, str) and c else n for c, n in zip(q["commune_code"], q["commune_name"])]
    return pd.DataFrame({
        "Tệp" if vi else "File": [Path(str(f)).name for f in q["file"]], "Trang tính" if vi else "Sheet": q["sheet"],
        "Dòng" if vi else "Row": q["row"], "Cột" if vi else "Column": q["column"], label("commune", lang): who,
        label("period", lang): q["period"], "Chỉ tiêu" if vi else "Element": q["element"],
        "Giá trị" if vi else "Value": q["value"], "Lý do" if vi else "Reason": q["reason_vi" if vi else "reason_en"],
    })


def show(df: pd.DataFrame):
    """A table for display in a notebook or its HTML: no index column, one decimal."""
    return df.style.hide(axis="index").format(precision=1)


_COMPLETENESS_HEADERS = {
    "vi": {"level": "Cấp", "code": "Mã", "name": "Đơn vị", "expected": "Phải nộp", "received": "Đã nộp",
           "missing": "Chưa nộp", "on_time": "Đúng hạn", "late": "Trễ hạn", "pct_received": "% đã nộp",
           "pct_on_time": "% đúng hạn"},
    "en": {"level": "Level", "code": "Code", "name": "Unit", "expected": "Expected", "received": "Received",
           "missing": "Missing", "on_time": "On time", "late": "Late", "pct_received": "% received",
           "pct_on_time": "% on time"},
}
_LEVELS = {"vi": {"district": "Huyện", "province": "Tỉnh"}, "en": {"district": "District", "province": "Province"}}


def completeness_table(submission_dates: pd.DataFrame, period: object, lang: str = "vi") -> pd.DataFrame:
    """:func:`quality.completeness` with headers and levels in ``lang``."""
    from .quality import completeness

    t = completeness(submission_dates, period)
    t["level"] = t["level"].map(_LEVELS["en" if lang == "en" else "vi"])
    return t.rename(columns=_COMPLETENESS_HEADERS["en" if lang == "en" else "vi"])


def late_table(submission_dates: pd.DataFrame, period: object, lang: str = "vi") -> pd.DataFrame:
    """Units whose report is missing or late, labelled in ``lang``."""
    from .quality import missing_and_late

    t = missing_and_late(submission_dates, period)
    vi = lang != "en"
    status = {"missing": label("missing", lang), "late": label("late", lang)}
    return pd.DataFrame({
        "Mã" if vi else "Code": t["code"], label("commune", lang): t["name"], label("district", lang): t["district_name"],
        "Tình trạng" if vi else "Status": t["status"].map(status),
        "Ngày nộp" if vi else "Received on": t["submitted_on"].fillna(""),
    })


def scorecard_table(values: pd.DataFrame, year: int, lang: str = "vi"):
    """The twelve targets for a report year as a styled table (headers in ``lang``, statuses coloured)."""
    from .targets import scorecard

    card = scorecard(values, year, lang)
    vi = lang != "en"
    out = pd.DataFrame({
        "Chỉ tiêu" if vi else "Indicator": card["label"],
        "Đơn vị tính" if vi else "Unit": card["unit"],
        f"{'Giá trị' if vi else 'Value'} {year}": card["value"].round(1),
        "Mục tiêu 2015" if vi else "Target 2015": card["target_2015"].fillna("—"),
        "status_2015": card["status_2015"].fillna("—"),
        "Mục tiêu 2020" if vi else "Target 2020": card["target_2020"].fillna("—"),
        "status_2020": card["status_2020"].fillna("—"),
    })
    styled = scorecard_style(out)
    head = "Đánh giá" if vi else "Status"
    return styled.hide(axis="index").relabel_index(
        [c if not c.startswith("status_") else f"{head} {c[-4:]}" for c in out.columns], axis="columns")
