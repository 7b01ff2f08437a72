"""The import layering of docs/architecture.md, checked on the source (imports inside
functions count too): a rule broken here is an arrow drawn the wrong way."""

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ("accounts", "territories", "core", "calendars", "cms", "academy", "advisors",
           "dashboards", "opendata", "privacy", "demo", "ops", "config", "bench")
# Reporting and data rights sit above the features: they read them, never the reverse.
ABOVE_FEATURES = {"dashboards", "opendata", "privacy", "demo", "bench"}
FEATURES = ("accounts", "territories", "calendars", "cms", "academy", "advisors")
# Upper layers of an app, which its models must never import (not even inside a function).
ABOVE_MODELS = ("views", "forms", "services", "admin", "admin_views", "wagtail_hooks", "urls")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """Absolute names of the modules a file imports, relative imports resolved."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names.add(module)
            # "from . import views" imports the module views.
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


@cache
def imports_of(app: str) -> dict[str, set[str]]:
    """{file: imported modules} for an app's code (migrations left out)."""
    return {
        str(path.relative_to(ROOT)): imported(path)
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
    } if (ROOT / app).is_dir() else {}


def offenders(app: str, forbidden) -> list[str]:
    return sorted(
        f"{file} imports {name}"
        for file, names in imports_of(app).items()
        for name in names
        if name.split(".")[0] in forbidden and name.split(".")[0] != app
    )


@pytest.mark.parametrize(("app", "allowed"), [
    ("core", set()),
    ("territories", {"core"}),
    # accounts and calendars share small utilities: French dates, "Mon espace" sections.
    ("accounts", {"core", "territories", "calendars"}),
    ("calendars", {"core", "accounts"}),
])
def test_base_apps_know_no_feature(app, allowed):
    assert offenders(app, set(PROJECT) - allowed) == []


def test_academy_never_imports_advisors():
    assert offenders("academy", {"advisors"}) == []


@pytest.mark.parametrize("app", FEATURES)
def test_features_never_import_reporting_data_rights_or_demo(app):
    assert offenders(app, ABOVE_FEATURES) == []


@pytest.mark.parametrize("app", [app for app in PROJECT if app not in {"demo", "bench"}])
def test_no_app_imports_the_demo_or_the_bench(app):
    assert offenders(app, {"demo", "bench"}) == []


@pytest.mark.parametrize("app", PROJECT)
def test_models_import_no_view_form_or_service_of_their_app(app):
    """The models are the bottom of an app: a model importing a view (even lazily, as
    CatalogPage.serve once did) closes a circle through every module that view imports."""
    upper = {f"{app}.{name}" for name in ABOVE_MODELS}
    found = sorted(
        f"{file} imports {name}"
        for file, names in imports_of(app).items()
        if file.startswith((f"{app}/models.py", f"{app}/models/"))
        for name in names
        if any(name == module or name.startswith(f"{module}.") for module in upper)
    )
    assert found == []
