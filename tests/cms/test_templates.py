"""Every template file of the project: Django's {# #} comments must fit on one line.

A {# that is not closed on its own line is not a comment for Django: the text is printed
as is on every page that includes the template."""

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SKIPPED = {".venv", "node_modules", "staticfiles", ".git", "media"}
OPEN_COMMENT = re.compile(r"\{#(?:(?!#\}).)*$")


def project_templates():
    roots = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    roots += [p for p in ROOT.glob("*/templates") if p.is_dir()]
    files = set()
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and not SKIPPED & set(path.relative_to(ROOT).parts):
                files.add(path)
    return sorted(files)


def unclosed_comments(text):
    return [number for number, line in enumerate(text.splitlines(), 1)
            if OPEN_COMMENT.search(line)]


def test_the_project_has_templates_to_check():
    names = {p.relative_to(ROOT).as_posix() for p in project_templates()}
    assert "templates/includes/form_field.html" in names
    assert any(name.startswith("academy/templates/") for name in names)


@pytest.mark.parametrize("path", project_templates(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_template_comments_stay_on_one_line(path):
    text = path.read_text(encoding="utf-8", errors="replace")
    assert unclosed_comments(text) == [], (
        f"{path.relative_to(ROOT)}: a {{# comment spans several lines at lines "
        f"{unclosed_comments(text)}; use {{% comment %}} instead")


def test_a_multi_line_comment_is_caught():
    assert unclosed_comments("{# one #}\n{# two\n three #}") == [2]


@pytest.mark.django_db
def test_no_comment_text_is_printed_on_the_login_form(client):
    html = client.get("/comptes/login/").content.decode()
    assert "{#" not in html and "no_optional" not in html
