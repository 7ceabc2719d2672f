"""The runner's state: fingerprints, whole outputs, the locked and merged state file (no kernel runs)."""
import json
import logging
import os
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest

from btchild_analysis import state
from btchild_analysis.state import State, fingerprint, is_fresh, is_whole, describe_outputs


@pytest.fixture
def inputs(tmp_path):
    nb = tmp_path / "n.ipynb"
    nb.write_text('{"cells": []}', encoding="utf-8")
    files = tmp_path / "files"
    files.mkdir()
    (files / "a.csv").write_text("x\n1\n", encoding="utf-8")
    data = tmp_path / "data"
    (data / "sub").mkdir(parents=True)
    (data / "sub" / "b.csv").write_text("y\n2\n", encoding="utf-8")
    params = {"lang": "vi", "data": str(data), "files": [str(files / "a.csv")], "period": "2024"}
    return nb, params, files, data


def _fp(nb, params):
    return fingerprint(nb, params, code="fixed")


def test_fingerprint_is_stable_for_the_same_inputs(inputs):
    nb, params, _, _ = inputs
    assert _fp(nb, params) == _fp(nb, dict(params))


def test_fingerprint_covers_files_data_language_and_notebook(inputs):
    nb, params, files, data = inputs
    base = _fp(nb, params)
    (files / "a.csv").write_text("x\n1\n2\n", encoding="utf-8")          # a `files` entry changes
    after_files = _fp(nb, params)
    assert after_files != base
    (data / "sub" / "new.xlsx").write_bytes(b"PK")                        # a file appears deep in `data`
    after_data = _fp(nb, params)
    assert after_data != after_files
    assert _fp(nb, {**params, "lang": "en"}) != after_data                # the language
    nb.write_text('{"cells": [1]}', encoding="utf-8")                      # the notebook
    assert _fp(nb, params) != after_data


def test_fingerprint_sees_a_path_appear(tmp_path, inputs):
    nb, params, _, _ = inputs
    missing = tmp_path / "later.geojson"
    p = {**params, "boundaries": str(missing)}
    before = _fp(nb, p)
    missing.write_text("{}", encoding="utf-8")
    assert _fp(nb, p) != before


def _xlsx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    return path


def test_whole_outputs(tmp_path):
    good = _xlsx(tmp_path / "r_phu_luc.xlsx")
    assert is_whole(good)
    (tmp_path / "empty.xlsx").write_bytes(b"")
    assert not is_whole(tmp_path / "empty.xlsx")                          # the 0-byte workbook of a kill
    (tmp_path / "cut.xlsx").write_bytes(good.read_bytes()[:40])
    assert not is_whole(tmp_path / "cut.xlsx")
    (tmp_path / "p.html").write_text("<html><body>x</body></html>\n", encoding="utf-8")
    (tmp_path / "half.html").write_text("<html><body>x", encoding="utf-8")
    assert is_whole(tmp_path / "p.html") and not is_whole(tmp_path / "half.html")
    (tmp_path / "bad.csv").write_bytes(b"\xff\xfe\x00a")
    assert not is_whole(tmp_path / "bad.csv")
    assert not is_whole(tmp_path / "absent.html")


def test_is_fresh_needs_same_fingerprint_and_intact_outputs(tmp_path):
    (tmp_path / "r.html").write_text("<html>ok</html>", encoding="utf-8")
    _xlsx(tmp_path / "r_phu_luc.xlsx")
    entry = {"status": "ok", "fingerprint": "f", "html": "r.html",
             "outputs": describe_outputs(tmp_path, ["r.html", "r_phu_luc.xlsx"])}
    assert is_fresh(entry, "f", tmp_path)
    assert not is_fresh(entry, "g", tmp_path)
    assert not is_fresh({**entry, "status": "failed"}, "f", tmp_path)
    (tmp_path / "r_phu_luc.xlsx").write_bytes(b"")                         # killed while writing the annex
    assert not is_fresh(entry, "f", tmp_path)
    _xlsx(tmp_path / "r_phu_luc.xlsx")
    (tmp_path / "r.html").write_text("<html>changed</html>", encoding="utf-8")   # same size class, other bytes
    assert not is_fresh(entry, "f", tmp_path)
    (tmp_path / "r.html").unlink()
    assert not is_fresh(entry, "f", tmp_path)


def test_corrupt_state_is_set_aside_with_a_warning(tmp_path, caplog):
    (tmp_path / state.STATE_FILE).write_text('{"version": 1, "reports": {"a": {"status": "ok"', encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="btchild_analysis.state"):
        assert State(tmp_path).read() == {}
    assert "could not be read" in caplog.text and "set aside" in caplog.text
    aside = list(tmp_path.glob(state.STATE_FILE + ".corrupt-*"))
    assert len(aside) == 1 and aside[0].read_text(encoding="utf-8").startswith('{"version"')
    State(tmp_path).update({"b": {"status": "ok"}})
    assert State(tmp_path).read() == {"b": {"status": "ok"}}


@pytest.mark.parametrize("text", ["[1, 2]", '{"reports": [1]}', '{"reports": {"a": 3}}', "\x00\x01"])
def test_any_unreadable_state_is_not_fatal(tmp_path, text):
    (tmp_path / state.STATE_FILE).write_text(text, encoding="utf-8")
    assert State(tmp_path).read() == {}
    assert list(tmp_path.glob("*.corrupt-*"))


def test_threads_merge_their_entries(tmp_path):
    def writer(prefix):
        for i in range(15):
            State(tmp_path).update({f"{prefix}{i}": {"status": "ok", "i": i}})
    threads = [threading.Thread(target=writer, args=(p,)) for p in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(State(tmp_path).read()) == sorted([f"a{i}" for i in range(15)] + [f"b{i}" for i in range(15)])


def test_processes_merge_their_entries(tmp_path):
    code = ("import sys\nfrom btchild_analysis.state import State\n"
            "for i in range(25):\n    State(sys.argv[1]).update({f'{sys.argv[2]}{i}': {'status': 'ok'}})\n")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path), p]) for p in ("x", "y")]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    entries = json.loads((tmp_path / state.STATE_FILE).read_text(encoding="utf-8"))["reports"]
    assert len(entries) == 50 and {n[0] for n in entries} == {"x", "y"}
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]


def test_update_runs_its_callback_under_the_lock(tmp_path):
    seen = []
    State(tmp_path).update({"a": {"status": "ok"}})
    State(tmp_path).update({"b": {"status": "failed"}}, then=lambda merged: seen.append(sorted(merged)))
    assert seen == [["a", "b"]]


def test_reports_that_took_longest_last_time_start_first():
    from collections import deque

    from btchild_analysis.reports import _longest_first
    from btchild_analysis.runspec import Job
    jobs = deque(Job(name=n, notebook="x.ipynb", params={}) for n in ("a", "b", "c", "d", "e"))
    previous = {"b": {"seconds": 3.0}, "d": {"seconds": 19.2}, "e": {"seconds": None}, "c": {}}
    assert [j.name for j in _longest_first(jobs, previous)] == ["d", "b", "a", "c", "e"]
