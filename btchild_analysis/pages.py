"""HTML pages of the portfolio: an executed notebook → an offline page; the page of a failed report.

Report pages use the template ``templates/nbconvert/btchild_page`` (JupyterLab's, without require.js,
MathJax, mermaid or the widget manager: nothing is fetched from the network), code cells hidden, the
``<html lang>`` and ``<title>`` in the report's language.  The portfolio's own pages are jinja2
templates with autoescape: every value from data, parameters or errors is escaped.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import jinja2
import yaml
from nbconvert import HTMLExporter
from traitlets.config import Config

from .outputs import escape_md

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: Cells with these tags are for the person editing the notebook (bilingual notes), not for the page.
NOTEBOOK_ONLY = ("notebook-only",)
#: Strings that must not appear in a page: they would fetch scripts from the network.
EXTERNAL_MARKERS = ("https://cdn", "require.js", "require.min.js", "mathjax", "unpkg.com", "mermaid.min.js")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The jinja2 environment of the portfolio's pages (autoescape on, undefined names are errors)."""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


@lru_cache(maxsize=2)
def texts(lang: str) -> dict[str, str]:
    """The index and failure pages' texts in ``lang`` (``templates/texts.yaml``)."""
    if lang not in ("vi", "en"):
        raise ValueError(f"unknown language '{lang}' (use vi or en)")
    with open(TEMPLATES / "texts.yaml", encoding="utf-8") as fh:
        return {k: v[lang] for k, v in yaml.safe_load(fh).items()}


_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_ABS_PATH = re.compile(r"(?<![\w:/.])(?:[A-Za-z]:)?(?:[/\\][^\s/\\'\"<>:|]+){2,}")


def one_line(text: object, limit: int = 300) -> str:
    """A readable one-line reason: no terminal codes, no traceback lines, no absolute paths.

    >>> one_line("ValueError: bad file /home/u/data/x.csv\\n  File \\"/usr/lib/a.py\\", line 3")
    'ValueError: bad file x.csv'
    """
    s = _ANSI.sub("", str(text))
    lines = [ln.strip() for ln in s.splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.startswith(("File ", "Traceback", "----", "Cell In["))
             and not ln.startswith("^")]
    s = " ".join(lines[:2]) if lines else ""
    s = _ABS_PATH.sub(lambda m: re.split(r"[/\\]", m.group(0))[-1], s)
    s = _CONTROL.sub(" ", s)
    return (s[: limit - 1] + "…") if len(s) > limit else s


@lru_cache(maxsize=2)
def _exporter(lang: str) -> HTMLExporter:
    """One exporter per language and process (its templates are loaded once; a warm worker reuses it)."""
    config = Config({"TagRemovePreprocessor": {"enabled": True, "remove_cell_tags": list(NOTEBOOK_ONLY)}})
    return HTMLExporter(template_name="btchild_page", extra_template_basedirs=[str(TEMPLATES / "nbconvert")],
                        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                        language_code=lang, config=config)


def to_html(nb, lang: str = "vi", title: str | None = None) -> str:
    """HTML of an executed notebook: code hidden, no network requests, ``lang`` and ``title`` set.

    Parameters
    ----------
    nb : nbformat.NotebookNode
    lang : str
        Language of the page (the ``<html lang>`` attribute).
    title : str, optional
        The page's ``<title>`` (default: the notebook's name).
    """
    exporter = _exporter(lang)
    if title:
        nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nb)
    return body


def failure_page(title: str, reason: str, lang: str = "vi") -> str:
    """The page of a report that did not finish: its title and the reason, escaped."""
    return environment().get_template("failed.html.j2").render(lang=lang, title=title, reason=one_line(reason),
                                                                t=texts(lang))


def failure_cell_text(reason: str, lang: str = "vi") -> str:
    """Markdown put at the top of a failed notebook's page (the reason escaped, one line)."""
    return f"## {texts(lang)['failed_heading']}\n\n{escape_md(one_line(reason))}"
