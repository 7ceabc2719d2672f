"""The run spec: keys, parameter names against the notebook, output names, periods (no kernel runs)."""
import datetime as dt
from pathlib import Path

import pytest
import yaml

from btchild_analysis import periods, reports, runspec
from btchild_analysis.errors import RunSpecError
from runner_fixtures import notebook, spec

MAKES_MARKER = 'from pathlib import Path\nPath(marker).write_text("ran")'


@pytest.fixture
def nb(tmp_path):
    return notebook(tmp_path / "fixture.ipynb", MAKES_MARKER)


def _load(tmp_path, body):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    return runspec.load_spec(path)


@pytest.mark.parametrize("body, message", [
    ({"defualts": {}, "runs": [{"name": "a", "notebook": "x"}]},
     r"defualts: unknown key 'defualts' \(allowed: site, defaults, timeout, runs\); did you mean 'defaults'\?"),
    ({"runs": [{"name": "a", "notebook": "x", "parms": {}}]}, r"runs\[0\]\.parms: unknown key 'parms'.*did you mean 'params'"),
    ({"site": {"titel_vi": "x"}, "runs": [{"name": "a", "notebook": "x"}]}, r"site\.titel_vi: unknown key"),
    ({"runs": [{"name": "a"}]}, r"runs\[0\]\.notebook: missing"),
    ({"runs": []}, r"runs: list at least one run"),
    ({"runs": [{"name": "a", "notebook": "x", "for_each": "communes"}]}, r"runs\[0\]\.for_each"),
    ({"runs": [{"name": "a", "notebook": "x", "timeout": -1}]}, r"runs\[0\]\.timeout"),
    ({"runs": [{"name": "a", "notebook": "x", "params": {"output_dir": "/tmp"}}]}, r"'output_dir' is set by the runner"),
    ({"defaults": {"2x": 1}, "runs": [{"name": "a", "notebook": "x"}]}, r"defaults: parameter name '2x' is not a Python identifier"),
])
def test_bad_keys_are_named(tmp_path, body, message):
    with pytest.raises(RunSpecError, match=message):
        _load(tmp_path, body)


def test_not_yaml_and_not_a_mapping(tmp_path):
    (tmp_path / "a.yaml").write_text("runs: [", encoding="utf-8")
    with pytest.raises(RunSpecError, match="not valid YAML"):
        runspec.load_spec(tmp_path / "a.yaml")
    (tmp_path / "b.yaml").write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(RunSpecError, match="a run spec is a mapping"):
        runspec.load_spec(tmp_path / "b.yaml")
    with pytest.raises(RunSpecError, match="no such run spec"):
        runspec.load_spec(tmp_path / "missing.yaml")


@pytest.mark.parametrize("name", [
    "x = 1\nimport os; from pathlib import Path; Path(marker).write_text('pwned')\ny",
    "marker; open('x','w')",
])
def test_a_parameter_name_never_becomes_code(tmp_path, nb, name):
    marker = tmp_path / "marker.txt"
    path = spec(tmp_path / "s.yaml", [{"name": "r", "notebook": str(nb), "params": {"marker": str(marker), name: 1}}])
    with pytest.raises(RunSpecError, match="is not a Python identifier"):
        reports.run_portfolio(path, tmp_path / "out", progress=False)
    assert not marker.exists()
    assert not (tmp_path / "out").exists()  # refused before anything ran or was written


def test_unknown_parameter_lists_the_notebook_s_parameters(tmp_path, nb):
    marker = tmp_path / "marker.txt"
    path = spec(tmp_path / "s.yaml", [{"name": "r", "notebook": str(nb), "params": {"marker": str(marker), "yeer": 2024}}])
    with pytest.raises(RunSpecError) as err:
        reports.run_portfolio(path, tmp_path / "out", progress=False)
    msg = str(err.value)
    assert "fixture.ipynb has no parameter 'yeer'" in msg
    assert "its parameters are: period, district, lang, data, files, marker" in msg
    assert "output_dir" not in msg.split("its parameters are:")[1]
    assert not marker.exists()


def test_defaults_go_only_to_notebooks_that_declare_them(tmp_path, nb):
    other = notebook(tmp_path / "other.ipynb", "pass", params='lang = "vi"\nextra = 1\noutput_dir = "."\nreport_name = "r"')
    s = runspec.Spec.model_validate({"defaults": {"lang": "en", "marker": "m", "extra": 2},
                                     "runs": [{"name": "a", "notebook": str(nb)}, {"name": "b", "notebook": str(other)}]})
    a, b = runspec.expand(s)
    assert a.params == {"lang": "en", "marker": "m"}
    assert b.params == {"lang": "en", "extra": 2}
    s = runspec.Spec.model_validate({"defaults": {"lnag": "en"}, "runs": [{"name": "a", "notebook": str(nb)}]})
    with pytest.raises(RunSpecError, match="defaults: no notebook of the spec has a parameter 'lnag'"):
        runspec.expand(s)


@pytest.mark.parametrize("name, message", [
    ("index", "reserved"),
    ("Index", "reserved"),
    ("—/—", "empty file name"),
    ("{district.__class__}", "is not a parameter"),
    ("{nope}", "is not a parameter"),
    ("a{", "unbalanced braces"),
])
def test_bad_output_names(nb, name, message):
    s = runspec.Spec.model_validate({"runs": [{"name": name, "notebook": str(nb)}]})
    with pytest.raises(RunSpecError, match=message):
        runspec.expand(s)


