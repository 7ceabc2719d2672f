"""The warm worker's start-up work that later reports no longer pay (issue 16)."""
from __future__ import annotations

import json

from btchild_analysis import pages, report_worker


def test_the_warm_kernel_freezes_the_imported_library_so_the_reset_between_reports_is_cheap(tmp_path):
    # IPython's %reset runs a full garbage collection; with the warm-up's objects frozen it only
    # walks what the previous report left (0.15 s -> 0.01 s a report on this machine).
    out = tmp_path / "gc.json"
    kernel = report_worker.WarmKernel()
    try:
        kernel.start()
        kernel.prepare(str(tmp_path))
        kernel._run("import gc, json, sys\n"
                    f"open({str(out)!r}, 'w').write(json.dumps([gc.get_freeze_count(), "
                    "'btchild_analysis.sections' in sys.modules]))")
    finally:
        kernel.shutdown()
    frozen, imported = json.loads(out.read_text())
    assert imported
    assert frozen > 50_000      # pandas, matplotlib and the library: hundreds of thousands of objects


def test_warm_exporter_loads_the_page_templates_of_both_languages_before_the_first_report():
    pages._exporter.cache_clear()
    report_worker.warm_exporter()
    assert pages._exporter.cache_info().currsize == 2
    assert pages._exporter.cache_info().misses == 2
