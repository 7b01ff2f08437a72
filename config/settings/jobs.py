"""Celery (Redis broker, or tasks run eagerly without one) and the periodic jobs that
beat runs (``CELERY_BEAT_SCHEDULE``)."""

from celery.schedules import crontab

from .apps import TIME_ZONE
from .environment import env

CELERY_BROKER_URL = env("CELERY_BROKER_URL") or env("REDIS_URL") or ""
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://localhost/"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", "default")
CELERY_TIMEZONE = TIME_ZONE
# Workers and beat log through LOGGING below (JSON lines with the request id in production).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A request publishing a task must not hang when Redis does not answer: connect within 3 s
# (the default waits for the system's TCP timeout). Messages wait in the outbox meanwhile.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 3}
# Beat writes a heartbeat that /sante/pret/ reads (ops.health): silent this long, not ready.
CELERY_BEAT_SCHEDULER = "ops.beat.HeartbeatScheduler"
HEALTH_BEAT_MAX_AGE = int(env("HEALTH_BEAT_MAX_AGE", "300"))
CELERY_BEAT_SCHEDULE = {
    "accounts-clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
    "accounts-flush-outbox": {
        # Emails queued while the broker was down, or whose worker died (accounts.outbox).
        "task": "accounts.tasks.flush_outbox",
        "schedule": 60.0,
    },
    "academy-send-reminders": {
        "task": "academy.tasks.send_reminders",
        "schedule": crontab(minute=5),  # hourly
    },
    "academy-expire-waitlist-offers": {
        # Waiting-list offers past their deadline: the seat goes to the next person.
        "task": "academy.tasks.expire_waitlist_offers",
        "schedule": crontab(minute="*/5"),
    },
    "academy-send-surveys": {
        "task": "academy.tasks.send_surveys",
        "schedule": crontab(hour=18, minute=0),
    },
    "academy-send-survey-reminders": {
        # Built-in questionnaire: one reminder a week later to those who have not answered.
        "task": "academy.tasks.send_survey_reminders",
        "schedule": crontab(hour=10, minute=10),
    },
    "academy-send-survey-follow-ups": {
        # Built-in questionnaire: the follow-up 3 months after the session, once.
        "task": "academy.tasks.send_survey_follow_ups",
        "schedule": crontab(hour=10, minute=20),
    },
    "advisors-send-prefect-digests": {
        # New applications of their territory, once a day, to each préfet.
        "task": "advisors.tasks.send_prefect_digests",
        "schedule": crontab(hour=7, minute=0),
    },
    "advisors-anonymise-beneficiaries": {
        # People followed: anonymised after 2 years without a visit, or when nobody of
        # their structure is under contract any more.
        "task": "advisors.tasks.anonymise_beneficiaries",
        "schedule": crontab(hour=3, minute=50),
    },
    "advisors-retry-geocoding": {
        # Addresses the Base Adresse Nationale did not answer for (advisors.geocoding).
        "task": "advisors.tasks.retry_geocoding",
        "schedule": crontab(minute="*/15"),
    },
    # Reminders of the advisors programme (advisors.reminders): each sent once per
    # threshold or per week, whatever the number of runs; each may be turned off in "Mon espace".
    "advisors-remind-overdue-opinions": {
        # Préfets: applications and amendments waiting for their opinion for 15 days.
        "task": "advisors.reminders.remind_prefects_of_overdue_opinions",
        "schedule": crontab(day_of_week="monday", hour=7, minute=10),
    },
    "advisors-remind-committee": {
        # ANCT: applications waiting for the selection committee for 30 days.
        "task": "advisors.reminders.remind_committee_of_waiting_applications",
        "schedule": crontab(day_of_week="monday", hour=7, minute=15),
    },
    "advisors-remind-ending-conventions": {
        # Structure managers: 90 and 30 days before the convention ends.
        "task": "advisors.reminders.remind_of_ending_conventions",
        "schedule": crontab(hour=7, minute=20),
    },
    "advisors-remind-ending-contracts": {
        # Structure managers: 60 and 15 days before a contract ends.
        "task": "advisors.reminders.remind_of_ending_contracts",
        "schedule": crontab(hour=7, minute=25),
    },
    "advisors-remind-pending-recruitments": {
        # Structure managers: a contract waiting for ANCT's validation for 15 days.
        "task": "advisors.reminders.remind_of_pending_recruitments",
        "schedule": crontab(hour=7, minute=30),
    },
    "advisors-remind-missing-reports": {
        # Advisors under contract without an activity report for 30 days.
        "task": "advisors.reminders.remind_advisors_without_reports",
        "schedule": crontab(hour=8, minute=0),
    },
    "advisors-apply-contract-ends": {
        # Contracts ended yesterday: the advisor leaves the directory and open data.
        "task": "advisors.tasks.apply_contract_ends",
        "schedule": crontab(hour=0, minute=5),
    },
    "dashboards-take-daily-snapshots": {
        # The dashboards' indicators of every département, for their history.
        "task": "dashboards.tasks.take_daily_snapshots",
        "schedule": crontab(hour=23, minute=30),
    },
    "advisors-rebuild-activity-rollups": {
        # The dashboards' activity totals, recomputed from the reports once a week.
        "task": "advisors.tasks.rebuild_activity_rollups",
        "schedule": crontab(day_of_week="sunday", hour=2, minute=40),
    },
    "cms-publish-scheduled": {
        # Pages and snippets whose "go live" / "expiry" dates have passed.
        "task": "cms.tasks.publish_scheduled",
        "schedule": 60.0,
    },
    "privacy-purge-inactive-accounts": {
        # Monthly: warns accounts unused for 3 years, erases them 30 days later.
        "task": "privacy.tasks.purge_inactive_accounts",
        "schedule": crontab(day_of_month=1, hour=4, minute=40),
    },
}
