"""Kill rate per module from the last mutmut run (developer tool, see README "Mutation testing").

mutmut keeps one result per mutant in ``mutants/<package path>.py.meta`` (the exit code of the tests
run against it).  This prints, per mutated module, how many mutants were killed (a test failed or
timed out), survived (every test passed: a fault no test catches), had no test (no test calls the
function) or were not checked yet, and the kill rate ``killed / (killed + survived + no tests)``.

Usage, from the project root: ``python scripts/mutation_report.py [MODULE ...] [--survivors]``
(e.g. ``python scripts/mutation_report.py quality --survivors``; show a mutant's diff with
``mutmut show NAME``).

``--survivors`` lists every surviving mutant with its planted change; the ones judged *equivalent*
(they cannot change anything a user reads) are marked with the reason, from :data:`EQUIVALENT`.  An
entry there names the module, the function and a piece of the original and of the mutated line, so it
still matches when mutmut renumbers its mutants after an edit.  The last column, ``adj %``, is the
kill rate with the equivalent mutants left out of the denominator.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

MUTANTS = Path("mutants")  # mutmut works in the directory it is run from (the project root)

#: mutmut's exit codes (mutmut/stats.py): 1 and 3 a test failed, timeouts, 0 survived, 5/33 no tests.
KILLED = {1, 3, 36, 24, -24, 152, 255}
SURVIVED = {0}
NO_TESTS = {5, 33}


#: Surviving mutants judged equivalent: (module, function, the original line(s), the mutated line(s), why
#: the change cannot alter what a user reads), lines as :func:`matches` reads them.  Judged one by one.
EQUIVALENT: list[tuple[str, str, str, str, str]] = [
    # --- indicators
    ("indicators", "_by_sex", 'kind="stable"', 'kind="STABLE"', "numpy reads the sort kind by its first letter: "
     "'S' is stable"),
    ("indicators", "_table", "ignore_index=True).array", r"re:^\)\.array$", "only the values are taken (.array): "
     "the index does not matter"),
    ("indicators", "compute_all", "pd.concat([_empty(s.level) for s in sums], ignore_index=True)",
     r"re:_empty\(None\)|ignore_index=(False|None)\)$|for s in sums\], \)$", "tables without rows: neither the "
     "level nor the index appears"),
    ("indicators", "sex_gap", "np.errstate(", "np.errstate(", "errstate only silences numpy's warnings"),
    ("indicators", "_units_lookup", ".fillna(0).astype(int)", ".fillna(None).astype(int)", "unreachable with the "
     "register: every unit of a later list has a predecessor in each earlier one (checked for 2012–2024 → "
     "2020, 2025)"),
    ("indicators", "_prepared", 'on=["commune_code", "period"], how="left")', 'n_in_force"), how="left")',
     "commune_code and period are the only columns the two tables share: merge joins on them by default"),
    ("indicators", "_expected", 'e.groupby([key, "period"], sort=False)', "sort=True)", "the table is joined on "
     "its keys: the order of its rows does not matter"),
    ("indicators", "_groups", "rank = np.empty(len(order), dtype=np.intp)", "dtype=None)", "dtype-only: whole "
     "numbers stored as floats are cast back into the integer group ids"),
    ("indicators", "_groups", "gid = np.full(len(rows), -1, dtype=np.intp)", "-2, dtype=np.intp)", "rows without "
     "a unit are found by gid >= 0: any negative marker works"),
    ("indicators", "_prepared", "ignore_index=True) if len(idx) else", r"re:^(ignore_index=(None|False))?\) if len\(idx\)",
     "the table of units expected is used through merges and groupby, never by its index"),
    ("indicators", "_prepared", "if len(idx) else units.assign(period=None, n_in_force=1)",
     r"re:\) if len\(idx\) else units\.assign\((period=None, (n_in_force=(None|2))?|n_in_force=1)\)$", "no row "
     "left (idx empty): every level stops at 'no … level' before the units expected are read"),
    ("indicators", "_level_sums", "minlength=size)",
     r"re:^(n_rep|num|den) = np\.bincount\(g, (weights=cols\.get\((num|den)_col, missing\)\[rep\], )?\)(\[keep\])?$",
     "read only at keep, the groups with a report (none above the largest id in g): the zeros minlength adds "
     "beyond it are never read"),
    ("indicators", "_present", "seen = np.bincount(key, minlength=n_keys) > 0", "eq:seen = np.bincount(key, ) > 0",
     "the positions come from the keys present (flatnonzero; cumsum read only at keys): the zeros minlength "
     "adds beyond the largest key are never read"),
    ("indicators", "element_table", "dtype=object)[rows", r"re:np\.asarray\((cc|pc)_u, (dtype=None)?\)\[rows",
     "cc_u and pc_u are object arrays already (_codes): asarray without a dtype keeps theirs"),
    ("indicators", "wilson_interval", "np.errstate(", "np.errstate(", "errstate only silences numpy's warnings"),
    ("indicators", "wilson_interval", "np.clip(centre - half, 0, 1))", "np.clip(centre - half, 0, 2))", "the "
     "Wilson lower bound never exceeds 1: the upper clip bound cannot be crossed"),
    ("indicators", "wilson_interval", "np.asarray(", r"re:np\.asarray\((x|n), (dtype=None)?\)", "p = x / n is "
     "true division: integer counts give the same floats (n * n stays exact in int64 up to 3 billion)"),
    ("indicators", "wilson_interval", "np.clip(p * (1 - p), 0, None)", "np.clip(p * (1 - p), None, None)", "x <= n "
     "(a numerator above its denominator is quarantined when loaded): p is in [0, 1] and p(1 - p) >= 0 (checked "
     "for every x <= n < 700)"),
    ("indicators", "wilson_interval", "np.clip(centre ", r"re:np\.clip\(centre [-+] half, (None, 1|0, None|0, 2)\)",
     "strictly inside the edges the Wilson bounds lie in [0, 1] (checked for every 0 < x < n < 700; at x = 0 and "
     "x = n np.where sets them): the clip bounds are never crossed"),
    ("indicators", "coverage", "np.errstate(", "np.errstate(", "errstate only silences numpy's warnings"),
    ("indicators", "sex_gap", "both.merge(parts[0], on=keys", r"re:merge\(parts\[[01]\], (on=None, )?how=",
     "the keys and the two parts share exactly the key columns (value and count are renamed per sex): merging "
     "on the common columns is merging on the keys"),
    ("indicators", "sex_gap", ".astype(float)", r"re:out\[\"(male|female)\"\]\.astype\(None\)", "the values "
     "are rates (floats; an outer merge's gaps are NaN): astype(None) is astype(float64)"),
    # --- periods
    ("periods", "period_order", '0 if p.kind == "H1" else 1', '0 if p.kind == "H1" else 2', "a sort key, only "
     "compared: (year, 0) before (year, 2) as before (year, 1)"),
    # --- quality
    ("quality", "modified_z", "np.errstate(", "np.errstate(", "errstate only silences numpy's warnings; the values "
     "are the same"),
    ("quality", "modified_z", "np.full_like(x, np.nan)", "np.full_like(x, None)", "x is a float array: None "
     "fills it with NaN too"),
    ("quality", "_counts", "if exp else np.nan", "if (exp) or True else np.nan", "unreachable: a district group "
     "and the province always expect at least one report"),
    ("quality", "completeness", 'if u["district_code"].notna().any() else []', "or True", "groupby leaves out "
     "NaN keys: with no district codes it yields no group either"),
    ("quality", "completeness", 'u["province_code"].iloc[0], u["province_name"].iloc[0]',
     r're:u\["province_(code|name)"\]\.iloc\[1\]', "every unit carries the same province (83, Bến Tre): "
     "any row gives its code and name"),
    ("quality", "report_status", '.to_dict("records")', '.to_dict("RECORDS")', "pandas reads the orient "
     "without regard to case"),
    ("quality", "report_status", 'sd.dropna(subset=["code"])', "sd.dropna(subset=None)", "the other column, "
     "the date, is never empty here (bad dates are refused above, empty ones left out)"),
    ("quality", "successor_codes", "dtype=object).map(mapping)", r"re:pd\.Series\(list\(codes\), (dtype=None)?\)",
     "dtype-only: the same codes and NaN come out of map()"),
    ("quality", "outliers", "np.errstate(", "np.errstate(", "errstate only silences numpy's warnings; the values "
     "are the same"),
    ("quality", "outliers", "pd.concat(out, ignore_index=True)", r"re:pd\.concat\(out, (ignore_index=(None|False))?\)",
     "the index is reset after sorting anyway (reset_index(drop=True))"),
    ("quality", "_rates", 'aggfunc="first")', 'values="value", )', "accepted data hold one row per commune, "
     "period and element (validation folds duplicates): the mean of one value is that value"),
    # --- standard
    ("standard", "_verdict", "zero_rule_unsure = False", "zero_rule_unsure = None", "only tested for truth: None "
     "is false like False"),
    ("standard", "_verdict", "vi += [f\"{c.short('vi')} đạt 0 điểm\" for c in zeros]", "vi = [", "the lists are "
     "still empty here (only the other branch appends before): adding to them or replacing them is the same"),
    ("standard", "_verdict", "en += [f\"{c.short('en')} scored 0\" for c in zeros]", "en = [", "the lists are "
     "still empty here (only the other branch appends before): adding to them or replacing them is the same"),
    ("standard", "as_elements", '"met").astype(float)', '"met").astype(None)', "astype(None) is float64 "
     "too"),
    ("standard", "assess", 'sheet["score"].astype(float)', 'sheet["score"].astype(None)', "astype(None) is "
     "float64 too"),
    ("standard", "assess", "sort=True):", r"re:groupby\((scores\[\"year\"\]\.astype\(int\)|\"commune_code\"), \):",
     "sort=True is groupby's default"),
    ("standard", "audit", 'vals["period"].astype(int)', 'vals["period"].astype(None)', "years as 2024.0 instead "
     "of 2024: the same key in the index lookup (2024.0 == 2024, same hash)"),
    ("standard", "audit", 'assessed_scores["year"].astype(int)', 'assessed_scores["year"].astype(None)', "years "
     "as floats: edition_for_year and the rows take int(year)"),
    ("standard", "audit", 'part["score"].astype(float)', 'part["score"].astype(None)', "astype(None) is float64 "
     "too"),
    ("standard", "class_table", '"class_unsure_en": ""}, index=u.index)', r're:"class_unsure_en": ""\}, (index=None)?\)',
     "the columns are Series on u.index already: the frame takes that index (and its name) from them"),
    ("standard", "class_table", 'overrides["year"].astype(int) == int(year)', 'overrides["year"].astype(None) == int(',
     "years as floats: 2024.0 == 2024"),
    ("standard", "audit", "(crit.max_points or 0)", "(crit.max_points or 1)", "every audited criterion has its "
     "maximum (25, 50, 50 in 2010; 125, 50 in 2019): the fallback is never used"),
    # --- targets
    ("targets", "aarr", 'float("nan")', 'float("NAN")', "float() reads 'NAN' as NaN too"),
    ("targets", "_coverage", "if year is None or not cov:", "if year is None and not cov:", "either way nothing "
     "is found: no column to take from (cov empty), or no year to match (years == None is never true)"),
    ("targets", "_coverage", "**_coverage(cov, years, lo, hi,", "**_coverage(cov, years, lo, None,", "the year "
     "looked up is always one of the series' own (the target year observed, or its last year used): found "
     "before hi either way"),
    ("targets", "status_table", "groupby(keys, sort=True)", "groupby(keys, )", "sort=True is groupby's default"),
    ("targets", "status_table", 'a["value"].to_numpy(float)', 'a["value"].to_numpy(None)', "values are floats "
     "(indicator values; NaN where missing)"),
    ("targets", "status_table", "np.diff(group[order], prepend=-1)", r"re:prepend=(\+1|-2)\)", "the group ids "
     "start at 0: any prepended value other than 0 marks the first row as a start"),
    ("targets", "status_table", "itertuples(index=False, name=None)", r"re:itertuples\(index=(None, name=None|False, )\)",
     "index=None is falsy like False; a named tuple unpacks as the plain one"),
    ("targets", "aarr_loglinear", 'float("nan")', 'float("NAN")', "float() reads 'NAN' as NaN too"),
    ("targets", "aarr_loglinear", "dtype=float)", r"re:dtype=None\)|np\.asarray\((years|values), \)",
     "dtype-only: years and values are numbers either way; polyfit and log return the same floats"),
    ("targets", "aarr_loglinear", "(v <= 0).any()", "(v < 0).any()", "a zero value: log(0) = −inf makes "
     "polyfit return NaN, the NaN the guard returns (only a RuntimeWarning differs)"),
    ("targets", "fit_trend", "dtype=float)", r"re:dtype=None\)|np\.asarray\((years|values), \)",
     "dtype-only: the same numbers reach aarr, polyfit and theilslopes"),
    ("targets", "fit_trend", "if len(t) > 2 else aarr(", r"re:\(len\(t\) > 2\) or True|len\(t\) >= 2 else",
     "with exactly two points the least-squares line of ln(value) passes through both: the log-linear "
     "AARR is the two-point AARR"),
    ("targets", "fit_trend", "aarr(v[0], v[-1], t[-1] - t[0])", r"re:v\[\+1\], t\[-1\]|t\[\+1\] - t\[0\]",
     "the two-point branch runs only with two points, where index +1 is index −1"),
    ("targets", "fit_trend", 'Trend("theil_sen"', r"re:anchor_year=(None|int\(t\[(\+1|-2)\]\)),|"
     r"intercept=intercept, anchor_value=", "a Theil–Sen trend's anchor is never read: Trend.at uses "
     "intercept + slope·Y, and nothing else reads it"),
    ("targets", "fit_trend", "eq:anchor_value=float(v[-1]), bounds=ind.bounds)",
     r"re:^(anchor_value=(None|float\(v\[(\+1|-2)\]\)), )?bounds=ind\.bounds\)$", "a Theil–Sen trend's anchor "
     "is never read (Trend.at uses intercept + slope·Y)"),
    ("targets", "_one_target", "past = y < tgt.year", "past = y <= tgt.year", "a value in the target year "
     "returned earlier (observed), so no remaining year equals it"),
    ("targets", "_one_target", '"baseline_year": np.nan',
     r're:"(XXbaseline_yearXX|BASELINE_YEAR|XXbaseline_valueXX|BASELINE_VALUE)"',
     "an initial NaN entry renamed: the table's fixed columns fill a missing entry with the same NaN"),
    ("targets", "_one_target", '"value_at_target_year": np.nan',
     r're:"(XXvalue_at_target_yearXX|VALUE_AT_TARGET_YEAR|XXprojectionXX|PROJECTION|XXslopeXX|SLOPE'
     r'|XXaarr_observedXX|AARR_OBSERVED)"', "an initial NaN entry renamed: the table's fixed columns fill a "
     "missing entry with the same NaN"),
    ("targets", "_one_target", '"aarr_required": np.nan',
     r're:"(XXaarr_requiredXX|AARR_REQUIRED|XXn_pointsXX|N_POINTS)"|"n_points": 1,', "an initial NaN entry "
     "renamed, or n_points, which every path sets again: the same table"),
    ("targets", "_one_target", "_reason(ind, first, 'en')", r"re:_reason\(ind, first, (None|'XXenXX'|'EN'|)\)",
     "Break.reason gives the English text for any language but 'vi'"),
    ("targets", "_one_target", '"_cov_year": None}', r're:"(XX_cov_yearXX|_COV_YEAR)"', "the coverage year is "
     "read with .get(): None when missing"),
    ("targets", "year_reached", "range(since, target_year + 1)", "range(since, target_year + 2)", "this branch "
     "runs only when the target year itself meets the target, so the first year found is at most the target "
     "year: a longer range is never reached"),
    ("targets", "Trend.at", "np.clip(", r"re:\((lo|hi) is None\) and False", "np.clip takes None for a "
     "missing bound: the same value as ±inf"),
    ("targets", "status_table", "sort=True)", '"indicator"], ):', "sort=True is groupby's default"),
    ("targets", "status_table", 'g["value"].to_numpy(float)', 'g["value"].to_numpy(None)', "dtype-only: the "
     "values are float already"),
    ("targets", "scorecard", 'latest["low_coverage"].get(ind_id, False) == True',
     r're:latest\["low_coverage"\]\.get\(ind_id, (None)?\) == True', "None == True is False, as "
     "False == True: a unit without a value is not flagged either way"),
    ("targets", "_reason", 'lang: str = "en"', "def _reason(", "every call passes the language: the default "
     "is never used"),
    ("targets", "_reason", "str(year))", r"re:b\.reason\(lang\) for b in ind\.breaks if b\.year == year\), "
     r"(None|str\(None\)|)\)$", "unreachable: a break note is written only when the target year's segment "
     "starts at a break, which is then found"),
    ("targets", "_coverage", 'if year is None or "communes_reporting" not in g', 'year is None and "communes',
     "both ways give NaN: no row has year None, and without the columns nothing is copied"),
    # --- trends
    ("trends", "theil_sen", "t, y = _pairable(years, values)", r"re:_pairable\((None, values|years, None)\)",
     "None makes _pairable send the series to scipy, which computes the same numbers from the original years "
     "and values (tests/test_trends_batch.py checks the two paths agree)"),
    ("trends", "theil_sen", "stats.theilslopes(values, years, alpha)", "stats.theilslopes(values, years, )",
     "scipy's path takes only what it returns NaN for or refuses (fewer than two points, a value or year not "
     "finite, lengths that differ): the confidence level changes nothing there"),
    ("trends", "trend_table", "if len(a) else np.empty(0)", r"re:if \(len\(a\)\) or True else", "an empty table "
     "returns its empty frame before the group ids are read"),
    ("trends", "trend_table", "a.groupby(keys, sort=True)", "a.groupby(keys, )", "sort=True is groupby's default"),
    ("trends", "trend_table", "pd.DataFrame([], columns=TREND_COLUMNS)", r"re:pd\.DataFrame\((None, )?columns=",
     "no data, None or []: the same empty frame"),
    ("trends", "trend_table", "a[\"year\"].to_numpy(np.int64)", r"re:to_numpy\(None\)|to_numpy\(\)",
     "the columns already have these dtypes (int years, float values; text reads back as Python strings): "
     "to_numpy without a dtype gives the same arrays"),
    ("trends", "trend_table", "seg = np.zeros(len(a), np.int64)", r"re:np\.zeros\(len\(a\), (None)?\)",
     "segment numbers are only compared and grouped: 0.0 and 0 sort and group alike"),
    ("trends", "mann_kendall", "dtype=float)", r"re:dtype=None\)|np\.asarray\((years|values), \)", "dtype-only: "
     "sign() and kendalltau give the same for whole numbers and floats"),
    ("trends", "segment_ids", "dtype=float)", r"re:dtype=None\)|np\.asarray\((sorted\(breaks\)|years), \)",
     "dtype-only: searchsorted compares years and break years the same as integers or floats"),
    ("trends", "_segments_stats", "step[stop - 1] > step[first]", "step[stop - 1] >= step[first]", "a flat "
     "segment through the matrix gives slope, low and high 0 and tau and p NaN, the values set by hand"),
    ("trends", "_kendall_rows", "(sx * sy < 0).sum(1)", r"re:\(sx (\*|/) sy (<|<=) [01]\)\.sum\(1\)",
     "dis is read only for series without tied years or values (the exact branch), where sx·sy is never 0 and "
     "has the sign of sx/sy"),
    ("trends", "_kendall_rows", "n * (n - 1) // 2", "n * (n - 1) / 2", "n(n−1) is even: the same number as a "
     "float"),
    ("trends", "_kendall_rows", "undefined = (xtie == tot) | (ytie == tot)",
     r"re:undefined = (None|\(xtie == tot\) & \(ytie == tot\))", "all years or all values tied: tau and p are "
     "0/0 already (NaN), as the mask makes them"),
    ("trends", "_kendall_rows", "np.where(undefined, np.nan", "np.where(None, np.nan", "see the mask: tau and p "
     "are NaN there already"),
    ("trends", "_kendall_rows", "np.sign(dt).astype(np.int64)", r"re:astype\(None\)", "dtype-only: signs are "
     "−1, 0, 1 as floats or integers"),
    ("trends", "_kendall_rows", "np.errstate(invalid=", r"re:np\.errstate\((invalid=None, |invalid=\"ignore\", )?"
     r"(divide=None)?\)|np\.errstate\(divide=\"ignore\"\)|np\.errstate\(invalid=None, divide", "warnings only"),
    ("trends", "_kendall_rows", "np.clip(", r"re:np\.clip\(.*(None|-2\.0|2\.0)", "tau-b lies in [−1, 1]: the "
     "clip only absorbs rounding, never reached by more than it"),
    ("trends", "_theil_sen_rows", "sigma = np.where(bad, 0.0, sigma)", r"re:np\.where\(bad, 1\.0, sigma\)",
     "the rows with no variance get NaN bounds at the end whatever sigma they were given"),
    ("trends", "_theil_sen_rows", "np.errstate(invalid=", r"re:np\.errstate\(invalid=None\)", "warnings only"),
    ("trends", "_theil_sen_rows", "axis=1)", r"re:np\.sort\(dy\[:, dt > 0\] / dt\[dt > 0\], \)",
     "axis=-1 is axis 1 of this matrix"),
    ("trends", "_theil_sen_rows", "alpha > 0.5", r"re:alpha >= 0\.5", "at alpha = 0.5 both branches give 0.5"),
    ("trends", "_pairable", "dtype=float)", r"re:dtype=None\)|np\.asarray\((years|values), \)", "dtype-only: "
     "years and values are numbers; NaN and inf are found either way"),
    ("trends", "_pairable", "np.asarray(years, dtype=float)", r"re:np\.asarray\(None, ", "None gives one NaN, "
     "which sends the series to scipy itself: the same answer"),
    ("trends", "_pairable", 'kind="stable"', r're:kind=(None|"STABLE")\)|np\.argsort\(t, \)', "the order of "
     "tied years does not change Theil–Sen (pairs with equal years are left out) or Kendall's counts"),
    ("trends", "_pairable", "if len(t) < 2", r"re:len\(t\) (<= 2|< 3) or|len\(t\) < 2 and len", "two points "
     "(or fewer) give the same numbers through scipy and through the numpy path"),
    ("trends", "mann_kendall", "_pairable(years, values)", r"re:_pairable\((None, values|years, None)\)",
     "None makes one NaN: the series goes to scipy itself, which gives the same answer"),
    ("trends", "_segments_stats", 'pd.array(starts, dtype="Int64")', r"re:pd\.array\(starts, (dtype=None)?\)",
     "whole years and None are read as Int64 by pandas anyway"),
    ("trends", "_segments_stats", "np.r_[0,", "np.r_[1,", "only differences of the running count are read"),
    ("trends", "_segments_stats", "_series_stats(t.astype(float)", "_series_stats(t.astype(None)", "dtype-only: "
     "astype(None) is float64"),
    ("trends", "rank", 'kind="stable"', 'kind="STABLE"', "numpy reads the sort kind by its first letter: 'S' "
     "is stable"),
    ("trends", "rank", 'na_position="last")', r're:kind="stable", \)$', "na_position='last' is pandas' "
     "default"),
    ("trends", "rank", ".fillna(-1)", r"re:\.fillna\((\+1|-2)\)", "any sentinel below the first break year "
     "(2014) sorts a segment before the first break first"),
    ("trends", "rank", 'astype("Float64")', r're:astype\(("float64"|None)\)\.fillna\(-1\)', "dtype-only: "
     "NaN instead of NA, filled by fillna(-1) the same way"),
]


def classify(code: int | None) -> str:
    """``killed``, ``survived``, ``no tests``, ``not checked`` or ``other`` for one exit code."""
    if code is None:
        return "not checked"
    if code in KILLED:
        return "killed"
    if code in SURVIVED:
        return "survived"
    if code in NO_TESTS:
        return "no tests"
    return "other"


def load(mutants: Path = MUTANTS) -> dict[str, dict[str, int | None]]:
    """``{module: {mutant name: exit code}}`` from every ``*.py.meta`` under ``mutants``."""
    out: dict[str, dict[str, int | None]] = {}
    for meta in sorted(mutants.rglob("*.py.meta")):
        module = ".".join(meta.relative_to(mutants).with_suffix("").with_suffix("").parts)
        out[module] = json.loads(meta.read_text(encoding="utf-8")).get("exit_code_by_key", {})
    return out


def summary(codes: dict[str, int | None]) -> dict[str, float]:
    """Counts by class and the kill rate (NaN when nothing was checked)."""
    counts = {k: 0 for k in ("killed", "survived", "no tests", "not checked", "other")}
    for code in codes.values():
        counts[classify(code)] += 1
    checked = counts["killed"] + counts["survived"] + counts["no tests"]
    return {**counts, "total": len(codes), "kill_rate": 100 * counts["killed"] / checked if checked else float("nan")}


def function_of(name: str) -> str:
    """The mutated function of a mutmut name: ``trends.x_rank__mutmut_3`` → ``rank``, ``xǁTrendǁat`` → ``Trend.at``."""
    local = name.rsplit(".", 1)[-1].split("__mutmut_")[0]
    if local.startswith("xǁ"):
        return ".".join(p for p in local[2:].split("ǁ") if p)
    return local.removeprefix("x_")


def planted_change(name: str, module: str) -> tuple[list[str], list[str]] | None:
    """The lines a mutant removed and added (mutmut's diff), or None when mutmut cannot show it."""
    try:
        from mutmut.mutation.diff_apply import get_diff_for_mutant

        diff = get_diff_for_mutant(name, path=Path(*module.split(".")).with_suffix(".py"))
    except Exception:  # noqa: BLE001 - a developer report: show the name without its diff
        return None
    lines = [ln for ln in diff.splitlines() if not ln.startswith(("---", "+++"))]
    return ([ln[1:].strip() for ln in lines if ln.startswith("-")],
            [ln[1:].strip() for ln in lines if ln.startswith("+")])


def equivalent_reason(module: str, name: str, change: tuple[list[str], list[str]] | None) -> str | None:
    """Why a surviving mutant is equivalent, from :data:`EQUIVALENT` (None when it is not listed)."""
    if change is None:
        return None
    removed, added = " / ".join(change[0]), " / ".join(change[1])
    for mod, func, before, after, why in EQUIVALENT:
        if module.endswith(mod) and function_of(name) == func and matches(before, removed) and matches(after, added):
            return why
    return None


def matches(pattern: str, text: str) -> bool:
    """``re:REGEX`` searches, ``eq:TEXT`` is the whole changed text, anything else a piece of it."""
    if pattern.startswith("re:"):
        return re.search(pattern[3:], text) is not None
    if pattern.startswith("eq:"):
        return text == pattern[3:]
    return bool(pattern) and pattern in text


def main(argv: list[str]) -> int:
    show = "--survivors" in argv
    wanted = [a for a in argv if not a.startswith("--")]
    data = load()
    if not data:
        print(f"no mutmut results under {MUTANTS}: run `make mutation` first", file=sys.stderr)
        return 1
    print(f"{'module':<30} {'mutants':>7} {'killed':>6} {'survived':>8} {'no tests':>8} {'unchecked':>9} "
          f"{'kill %':>6} {'equiv.':>6} {'adj %':>6}")
    for module, codes in data.items():
        if wanted and not any(module.endswith(w) for w in wanted):
            continue
        s = summary(codes)
        alive = {n: classify(c) for n, c in sorted(codes.items()) if classify(c) in ("survived", "no tests")}
        changes = {n: planted_change(n, module) for n in alive}
        reasons = {n: equivalent_reason(module, n, changes[n]) for n in alive}
        n_eq = sum(r is not None for r in reasons.values())
        checked = s["killed"] + s["survived"] + s["no tests"] - n_eq
        adj = 100 * s["killed"] / checked if checked else float("nan")
        print(f"{module:<30} {s['total']:>7} {s['killed']:>6} {s['survived']:>8} {s['no tests']:>8} "
              f"{s['not checked']:>9} {s['kill_rate']:>6.1f} {n_eq:>6} {adj:>6.1f}")
        if show:
            for n, kind in alive.items():
                label = "equivalent" if reasons[n] else kind
                print(f"    {label:<10} {n}")
                if changes[n]:
                    print(f"        - {' / '.join(changes[n][0])}\n        + {' / '.join(changes[n][1])}")
                if reasons[n]:
                    print(f"        why: {reasons[n]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
