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
from .i18n import in_lang
from .admin_units import fold
from .schemas import ElementFile, IndicatorFile, IndicatorSpec, check

#: Denominator of the "share of communes" indicators (a yes/no element over the communes reporting it).
COMMUNES = "communes"


@dataclass(frozen=True)
class Element:
    """A data element: ``id``, labels, ``kind`` (``count`` or ``yes_no``), the element it may not exceed.

    ``sex`` is True when the element may be reported split by sex (male and female parts of the total).

    Examples
    --------
    >>> e = element("u5_stunted")
    >>> e.kind, e.denominator, e.sex
    ('count', 'u5_measured', True)
    """

    id: str
    vi: str
    en: str
    kind: str
    periods: tuple[str, ...] = ("A",)
    denominator: str | None = None
    aliases: tuple[str, ...] = ()
    derived_from: str | None = None
    sex: bool = False

    def label(self, lang: str = "vi") -> str:
        """The element's name in ``lang``.

        Examples
        --------
        >>> element("u5_stunted").label("en")
        'Under-5s stunted'
        """
        return in_lang((self.vi, self.en), lang)


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
    """A plan target: the value must satisfy ``value {op} threshold`` in ``year``.

    Examples
    --------
    >>> t = Target(2020, "<=", 20.0)
    >>> t.met(19.9), t.met(20.0), t.met(20.1)
    (True, True, False)
    """

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
class Break:
    """A break in an indicator's series: values from ``year`` on are not comparable with earlier ones.

    Examples
    --------
    >>> indicator("special_circumstances").breaks[0].year  # the Law on Children in force from 1 June 2017
    2017
    """

    year: int
    vi: str
    en: str

    def reason(self, lang: str = "vi") -> str:
        """Why the series breaks, in ``lang``.

        Examples
        --------
        >>> indicator("special_circumstances").breaks[0].reason("en")[:29]
        'Law on Children 102/2016/QH13'
        """
        return in_lang((self.vi, self.en), lang)


@dataclass(frozen=True)
class Indicator:
    """An indicator: ``factor * sum(numerator) / sum(denominator)`` with its targets.

    ``breaks`` are the years from which the series starts a new, non-comparable segment; ``interval``
    is ``wilson`` (95% Wilson score interval of a proportion of measured children or people) or ``none``
    (a complete enumeration, e.g. communes); ``bounds`` the range of possible values (projections are
    held inside).  Built from the entry of ``indicators.yaml`` validated by
    :class:`~btchild_analysis.schemas.IndicatorSpec`, whose defaults apply.

    Examples
    --------
    >>> i = indicator("stunting_u5")
    >>> i.numerator, i.denominator, i.factor, i.direction
    ('u5_stunted', 'u5_measured', 100.0, 'lower')
    """

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
    breaks: tuple[Break, ...] = ()
    interval: str = "wilson"
    bounds: tuple[float | None, float | None] = (0.0, None)

    @property
    def break_years(self) -> tuple[int, ...]:
        """The years that start a new segment, ascending.

        Examples
        --------
        >>> indicator("child_friendly_commune").break_years  # new editions of the standard
        (2014, 2019)
        """
        return tuple(sorted(b.year for b in self.breaks))

    @property
    def trend_method(self) -> str:
        """``"aarr"`` (multiplicative trend, log-linear) or ``"theil_sen"`` (linear trend).

        Examples
        --------
        >>> indicator("stunting_u5").trend_method, indicator("play_area_standard").trend_method
        ('aarr', 'theil_sen')
        """
        return "aarr" if self.aarr else "theil_sen"

    def label(self, lang: str = "vi") -> str:
        """The indicator's name in ``lang``.

        Examples
        --------
        >>> indicator("stunting_u5").label("en")
        'Under-5 stunting'
        """
        return in_lang((self.vi, self.en), lang)

    def unit_label(self, lang: str = "vi") -> str:
        """The unit in ``lang`` (``"% xã"`` / ``"% of communes"``).

        Examples
        --------
        >>> indicator("play_area_standard").unit_label("vi"), indicator("play_area_standard").unit_label("en")
        ('% xã', '% of communes')
        """
        return in_lang((self.unit, self.unit_en or self.unit), lang)

    @property
    def is_share_of_communes(self) -> bool:
        """Whether the indicator is a share of communes (a yes/no element over the communes in force).

        Examples
        --------
        >>> indicator("play_area_standard").is_share_of_communes, indicator("stunting_u5").is_share_of_communes
        (True, False)
        """
        return self.denominator == COMMUNES


