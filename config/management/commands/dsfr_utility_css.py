"""Writes ``static/css/dsfr-utility.css``: the rules of the DSFR's utility stylesheet
(icons ``fr-icon-*``, colours ``fr-background-*``…) for the utility classes this project's
templates, Python and scripts name, instead of the whole of it (458 kB, a thousand icons),
followed by django-dsfr's overrides (error lists), so that pages load one file for both.

Run it again after using a new icon or utility class (``manage.py dsfr_utility_css``);
``--check`` only says whether the file is up to date (tests/config/test_dsfr_utility_css.py
runs it, so a missing icon fails the tests instead of showing an empty square).
"""

import os
import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management.base import BaseCommand, CommandError

SOURCE = "dsfr/dist/utility/utility.min.css"  # django-dsfr's DsfrStaticAssets.DSFR_UTILITY_CSS
# django-dsfr's few rules for Django's error lists (DsfrStaticAssets.DSFR_OVERRIDES_CSS),
# appended: one render-blocking request fewer.
OVERRIDES = "css/dsfr-django-overrides.css"
OUTPUT = Path("static") / "css" / "dsfr-utility.css"
# Where the source's url(../icons/…) point, seen from static/css/.
URL_FROM, URL_TO = "url(../", "url(../dsfr/dist/"
SCANNED_SUFFIXES = {".html", ".py", ".js", ".txt"}
SKIPPED_DIRS = {".git", ".venv", "node_modules", "staticfiles", "tests", "docs", "bench",
                "media", "private", "__pycache__"}
CLASS_IN_SOURCE = re.compile(r"\bfr-[a-z0-9_-]*[a-z0-9]")
CLASS_IN_SELECTOR = re.compile(r"\.(fr-[a-zA-Z0-9_-]+)")


def used_classes(root):
    """Every ``fr-…`` word of the project's templates, Python and scripts."""
    found = set()
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = [d for d in subdirectories
                             if d not in SKIPPED_DIRS and not d.startswith(".")]
        for name in files:
            path = Path(directory) / name
            if path.suffix in SCANNED_SUFFIXES and name != Path(__file__).name:
                found.update(CLASS_IN_SOURCE.findall(path.read_text(errors="replace")))
    return found


def parse_blocks(css):
    """Minified CSS as a list of (prelude, body) where body is a declarations string (a style
    rule, @font-face) or a list of the same (an at-rule holding rules, such as @media)."""
    blocks, position = [], 0
    while position < len(css):
        opening = css.find("{", position)
        if opening == -1:
            break
        prelude = css[position:opening].strip()
        depth, cursor = 1, opening + 1
        while depth:
            if css[cursor] == "{":
                depth += 1
            elif css[cursor] == "}":
                depth -= 1
            cursor += 1
        body = css[opening + 1:cursor - 1]
        nested = prelude.startswith("@") and "{" in body
        blocks.append((prelude, parse_blocks(body) if nested else body))
        position = cursor
    return blocks


def subset(blocks, used):
    """The blocks whose selectors name only ``used`` classes (other selectors of a kept rule
    are dropped); at-rules kept when something inside them is."""
    kept = []
    for prelude, body in blocks:
        if isinstance(body, list):
            inner = subset(body, used)
            if inner:
                kept.append((prelude, inner))
            continue
        selectors = [s for s in prelude.split(",")
                     if (names := CLASS_IN_SELECTOR.findall(s)) and set(names) <= used]
        if selectors:
            kept.append((",".join(selectors), body))
    return kept


def serialize(blocks):
    return "".join(
        f"{prelude}{{{serialize(body) if isinstance(body, list) else body}}}"
        for prelude, body in blocks)


def minify(css):
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"\s+", " ", css)
    return re.sub(r"\s*([{};:,])\s*", r"\1", css).replace(";}", "}").strip()


def build(root, source_css, overrides_css=""):
    used = used_classes(root)
    css = re.sub(r"/\*.*?\*/", "", source_css, flags=re.S).replace('@charset "UTF-8";', "")
    version = re.search(r"DSFR v([\d.]+)", source_css)
    rules = serialize(subset(parse_blocks(css), used)).replace(URL_FROM, URL_TO)
    return (f"/*! DSFR v{version.group(1) if version else '?'} | SPDX-License-Identifier: MIT "
            "| License-Filename: LICENSE.md — utility classes this project uses, taken from "
            f"{SOURCE} by manage.py dsfr_utility_css (do not edit), then {OVERRIDES} */\n"
            f"{rules}\n{minify(overrides_css)}\n")


class Command(BaseCommand):
    help = "Writes static/css/dsfr-utility.css: the DSFR utility classes the project uses."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="only say whether the file is up to date (exit 1 if not)")

    def handle(self, *args, check=False, **options):
        source = finders.find(SOURCE)
        if not source:
            raise CommandError(f"{SOURCE} not found (django-dsfr installed?)")
        root = Path(settings.BASE_DIR)
        overrides = finders.find(OVERRIDES)
        content = build(root, Path(source).read_text(),
                        Path(overrides).read_text() if overrides else "")
        output = root / OUTPUT
        if check:
            if not output.exists() or output.read_text() != content:
                raise CommandError(f"{OUTPUT} is out of date: run manage.py dsfr_utility_css")
            self.stdout.write(f"{OUTPUT} is up to date.")
            return
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(content)
        self.stdout.write(f"{OUTPUT}: {len(content.encode()) // 1024} kB "
                          f"(from {Path(source).stat().st_size // 1024} kB)")
