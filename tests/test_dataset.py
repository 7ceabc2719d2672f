"""A data folder: its descriptor, its parts found by headings, the arrival log's quarantine (issue 10)."""
import pandas as pd
import pytest

from btchild_analysis import dataset
from btchild_analysis.dataset import DatasetError, classify, load_dataset, read_arrivals, read_descriptor


def test_parts_are_recognised_by_their_headings(tmp_path):
    files = {
        "a.csv": "Mã xã,Kỳ báo cáo,Ngày nộp\n28756,2024,30/04/2024\n",
        "b.csv": "Mã xã,Năm,Tiêu chí,Điểm\n28756,2024,2019.C01,90\n",
        "c.csv": "Mã xã,Năm,Loại xã\n28756,2024,xa_dac_biet_kho_khan\n",
        "d.csv": "Mã xã,Giới tính,Ngày sinh,Cân nặng (kg),Chiều cao (cm)\n28756,nam,01/02/2022,12,88\n",
        "e.csv": "commune_code,period,element,value\n28756,2024,u5_measured,10\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert [classify(tmp_path / n) for n in files] == ["arrivals", "scores", "classes", "measurements", "submissions"]


def test_a_folder_without_descriptor_is_real_and_the_sample_is_synthetic(tmp_path):
    (tmp_path / "s.csv").write_text("commune_code,period,element,value\n28756,2024,u5_measured,10\n")
    d = read_descriptor(tmp_path)
    assert (d["synthetic"], d["described"], d["source"]) == (False, False, str(tmp_path))
    assert read_descriptor(None)["synthetic"] is True
    ds = load_dataset(tmp_path)
    assert ds.synthetic is False and ds.source_line("en").startswith(f"Source: {tmp_path}")


@pytest.mark.parametrize("text, message", [
    ("title: x\nsynthetc: true\n", "unknown key"),
    ("synthetic: yes please\n", "must be true or false"),
    ("resources:\n  - {path: ../outside.csv, kind: submissions}\n", "inside the folder"),
    ("resources:\n  - {path: a.csv, kind: sheets}\n", "needs 'path' and 'kind'"),
])
def test_a_bad_descriptor_is_refused_with_its_reason(tmp_path, text, message):
    (tmp_path / dataset.DESCRIPTOR).write_text(text, encoding="utf-8")
    with pytest.raises(DatasetError, match=message):
        read_descriptor(tmp_path)


def test_arrival_log_rows_are_kept_or_quarantined_with_their_row_and_reason(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("Mã xã,Kỳ báo cáo,Ngày nộp\n28756,2024,31/02/2024\nabc,2024,01/05/2024\n"
                    "28757,20x,01/05/2024\n28758,2024H1,30/04/2024\n28759,2024,\n", encoding="utf-8")
    dates, bad = read_arrivals([path])
    assert dates.values.tolist() == [["28758", "2024H1", "2024-04-30"], ["28759", "2024", ""]]
    assert bad[["row", "column", "reason"]].values.tolist() == [
        [2, "submitted_on", "bad_date"], [3, "commune_code", "bad_code"], [4, "period", "bad_period"]]
    assert "31/02/2024" in bad["reason_vi"].iloc[0] and len(dates) + len(bad) == 5
    assert isinstance(bad, pd.DataFrame)
