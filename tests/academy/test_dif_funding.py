"""Funding by the élus' training right (DIF élus, "Mon compte élu"): eligibility shown on the
course page under the training body's approval, the élu's declaration and ANCT's decision
with their French refusals, the programme and quote PDFs (the quote the enrolled élu's only),
"Mon espace" and the dashboards' counts."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from academy import funding
from academy.models import Enrolment, Mandate, OfficialProfile
from academy.models.funding import CoursePageForm, DifFunding, TrainingBody
from academy.services import EnrolmentError
from dashboards import indicators
from dashboards.indicators import Territory
from tests import factories as make
from tests.academy.factories import EnrolmentFactory, MandateFactory, session_dates
from tests.advisors import factories as people

pytestmark = pytest.mark.django_db
Status = DifFunding.Status


@pytest.fixture
def communes():
    return make.geography()


@pytest.fixture
def body():
    return TrainingBody.objects.create(
        name="Institut des élus de l'Oise", siret="12345678900011",
        address="1 place de l'Hôtel de ville, 60000 Beauvais",
        approval_number="AGR-2024-117", approval_date=date(2024, 3, 15))


@pytest.fixture
def course(body):
    return make.course("Budget communal pour les élus", duration_hours=Decimal("7"),
                       price=Decimal("480"), dif_eligible=True, training_body=body)


@pytest.fixture
def session(course, communes):
    # 9 h to 17 h, Paris time (7 hours planned, the lunch hour left out): a session built
    # from the clock's hour crossed midnight when the suite ran after 17 h, and its longer
    # dates squeezed the PDF's trainer column out of the text.
    start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) \
        + timedelta(days=40)
    session = make.session(course, communes["Beauvais"], days=40, trainers="Claire Dubois",
                           **{**session_dates(start), "start": start,
                              "end": start + timedelta(hours=8)})
    return session


@pytest.fixture
def elu(communes):
    user = get_user_model().objects.create_user(
        email="aline.martin@exemple.fr", password="Mot-de-passe-2026",
        first_name="Aline", last_name="Martin")
    profile = OfficialProfile.objects.create(user=user)
    Mandate.objects.create(profile=profile, role="maire", commune=communes["Beauvais"],
                           started_on=date(2020, 7, 1))
    return user


@pytest.fixture
def enrolment(session, elu):
    return EnrolmentFactory(session=session, user=elu)


def elected_enrolment(session, **fields):
    """An enrolment of a mayor (the DIF is the élus' right)."""
    enrolment = EnrolmentFactory(session=session, **fields)
    MandateFactory(profile__user=enrolment.user)
    return enrolment


def pdf_text(content):
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# --- eligibility ------------------------------------------------------------------------------

def test_the_course_page_says_eligible_with_the_body_and_its_approval(client, course):
    page = client.get(course.url).content.decode()
    assert "Éligible au DIF des élus" in page
    assert "Institut des élus de l&#x27;Oise" in page or "Institut des élus de l'Oise" in page
    assert "AGR-2024-117" in page and "15 mars 2024" in page
    assert reverse("academy:dif_programme", args=[course.pk]) in page


def test_a_course_without_an_approved_body_is_not_said_eligible(client, body):
    no_body = make.course("Sans organisme", dif_eligible=True)
    body.approval_until = timezone.localdate() - timedelta(days=1)
    body.save()
    lapsed = make.course("Agrément échu", dif_eligible=True, training_body=body)
    for course in (no_body, lapsed):
        assert "Éligible au DIF" not in client.get(course.url).content.decode()
        assert client.get(reverse("academy:dif_programme", args=[course.pk])).status_code == 404


def test_the_editor_must_name_the_approved_body_of_an_eligible_course(monkeypatch, course,
                                                                      body):
    from wagtail.admin.forms import WagtailAdminPageForm

    assert issubclass(type(course).get_edit_handler().get_form_class(), CoursePageForm)
    # The page form's own checks need a whole posted page: only the rule added here runs.
    monkeypatch.setattr(WagtailAdminPageForm, "clean", lambda form: form.cleaned_data)

    def errors_of(cleaned):
        form, errors = object.__new__(CoursePageForm), {}
        form.cleaned_data = dict(cleaned)
        form.add_error = lambda field, message: errors.setdefault(field, []).append(message)
        form.clean()
        return errors

    assert "organisme agréé" in str(errors_of({"dif_eligible": True, "training_body": None}))
    assert not errors_of({"dif_eligible": True, "training_body": body})
    assert not errors_of({"dif_eligible": False, "training_body": None})


def test_a_training_body_refuses_a_future_approval_and_a_bad_siret(body):
    from django.core.exceptions import ValidationError

    body.approval_date = timezone.localdate() + timedelta(days=3)
    body.siret = "1234"
    with pytest.raises(ValidationError) as error:
        body.full_clean()
    assert "14 chiffres" in str(error.value)
    assert "dans le futur" in str(error.value)


# --- the élu's declaration ---------------------------------------------------------------------

def test_the_elu_declares_the_request_then_withdraws_it(client, enrolment, elu):
    client.force_login(elu)
    url = reverse("academy:dif_request", args=[enrolment.pk])
    assert "J&#x27;ai fait ma demande" in client.get(url).content.decode() \
        or "J'ai fait ma demande" in client.get(url).content.decode()
    today = timezone.localdate()
    response = client.post(url, {"requested_on": today.isoformat(), "file_reference": "MCE-42"})
    assert response.status_code == 302
    row = DifFunding.objects.get(enrolment=enrolment)
    assert (row.status, row.requested_on, row.file_reference) == (Status.REQUESTED, today,
                                                                    "MCE-42")
    assert "Demande faite le" in client.get(reverse("accounts:home")).content.decode()
    client.post(url, {"action": "withdraw"})
    row.refresh_from_db()
    assert (row.status, row.requested_on) == (Status.NONE, None)


@pytest.mark.parametrize("given, message", [
    ("2099-01-01", "ne peut pas être dans le futur"),
    ("2001-01-01", "plus d&#x27;un an"),
    ("31/02/2026", "Indiquez une date valide"),
    ("", "Indiquez la date de votre demande"),
])
def test_a_bad_request_date_is_refused_in_french(client, enrolment, elu, given, message):
    client.force_login(elu)
    response = client.post(reverse("academy:dif_request", args=[enrolment.pk]),
                           {"requested_on": given})
    assert response.status_code == 200  # the form again, the message next to the field
    assert message in response.content.decode() and "fr-error-text" in response.content.decode()
    assert not DifFunding.objects.filter(status=Status.REQUESTED).exists()


def test_the_elu_cannot_declare_twice_nor_after_the_start_nor_for_someone_else(
        enrolment, elu, session):
    today = timezone.localdate()
    funding.declare_request(enrolment, elu, today)
    with pytest.raises(EnrolmentError, match="déjà déclaré"):
        funding.declare_request(enrolment, elu, today)
    other = elected_enrolment(session)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        funding.declare_request(other, elu, today)
    started = elected_enrolment(make.session(session.course, days=-1))
    with pytest.raises(EnrolmentError, match="a commencé"):
        funding.declare_request(started, started.user, today)
    cancelled = elected_enrolment(session, status=Enrolment.Status.CANCELLED)
    with pytest.raises(EnrolmentError, match="plus active"):
        funding.declare_request(cancelled, cancelled.user, today)


def test_the_dif_is_for_elus_only(client, session):
    enrolment = EnrolmentFactory(session=session)  # a person without a mandate
    with pytest.raises(EnrolmentError, match="droit des élus locaux"):
        funding.declare_request(enrolment, enrolment.user, timezone.localdate())
    client.force_login(enrolment.user)
    assert client.get(reverse("academy:dif_request", args=[enrolment.pk])).status_code == 404
    assert client.get(reverse("academy:dif_quote", args=[enrolment.pk])).status_code == 404
    assert "Financement par le DIF" not in client.get(reverse("accounts:home")).content.decode()


def test_someone_elses_declaration_page_and_quote_are_not_found(client, enrolment):
    intruder = people.user("curieux@exemple.fr")
    client.force_login(intruder)
    assert client.get(reverse("academy:dif_request", args=[enrolment.pk])).status_code == 404
    assert client.post(reverse("academy:dif_request", args=[enrolment.pk]),
                       {"requested_on": timezone.localdate().isoformat()}).status_code == 404
    assert client.get(reverse("academy:dif_quote", args=[enrolment.pk])).status_code == 404
    assert not DifFunding.objects.exists()


def test_the_quote_asks_to_sign_in(client, enrolment):
    response = client.get(reverse("academy:dif_quote", args=[enrolment.pk]))
    assert response.status_code == 302 and "/comptes/" in response["Location"]


# --- ANCT ---------------------------------------------------------------------------------------

def test_anct_grants_or_refuses_a_declared_request(client, enrolment, elu):
    row = funding.declare_request(enrolment, elu, timezone.localdate())
    admin = people.admin()
    client.force_login(admin)
    listing = client.get(reverse("academy_dif_admin:list")).content.decode()
    assert "Aline Martin" in listing and "Accorder" in listing
    client.post(reverse("academy_dif_admin:decide", args=[row.pk, "accorder"]))
    row.refresh_from_db()
    assert row.status == Status.GRANTED and row.decided_by == admin and row.decided_at
    client.force_login(elu)
    assert "Financement accordé le" in client.get(reverse("accounts:home")).content.decode()
    funding.reopen(row.pk, admin)
    refused = funding.decide(row.pk, admin, granted=False, reason="Droits épuisés")
    assert (refused.status, refused.refusal_reason) == (Status.REFUSED, "Droits épuisés")
    assert "Droits épuisés" in client.get(reverse("accounts:home")).content.decode()
    # After a refusal the élu may declare a new request.
    assert funding.declare_request(enrolment, elu, timezone.localdate()).status == \
        Status.REQUESTED


def test_bad_decisions_are_refused_in_french(client, enrolment, elu):
    admin = people.admin()
    none = DifFunding.objects.create(enrolment=enrolment)
    with pytest.raises(EnrolmentError, match="pas déclaré de demande"):
        funding.decide(none.pk, admin, granted=True)
    row = funding.declare_request(enrolment, elu, timezone.localdate())
    with pytest.raises(EnrolmentError, match="motif du refus"):
        funding.decide(row.pk, admin, granted=False, reason="  ")
    with pytest.raises(EnrolmentError, match="500 caractères"):
        funding.decide(row.pk, admin, granted=False, reason="x" * 501)
    funding.decide(row.pk, admin, granted=True)
    with pytest.raises(EnrolmentError, match="déjà accordé"):
        funding.decide(row.pk, admin, granted=False, reason="Erreur")
    with pytest.raises(EnrolmentError, match="déjà accordé"):
        funding.declare_request(enrolment, elu, timezone.localdate())
    with pytest.raises(EnrolmentError, match="déjà enregistrée"):
        funding.withdraw_request(enrolment, elu)
    client.force_login(admin)
    response = client.post(reverse("academy_dif_admin:decide", args=[row.pk, "refuser"]),
                           {"reason": "Erreur"}, follow=True)
    assert "déjà accordé" in response.content.decode()


def test_only_anct_records_decisions(client, enrolment, elu):
    row = funding.declare_request(enrolment, elu, timezone.localdate())
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        funding.decide(row.pk, elu, granted=True)
    editor = people.user("editeur@exemple.fr", role="Éditeur")
    for person in (elu, editor):
        client.force_login(person)
        assert client.post(reverse("academy_dif_admin:decide",
                                   args=[row.pk, "accorder"])).status_code in (302, 403)
    row.refresh_from_db()
    assert row.status == Status.REQUESTED


# --- documents ------------------------------------------------------------------------------------

def test_the_programme_pdf_states_content_hours_dates_place_trainer_and_approval(
        client, session, course):
    response = client.get(reverse("academy:dif_programme", args=[course.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in ("Budget communal pour les élus", "Objectifs pédagogiques",
                     "Comprendre les enjeux", "7 heures", "Beauvais", "Claire Dubois",
                     "Institut des élus de l'Oise", "AGR-2024-117", "15 mars 2024",
                     "DIF élus"):
        assert expected in text, expected


def test_the_quote_pdf_states_price_hours_vat_exemption_and_validity(client, enrolment, elu):
    client.force_login(elu)
    response = client.get(reverse("academy:dif_quote", args=[enrolment.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = " ".join(pdf_text(response.content).split())
    for expected in ("Devis de formation", "Aline Martin", "480,00", "7 heures",
                     "Exonération de TVA", "261, 4, 4° a", "valable jusqu'au",
                     "AGR-2024-117", "12345678900011", funding.quote_reference(enrolment)):
        assert expected in text, expected


def test_a_course_without_price_is_quoted_at_the_default_price(settings, enrolment):
    settings.DIF_DEFAULT_PRICE = "350"
    course = enrolment.session.course
    course.price = None
    assert funding.euros(funding.course_price(course)) == "350,00\u00a0€"
    from academy.funding_documents import quote_html

    enrolment.session.course.price = None
    assert "350,00" in quote_html(enrolment)


def test_the_quote_is_valid_thirty_days_but_not_past_the_first_day(enrolment):
    today = timezone.localdate()
    start = timezone.localtime(enrolment.session.start).date()
    assert funding.quote_validity(enrolment, today) == min(today + timedelta(days=30), start)
    assert funding.quote_validity(enrolment, start - timedelta(days=2)) == start


# --- Mon espace and dashboards -------------------------------------------------------------------

def test_mon_espace_lists_the_eligible_enrolments_with_both_documents(client, enrolment, elu):
    client.force_login(elu)
    page = client.get(reverse("accounts:home")).content.decode()
    assert "Financement par le DIF des élus" in page
    assert reverse("academy:dif_quote", args=[enrolment.pk]) in page
    assert reverse("academy:dif_programme", args=[enrolment.session.course_id]) in page
    assert "Aucune demande" in page


def test_the_dashboards_count_requests_granted_and_refused_by_departement(
        client, session, course, communes, elu):
    admin = people.admin()
    rows = [elected_enrolment(session) for _ in range(3)]
    declared = [funding.declare_request(e, e.user, timezone.localdate()) for e in rows]
    funding.decide(declared[0].pk, admin, granted=True)
    funding.decide(declared[1].pk, admin, granted=False, reason="Droits épuisés")
    lille = make.session(course, communes["Lille"], days=50)
    other = elected_enrolment(lille)
    funding.declare_request(other, other.user, timezone.localdate())
    start, end = timezone.localdate(), timezone.localdate() + timedelta(days=90)
    national = indicators.dif(Territory("national"), start, end)
    assert (national["asked"], national["requested"], national["granted"],
            national["refused"]) == (4, 2, 1, 1)
    assert [(r["code"], r["asked"], r["granted"]) for r in national["by_department"]] == [
        ("59", 1, 0), ("60", 3, 1)]
    oise = communes["Beauvais"].department
    assert indicators.dif(Territory("department", oise), start, end)["asked"] == 3
    assert indicators.dif(Territory("national"), end + timedelta(days=1),
                          end + timedelta(days=30))["asked"] == 0
    client.force_login(admin)
    query = f"du={start:%Y-%m-%d}&au={end:%Y-%m-%d}"
    page = client.get(reverse("dashboards:national") + "?" + query).content.decode()
    assert "Financement des formations par le DIF des élus" in page
    export = client.get(reverse("dashboards:table_export",
                                args=["national", "france", "dif-elus", "csv"]) + "?" + query)
    assert export.status_code == 200
    assert "Oise (60);3;1;1;1" in export.content.decode("utf-8-sig")


def test_the_personal_data_export_carries_the_declared_funding(enrolment, elu):
    from privacy.export import personal_data

    funding.declare_request(enrolment, elu, timezone.localdate(), "MCE-42")
    exported = personal_data(elu)["inscriptions"][0]["financement_dif"]
    assert exported["statut"] == "Demande faite"
    assert exported["numero_de_dossier"] == "MCE-42"
    assert exported["demande_faite_le"] == timezone.localdate().isoformat()


def test_the_course_editor_and_the_bodies_snippet_open_for_anct(client, course, body):
    client.force_login(people.admin())
    editor = client.get(reverse("wagtailadmin_pages:edit", args=[course.pk]))
    assert editor.status_code == 200
    assert "Organisme de formation agréé" in editor.content.decode()
    listing = client.get(reverse("wagtailsnippets_academy_trainingbody:list"))
    assert listing.status_code == 200 and "Institut des élus de l" in listing.content.decode()
