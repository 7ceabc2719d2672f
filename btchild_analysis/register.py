"""Deprecated name of :mod:`btchild_analysis.admin_units` (renamed so the two modules no longer differ by two letters).

``from btchild_analysis import register`` keeps working with a ``DeprecationWarning``; it is the same module
object as ``btchild_analysis.admin_units``, so attributes set on one are seen by the other.  It will be removed
in version 1.0: import ``btchild_analysis.admin_units`` instead.
"""
import sys
import warnings

from . import admin_units as _new

warnings.warn("btchild_analysis.register is now btchild_analysis.admin_units; the old name will be removed in 1.0",
              DeprecationWarning, stacklevel=2)
sys.modules[__name__] = _new
