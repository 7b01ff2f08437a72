"""The version of what advisors shows to everyone, kept in anonymous caches: the public
directory (``/conseillers/``, ``page_cache.keep_route`` in ``apps.py``). Renewed whenever a
structure, application, contract, advisor, service point, its hours or closures, or a
commune is saved or deleted, or written in bulk (``signals.records_bulk_changed``), and by
the daily job that applies the contracts ended the day before (``signals.contracts_turned``).

Apps above advisors that keep public answers of their own (``opendata``) keep their own
version; advisors imports none of them."""

from core.cache_versions import CacheVersion

VERSION = CacheVersion("advisors:public:version")


def connect_signals():
    from territories.models import Commune

    from . import signals
    from .models import (
        Advisor,
        Application,
        Closure,
        Contract,
        OpeningRange,
        ServicePoint,
        Structure,
    )

    VERSION.renew_on_changes(Structure, Application, Contract, Advisor, ServicePoint,
                             OpeningRange, Closure, Commune)
    signals.records_bulk_changed.connect(VERSION.bump, weak=False,
                                         dispatch_uid="advisors:public:bulk-changed")
    signals.contracts_turned.connect(VERSION.bump, weak=False,
                                     dispatch_uid="advisors:public:contracts-turned")
