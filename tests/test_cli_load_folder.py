"""``btchild load FOLDER``: a folder of ordinary district workbooks loads as ``btchild report --data``
reads it (a statistician types the folder, not FOLDER/*.xlsx)."""
from typer.testing import CliRunner

from btchild_analysis.cli import app
from tests.realformat import district_folder, expected_values


def _run(args):
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_a_folder_of_district_workbooks_loads_with_its_counts(tmp_path):
    folder = district_folder(tmp_path / "bao_cao", districts=("Ba Tri", "Chợ Lách"), periods=("2024",))
    n = len(expected_values(folder))  # the values the builder wrote, counted independently of the loader
    r = _run(["load", folder, "--lang", "en"])
    assert r.exit_code == 0, r.output
    first = r.stdout.splitlines()[0]
    assert first.startswith("2 files,"), first
    assert f"{n} accepted" in first and "0 quarantined" in first, (n, first)


def test_a_folder_and_the_files_in_it_give_the_same_counts(tmp_path):
    folder = district_folder(tmp_path / "d", districts=("Ba Tri",), periods=("2023", "2024"))
    by_folder = _run(["load", folder]).stdout.splitlines()[0]
    by_files = _run(["load", *sorted(folder.glob("*.xlsx"))]).stdout.splitlines()[0]
    assert by_folder == by_files


def test_folder_refusals_are_one_line(tmp_path):
    folder = district_folder(tmp_path / "d", districts=("Ba Tri",), periods=("2024",))
    cases = [(["load", folder, "--district", "Ba Tri"], "--district applies to files"),
             (["load", folder, folder], "is a folder; give the file(s) in it")]
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "ghi_chu.txt").write_text("không phải số liệu", encoding="utf-8")
    cases.append((["load", empty], "ghi_chu.txt: no table found"))
    for args, words in cases:
        r = _run(args)
        assert r.exit_code == 2, r.output
        lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1 and words in lines[0] and "Traceback" not in r.output, r.output