def test_names_filled_and_slugged_and_distinct(nb):
    s = runspec.Spec.model_validate({"runs": [{"name": "Trạng thái {district} {period}", "notebook": str(nb),
                                               "params": {"period": "2024 h1"}, "for_each": "districts"}]})
    jobs = runspec.expand(s)
    # the province and the nine districts of 2024 (before the 2025 abolition): 10 jobs
    assert [j.name for j in jobs][:2] == ["trang_thai_tinh_2024h1", "trang_thai_829_2024h1"]
    assert len(jobs) == 10 and jobs[0].params["district"] is None and jobs[0].params["period"] == "2024H1"
    dup = runspec.Spec.model_validate({"runs": [{"name": "a", "notebook": str(nb)}, {"name": "A", "notebook": str(nb)}]})
    with pytest.raises(RunSpecError, match=r"same output name \(a\)"):
        runspec.expand(dup)


@pytest.mark.parametrize("params, message", [
    ({"period": "2024Q3"}, r"runs\[0\]\.period: '2024Q3' is not a period"),
    ({"lang": "fr"}, r"runs\[0\]\.lang: 'fr'"),
])
def test_bad_values(nb, params, message):
    s = runspec.Spec.model_validate({"runs": [{"name": "a", "notebook": str(nb), "params": params}]})
    with pytest.raises(RunSpecError, match=message):
        runspec.expand(s)


@pytest.mark.parametrize("today, expected", [
    (dt.date(2026, 10, 20), "2026"),    # the annual report is due before 1 November
    (dt.date(2026, 4, 20), "2026H1"),   # the six-monthly report before 1 May
    (dt.date(2026, 11, 2), "2027H1"),   # after 1 November: next year's six-monthly report
    (dt.date(2026, 5, 1), "2026"),      # on the deadline day the H1 report is late; the annual one is next
    (dt.date(2026, 10, 31), "2026"),
    (dt.date(2026, 1, 1), "2026H1"),
])
def test_period_auto_is_the_report_due_next(nb, today, expected):
    assert str(periods.due_next(today)) == expected
    s = runspec.Spec.model_validate({"runs": [{"name": "r_{period}", "notebook": str(nb), "params": {"period": "auto"}}]})
    (job,) = runspec.expand(s, today=today)
    assert job.params["period"] == expected and job.name == f"r_{expected.lower()}"


def test_windows_end_the_day_before_the_deadline():
    assert periods.parse_period("2024H1").window == (dt.date(2023, 11, 1), dt.date(2024, 4, 30))
    assert periods.parse_period("2024").window == (dt.date(2023, 11, 1), dt.date(2024, 10, 31))
    for p in ("2015", "2015H1", "2020", "2024H1"):
        period = periods.parse_period(p)
        assert period.window[1] == period.reference_date


def test_relative_paths_are_made_absolute(tmp_path, nb, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = runspec.Spec.model_validate({"defaults": {"data": "d"}, "runs": [{"name": "r", "notebook": str(nb),
                                                                          "params": {"files": ["a.csv", "/abs/b.csv"]}}]})
    (job,) = runspec.expand(s, overrides={"lang": "en", "data": None})
    assert job.params == {"data": str(tmp_path / "d"), "files": [str(tmp_path / "a.csv"), "/abs/b.csv"], "lang": "en"}


def test_timeout_from_spec_and_per_run(nb):
    s = runspec.Spec.model_validate({"timeout": 50, "runs": [{"name": "a", "notebook": str(nb)},
                                                             {"name": "b", "notebook": str(nb), "timeout": 7}]})
    assert [j.timeout for j in runspec.expand(s)] == [50.0, 7.0]


def test_bundled_spec_checks_against_the_notebooks():
    names = set(runspec.notebook_parameters(runspec.NOTEBOOKS / "01_child_friendly_status.ipynb"))
    if "period" not in names:
        pytest.skip("the notebooks do not declare `period` yet (being migrated by the lead)")
    spec = reports.load_spec()
    jobs = reports.expand(spec)
    status = [j for j in jobs if "01_child_friendly_status" in j.notebook]
    assert len(status) == 10 and status[0].params["district"] is None
    assert {j.params["period"] for j in jobs} == {"2024"}
    # one run per district and the province, one for each other run
    assert len({j.name for j in jobs}) == len(jobs) == 10 + len(spec.runs) - 1
    assert all(j.title["vi"] and j.title["en"] for j in jobs)


@pytest.mark.parametrize("value", [
    'x"\nimport os\nos.system("touch pwned")\n"',
    "'''; import os; '''",
    '\\"); __import__("os").system("id"); ("',
    {"k\"\nimport os": ["\"\"\"", "\n"]},
])
def test_a_parameter_value_is_only_ever_a_value(nb, value):
    """The values reach the notebook through papermill's parameter cell: assignments of literals only."""
    import ast

    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    s = runspec.Spec.model_validate({"runs": [{"name": "a", "notebook": str(nb), "params": {"marker": value}}]})
    (job,) = runspec.expand(s)
    book = parameterize_notebook(load_notebook_node(str(nb)), {**job.params, "output_dir": "o", "report_name": "a"})
    injected = [c for c in book.cells if "injected-parameters" in c.metadata.get("tags", [])][0]
    tree = ast.parse(injected.source)
    assert all(isinstance(node, ast.Assign) for node in tree.body)
    values = {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body}
    assert values["marker"] == value


def test_a_notebook_without_parameters_cell(tmp_path):
    import nbformat

    plain = nbformat.v4.new_notebook()
    plain.cells = [nbformat.v4.new_code_cell("x = 1")]
    nbformat.write(plain, tmp_path / "plain.ipynb")
    s = runspec.Spec.model_validate({"runs": [{"name": "a", "notebook": str(tmp_path / "plain.ipynb"), "params": {"x": 2}}]})
    with pytest.raises(RunSpecError, match="plain.ipynb has no parameter 'x'; it has no cell tagged 'parameters'"):
        runspec.expand(s)
