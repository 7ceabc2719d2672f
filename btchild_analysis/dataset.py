"""One call that gives an analysis everything it needs: accepted elements, arrival dates, scores.

``load_dataset()`` with no path gives the bundled SYNTHETIC sample; a folder laid out like
``data/sample`` or a list of submission files gives real data.  ``Dataset.synthetic`` says which, and
figures and reports print the synthetic notice when it is set.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import io, standard
from .sample import Sample, load_sample, sample_dir


@dataclass
class Dataset:
    """Accepted data elements plus what the reports need around them."""

    elements: pd.DataFrame
    submission_dates: pd.DataFrame | None = None
    scores: pd.DataFrame | None = None
    classes: pd.DataFrame | None = None
    synthetic: bool = False
    source: str = ""
    load: io.LoadResult | None = None
    _assessment: pd.DataFrame | None = field(default=None, repr=False)

    def assessment(self, transitional: str | None = None) -> pd.DataFrame:
        """Verdicts of the child-friendly standard for every commune and year with a sheet."""
        if self.scores is None or self.scores.empty:
            return pd.DataFrame()
        if transitional is not None:
            return standard.assess(self.scores, self.classes, transitional)
        if self._assessment is None:
            self._assessment = standard.assess(self.scores, self.classes)
        return self._assessment

    def all_elements(self) -> pd.DataFrame:
        """The submitted elements plus ``child_friendly_met`` from the standard's verdicts."""
        a = self.assessment()
        if a.empty:
            return self.elements
        return pd.concat([self.elements[["commune_code", "period", "element", "value"]],
                          standard.as_elements(a)], ignore_index=True)


def load_dataset(path: str | Path | list | None = None) -> Dataset:
    """Load the bundled sample (``None``), a sample-like folder, or submission files.

    A folder is read as the sample layout when it holds ``submissions_synthetic.csv`` (or
    ``submissions.csv``); its ``submission_dates``, ``standard_scores`` and ``commune_classes`` files
    are read when present.  Files are loaded and validated with :func:`btchild_analysis.io.load_submissions`.
    """
    if path is None:
        path = sample_dir()
    if isinstance(path, (str, Path)) and Path(path).is_dir():
        folder = Path(path)
        if (folder / Sample.FILES["submissions"]).exists():
            s = load_sample(folder)
            return Dataset(elements=s.submissions, submission_dates=s.submission_dates,
                           scores=s.standard_scores, classes=s.commune_classes, synthetic=True, source=str(folder))
        subs = sorted(folder.glob("submissions*.csv")) + sorted(folder.glob("*.xlsx"))
        return _from_files(subs, folder)
    paths = [path] if isinstance(path, (str, Path)) else list(path)
    return _from_files(paths, None)


def _from_files(paths, folder) -> Dataset:
    res = io.load_submissions(paths)
    dates = scores = classes = None
    if folder is not None:
        if (folder / "submission_dates.csv").exists():
            dates = pd.read_csv(folder / "submission_dates.csv", dtype=str)
        if (folder / "standard_scores.csv").exists():
            scores = io.load_scores(folder / "standard_scores.csv").accepted
        if (folder / "commune_classes.csv").exists():
            classes = pd.read_csv(folder / "commune_classes.csv", dtype={"commune_code": str})
    synthetic = any("synthetic" in Path(p).name for p in paths)
    return Dataset(elements=res.accepted, submission_dates=dates, scores=scores, classes=classes,
                   synthetic=synthetic, source=", ".join(map(str, paths)), load=res)
