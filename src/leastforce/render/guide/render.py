"""The admin's setup guide, rendered from :mod:`leastforce.render.guide.model` with jinja2 templates.

``render_guide(guide, fmt)`` is pure. HTML is one self-contained page (inline CSS, no scripts, no remote
assets, print-friendly) with autoescape on, so manifest text can never inject markup. Markdown escapes
table cells and inline code.
"""

from __future__ import annotations

import enum
import functools
import re
from urllib.parse import quote, urlsplit

import jinja2

from leastforce.render.guide.model import Guide
from leastforce.values.visible import visible_html, visible_lines


class GuideFormat(enum.Enum):
    MARKDOWN = "markdown"
    HTML = "html"

    @property
    def template(self) -> str:
        return "guide.md.j2" if self is GuideFormat.MARKDOWN else "guide.html.j2"


def md_cell(text: object) -> str:
    """Text safe inside a Markdown table cell: escaped like :func:`md_text`, pipes too."""
    return md_text(text).replace("|", "\\|")


def md_url(url: object) -> str:
    """A URL safe inside a Markdown autolink ``<...>``: spaces, ``<`` and ``>`` percent-encoded."""
    return quote(" ".join(str(url).split()), safe=":/?#[]@!$&'()*+,;=%~-._")


def is_web_url(url: object) -> bool:
    """Only http(s) URLs become links: a ``javascript:`` or ``data:`` URL in a manifest's ``docs`` would
    run script when the admin clicks it, autoescape or not (https://owasp.org/www-community/xss-filter-evasion-cheatsheet)."""
    text = str(url).strip()
    return urlsplit(text).scheme.lower() in ("http", "https") and not any(c.isspace() for c in text)


def md_link(url: object) -> str:
    """A Markdown autolink for an http(s) URL; anything else (``javascript:`` ...) as inline code."""
    return f"<{md_url(url)}>" if is_web_url(url) else md_code(url)


def md_code(text: object) -> str:
    """Inline code, with a fence longer than any backtick run inside (CommonMark code spans)."""
    value = " ".join(str(text).split())
    run = max((len(r) for r in re.findall(r"`+", value)), default=0)
    fence = "`" * (run + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def md_text(text: object) -> str:
    """Free text on one line, with characters that would start Markdown markup or raw HTML escaped
    (intraword ``_`` is left alone: CommonMark does not emphasise it)."""
    value = " ".join(str(text).split())
    for char in ("\\", "*", "[", "]", "<", ">", "`"):
        value = value.replace(char, "\\" + char)
    return "\\" + value if value.startswith(("#", "+", "-", "=")) else value


@functools.cache
def _environment(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("leastforce.render.guide", "templates"),
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["cell"] = md_cell
    env.filters["code"] = md_code
    env.filters["mdtext"] = md_text
    env.filters["mdurl"] = md_url
    env.filters["mdlink"] = md_link
    env.tests["web_url"] = is_web_url
    return env


def render_guide(guide: Guide, fmt: GuideFormat = GuideFormat.MARKDOWN) -> str:
    """The guide as Markdown or as a self-contained HTML page."""
    env = _environment(fmt is GuideFormat.HTML)
    text = env.get_template(fmt.template).render(g=guide)
    text = "\n".join(line.rstrip() for line in text.splitlines())
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    # every manifest string on the page, shown visibly (values/visible.py): the templates hold none of these
    return visible_html(text) if fmt is GuideFormat.HTML else visible_lines(text)
