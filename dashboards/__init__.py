"""Deployment dashboards (``/tableau-de-bord/``): national, régional, départemental and per
structure indicators, their history (daily snapshots) and exports."""
