"""Exceptions of the package: each message says what to do about it."""
from __future__ import annotations


class BtchildError(Exception):
    """Base class of every error the package raises on purpose."""


class RegisterError(BtchildError):
    """A date, vintage, code or name the register cannot place."""


class PeriodError(BtchildError):
    """A period that is not ``YYYY`` or ``YYYYH1``."""


class SubmissionError(BtchildError):
    """A submission file that cannot be read at all (not a row-level fault: those are quarantined)."""


class RegistryError(BtchildError):
    """An unknown data element or indicator id."""


class EditionError(BtchildError):
    """An edition of the child-friendly standard that cannot be applied."""


class BoundaryError(BtchildError):
    """A boundary file that cannot be read or joined to the register."""


class RunSpecError(BtchildError):
    """A report run spec (YAML) with a missing or bad key."""


class LanguageError(BtchildError):
    """A report language other than Vietnamese (``vi``) or English (``en``)."""


class LoadAccountingError(BtchildError):
    """Records read from a file are missing from every outcome of a load (a bug, never a data fault)."""
