"""What the geography tells apps that build on it, without knowing them."""

from django.dispatch import Signal

# Sent once an import changed régions, départements, communes or EPCI (bulk writes, which
# send no post_save): apps that keep figures over the geography (the dashboards' population
# totals) recompute them. Sent after the import's transaction commits.
geography_imported = Signal()
