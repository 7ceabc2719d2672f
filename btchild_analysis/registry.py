"""Deprecated name of :mod:`btchild_analysis.catalog` (renamed so the two modules no longer differ by two letters).

``from btchild_analysis import registry`` keeps working with a ``DeprecationWarning``; it is the same module
object as ``btchild_analysis.catalog``, so attributes set on one are seen by the other.  It will be removed
in version 1.0: import ``btchild_analysis.catalog`` instead.
"""
import sys
import warnings

from . import catalog as _new

warnings.warn("btchild_analysis.registry is now btchild_analysis.catalog; the old name will be removed in 1.0",
              DeprecationWarning, stacklevel=2)
sys.modules[__name__] = _new
