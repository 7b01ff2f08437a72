"""The bench's list of pages (bench/pages.py): each page is seen as an account the bench
signs in, and each is held to one throughput target (personal 0.15 ×, public 0.5 × the
bare view) unless it is a dashboard (latency targets only)."""

from bench import pages

DASHBOARDS = {"prefect_dashboard", "national_dashboard"}


def test_each_page_has_one_key_and_a_known_account():
    keys = [key for key, _label, _role in pages.PAGES]
    assert len(keys) == len(set(keys))
    assert {role for _key, _label, role in pages.PAGES} - {None} <= set(pages.ACCOUNTS)


def test_each_page_is_personal_or_public_or_a_dashboard():
    keys = {key for key, _label, _role in pages.PAGES}
    assert not pages.PERSONAL_KEYS & pages.PUBLIC_KEYS
    assert pages.PERSONAL_KEYS | pages.PUBLIC_KEYS | DASHBOARDS == keys


def test_personal_pages_of_issue_21_are_measured_signed_in():
    roles = {key: role for key, _label, role in pages.PAGES}
    for key, role in {"my_reports": "conseiller", "beneficiaries": "conseiller",
                      "notice_preferences": "conseiller", "prefect_applications": "prefet",
                      "prefect_awaiting": "prefet", "structure_page": "structure",
                      "my_statistics": "conseiller", "team_statistics": "coordinateur",
                      "structure_statistics": "structure"}.items():
        assert roles[key] == role
        assert key in pages.PERSONAL_KEYS
    # Anonymous pages are public, except the personal calendar feed (its token is personal).
    anonymous = {key for key, role in roles.items() if role is None}
    assert anonymous - pages.PUBLIC_KEYS == {"ics"}
