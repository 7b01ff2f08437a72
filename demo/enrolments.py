"""Demo enrolments: the demo élu has a mandate, an upcoming training, a waiting list spot
and a past training with attendance (so "Mon espace" shows hours and an attestation)."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from academy import services
from academy.models import Attendance, CoursePage, Enrolment, Mandate, OfficialProfile, Session
from accounts.models import User
from territories.models import Commune


@transaction.atomic
def create_demo_enrolments():
    elu = User.objects.filter(email="elu@demo.anct.fr").first()
    beauvais = Commune.objects.filter(insee_code="60057").first()
    if elu is None or beauvais is None or Enrolment.objects.filter(user=elu).exists():
        return 0
    profile, _ = OfficialProfile.objects.get_or_create(user=elu, defaults={"is_employee": True})
    Mandate.objects.get_or_create(profile=profile, role="adjoint", commune=beauvais,
                                  defaults={"started_on": date(2020, 7, 4),
                                            "is_first_mandate": True})
    upcoming = (Session.objects.scheduled().upcoming()
                .filter(course__audience="elected").order_by("start")[:2])
    for session in upcoming:
        # A hybrid session asks each participant how they attend: the élu follows remotely.
        services.enrol(session.pk, elu, attendance_mode="remote" if session.is_hybrid else "")

    # One session needs approval, to show the staff's pending list and priority hints.
    Session.objects.filter(pk__in=Session.objects.scheduled().upcoming()
                           .order_by("-start").values("pk")[:1]).update(requires_approval=True)

    # A past training, attended three half-days out of four.
    course = CoursePage.objects.filter(slug="construire-et-voter-le-budget-communal").first()
    if course:
        day = timezone.localdate() - timedelta(days=40)
        start = timezone.make_aware(datetime.combine(day, time(9)))
        past = Session.objects.create(
            course=course, start=start, end=start + timedelta(days=1, hours=8),
            commune=beauvais, address="Hôtel de ville, salle du conseil", capacity=20,
            enrolment_opens=start - timedelta(days=60), enrolment_closes=start - timedelta(days=2),
            cancellation_deadline=start - timedelta(days=5), trainers="Anne Leroy (ANCT)",
        )
        enrolment = Enrolment.objects.create(session=past, user=elu, status="confirmed")
        for slot_day, period in past.half_days()[:3]:
            Attendance.objects.create(enrolment=enrolment, day=slot_day, period=period,
                                      status="present")
    return Enrolment.objects.filter(user=elu).count()


def issue_demo_attestation():
    """The demo élu's past training has its verifiable attestation (the one the first
    download would issue), so /attestations/<reference>/ has a page to show."""
    from academy.attestations import current_attestation

    enrolment = (Enrolment.objects.filter(user__email="elu@demo.anct.fr", status="confirmed",
                                          session__end__lt=timezone.now(),
                                          attendances__status="present")
                 .order_by("session__start").first())
    return current_attestation(enrolment) if enrolment else None


def _demo_pdf(text):
    """A one-page PDF saying ``text`` (ASCII): enough for a demo download to open."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def attach_demo_materials():
    """The demo élu's next confirmed training has its slides and a reading, and the past
    one its slides and a replay: "Mon espace" shows both. Once, whatever the runs."""
    from django.core.files.base import ContentFile

    from academy.models import SessionDocument

    mine = Enrolment.objects.filter(user__email="elu@demo.anct.fr", status="confirmed")
    upcoming = mine.filter(session__end__gte=timezone.now()).order_by("session__start").first()
    past = mine.filter(session__end__lt=timezone.now()).order_by("-session__start").first()
    attached = 0
    plan = [(upcoming, [("Diaporama de présentation", "slides", "diaporama-de-presentation.pdf"),
                        ("Guide pratique à lire avant la session", "reading",
                         "guide-pratique.pdf")]),
            (past, [("Diaporama de la session", "slides", "diaporama.pdf")])]
    for enrolment, documents in plan:
        if enrolment is None or enrolment.session.documents.exists():
            continue
        for order, (title, kind, filename) in enumerate(documents):
            document = SessionDocument(session=enrolment.session, title=title, kind=kind,
                                       sort_order=order)
            document.file.save(filename, ContentFile(_demo_pdf("Academie des territoires - "
                                                               "document de demonstration")),
                               save=True)
            attached += 1
    if past and not past.session.replay_url:
        Session.objects.filter(pk=past.session_id).update(
            replay_url="https://tube.numerique.gouv.fr/w/academie-demo-budget")
    return attached
