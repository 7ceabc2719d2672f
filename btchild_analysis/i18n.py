"""The one lookup of user-facing text: Vietnamese (the default) and English, nothing else.

Every text a reader sees lives in package data — ``data/labels.yaml`` (words and short phrases of
figures, tables and pages), ``data/messages.yaml`` (the key-message sentences, through
:func:`btchild_analysis.messages.text`) — and is fetched with :func:`label` or, for a pair already
held by a data object (an element's or criterion's name), :func:`in_lang`.  Both refuse a language
other than ``vi``/``en`` with :class:`~btchild_analysis.errors.LanguageError`: no silent fallback
to either language.  Code never picks a text with a conditional on the language
(``tests/test_i18n.py`` reads the source to keep it so).

``labels.yaml`` holds flat keys (``no_data: {vi: …, en: …}``) and blocks of keys
(``sex: {male: {vi: Nam, en: Male}, …}``), the latter reached with a dotted key (``"sex.male"``).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._resources import load_yaml
from .errors import BtchildError, LanguageError

LANGUAGES = ("vi", "en")


class LabelError(BtchildError, KeyError):
    """A label key that ``data/labels.yaml`` does not hold (a bug in the caller, or a deleted label).

    Examples
    --------
    >>> label("no_such_label", "vi")
    Traceback (most recent call last):
    ...
    btchild_analysis.i18n.LabelError: no label 'no_such_label' in btchild_analysis/data/labels.yaml: add it there with a Vietnamese (vi) and an English (en) text
    """

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0]) if self.args else ""


def check_lang(lang: str) -> str:
    """``lang`` when it is a language of the reports (``"vi"``, ``"en"``); :class:`LanguageError` otherwise.

    Examples
    --------
    >>> check_lang("en")
    'en'
    >>> check_lang("fr")
    Traceback (most recent call last):
    ...
    btchild_analysis.errors.LanguageError: unknown language 'fr': use one of vi, en
    """
    if lang not in LANGUAGES:
        raise LanguageError(f"unknown language {lang!r}: use one of {', '.join(LANGUAGES)}")
    return lang


def in_lang(texts: Mapping[str, Any] | Sequence[Any], lang: str = "vi") -> Any:
    """The text of ``lang`` from a pair: a mapping ``{"vi": …, "en": …}`` or a sequence ``(vi, en)``.

    Examples
    --------
    >>> in_lang({"vi": "Đạt", "en": "Met"}, "en"), in_lang(("Đạt", "Met"), "vi")
    ('Met', 'Đạt')
    """
    lang = check_lang(lang)
    if isinstance(texts, Mapping):
        return texts[lang]
    return texts[LANGUAGES.index(lang)]


def _entry(key: str) -> Mapping[str, Any]:
    node: Any = load_yaml("labels.yaml")
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise LabelError(f"no label {key!r} in btchild_analysis/data/labels.yaml: add it there "
                             f"with a Vietnamese (vi) and an English (en) text")
        node = node[part]
    if not (isinstance(node, Mapping) and set(LANGUAGES) <= set(node)):
        raise LabelError(f"label {key!r} in btchild_analysis/data/labels.yaml is a block, not a text: "
                         f"name one of its keys ({', '.join(map(str, node))})")
    return node


def label(key: str, lang: str = "vi", **fields: Any) -> str:
    """The text ``key`` of ``data/labels.yaml`` in ``lang``, its ``{fields}`` filled when any are given.

    Parameters
    ----------
    key : str
        A key of ``labels.yaml``; ``"block.key"`` for a key inside a block.
    lang : {"vi", "en"}
        Any other language raises :class:`~btchild_analysis.errors.LanguageError`.
    **fields
        Values for the ``{name}`` fields of the text (the text is returned as written when none).

    Raises
    ------
    LanguageError
        ``lang`` is not ``"vi"`` or ``"en"``.
    LabelError
        ``labels.yaml`` has no such key.

    Examples
    --------
    >>> label("no_data", "vi"), label("no_data", "en")
    ('Không có số liệu', 'No data')
    >>> label("no_period", "en", period="2024")
    'No data for 2024 yet.'
    >>> label("no_data", "fr")
    Traceback (most recent call last):
    ...
    btchild_analysis.errors.LanguageError: unknown language 'fr': use one of vi, en
    """
    lang = check_lang(lang)
    text = _entry(key)[lang]
    return text.format(**fields) if fields else text
