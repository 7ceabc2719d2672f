"""Schema models of the package data an official edits: the element and indicator registry and the
editions of the child-friendly standard.

A misspelt key, a missing field or a value of the wrong kind is refused when the file is read, with
the file, the entry and the key named (:func:`check`), instead of surfacing later as a ``KeyError``.

>>> check("indicators.yaml", {"indicators": {"x": {"vi": "a"}}}, IndicatorFile)
Traceback (most recent call last):
...
btchild_analysis.errors.RegistryError: indicators.yaml: indicators → x → en: Field required; ...
"""
from __future__ import annotations

from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import RegistryError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------------------- elements.yaml

class ElementSpec(_Strict):
    """One data element (``elements.yaml``)."""

    vi: str
    en: str
    kind: Literal["count", "yes_no"]
    periods: list[Literal["A", "H1"]] = ["A"]
    denominator: Optional[str] = None
    aliases: list[str] = []
    derived_from: Optional[str] = None
    sex: bool = False


class ElementFile(_Strict):
    elements: dict[str, ElementSpec]


# ---------------------------------------------------------------------------- indicators.yaml

class TargetSpec(_Strict):
    op: Literal["<", "<=", ">", ">=", "=="]
    value: float
    wording: str = ""


class BreakSpec(_Strict):
    year: int = Field(ge=1990, le=2100)
    vi: str = ""
    en: str = ""


class IndicatorSpec(_Strict):
    """One indicator (``indicators.yaml``): ``factor * sum(numerator) / sum(denominator)``."""

    vi: str
    en: str
    area: str
    numerator: str
    denominator: str
    factor: float
    unit: str
    unit_en: Optional[str] = None
    direction: Literal["lower", "higher"]
    aarr: bool = False
    targets: dict[int, TargetSpec] = {}
    #: ``wilson`` (95% Wilson score interval of a proportion of measured children or people) or ``none``
    #: (a complete enumeration, e.g. communes: no sampling interval).
    interval: Literal["wilson", "none"] = "wilson"
    breaks: list[BreakSpec] = []
    range: Optional[list[Optional[float]]] = Field(default=None, min_length=2, max_length=2)
    plan_id: Optional[Union[str, int]] = None
    note: Optional[str] = None


class IndicatorFile(_Strict):
    indicators: dict[str, IndicatorSpec]


# ---------------------------------------------------------------------------- editions/*.yaml

class Confirmed(_Strict):
    """A value with whether the official text confirms it (``{value: 850, confirmed: true}``)."""

    value: Union[int, float, bool, None]
    confirmed: Union[bool, str, None] = None
    note: Optional[str] = None
    sources: Optional[Union[str, list[str]]] = None


class CriterionSpec(_Strict):
    id: str
    vi: str
    en: str
    max_points: Optional[int] = None
    confirmed: Union[bool, str, None] = None
    note: Optional[str] = None
    sources: Optional[Union[str, list[str]]] = None


class PassRuleSpec(_Strict):
    all_criteria_scored: bool = True
    no_zero_criterion: Union[Confirmed, bool] = False
    min_total_by_class: dict[str, Union[Confirmed, int]]
    note: Optional[str] = None


class EditionSpec(_Strict):
    """An edition of the child-friendly standard (``editions/<id>.yaml``)."""

    id: str
    legal_basis: dict
    vi: str
    en: str
    max_total: Union[Confirmed, int]
    criteria: list[CriterionSpec] = Field(min_length=1)
    pass_rule: PassRuleSpec
    audit: list[dict] = []
    note: Optional[str] = None
    years: Optional[list[int]] = None


def check(name: str, data: object, model: type[BaseModel], error: type[Exception] = RegistryError) -> BaseModel:
    """``data`` (read from the package file ``name``) validated by ``model``; ``error`` names every bad key."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{' → '.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])
        raise error(f"{name}: {problems}") from None
