"""The registry of data elements and indicators (package data ``elements.yaml``, ``indicators.yaml``).

Elements are what communes report; indicators are formulas over elements.  Both carry Vietnamese and
English labels.  Officials change the YAML, not the code.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from ._resources import load_yaml
from .errors import RegistryError
from .register import fold

#: Denominator of the "share of communes" indicators (a yes/no element over the communes reporting it).
COMMUNES = "communes"


@dataclass(frozen=True)
class Element:
    """A data element: ``id``, labels, ``kind`` (``count`` or ``yes_no``), the element it may not exceed."""

    id: str
    vi: str
    en: str
    kind: str
    periods: tuple[str, ...] = ("A",)
    denominator: str | None = None
    aliases: tuple[str, ...] = ()
    derived_from: str | None = None

    def label(self, lang: str = "vi") -> str:
        return self.vi if lang == "vi" else self.en


_OPS = {"<": lambda x, v: x < v, "<=": lambda x, v: x <= v, ">": lambda x, v: x > v, ">=": lambda x, v: x >= v,
        "==": lambda x, v: x == v}


def compare(x: float, op: str, value: float) -> bool:
    """``x op value`` for the comparison signs used in the data files (``<``, ``<=``, ``>``, ``>=``, ``==``).

    >>> compare(22.5, "<", 22.5), compare(20.0, "<=", 20)
    (False, True)
    """
    return bool(_OPS[op](x, value))


@dataclass(frozen=True)
class Target:
    """A plan target: the value must satisfy ``value {op} threshold`` in ``year``."""

    year: int
    op: str
    value: float
    wording: str = ""

    def met(self, x: float) -> bool:
        """Whether ``x`` meets the target, respecting strict (``<``, ``>``) and level (``<=``, ``>=``) forms.

        >>> Target(2015, "<", 22.5).met(22.5), Target(2020, "<=", 20).met(20.0)
        (False, True)
        """
        return compare(x, self.op, self.value)


@dataclass(frozen=True)
class Indicator:
    """An indicator: ``factor * sum(numerator) / sum(denominator)`` with its targets."""

    id: str
    vi: str
    en: str
    area: str
    numerator: str
    denominator: str
    factor: float
    unit: str
    direction: str
    targets: tuple[Target, ...] = field(default_factory=tuple)
    aarr: bool = False
    unit_en: str | None = None

    def label(self, lang: str = "vi") -> str:
        return self.vi if lang == "vi" else self.en

    def unit_label(self, lang: str = "vi") -> str:
        """The unit in ``lang`` (``"% xã"`` / ``"% of communes"``)."""
        return self.unit if lang == "vi" or not self.unit_en else self.unit_en

    @property
    def is_share_of_communes(self) -> bool:
        return self.denominator == COMMUNES


@lru_cache(maxsize=1)
def elements() -> dict[str, Element]:
    """All data elements by id."""
    out = {}
    for key, spec in load_yaml("elements.yaml")["elements"].items():
        out[key] = Element(id=key, vi=spec["vi"], en=spec["en"], kind=spec["kind"],
                           periods=tuple(spec.get("periods", ["A"])), denominator=spec.get("denominator"),
                           aliases=tuple(spec.get("aliases", [])), derived_from=spec.get("derived_from"))
    return out


@lru_cache(maxsize=1)
def indicators() -> dict[str, Indicator]:
    """All indicators by id (the plan's twelve first, then monitored and evidence indicators)."""
    out = {}
    for key, spec in load_yaml("indicators.yaml")["indicators"].items():
        targets = tuple(Target(int(y), t["op"], float(t["value"]), t.get("wording", ""))
                        for y, t in (spec.get("targets") or {}).items())
        out[key] = Indicator(id=key, vi=spec["vi"], en=spec["en"], area=spec["area"],
                             numerator=spec["numerator"], denominator=spec["denominator"],
                             factor=float(spec["factor"]), unit=spec["unit"], direction=spec["direction"],
                             targets=targets, aarr=bool(spec.get("aarr", False)), unit_en=spec.get("unit_en"))
    return out


def plan_indicators() -> list[str]:
    """Ids of the indicators that carry a plan target (the twelve of Plan 3042/KH-UBND)."""
    return [k for k, ind in indicators().items() if ind.targets]


def element(key: str) -> Element:
    """One element by id; :class:`RegistryError` naming the known ids if it does not exist."""
    try:
        return elements()[key]
    except KeyError:
        raise RegistryError(f"unknown data element '{key}'; known: {', '.join(elements())}") from None


def indicator(key: str) -> Indicator:
    """One indicator by id; :class:`RegistryError` if unknown."""
    try:
        return indicators()[key]
    except KeyError:
        raise RegistryError(f"unknown indicator '{key}'; known: {', '.join(indicators())}") from None


def _header_key(text: object) -> str:
    return " ".join(fold(str(text)).replace("-", " ").replace("–", " ").split())


@lru_cache(maxsize=1)
def header_lookup() -> dict[str, str]:
    """Folded column heading → element id, from ids, Vietnamese labels and aliases."""
    out: dict[str, str] = {}
    for el in elements().values():
        for text in (el.id, el.vi, el.en, *el.aliases):
            out[_header_key(text)] = el.id
    return out


def element_for_header(text: object) -> str | None:
    """The element a workbook column heading stands for, or None.

    >>> element_for_header("SDD  thấp còi"), element_for_header("sdd thap coi"), element_for_header("Ghi chú")
    ('u5_stunted', 'u5_stunted', None)
    """
    return header_lookup().get(_header_key(text))


def elements_table(lang: str = "vi") -> pd.DataFrame:
    """The element registry as a table (id, label, kind, denominator, periods)."""
    return pd.DataFrame([{"element": e.id, "label": e.label(lang), "kind": e.kind,
                          "denominator": e.denominator or "", "periods": ",".join(e.periods)}
                         for e in elements().values()])
