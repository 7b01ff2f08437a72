"""Service points and structures located from their address by the Base Adresse Nationale
(``territories.geocoding``), on every save (forms, imports, back office, code) and for the
rows already there (``manage.py geocode_addresses``).

A save never calls the geocoder: when the address or the commune changed (or the row is
new, without coordinates given by code), ``before_save`` puts the row at its commune's
centre, flagged approximate and pending, and ``after_save`` sends
``advisors.tasks.geocode_address`` once the transaction is committed; the task asks the
geocoder (without a broker it runs at once, in the same request, after the commit) and
writes the position with an UPDATE conditioned on the
address read, so a newer change is never overwritten. A geocoder that does not answer
leaves the row pending; ``advisors.tasks.retry_geocoding`` tries again every quarter of
an hour. A position set by hand (a marker moved on the place's form) is kept until the
address changes. With ``BAN_GEOCODER_URL`` empty none of this happens."""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from territories import geocoding as ban

from .models import ServicePoint, Structure
from .models.positions import Positioning
from .signals import records_bulk_changed

logger = logging.getLogger(__name__)

MODELS = {"servicepoint": ServicePoint, "structure": Structure}
LOCATED = "located"  # the address was found
APPROXIMATE = "approximate"  # the geocoder answered without a precise position
UNAVAILABLE = "unavailable"  # the geocoder did not answer: still pending
SKIPPED = "skipped"  # nothing to do (row gone, changed meanwhile, set by hand)


def before_save(sender, instance, raw=False, **kwargs):
    """pre_save: a new or moved address starts at its commune's centre, pending."""
    if raw or not ban.enabled():
        return
    read = getattr(instance, "_position_read", None)
    current = instance.position_key()
    moved_by_hand = (instance.position_source == Positioning.MANUAL
                     and instance.latitude is not None
                     and (read is None or current[2:] != read[2:]))
    if moved_by_hand:
        instance.position_pending = False
        return
    if read is not None and current[:2] == read[:2] and instance.position_source:
        return
    if read is None and instance.latitude is not None and not instance.position_source:
        # Created with coordinates by code (seed data, a bulk load): kept as given until
        # ``geocode_addresses`` checks them.
        return
    commune = instance.commune
    instance.latitude, instance.longitude = commune.latitude, commune.longitude
    if commune.latitude is None or commune.longitude is None:
        instance.latitude = instance.longitude = None
    instance.position_source = Positioning.COMMUNE
    instance.position_pending = True
    instance._geocode_after_save = True


def after_save(sender, instance, raw=False, **kwargs):
    """post_save: the geocoding task, sent once the row is committed."""
    if raw or not getattr(instance, "_geocode_after_save", False):
        return
    instance._geocode_after_save = False
    instance._position_read = instance.position_key()
    label, pk = sender._meta.model_name, instance.pk

    def send():
        from .tasks import geocode_address

        geocode_address.delay(label, pk)

    transaction.on_commit(send)


def connect_signals():
    from django.db.models.signals import post_save, pre_save

    for model in MODELS.values():
        pre_save.connect(before_save, sender=model, dispatch_uid=f"geocode-{model.__name__}")
        post_save.connect(after_save, sender=model, dispatch_uid=f"geocoded-{model.__name__}")


@dataclass
class Outcome:
    status: str
    label: str = ""


def locate(model_name: str, pk: int, *, force: bool = False, everything: bool = False
           ) -> Outcome:
    """Asks the geocoder for one row and writes its position. Only a pending row is asked
    (or, with ``everything``, any row not placed by hand). Idempotent."""
    model = MODELS[model_name]
    row = (model.objects.select_related("commune").filter(pk=pk)
           .only("address", "commune", "latitude", "longitude", "position_source",
                 "position_pending").first())
    if row is None or row.position_source == Positioning.MANUAL or not (
            row.position_pending or everything):
        return Outcome(SKIPPED)
    if getattr(row, "is_itinerant", False) or not (row.address or "").strip():
        position = None
    else:
        try:
            position = ban.geocode(row.address, row.commune.insee_code, force=force)
        except ban.GeocoderUnavailable:
            # A row never located keeps what it had until the geocoder answers.
            model.objects.filter(pk=row.pk).update(position_pending=True)
            return Outcome(UNAVAILABLE)
    if position is None:
        _write(model, row, row.commune.latitude, row.commune.longitude, Positioning.COMMUNE)
        return Outcome(APPROXIMATE)
    _write(model, row, position.latitude, position.longitude, Positioning.ADDRESS)
    return Outcome(LOCATED, position.label)


def _write(model, row, latitude, longitude, source):
    if latitude is None or longitude is None:
        latitude = longitude = None
    changes = {"latitude": latitude, "longitude": longitude, "position_source": source,
               "position_pending": False}
    moved = (latitude, longitude) != (row.latitude, row.longitude)
    if moved and model is ServicePoint:
        # The calendar feeds show the position (GEO): their copies are replaced.
        changes.update(calendar_sequence=F("calendar_sequence") + 1, updated_at=timezone.now())
    # Only if the address is still the one asked about, and nobody placed it by hand since.
    written = model.objects.filter(
        pk=row.pk, address=row.address, commune_id=row.commune_id).exclude(
        position_source=Positioning.MANUAL).update(**changes)
    if written and moved:
        # An UPDATE sends no post_save: the public directory and open data read positions.
        records_bulk_changed.send(sender=model, model=model)


def pending_rows(model_name, *, everything=False):
    """Primary keys still to locate, oldest first: pending ones (``everything``: also those
    never located), never those placed by hand."""
    rows = MODELS[model_name].objects.exclude(position_source=Positioning.MANUAL)
    if everything:
        rows = rows.filter(Q(position_pending=True) | Q(position_source=Positioning.UNKNOWN))
    else:
        rows = rows.filter(position_pending=True)
    return rows.order_by("pk").values_list("pk", flat=True)


def retry_pending(limit: int = 1000) -> dict:
    """Pending rows, until the geocoder fails again (then the next run goes on)."""
    done = {LOCATED: 0, APPROXIMATE: 0, UNAVAILABLE: 0, SKIPPED: 0}
    if not ban.enabled():
        return done
    first = True
    for model_name in MODELS:
        for pk in list(pending_rows(model_name)[:limit]):
            outcome = locate(model_name, pk, force=first)
            first = False
            done[outcome.status] += 1
            if outcome.status == UNAVAILABLE:
                return done
    return done
