"""Demo bénéficiaires: a few people followed by the demo advisor's structure, some linked to
their reports, and one entered twice (a duplicate to merge)."""

from accounts.models import User
from advisors.models import ActivityReport, Advisor, Beneficiary, BirthBand

PEOPLE = [  # first name, last name or initials, band, consent, email, phone
    ("Hélène", "Dupré", BirthBand.FROM_1945, True, "", "0611223344"),
    ("Mohamed", "B.", BirthBand.FROM_1960, False, "", ""),
    ("Léa", "Martin", BirthBand.FROM_1990, True, "lea.martin@example.fr", ""),
    ("Gérard", "L.", BirthBand.BEFORE_1945, False, "", ""),
    ("Chloé", "Petit", BirthBand.FROM_2005, False, "", ""),
    ("helene", "DUPRE", "", False, "", ""),  # Hélène Dupré again: a duplicate to merge
]


def create_demo_beneficiaries():
    """The number created (0 when already there, or without the demo advisor)."""
    user = User.objects.filter(email="conseiller@demo.anct.fr").first()
    advisor = Advisor.objects.filter(user=user).first() if user else None
    contract = advisor.current_contract() if advisor else None
    if contract is None or Beneficiary.objects.filter(structure=contract.structure).exists():
        return 0
    reports = list(ActivityReport.objects.filter(advisor=advisor).select_related("commune")
                   .order_by("-date", "-pk")[:12])
    if not reports:
        return 0
    commune = reports[0].commune
    created = []
    for first, last, band, consent, email, phone in PEOPLE:
        created.append(Beneficiary.objects.create(
            structure=contract.structure, commune=commune, first_name=first, last_name=last,
            birth_band=band, contact_consent=consent, email=email, phone=phone,
            created_by=user))
    # Visits: each of the first four people came to a few of the advisor's accompaniments.
    for index, beneficiary in enumerate(created[:4]):
        beneficiary.reports.add(*reports[index::4][:3])
    created[5].reports.add(reports[-1])
    return len(created)
