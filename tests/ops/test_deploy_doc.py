"""docs/deploy.md's table of environment variables is the one made from the settings."""

from pathlib import Path

from ops import envvars

DOC = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"


def test_every_variable_the_settings_read_is_described():
    undocumented = set(envvars.settings_variables()) - set(envvars.DESCRIPTIONS)
    assert not undocumented, f"add them to ops/envvars.py: {sorted(undocumented)}"


def test_the_deploy_guide_table_matches_the_settings():
    assert envvars.markdown_table() in DOC.read_text(), (
        "docs/deploy.md is out of date: run `DEBUG=1 python manage.py env_table --write`")


def test_the_table_lists_the_variables_an_operator_must_set():
    text = DOC.read_text()
    for name in ("DJANGO_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL",
                 "HEALTH_BEAT_MAX_AGE"):
        assert f"| `{name}` |" in text
