"""Writes ``static/css/dsfr-site.css``: the rules of the DSFR's stylesheet (``dsfr.min.css``,
711 kB, every component) that can apply to this project's pages, in the DSFR's order, so
that each page loads and parses a fraction of it before it can paint anything.

A rule is kept unless one of its selectors' classes (outside ``:not()``, ``:is()``…) is
named nowhere: not in the project's templates, Python and scripts (the files
``manage.py dsfr_utility_css`` reads), nor in the django-dsfr templates the pages render
(base, notice, theme modal), nor in the DSFR's pictograms (their shapes' classes), nor
among the class names the DSFR's script adds itself (``fr-collapsing``…). A class written
with a variable end (``fr-alert--{{ level }}``) keeps every class of that prefix, and a
state the DSFR's script adds as a modifier (``fr-collapse--expanded``, ``fr-modal--opened``)
is kept with its component's class. Rules without classes (elements, ``:root``
variables, fonts) are kept.

Run it again after using a DSFR class no template used before (``manage.py
dsfr_site_css``); ``--check`` only says whether the file is up to date
(tests/cms/test_dsfr_site_css.py runs it, so a new class fails the tests instead of showing
an unstyled component).
"""

import os
import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management.base import BaseCommand, CommandError

from config.management.commands.dsfr_utility_css import (
    SCANNED_SUFFIXES,
    SKIPPED_DIRS,
    parse_blocks,
    serialize,
)

SOURCE = "dsfr/dist/dsfr/dsfr.min.css"  # django-dsfr's DsfrStaticAssets.DSFR_CSS
SCRIPT = "dsfr/dist/dsfr/dsfr.module.min.js"  # DsfrStaticAssets.DSFR_MODULE_JS
# The django-dsfr templates the pages render (dsfr/base.html and its tags; the project
# overrides the others: header, footer, breadcrumb, skiplinks, global_css, global_js).
DSFR_TEMPLATES = ("dsfr/base.html", "dsfr/notice.html", "dsfr/theme_modale.html",
                  "dsfr/favicon.html")
# Pictograms (the theme modal's light, dark, system): their shapes carry classes
# (fr-artwork-major, -minor, -decorative) that the stylesheet colours.
ARTWORK = "dsfr/dist/artwork"
OUTPUT = Path("static") / "css" / "dsfr-site.css"
# Where the source's url(../fonts/…) and url(../icons/…) point, seen from static/css/.
URL_FROM, URL_TO = "url(../", "url(../dsfr/dist/"
CLASS_WORD = re.compile(r"\bfr-[a-z0-9_-]*[a-z0-9]")
# A class with a variable end: "fr-alert--{% if", "fr-badge--{{", f"fr-tag--{x}", "fr-x-" + y.
CLASS_PREFIX = re.compile(r"\b(fr-[a-z0-9_-]*-)(?:\{|\$\{|[\"']\s*\+)")
# The script's class names, without the prefix: ns.selector("collapsing"), …
SCRIPT_CLASS = re.compile(r"selector\(\s*[`\"']([a-z][a-z0-9_-]*[a-z0-9])")
# Its disclosure states, added as "<component's class>--<id>": expanded, selected, opened.
SCRIPT_STATE = re.compile(r"\{id:\"([a-z]+)\",ariaState:")
CLASS_IN_SELECTOR = re.compile(r"\.(fr-[a-zA-Z0-9_-]+)")


def words_of(text):
    return set(CLASS_WORD.findall(text)), set(CLASS_PREFIX.findall(text))


def project_words(root):
    """The classes and variable-ended classes of the project's templates, Python and scripts
    (the files ``manage.py dsfr_utility_css`` reads; not this file's examples)."""
    classes, prefixes = set(), set()
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = [d for d in subdirectories
                             if d not in SKIPPED_DIRS and not d.startswith(".")]
        for name in files:
            path = Path(directory) / name
            if path.suffix in SCANNED_SUFFIXES and name != Path(__file__).name:
                found, variable = words_of(path.read_text(errors="replace"))
                classes |= found
                prefixes |= variable
    return classes, prefixes


