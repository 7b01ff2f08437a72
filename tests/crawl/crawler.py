"""What a person would notice on a page, and a bounded walk over a site's links.

``problems_in(html, public)`` reads a page's visible text (text nodes outside scripts and
styles, and the attributes a person reads: placeholders, titles, alternative texts, labels,
button values) and names every leftover a reader would see: template syntax, Python's
``None``/``nan``/``[]``/``{}``, a raw ISO timestamp, a negative count, and on the public
side an English sentence from Django, allauth or Wagtail.

``Crawl`` walks same-origin links breadth first from a role's menus, at most ``per_route``
addresses per URL pattern (and as many with a query string; each Wagtail page counts as a
pattern of its own) and ``limit`` pages in all,
never following logout, deletion or download links.
"""

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

from django.urls import Resolver404, resolve

# Text of these elements is not shown (<template> only once a script copies it).
SILENT = {"script", "style", "template", "svg", "head"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr"}
READ_ATTRIBUTES = ("placeholder", "title", "alt", "aria-label")

TEMPLATE_SYNTAX = re.compile(r"\{#|#\}|\{%|%\}|\{\{|\}\}")
PYTHON_LEFTOVERS = re.compile(r"(?<![\w-])(None|nan|NaN|\[\]|\{\})(?![\w-])")
# 2026-12-01T09:30, 2026-12-01 09:30:00, 2026-12-01 09:30:00+00:00
ISO_TIMESTAMP = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
                           r"(Z|[+-]\d{2}:?\d{2})?")
# "-3 places", "(-1)", "Inscrits : -2": a minus sign at the start of a word, before digits.
NEGATIVE_COUNT = re.compile(r"(?:^|[\s(:;/])[-\u2212]\d+(?:[.,]\d+)?(?=$|[\s)%.,;:])")
# Sentences of Django, allauth and Wagtail left in English (whole words, case-sensitive).
ENGLISH = [
    "This field is required", "Enter a valid", "Page not found", "Server error",
    "Next", "Previous", "Submit", "Log in", "Login", "Log out", "Logout", "Sign in",
    "Sign up", "Sign Up", "Sign Out", "Sign out", "Forgot Password", "Password",
    "Remember Me", "Username", "E-mail address", "Email address", "Search", "Home",
    "Back", "Cancel", "Save", "Delete", "Edit", "Confirm", "Close",
    "Loading", "Required", "Optional", "Untitled page", "Show more", "Read more",
    "Skip to content", "No results", "results", "Select", "Choose",
    "Download", "Upload", "Your account", "Account", "Settings", "Help",
    "Are you sure", "Ensure this value", "Make sure", "Authentication", "Authenticator",
    "Two-Factor", "Recovery Codes", "Verify", "Reset", "Manage", "Add",
    "Remove", "Invalid", "Error", "Warning", "Success", "Welcome", "Hello",
]
ENGLISH_PATTERN = re.compile(
    r"(?<![\w'’-])(" + "|".join(re.escape(p.strip()) for p in ENGLISH) + r")(?![\w'’-])")

# Links a person follows without changing anything heavy: never these.
SKIPPED_LINKS = re.compile(
    r"logout|deconnexion|/supprimer|delete|/telecharger|download|\.pdf$|/reinitialiser"
    r"|/export/|/exports/|unpublish|/lock/|/unlock/|/revisions/\d+/revert|/workflow/"
    r"|/2fa/deactivate|/disable|/password/reset/key", re.IGNORECASE)