@lru_cache(maxsize=1)
def elements() -> dict[str, Element]:
    """All data elements by id.

    Examples
    --------
    >>> elements()["u5_measured"].periods
    ('A', 'H1')
    """
    specs = check("elements.yaml", load_yaml("elements.yaml"), ElementFile).elements
    return {key: Element(id=key, vi=s.vi, en=s.en, kind=s.kind, periods=tuple(s.periods), denominator=s.denominator,
                         aliases=tuple(s.aliases), derived_from=s.derived_from, sex=s.sex)
            for key, s in specs.items()}


@lru_cache(maxsize=1)
def indicators() -> dict[str, Indicator]:
    """All indicators by id (the plan's twelve first, then monitored and evidence indicators).

    Examples
    --------
    >>> list(indicators())[:2]
    ['stunting_u5', 'underweight_u5']
    """
    specs = check("indicators.yaml", load_yaml("indicators.yaml"), IndicatorFile).indicators
    return {key: _indicator(key, s) for key, s in specs.items()}


def _indicator(key: str, s: IndicatorSpec) -> Indicator:
    """The indicator of one validated entry (its defaults are the schema's)."""
    targets = tuple(Target(int(y), t.op, t.value, t.wording) for y, t in s.targets.items())
    breaks = tuple(Break(b.year, b.vi, b.en) for b in s.breaks)
    lo, hi = s.range or [0, 100 if s.factor == 100 else None]
    return Indicator(id=key, vi=s.vi, en=s.en, area=s.area, numerator=s.numerator, denominator=s.denominator,
                     factor=s.factor, unit=s.unit, direction=s.direction, targets=targets, aarr=s.aarr,
                     unit_en=s.unit_en, breaks=breaks, interval=s.interval,
                     bounds=(None if lo is None else float(lo), None if hi is None else float(hi)))


def plan_indicators() -> list[str]:
    """Ids of the indicators that carry a plan target (the twelve of Plan 3042/KH-UBND).

    Examples
    --------
    >>> len(plan_indicators())
    12
    """
    return [k for k, ind in indicators().items() if ind.targets]


def element(key: str) -> Element:
    """One element by id; :class:`RegistryError` naming the known ids if it does not exist.

    Examples
    --------
    >>> element("u5_weighed").kind
    'count'
    >>> element("u5_wieghed")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    btchild_analysis.errors.RegistryError: unknown data element 'u5_wieghed'; known: u5_measured, ...
    """
    try:
        return elements()[key]
    except KeyError:
        raise RegistryError(f"unknown data element '{key}'; known: {', '.join(elements())}") from None


def indicator(key: str) -> Indicator:
    """One indicator by id; :class:`RegistryError` if unknown.

    Examples
    --------
    >>> indicator("stunting")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    btchild_analysis.errors.RegistryError: unknown indicator 'stunting'; known: stunting_u5, ...
    """
    try:
        return indicators()[key]
    except KeyError:
        raise RegistryError(f"unknown indicator '{key}'; known: {', '.join(indicators())}") from None


def _header_key(text: object) -> str:
    return " ".join(fold(str(text)).replace("-", " ").replace("–", " ").split())


@lru_cache(maxsize=1)
def header_lookup() -> dict[str, str]:
    """Folded column heading → element id, from ids, Vietnamese labels and aliases.

    Examples
    --------
    >>> header_lookup()["under 5s stunted"]
    'u5_stunted'
    """
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
    """The element registry as a table (id, label, kind, denominator, periods).

    Examples
    --------
    >>> elements_table("en").set_index("element").loc["u5_stunted", ["label", "denominator", "periods"]].tolist()
    ['Under-5s stunted', 'u5_measured', 'A,H1']
    """
    return pd.DataFrame([{"element": e.id, "label": e.label(lang), "kind": e.kind,
                          "denominator": e.denominator or "", "periods": ",".join(e.periods)}
                         for e in elements().values()])
