"""The deployment indicators, computed by the database.

Every figure comes from an aggregate query (``aggregate``, ``values().annotate``) or from the
daily snapshots: nothing here iterates over data rows. A page runs a fixed number of queries
whatever the size of the data (see ``tests/dashboards/test_dashboards.py``).

A *territory* is one of: the whole country, a région, a département, or one structure. Each
model reaches it through its own path:

- posts, contracts and advisors through the employing structure's commune;
- activity reports through the commune where the accompaniment took place;
- service points through their commune;
- academy sessions through the commune where they take place (remote ones: national only).

One module per family of figures: ``base`` (the territory), ``deployment``,
``activity_reports``, ``academy_sessions``, ``academy_dif`` (DIF élus), ``summary`` (a
dashboard's headline figures),
``breakdowns`` (by région or département, map, structures) and ``history`` (snapshots).
"""

from .academy_dif import dif
from .academy_sessions import academy
from .activity_reports import activity
from .base import ADVISORS_NATIONAL_TARGET, PER_INHABITANTS, Territory
from .breakdowns import BREAKDOWN_COLUMNS, breakdown, map_rows, sort_rows, structures_table
from .deployment import advisors, deployment, population, post_totals, posts, service_points
from .history import SNAPSHOT_FIELDS, history, snapshot_values
from .summary import summary

__all__ = [
    "ADVISORS_NATIONAL_TARGET", "BREAKDOWN_COLUMNS", "PER_INHABITANTS", "SNAPSHOT_FIELDS",
    "Territory", "academy", "activity", "advisors", "breakdown", "dif",
    "deployment", "history", "map_rows", "population", "post_totals", "posts",
    "service_points", "snapshot_values", "sort_rows", "structures_table", "summary",
]
