"""The site's Content-Security-Policy allows no inline style (style-src 'self' and the
response's nonce): a ``style="…"`` attribute in a page's template is blocked by the browser
(the box it draws is lost, the console shows an error). Emails (their own rules) and the
Wagtail admin's pages (their own policy) are left out."""

from pathlib import Path

from django.conf import settings

LEFT_OUT = ("/emails/", "/admin/", "/email/", "/documents/")


def test_no_page_template_has_a_style_attribute():
    root = Path(settings.BASE_DIR)
    found = []
    for path in [*root.glob("templates/**/*.html"), *root.glob("*/templates/**/*.html")]:
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        relative = "/" + path.relative_to(root).as_posix()
        if any(part in relative for part in LEFT_OUT):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if ' style="' in line:
                found.append(f"{relative}:{number}")
    assert found == []
