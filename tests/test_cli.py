"""The ``btchild`` command line: results, one-line errors, safe printing, synthetic marking, templates."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from btchild_analysis import cli
from btchild_analysis.cli import app

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
SCORES = SAMPLE / "standard_scores_synthetic.csv"
WIDE = SAMPLE / "messy" / "ba_tri_2015_wide_synthetic.xlsx"
BANNER = "DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA"
BTCHILD = Path(sys.executable).parent / "btchild"


def invoke(args, **kw):
    """Run the command in-process; exceptions that escape the handler fail the test."""
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False, **kw)


def assert_one_line_error(r, code=None):
    out = r.stdout + r.stderr
    assert r.exit_code != 0, out
    if code is not None:
        assert r.exit_code == code, out
    assert "Traceback" not in out
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("btchild: "), lines[0]
    return lines[0]


# ----------------------------------------------------------------------------- results (moved here)

def test_register():
    r = invoke(["register", "--on", "2020-02-01", "--format", "csv"])
    assert r.exit_code == 0
    lines = r.stdout.strip().splitlines()
    assert lines[0].startswith("code,name,type,district_code,district_name")  # the register is not synthetic
    assert len(lines) == 158
    r = invoke(["register", "--changes"])
    import csv
    with open(ROOT / "btchild_analysis" / "data" / "unit_changes.csv", encoding="utf-8", newline="") as fh:
        n_changes = sum(1 for _ in csv.reader(fh)) - 1
    assert n_changes > 170
    assert r.exit_code == 0 and len(list(csv.reader(r.stdout.strip().splitlines()))) == n_changes + 1


def test_load_summary_quarantine_and_errors(tmp_path):
    messy = sorted((SAMPLE / "messy").glob("*"))
    out = tmp_path / "q.xlsx"
    r = invoke(["load", *messy, "--quarantine", out, "--lang", "en"])
    assert r.exit_code == 0, r.output
    assert "3 files" in r.stdout and "quarantined" in r.stdout and out.exists()
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    r = invoke(["load", empty])
    assert "empty.csv: the file is empty" in assert_one_line_error(r, 2)


def test_tables_of_the_sample():
    r = invoke(["indicators", "--level", "district", "--indicator", "stunting_u5"])
    assert r.exit_code == 0
    assert r.stdout.startswith("synthetic,level,unit_code,unit_name,period,indicator,numerator,denominator,value,ci_low,ci_high")
    r = invoke(["targets"])
    assert r.exit_code == 0 and "baseline_year" in r.stdout.splitlines()[0]
    r = invoke(["completeness", "--period", "2015"])
    assert r.exit_code == 0 and "Tỉnh Bến Tre" in r.stdout
    r = invoke(["standard", SCORES, "--year", "2019", "--audit"])
    assert r.exit_code == 0
    assert r.stdout.splitlines()[0] == "synthetic,code,name,district,year,edition,total,threshold,status,reasons,audit"


def test_boundaries(boundary_file, tmp_path):
    r = invoke(["boundaries", boundary_file])
    assert r.exit_code == 0 and "matched by code: 164" in r.stdout
    import geopandas as gpd
    g = gpd.read_file(boundary_file)
    g[g["ma_xa"] != "28756"].to_file(tmp_path / "p.geojson")
    r = invoke(["boundaries", tmp_path / "p.geojson"])
    assert r.exit_code == 1 and "no boundary for unit 28756" in r.stdout


# ----------------------------------------------------------------------------- one line per error

@pytest.fixture
def bad(tmp_path):
    """Bad inputs of every kind, by name."""
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "garbage.bin").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "garbage.xlsx").write_bytes(b"PK\x03\x04 not really a zip" * 20)
    (tmp_path / "afile.txt").write_text("x\n")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "a.csv").write_text("commune_code,period,element,value\n28756,2019,u5_measured,5\n")
    (tmp_path / "emptydir").mkdir()
    return {"empty": tmp_path / "empty.csv", "garbage": tmp_path / "garbage.bin", "xlsx": tmp_path / "garbage.xlsx",
            "file": tmp_path / "afile.txt", "dir": tmp_path / "folder", "emptydir": tmp_path / "emptydir",
            "missing": tmp_path / "nowhere" / "x.csv", "out": tmp_path / "out", "wide": WIDE, "scores": SCORES}


CASES = {
    # register
    "register-bad-date": ["register", "--on", "2020-13-45"],
    "register-bad-day": ["register", "--on", "2019-02-30"],
    "register-word": ["register", "--on", "yesterday"],
    "register-format": ["register", "--format", "xml"],
    # sample, elements
    "sample-negative-seed": ["sample", "--seed", "-1", "--out", "{out}"],
    "sample-out-is-file": ["sample", "--out", "{file}"],
    "elements-lang": ["elements", "--lang", "fr"],
    # load
    "load-dir": ["load", "{dir}", "{dir}"],  # one folder loads as a data folder; two are refused
    "load-empty": ["load", "{empty}"],
    "load-garbage": ["load", "{garbage}"],
    "load-garbage-xlsx": ["load", "{xlsx}"],
    "load-missing": ["load", "{missing}"],
    "load-district": ["load", "--district", "Ba Trii", "{wide}"],
    "load-lang": ["load", "--lang", "de", "{wide}"],
    "load-quarantine-dir": ["load", "--quarantine", "{dir}", "{wide}"],
    # completeness
    "completeness-empty": ["completeness", "{empty}", "--period", "2015"],
    "completeness-garbage": ["completeness", "{garbage}", "--period", "2015"],
    "completeness-garbage-xlsx": ["completeness", "{xlsx}", "--period", "2015"],
    "completeness-emptydir": ["completeness", "{emptydir}", "--period", "2015"],
    "completeness-missing": ["completeness", "{missing}", "--period", "2015"],
    "completeness-bad-period": ["completeness", "--period", "2015-13"],
    "completeness-old-period": ["completeness", "--period", "1800"],
    "completeness-no-arrivals": ["completeness", "{dir}", "--period", "2019"],
    # indicators, targets
    "indicators-future-vintage": ["indicators", "--vintage", "2030"],
    "indicators-bad-vintage": ["indicators", "--vintage", "2020-13-01"],
    "indicators-empty": ["indicators", "{empty}"],
    "indicators-garbage": ["indicators", "{garbage}"],
    "indicators-emptydir": ["indicators", "{emptydir}"],
    "indicators-unknown": ["indicators", "--indicator", "no_such_indicator"],
    "indicators-level": ["indicators", "--level", "ward"],
    "targets-bad-vintage": ["targets", "--vintage", "20x0"],
    "targets-garbage": ["targets", "{garbage}"],
    # standard
    "standard-year-1800": ["standard", "--year", "1800", "{scores}"],
    "standard-year-no-scores": ["standard", "--year", "2100", "{scores}"],
    "standard-empty": ["standard", "{empty}"],
    "standard-garbage": ["standard", "{garbage}"],
    "standard-dir": ["standard", "{dir}"],
    "standard-missing": ["standard", "{missing}"],
    "standard-classes-garbage": ["standard", "{scores}", "--year", "2019", "--classes", "{garbage}"],
    "standard-data-empty": ["standard", "{scores}", "--audit", "--data", "{empty}"],
    # boundaries
    "boundaries-empty": ["boundaries", "{empty}"],
    "boundaries-garbage": ["boundaries", "{garbage}"],
    "boundaries-dir": ["boundaries", "{emptydir}"],
    "boundaries-bad-date": ["boundaries", "{garbage}", "--on", "2013-02-30"],
    # report (all refused before anything runs)
    "report-out-is-file": ["report", "--out", "{file}"],
    "report-lang": ["report", "--lang", "fr", "--out", "{out}"],
    "report-data-empty": ["report", "--data", "{empty}", "--out", "{out}"],
    "report-spec-missing": ["report", "--spec", "{missing}", "--out", "{out}"],
    "report-boundaries-dir": ["report", "--boundaries", "{emptydir}", "--out", "{out}"],
    "report-jobs": ["report", "--jobs", "0", "--out", "{out}"],
    # template
    "template-out-is-file": ["template", "{file}"],
    "template-bad-period": ["template", "{out}", "--period", "2024H2"],
    "template-district": ["template", "{out}", "--district", "Quận 1"],
    # the group
    "no-such-command": ["frobnicate"],
    "no-such-option": ["register", "--frobnicate"],
}


@pytest.mark.parametrize("args", CASES.values(), ids=CASES.keys())
def test_every_command_refuses_bad_input_in_one_line(args, bad):
    r = invoke([a.format(**bad) for a in args])
    line = assert_one_line_error(r)
    assert r.exit_code == 2, line  # all of these are known errors
    assert "run with --debug" not in line


def test_every_command_is_covered():
    commands = {c.name for c in cli.typer.main.get_command(app).commands.values()}
    assert commands <= {args[0] for args in CASES.values()}


def test_messages_say_what_is_wrong(bad):
    cases = [(["register", "--on", "2020-13-45"], "'2020-13-45' is not a date"),
             (["load", bad["dir"], bad["dir"]], "is a folder"),
             (["indicators", "--vintage", "2030"], "in the future"),
             (["standard", "--year", "1800", SCORES], "no edition of the child-friendly standard covers 1800"),
             (["report", "--out", bad["file"]], "is not a folder"),
             (["elements", "--lang", "fr"], "'vi', 'en'")]
    for args, expected in cases:
        assert expected in assert_one_line_error(invoke(args))


def test_unknown_district_lists_the_names():
    line = assert_one_line_error(invoke(["load", "--district", "Ba Trii", WIDE]), 2)
    for name in ["Huyện Ba Tri", "Thành phố Bến Tre", "Huyện Mỏ Cày Bắc", "Huyện Thạnh Phú"]:
        assert name in line


@pytest.mark.parametrize("district", ["Ba Tri", "h. ba tri", "836", "Huyện Ba Tri"])
def test_district_named_loosely(district):
    r = invoke(["load", "--district", district, WIDE])
    assert r.exit_code == 0, r.output


def test_unexpected_error_is_one_line_with_the_hint_and_debug_shows_the_traceback(monkeypatch):
    import btchild_analysis.catalog as catalog

    def boom(lang):
        raise RuntimeError(f"boom\nsecond line {RED}")

    monkeypatch.setattr(catalog, "elements_table", boom)
    r = invoke(["elements"])
    line = assert_one_line_error(r, 1)
    assert "RuntimeError: boom second line \\x1b[31mRED" in line and line.endswith("(run with --debug for details)")
    for args in (["--debug", "elements"], ["elements", "--debug"]):
        r = invoke(args)
        assert r.exit_code == 1
        assert "Traceback" in r.stderr and "RuntimeError: boom" in r.stderr and "\x1b" not in r.stderr
        assert r.stderr.strip().splitlines()[-1].startswith("btchild: unexpected error")


def test_package_error_inside_a_command_is_exit_2(monkeypatch):
    import btchild_analysis.catalog as catalog
    from btchild_analysis.errors import RegistryError

    def refuse(lang):
        raise RegistryError("element 'x' unknown")

    monkeypatch.setattr(catalog, "elements_table", refuse)
    assert assert_one_line_error(invoke(["elements"]), 2) == "btchild: element 'x' unknown"


def _run_script(args, timeout=60):
    cmd = [str(BTCHILD)] if BTCHILD.exists() else [sys.executable, "-m", "btchild_analysis.cli"]
    return subprocess.run(cmd + [str(a) for a in args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "COLUMNS": "80"})


@pytest.fixture
def fifo(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    return path


FIFO_CASES = {"load": ["load", "{fifo}"], "completeness": ["completeness", "{fifo}", "--period", "2015"],
              "indicators": ["indicators", "{fifo}"], "standard": ["standard", "{fifo}"],
              "boundaries": ["boundaries", "{fifo}"], "report-spec": ["report", "--spec", "{fifo}", "--out", "{out}"],
              "data-folder-with-fifo": ["indicators", "{folder}"]}


@pytest.mark.parametrize("args", FIFO_CASES.values(), ids=FIFO_CASES.keys())
def test_a_fifo_is_refused_without_blocking(args, fifo, tmp_path):
    # a run that opened the FIFO would block until the timeout: subprocess.TimeoutExpired fails the test
    r = _run_script([a.format(fifo=fifo, folder=tmp_path, out=tmp_path / "out") for a in args])
    assert r.returncode == 2, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "not a regular file" in lines[0] and "Traceback" not in r.stderr + r.stdout


def test_console_script_usage_error_and_bad_date():
    r = _run_script(["register", "--on", "2020-13-45"])
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("btchild: ") and "Traceback" not in r.stderr
    r = _run_script(["sample", "--seed", "-1"])
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "--seed" in r.stderr


# ----------------------------------------------------------------------------- nothing raw on the terminal

RED = "\x1b[31mRED"


def test_clean_shows_controls_and_keeps_text():
    assert cli.clean(f"Xã {RED}\x1b[0m") == "Xã \\x1b[31mRED\\x1b[0m"
    assert cli.clean("a\x07b\x9bc\u202ed") == "a\\x07b\\x9bc\\u202ed"
    assert cli.clean("dòng 1\n\tdòng 2") == "dòng 1\n\tdòng 2"  # line feeds and tabs of tables kept
    assert cli.clean("a\r\nb\x1b", one_line=True) == "a b\\x1b"


@pytest.mark.parametrize("fmt", ["csv", "table"])
def test_emit_never_prints_escapes(fmt, capsys):
    df = pd.DataFrame({"commune_name": [RED, "Phú Khương"], f"col{RED}": [1, 2]})
    cli._emit(df, cli.Fmt(fmt))
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b[31mRED" in out and "Phú Khương" in out


def test_escapes_in_data_and_feature_names_are_not_printed_raw(tmp_path):
    csv = tmp_path / "x.csv"
    csv.write_text(f"commune_code,commune_name,period,element,value\n,{RED},2019,u5_measured,5\n"
                   f"28756,Phú Khương,2019,{RED},5\n", encoding="utf-8")
    r = invoke(["load", csv])
    assert r.exit_code == 0 and "\x1b" not in r.stdout + r.stderr
    geo = tmp_path / "b.geojson"
    square = '"geometry":{"type":"Polygon","coordinates":[[[106.3,10.2],[106.4,10.2],[106.4,10.3],[106.3,10.2]]]}'
    geo.write_text('{"type":"FeatureCollection","features":['
                   '{"type":"Feature","properties":{"ma_xa":"28756","ten":"Phú Khương"},' + square + '},'
                   '{"type":"Feature","properties":{"ma_xa":"99999","ten":"\\u001b[31mRED"},' + square + '}]}')
    r = invoke(["boundaries", geo])
    assert r.exit_code == 1 and "unmatched feature" in r.stdout
    assert "\x1b" not in r.stdout and "\\x1b[31mRED" in r.stdout
    named = tmp_path / f"{RED}.csv"
    named.write_text("")
    line = assert_one_line_error(invoke(["load", named]), 2)
    assert "\x1b" not in line and "\\x1b[31mRED.csv" in line


# ----------------------------------------------------------------------------- synthetic marking

def _real_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "real"
    folder.mkdir()
    # Phú Khương (28756) and Phường 8 (28759), 2019: 30 of 200 and 10 of 100 stunted
    pd.DataFrame([("28756", "2019", "u5_measured", 200), ("28756", "2019", "u5_stunted", 30),
                  ("28759", "2019", "u5_measured", 100), ("28759", "2019", "u5_stunted", 10)],
                 columns=["commune_code", "period", "element", "value"]).to_csv(folder / "submissions.csv", index=False)
    return folder


def test_sample_outputs_are_marked_synthetic():
    r = invoke(["indicators", "--indicator", "stunting_u5"])
    lines = r.stdout.splitlines()
    assert lines[0].split(",")[0] == "synthetic" and len(lines) > 1
    assert all(ln.startswith("true,") for ln in lines[1:])
    r = invoke(["indicators", "--indicator", "stunting_u5", "--format", "table"])
    assert r.stdout.splitlines()[0] == BANNER
    r = invoke(["completeness", "--period", "2015"])
    assert r.stdout.splitlines()[0] == BANNER
    r = invoke(["standard", SCORES, "--year", "2019", "--format", "csv"])
    assert r.stdout.splitlines()[1].startswith("true,")


def test_real_folder_outputs_are_not_marked(tmp_path):
    folder = _real_folder(tmp_path)
    r = invoke(["indicators", folder, "--indicator", "stunting_u5", "--level", "commune"])
    assert r.exit_code == 0, r.output
    got = pd.read_csv(pd.io.common.StringIO(r.stdout), dtype={"unit_code": str})
    assert "synthetic" not in got.columns
    assert got.set_index("unit_code")["value"].to_dict() == pytest.approx({"28756": 15.0, "28759": 10.0})
    r = invoke(["indicators", folder, "--indicator", "stunting_u5", "--format", "table"])
    assert r.exit_code == 0 and BANNER not in r.stdout and "SYNTHETIC" not in r.stdout


def test_the_descriptor_not_the_file_name_makes_data_synthetic(tmp_path):
    folder = _real_folder(tmp_path)
    (folder / "datapackage.yaml").write_text("title: invented\nsynthetic: true\n", encoding="utf-8")
    r = invoke(["indicators", folder, "--indicator", "stunting_u5"])
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("synthetic,") and r.stdout.splitlines()[1].startswith("true,")


def test_readme_documents_the_synthetic_column():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    cli_section = text.split("## The command line", 1)[1].split("\n## ", 1)[0]
    assert "`synthetic`" in cli_section and "SYNTHETIC DATA" in cli_section


# ----------------------------------------------------------------------------- templates

def test_template_headings_and_communes(tmp_path):
    out = tmp_path / "tpl"
    r = invoke(["template", out, "--period", "2024", "--district", "ba tri"])
    assert r.exit_code == 0, r.output
    assert {p.name for p in out.iterdir()} == {"submissions.xlsx", "scores.xlsx", "arrivals.xlsx", "classes.xlsx",
                                              "datapackage.yaml", "HUONG_DAN.md"}
    wb = openpyxl.load_workbook(out / "submissions.xlsx")
    assert wb.sheetnames == ["6 tháng đầu năm 2024", "Năm 2024"]
    ws = wb["Năm 2024"]
    head = [c.value for c in ws[1]]
    assert head[:3] == ["Mã xã", "Tên xã", "Số trẻ em dưới 5 tuổi được đo chiều cao"]
    assert "Có điểm vui chơi dành cho trẻ em đạt tiêu chuẩn (1 = có)" in head  # annual-only element
    assert "Có điểm vui chơi dành cho trẻ em đạt tiêu chuẩn (1 = có)" not in [c.value for c in wb["6 tháng đầu năm 2024"][1]]
    codes = [ws.cell(i, 1).value for i in range(2, ws.max_row + 1)]
    assert len(codes) == 23 and "29110" in codes  # Ba Tri: 23 units from 2020-02-01 (856/NQ-UBTVQH14)
    assert all(ws.cell(i, 1).data_type == "s" for i in range(2, ws.max_row + 1))  # codes are text
    for name, heads in [("scores.xlsx", ["Mã xã", "Tên xã", "Năm", "Tiêu chí", "Nội dung tiêu chí", "Điểm tối đa", "Điểm"]),
                        ("arrivals.xlsx", ["Mã xã", "Tên xã", "Kỳ báo cáo", "Ngày nộp"]),
                        ("classes.xlsx", ["Mã xã", "Năm", "Loại xã"])]:
        ws = openpyxl.load_workbook(out / name).worksheets[0]
        assert [c.value for c in ws[1]] == heads
    import yaml
    meta = yaml.safe_load((out / "datapackage.yaml").read_text(encoding="utf-8"))
    assert meta["synthetic"] is False and {"title", "source", "as_of"} <= set(meta)
    assert {r["kind"] for r in meta["resources"]} == {"submissions", "scores", "arrivals", "classes"}


def test_filled_templates_load_with_the_values_put_in(tmp_path):
    from btchild_analysis import io
    from btchild_analysis.dataset import load_dataset

    out = tmp_path / "tpl"
    assert invoke(["template", out, "--period", "2019", "--district", "836"]).exit_code == 0
    wb = openpyxl.load_workbook(out / "submissions.xlsx")
    ws = wb["Năm 2019"]
    head = [c.value for c in ws[1]]
    col = {h: j + 1 for j, h in enumerate(head)}
    measured, stunted = col["Số trẻ em dưới 5 tuổi được đo chiều cao"], col["Số trẻ em dưới 5 tuổi suy dinh dưỡng thể thấp còi"]
    truth = set()
    for i in (2, 3, 4):
        code = ws.cell(i, 1).value
        ws.cell(i, measured).value = 100 + i
        ws.cell(i, stunted).value = i
        truth |= {(code, "2019", "u5_measured", 100.0 + i), (code, "2019", "u5_stunted", float(i))}
    wb.save(out / "submissions.xlsx")
    res = io.load_submissions(out / "submissions.xlsx")
    got = {(c, str(p), e, float(v)) for c, p, e, v in res.accepted[["commune_code", "period", "element", "value"]].itertuples(index=False)}
    assert got == truth

    wb = openpyxl.load_workbook(out / "scores.xlsx")
    ws = wb.worksheets[0]
    assert ws.cell(2, 3).value == 2019 and ws.cell(2, 4).value == "2019.C01"
    ws.cell(2, 7).value = 80
    wb.save(out / "scores.xlsx")
    s = io.load_scores(out / "scores.xlsx").accepted
    assert s[["commune_code", "year", "criterion", "score"]].values.tolist() == [[ws.cell(2, 1).value, 2019, "2019.C01", 80.0]]

    wb = openpyxl.load_workbook(out / "arrivals.xlsx")
    ws = wb.worksheets[0]
    ws.cell(2, 4).value = "15/04/2019"
    first = (ws.cell(2, 1).value, ws.cell(2, 3).value)
    wb.save(out / "arrivals.xlsx")
    wb = openpyxl.load_workbook(out / "classes.xlsx")
    wb.worksheets[0].append(["29110", 2019, "xa_dac_biet_kho_khan"])
    wb.save(out / "classes.xlsx")

    ds = load_dataset(out)
    assert ds.synthetic is False
    assert first[1] == "2019H1"
    received = ds.submission_dates[ds.submission_dates["submitted_on"] != ""]
    assert received.values.tolist() == [[first[0], "2019H1", "2019-04-15"]]
    assert ds.classes.values.tolist() == [["29110", 2019, "xa_dac_biet_kho_khan"]]


def test_template_never_overwrites_without_force(tmp_path):
    out = tmp_path / "tpl"
    assert invoke(["template", out, "--period", "2024H1"]).exit_code == 0
    wb = openpyxl.load_workbook(out / "submissions.xlsx")
    assert wb.sheetnames == ["6 tháng đầu năm 2024"] and wb.worksheets[0].max_row == 158  # 157 units + heading
    before = (out / "submissions.xlsx").read_bytes()
    line = assert_one_line_error(invoke(["template", out, "--period", "2024"]), 2)
    assert "already there" in line and (out / "submissions.xlsx").read_bytes() == before
    assert invoke(["template", out, "--period", "2024", "--force"]).exit_code == 0
    assert (out / "submissions.xlsx").read_bytes() != before


# ----------------------------------------------------------------------------- report and sample

class _FakeJob:
    def __init__(self, name, status):
        self.name, self.status, self.seconds, self.html = name, status, 1.5, f"{name}.html"


def test_report_refuses_a_file_as_out_before_running(tmp_path, monkeypatch):
    import btchild_analysis.reports as reports

    calls = []
    monkeypatch.setattr(reports, "run_portfolio", lambda *a, **k: calls.append((a, k)) or [])
    f = tmp_path / "outputs"
    f.write_text("not a folder")
    assert "is not a folder" in assert_one_line_error(invoke(["report", "--out", f]), 2)
    assert calls == [] and f.read_text() == "not a folder"


def test_report_lists_pages_and_exits_1_when_one_failed(tmp_path, monkeypatch):
    import btchild_analysis.reports as reports

    calls = []

    def fake(spec, out, **kw):
        calls.append(kw)
        return [_FakeJob("a", "ok"), _FakeJob(f"b{RED}", "failed")]

    monkeypatch.setattr(reports, "run_portfolio", fake)
    r = invoke(["report", "--out", tmp_path / "o", "--lang", "en", "--timeout", "30"])
    assert r.exit_code == 1
    assert "ok" in r.stdout and "index.html" in r.stdout and "\x1b" not in r.stdout
    assert r.stderr.strip() == "1 of 2 reports failed"
    assert calls[0]["overrides"]["lang"] == "en" and calls[0]["timeout"] == 30


def test_sample_writes_a_descriptor_and_never_into_real_data(tmp_path):
    out = tmp_path / "s"
    r = invoke(["sample", "--seed", "7", "--out", out, "--no-messy"])
    assert r.exit_code == 0, r.output
    r = invoke(["indicators", out, "--indicator", "stunting_u5"])
    assert r.stdout.startswith("synthetic,") and r.stdout.splitlines()[1].startswith("true,")
    real = _real_folder(tmp_path)
    before = sorted(p.name for p in real.iterdir())
    assert "other data" in assert_one_line_error(invoke(["sample", "--out", real, "--no-messy"]), 2)
    assert sorted(p.name for p in real.iterdir()) == before


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path):
    big = tmp_path / "big.csv"
    big.write_text("commune_code,period,element,value\n" + "28756,2019,u5_measured,5\n" * 100)
    r = invoke(["load", big], env={"BTCHILD_MAX_FILE_BYTES": "1000"})
    line = assert_one_line_error(r, 2)
    assert "BTCHILD_MAX_FILE_BYTES" in line and "2,534 bytes" in line  # 34 + 100 × 25 bytes
    assert invoke(["load", big]).exit_code == 0


def test_the_district_option_resolves_names_shared_by_two_districts(tmp_path):
    # "Xã An Hiệp" is a commune of both Châu Thành (28855) and Ba Tri (29161): without a district it is
    # ambiguous and quarantined; named loosely, the district makes it one commune
    f = tmp_path / "an_hiep.csv"
    f.write_text("commune_name,period,element,value\nXã An Hiệp,2019,u5_measured,5\n", encoding="utf-8")
    r = invoke(["load", f, "--lang", "en"])
    assert r.exit_code == 0 and "0 accepted, 1 quarantined" in r.stdout
    for d in ("h. ba tri", "836", "Châu Thành"):
        r = invoke(["load", f, "--lang", "en", "--district", d])
        assert r.exit_code == 0 and "1 accepted, 0 quarantined" in r.stdout, (d, r.stdout)