class _TextReader(HTMLParser):
    """Text nodes and read attributes outside silent elements (scripts, styles, templates,
    and anything under a ``hidden`` attribute), and link targets everywhere."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks, self.links = [], []
        self.stack = []  # (tag, silent) of the open elements
        self.silent_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        silent = tag in SILENT or "hidden" in attrs
        if not self.silent_depth and not silent:
            for name in READ_ATTRIBUTES:
                if attrs.get(name):
                    self.chunks.append(attrs[name])
            if (tag == "input" and attrs.get("type") in ("submit", "button")
                    and attrs.get("value")):
                self.chunks.append(attrs["value"])
        if tag not in VOID:
            self.stack.append((tag, silent))
            self.silent_depth += silent

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        # Close up to the matching element (HTML lets <p>, <li>… close implicitly).
        if not any(open_tag == tag for open_tag, _ in self.stack):
            return
        while self.stack:
            open_tag, silent = self.stack.pop()
            self.silent_depth -= silent
            if open_tag == tag:
                break

    def handle_data(self, data):
        if not self.silent_depth and data.strip():
            self.chunks.append(data)


def read(html):
    """(visible text chunks, link targets) of an HTML page."""
    reader = _TextReader()
    reader.feed(html)
    reader.close()
    return reader.chunks, reader.links


def _around(text, match, width=50):
    start, end = max(0, match.start() - width), min(len(text), match.end() + width)
    return " ".join(text[start:end].split())


def problems_in(chunks, public=True):
    """What a reader would notice in these visible text chunks: (kind, excerpt) pairs."""
    found = []
    checks = [("template syntax", TEMPLATE_SYNTAX), ("Python value", PYTHON_LEFTOVERS),
              ("raw ISO timestamp", ISO_TIMESTAMP), ("negative count", NEGATIVE_COUNT)]
    if public:
        checks.append(("English text", ENGLISH_PATTERN))
    for chunk in chunks:
        for kind, pattern in checks:
            for match in pattern.finditer(chunk):
                problem = (kind, f"{match.group(0).strip()!r} in «{_around(chunk, match)}»")
                if problem not in found:
                    found.append(problem)
    return found


def route_of(path):
    """The URL pattern a path resolves to (its route, or the view's name), or None."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.url_name == "wagtail_serve":
        return "wagtail:" + path  # each Wagtail page is a page of its own
    return match.route or match.view_name


@dataclass
class Visit:
    url: str
    status: int
    content_type: str = ""
    problems: list = field(default_factory=list)
    source: str = ""


@dataclass
class Crawl:
    """A breadth-first walk with ``get(url) -> response`` (Django's test client, no redirects
    followed) from ``start`` addresses."""

    get: object
    limit: int = 150
    per_route: int = 4
    within: str = "/"  # only paths under this prefix are followed
    outside: tuple = ()  # nor under these
    visits: dict = field(default_factory=dict)
    routes: Counter = field(default_factory=Counter)

    def _key(self, path, query):
        route = route_of(path)
        return (route or path, bool(query))

    def admits(self, url):
        parts = urlsplit(url)
        if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
            return False
        path = parts.path
        if not path.startswith(self.within) or path.startswith(self.outside):
            return False
        return not SKIPPED_LINKS.search(path)

    def run(self, start, public=lambda path: True):
        queue = deque((url, "(menu)") for url in start)
        seen = set()
        while queue and len(self.visits) < self.limit:
            url, source = queue.popleft()
            if not self.admits(url):
                continue
            parts = urlsplit(url)
            url = urlunsplit(("", "", parts.path or "/", parts.query, ""))
            if url in seen:
                continue
            seen.add(url)
            key = self._key(parts.path, parts.query)
            if self.routes[key] >= self.per_route:
                continue
            self.routes[key] += 1
            visit = self.visit(url, source, public(parts.path))
            for link in visit.links:
                queue.append((urljoin(url, link), url))
        return self.visits

    def visit(self, url, source="", public=True):
        response = self.get(url)
        content_type = response.get("Content-Type", "")
        visit = Visit(url, response.status_code, content_type, source=source)
        visit.links = []
        if response.status_code in (301, 302, 303, 307, 308):
            visit.links = [response["Location"]]
        elif content_type.startswith("text/html") and not getattr(response, "streaming", False):
            chunks, links = read(response.content.decode(response.charset or "utf-8"))
            visit.problems = problems_in(chunks, public=public)
            visit.links = links
        self.visits[url] = visit
        return visit
