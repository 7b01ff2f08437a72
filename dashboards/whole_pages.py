"""Dashboards and personal statistics kept whole for the session that saw them
(``core.personal_pages``): a page holds while its figures' versions (``dashboards.cache``)
and the reader's (``advisors.fragments``: roles, préfet's assignment, managed structures)
do, and never past midnight."""

from advisors import fragments
from core import personal_pages

from .cache import ACTIVITY_VERSION, VERSION


def keep_whole_page(request):
    """Called by a view before it reads anything (who may open it first of all)."""
    fragments.depend(request)
    personal_pages.depend(request, VERSION.key, ACTIVITY_VERSION.key)


def connect_signals():
    """A coordinator's team also follows the links imported with the advisors
    (``Advisor.coordinated``), which no saved row tells."""
    from django.db.models.signals import m2m_changed

    from advisors.models import Advisor

    m2m_changed.connect(VERSION.bump, sender=Advisor.coordinated.through, weak=False,
                        dispatch_uid="dashboards:coordinated-links")