def dsfr_template_words():
    from django.template.loader import get_template

    classes, prefixes = set(), set()
    for name in DSFR_TEMPLATES:
        found, variable = words_of(Path(get_template(name).origin.name).read_text())
        classes |= found
        prefixes |= variable
    return classes, prefixes


class Usage:
    """Which DSFR classes may appear on a page."""

    def __init__(self, classes, prefixes, states=()):
        self.classes = set(classes)
        self.prefixes = tuple(sorted(prefixes))
        # States the script adds as modifiers of a component's class: fr-x--expanded…
        self.states = frozenset(states)

    def keeps(self, name):
        if name in self.classes or name.startswith(self.prefixes):
            return True
        base, separator, modifier = name.rpartition("--")
        return bool(separator) and modifier in self.states and self.keeps(base)


def split_selectors(prelude):
    """A selector list split on its top-level commas (not those inside :is(a, b))."""
    parts, depth, current = [], 0, ""
    for char in prelude:
        depth += char == "("
        depth -= char == ")"
        if char == "," and not depth:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def required_classes(selector):
    """The classes an element must have for ``selector`` to match it: those outside
    parentheses (a class inside :not() is one it must lack; :is() lists alternatives)."""
    outside, depth = "", 0
    for char in selector:
        if char in "()":
            depth += 1 if char == "(" else -1
            outside += " "
        elif not depth:
            outside += char
    return CLASS_IN_SELECTOR.findall(outside)


def subset(blocks, usage):
    kept = []
    for prelude, body in blocks:
        if isinstance(body, list):
            inner = body if prelude.startswith("@keyframes") else subset(body, usage)
            if inner:
                kept.append((prelude, inner))
        elif prelude.startswith("@"):
            kept.append((prelude, body))
        else:
            selectors = [selector for selector in split_selectors(prelude)
                         if all(usage.keeps(name) for name in required_classes(selector))]
            if selectors:
                kept.append((",".join(selectors), body))
    return kept


def build(source_css, usage):
    css = re.sub(r"/\*.*?\*/", "", source_css, flags=re.S).replace('@charset "UTF-8";', "")
    version = re.search(r"DSFR v([\d.]+)", source_css)
    rules = serialize(subset(parse_blocks(css), usage)).replace(URL_FROM, URL_TO)
    return ('@charset "UTF-8";\n'
            f"/*! DSFR v{version.group(1) if version else '?'} | SPDX-License-Identifier: MIT "
            "| License-Filename: LICENSE.md — the rules of the DSFR stylesheet this project's "
            f"pages can use, taken from {SOURCE} by manage.py dsfr_site_css (do not edit) */\n"
            f"{rules}\n")


def project_usage(root):
    classes, prefixes = project_words(root)
    dsfr_classes, dsfr_prefixes = dsfr_template_words()
    artwork = finders.find(ARTWORK)
    if artwork:
        for svg in Path(artwork).rglob("*.svg"):
            classes |= words_of(svg.read_text(errors="replace"))[0]
    script = finders.find(SCRIPT)
    if not script:
        raise CommandError(f"{SCRIPT} not found (django-dsfr installed?)")
    script_text = Path(script).read_text()
    script_classes = {f"fr-{name}" for name in SCRIPT_CLASS.findall(script_text)}
    return Usage(classes | dsfr_classes | script_classes, prefixes | dsfr_prefixes,
                 SCRIPT_STATE.findall(script_text))


class Command(BaseCommand):
    help = "Writes static/css/dsfr-site.css: the DSFR stylesheet's rules the project can use."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="only say whether the file is up to date (exit 1 if not)")

    def handle(self, *args, check=False, **options):
        source = finders.find(SOURCE)
        if not source:
            raise CommandError(f"{SOURCE} not found (django-dsfr installed?)")
        root = Path(settings.BASE_DIR)
        css = build(Path(source).read_text(), project_usage(root))
        output = root / OUTPUT
        if check:
            if not output.exists() or output.read_text() != css:
                raise CommandError(f"{OUTPUT} is out of date: run manage.py dsfr_site_css")
            self.stdout.write(f"{OUTPUT} is up to date.")
            return
        output.write_text(css)
        self.stdout.write(f"{OUTPUT}: {len(css.encode()) // 1024} kB "
                          f"(from {Path(source).stat().st_size // 1024} kB).")
