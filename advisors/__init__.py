"""Conseillers numériques: the domain layer.

- ``models/``: structures, applications (history, préfet's opinions), conventions and
  amendments, advisors, contracts and extensions, service points (hours, closures), activity
  reports, préfets' territories. Reads are QuerySet methods; every QuerySet has
  ``visible_to(user)`` and ``editable_by(user)``.
- ``permissions.py``: the one place that checks roles (``Scope``).
- ``services/``: every rule that changes data (re-exported by ``advisors.services``); refusals
  raise ``WorkflowError``/``NotAllowed`` with a French message.
- ``emails.py`` (queued after commit), ``tasks.py`` (the préfets' daily digest).
"""
