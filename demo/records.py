"""Demo corrections: the demo manager has corrected their structure's contact once (so its
history shows an entry), and an advisor of that structure has declared a training that
waits for ANCT ("Formations déclarées" in the back office has something to validate)."""

import datetime

from accounts.models import User
from advisors import history
from advisors.models import Advisor, Structure, TrainingRecord
from advisors.services import records


def create_demo_corrections():
    """The number of records written (0 when already there or without the demo data)."""
    manager = User.objects.filter(email="structure@demo.anct.fr").first()
    structure = Structure.objects.filter(managers=manager).order_by("pk").first() \
        if manager else None
    if structure is None or history.history_of(structure).exists():
        return 0
    records.correct_structure(structure, manager, {"contact_phone": "0344794000"})
    colleague = (Advisor.objects.employed_by(structure).exclude(
        user__email="conseiller@demo.anct.fr").order_by("pk").first())
    if colleague is None or colleague.training_records.exists():
        return 1
    TrainingRecord.objects.create(
        advisor=colleague, training_start=datetime.date(2025, 9, 1),
        training_end=datetime.date(2025, 12, 19), training_hours=154, pix_level=4,
        submitted_by=colleague.user)
    history.record_changes(colleague, colleague.user, [], history.TRAINING_SUBMITTED)
    return 2
