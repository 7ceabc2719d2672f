"""Tiny notebooks and specs for the runner's tests (each runs in a second or two)."""
from __future__ import annotations

from pathlib import Path

import nbformat
import yaml

PARAMS = 'period = "2024"\ndistrict = None\nlang = "vi"\ndata = None\nfiles = None\nmarker = None\noutput_dir = "."\nreport_name = "r"'


def notebook(path: Path, body: str, params: str = PARAMS) -> Path:
    """Write a notebook with a ``parameters`` cell and one code cell ``body``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cell = nbformat.v4.new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Fixture"), cell, nbformat.v4.new_code_cell(body)]
    nbformat.write(nb, path)
    return path


OK = ('from pathlib import Path\n'
      'Path(output_dir, f"{report_name}_bang.csv").write_text("a,b\\n1,2\\n", encoding="utf-8")\n'
      'print("done", period, lang)')
RAISES = 'raise ValueError("made to fail in /home/someone/secret/place.csv")'
KERNEL_EXIT = 'import os\nos._exit(3)'
KILL_WORKER = 'import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nimport time\ntime.sleep(30)'
HANGS = ('import os, time\nfrom pathlib import Path\n'
         'if marker:\n    Path(marker).write_text(f"{os.getpid()} {os.getppid()}")\n'
         'time.sleep(120)')


def spec(path: Path, runs: list[dict], **top) -> Path:
    """Write a run spec (``runs`` as given, ``defaults`` lang vi unless given)."""
    body = {"site": {"title_vi": "Thử", "title_en": "Test"}, "defaults": {"lang": "vi"}, **top, "runs": runs}
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    return path
