"""The pure parts of the two-instance harness (bench/instances.py)."""

from bench import instances


def test_requests_alternate_between_the_instances():
    dealt = instances.alternate(["a", "b", "c", "d", "e"], [8201, 8202])
    assert dealt == [(8201, "a"), (8202, "b"), (8201, "c"), (8202, "d"), (8201, "e")]


def test_each_email_must_arrive_once():
    expected = {"<outbox.1@x>": 1, "<outbox.2@x>": 2, "<outbox.3@x>": 3}
    messages = [{"message_id": "<outbox.1@x>", "to": ["a@x"]},
                {"message_id": "<outbox.2@x>", "to": ["b@x"]},
                {"message_id": "<outbox.2@x>", "to": ["b@x"]},  # sent twice
                {"message_id": "<other@x>", "to": ["a@x"]}]  # not ours: not counted
    counts = instances.delivery_counts(messages, expected)
    assert counts == {"expected": 3, "received": 3, "duplicates": ["<outbox.2@x>"],
                      "missing": [3], "per_recipient_max": 2}
    once = instances.delivery_counts(messages[:2], {"<outbox.1@x>": 1, "<outbox.2@x>": 2})
    assert once["duplicates"] == [] and once["missing"] == [] and once["received"] == 2


def test_publishing_is_seen_within_a_second_every_time():
    assert instances.publish_met([0.2, 0.9, 1.0])
    assert not instances.publish_met([0.2, 1.2])
    assert not instances.publish_met([0.2, None])  # never shown
    assert not instances.publish_met([])


def test_race_verdict_and_check_lines():
    result = {"confirmed": 20, "waitlisted": 180, "errors": 0}
    assert instances.race_met(result, 200, 20)
    assert not instances.race_met({**result, "errors": 1}, 200, 20)
    assert instances.check_line("x", True, "y") == "✓ x : y"
    assert instances.check_line("x", False, "y") == "✗ x : y"


def test_arguments():
    args = instances.parse_args(["--ports", "8201,8202", "--rounds", "2"])
    assert args.ports == [8201, 8202] and args.rounds == 2
    assert args.broker_url.endswith("/11") and args.redis_url.endswith("/12")


def test_the_page_test_wants_the_new_title_and_not_the_old_one():
    shown = instances.showing("Titre", instead_of="Titre [deux instances] 1")
    assert shown(b"<h1>Titre</h1>")
    assert not shown(b"<h1>Titre [deux instances] 1</h1>")
    assert instances.showing("L'élu & co")("<h1>L&#x27;élu &amp; co</h1>".encode())


def test_run_py_two_instances_hands_over_to_the_harness(monkeypatch):
    from bench import run

    seen = {}
    monkeypatch.setattr(instances, "main", lambda argv: seen.setdefault("argv", argv) and 0)
    run.main(["--two-instances", "--database-url", "postgres://x@h/db", "--people", "50",
              "--seats", "5", "--no-collectstatic", "--python-client"])
    argv = seen["argv"]
    assert argv[argv.index("--database-url") + 1] == "postgres://x@h/db"
    assert argv[argv.index("--people") + 1] == "50" and "--no-collectstatic" in argv
