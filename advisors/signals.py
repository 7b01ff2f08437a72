"""What the advisors app tells the apps above it (dashboards, open data) without importing
them: they connect their receivers in their ``AppConfig.ready``.

- ``activity_totals_changed``: the activity rollups (``advisors/rollups.py``) moved, sent
  inside the transaction that moved them (one report recorded or taken back, or a rebuild).
  Arguments: ``department_id`` and ``day`` for one report, ``None`` for a rebuild.
- ``records_bulk_changed``: rows of ``model`` were written by a bulk operation, which sends
  no ``post_save`` (e.g. a service point's opening hours replaced at once: then also
  ``service_point``, so the dashboards' rollups recount its département only).
- ``contracts_turned``: who is under contract changed with the date alone (a contract's
  last day went by, a rupture took effect, a contract started), which no model signal
  tells; sent by the daily ``advisors.tasks.apply_contract_ends`` (``advisors/offboarding.py``).
  Arguments: ``day``. Public answers, kept pages and figures that name advisors or count
  them renew their version.

Receivers must be cheap: they run in the writer's transaction (typically: renew a cache
version)."""

from django.dispatch import Signal

activity_totals_changed = Signal()
records_bulk_changed = Signal()
contracts_turned = Signal()
