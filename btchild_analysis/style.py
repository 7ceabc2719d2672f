"""Colours and the notices every figure carries; labels re-exported from :mod:`btchild_analysis.i18n`."""
from __future__ import annotations

import matplotlib.pyplot as plt

from .i18n import LANGUAGES, check_lang, in_lang, label

__all__ = ["LANGUAGES", "check_lang", "in_lang", "label", "add_notices", "STATUS_COLOURS", "SEQ_CMAP", "DIV_CMAP", "NOTICE_KEY"]

#: Okabe–Ito colours (safe for the common colour-vision deficiencies).
STATUS_COLOURS = {"met": "#009E73", "not_met": "#E69F00", "insufficient_data": "#BBBBBB", "no_sheet": "#FFFFFF"}
SEQ_CMAP = "viridis"
DIV_CMAP = "PuOr"
NOTICE_KEY = "btchild_notices"


def add_notices(fig: plt.Figure, lang: str = "vi", synthetic: bool = False, schematic: bool = False,
                source: str | None = None, missing: list[str] | None = None) -> list[str]:
    """Write the synthetic-data, schematic and source notes at the foot of a figure.

    The texts are also kept in ``fig.btchild_notices`` so tests and reports can check them.
    """
    notes = []
    if synthetic:
        notes.append(label("synthetic_notice", lang))
    if schematic:
        notes.append(f"{label('schematic_notice', lang)} ({label('schematic_source', lang)})")
    elif source:
        notes.append(f"{label('boundary_source', lang)}: {source}")
    if missing:
        shown = ", ".join(missing[:12]) + (" …" if len(missing) > 12 else "")
        notes.append(f"{label('no_boundary', lang)} ({len(missing)}): {shown}")
    if notes:
        fig.text(0.01, 0.01, "\n".join(notes), fontsize=7.5, ha="left", va="bottom",
                 color="#B00020" if synthetic else "#333333")
    setattr(fig, NOTICE_KEY, notes)
    return notes
