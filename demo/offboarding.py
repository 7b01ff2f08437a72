"""Demo end of a contract: Lucas, an advisor of the demo manager's structure, worked his last
day yesterday. The Médiathèque he shared with his colleagues stays in the directory with
them; the "Point numérique de la gare" he staffed alone has left the directory and the open
data, and "Mes lieux d'activité" tells the manager why."""

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from advisors.models import Advisor, Contract, OpeningRange, PlaceService, ServicePoint, Structure

EMAIL = "lucas.fontaine@conseiller-numerique.fr"


def create_demo_departure():
    """The departed advisor and his place (None when already there or without the demo
    structure)."""
    manager = User.objects.filter(email="structure@demo.anct.fr").first()
    structure = (Structure.objects.filter(managers=manager).order_by("pk").first()
                 if manager else None)
    if structure is None or Advisor.objects.filter(email=EMAIL).exists():
        return None
    shared = structure.service_points.order_by("pk").first()
    if shared is None:
        return None
    today = timezone.localdate()
    lucas = Advisor.objects.create(first_name="Lucas", last_name="Fontaine", email=EMAIL,
                                   phone="0600000001")
    Contract.objects.create(
        advisor=lucas, structure=structure, kind=Contract.Kind.CDD,
        start=today - datetime.timedelta(days=400), end=today - datetime.timedelta(days=1),
        monthly_gross_salary=Decimal("2150.00"), status=Contract.Status.VALIDATED)
    shared.advisors.add(lucas)
    alone = ServicePoint.objects.create(
        structure=structure, commune=shared.commune, name="Point numérique de la gare",
        address="Place de la gare", services=[PlaceService.ADMINISTRATIVE_PROCEDURES],
        latitude=shared.latitude, longitude=shared.longitude)
    alone.advisors.set([lucas])
    OpeningRange.objects.create(service_point=alone, weekday=2, period="am",
                                opens=datetime.time(9), closes=datetime.time(12))
    return lucas
