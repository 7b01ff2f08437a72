"""Waiting-list offers (a per-session option, academy/offers.py): a freed seat is offered to
the first waitlisted person for a few hours, held meanwhile; accepted, it is theirs;
declined or expired, it goes to the next person. Anyone can leave the waiting list."""

import html
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from academy import offers, services
from academy.models import Enrolment, Mandate, OfficialProfile, Session
from academy.tasks import expire_waitlist_offers
from tests import factories as make

pytestmark = pytest.mark.django_db
Status = Enrolment.Status
TITLE = "Construire le budget communal"


def official(email, commune=None):
    user = get_user_model().objects.create_user(email=email, password="x",
                                                first_name="Élu", last_name=email.split("@")[0])
    profile = OfficialProfile.objects.create(user=user)
    Mandate.objects.create(profile=profile, role="maire", commune=commune,
                           started_on=date(2020, 7, 1))
    return user


@pytest.fixture
def communes():
    return make.geography()


def full_session(communes, mode=Session.WaitlistMode.OFFER, waiting=2, hours=48):
    """One seat, taken by "seat@", and ``waiting`` people queued behind (w0@, w1@…)."""
    session = make.session(make.course(TITLE), communes["Beauvais"], capacity=1,
                           waitlist_mode=mode, offer_hours=hours)
    holder = services.enrol(session.pk, official("seat@example.fr", communes["Paris"]))
    queue = [services.enrol(session.pk, official(f"w{n}@example.fr", communes["Paris"]))
             for n in range(waiting)]
    return session, holder, queue


def subjects_to(email):
    return [m.subject for m in mail.outbox if m.to == [email]]


def text(response):
    return html.unescape(response.content.decode())


def reload(enrolment):
    enrolment.refresh_from_db()
    return enrolment


def lapse(enrolment):
    """As if the offer's deadline had passed."""
    Enrolment.objects.filter(pk=enrolment.pk).update(
        offer_expires_at=timezone.now() - timedelta(minutes=1))


def test_option_off_promotes_the_first_waitlisted_automatically_as_before(
        communes, django_capture_on_commit_callbacks):
    session, holder, queue = full_session(communes, mode=Session.WaitlistMode.AUTOMATIC)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(holder.pk, holder.user)
    assert reload(queue[0]).status == Status.CONFIRMED
    assert reload(queue[1]).status == Status.WAITLISTED
    assert subjects_to("w0@example.fr")[-1] == f"Une place s'est libérée : {TITLE}"


def test_a_cancellation_offers_the_seat_to_the_first_in_queue_with_a_paris_deadline(
        communes, django_capture_on_commit_callbacks):
    session, holder, queue = full_session(communes)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(holder.pk, holder.user)
    first = reload(queue[0])
    assert first.status == Status.OFFERED
    assert first.offer_expires_at - first.offered_at == timedelta(hours=48)
    assert reload(queue[1]).status == Status.WAITLISTED
    [message] = [m for m in mail.outbox if m.to == ["w0@example.fr"]]
    assert message.subject == f"Une place vous est proposée : {TITLE}"
    local = timezone.localtime(first.offer_expires_at)  # Europe/Paris
    assert f"{local.hour} h" in message.body and "(heure de Paris)" in message.body
    assert offers.offer_url(first) in message.body


def test_an_open_offer_holds_the_seat_so_nobody_else_gets_it(communes):
    session, holder, queue = full_session(communes, waiting=1)
    services.cancel(holder.pk, holder.user)
    newcomer = services.enrol(session.pk, official("late@example.fr", communes["Paris"]))
    assert newcomer.status == Status.WAITLISTED
    assert Session.objects.with_seats().get(pk=session.pk).seats_left == 0


def test_accepting_the_offer_confirms_the_enrolment_and_says_so(
        communes, django_capture_on_commit_callbacks):
    session, holder, queue = full_session(communes)
    services.cancel(holder.pk, holder.user)
    with django_capture_on_commit_callbacks(execute=True):
        offers.accept(queue[0].pk, queue[0].user)
    assert reload(queue[0]).status == Status.CONFIRMED
    assert subjects_to("w0@example.fr").count(f"Inscription confirmée : {TITLE}") == 1
    assert reload(queue[1]).status == Status.WAITLISTED


def test_declining_offers_the_seat_to_the_next_person(communes,
                                                      django_capture_on_commit_callbacks):
    session, holder, queue = full_session(communes)
    services.cancel(holder.pk, holder.user)
    with django_capture_on_commit_callbacks(execute=True):
        offers.decline(queue[0].pk, queue[0].user)
    assert reload(queue[0]).status == Status.OFFER_DECLINED
    assert reload(queue[1]).status == Status.OFFERED
    assert subjects_to("w0@example.fr").count(f"Place déclinée : {TITLE}") == 1
    [offer] = [m for m in mail.outbox if m.to == ["w1@example.fr"]
               and m.subject.startswith("Une place vous est proposée")]
    assert "n'a pas pris la place" in offer.body  # passed on


def test_expiry_job_run_twice_offers_the_next_person_once(communes,
                                                          django_capture_on_commit_callbacks):
    session, holder, queue = full_session(communes)
    services.cancel(holder.pk, holder.user)
    lapse(queue[0])
    with django_capture_on_commit_callbacks(execute=True):
        assert expire_waitlist_offers() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert expire_waitlist_offers() == 0
    assert reload(queue[0]).status == Status.OFFER_EXPIRED
    assert reload(queue[1]).status == Status.OFFERED
    assert subjects_to("w0@example.fr").count(f"Proposition expirée : {TITLE}") == 1
    assert subjects_to("w1@example.fr").count(f"Une place vous est proposée : {TITLE}") == 1


def test_accepting_after_the_deadline_is_refused_in_french_even_before_the_job(communes):
    session, holder, queue = full_session(communes)
    services.cancel(holder.pk, holder.user)
    lapse(queue[0])
    with pytest.raises(services.EnrolmentError, match="Le délai pour accepter cette place "
                                                      "est dépassé"):
        offers.accept(queue[0].pk, queue[0].user)
    assert reload(queue[0]).status == Status.OFFER_EXPIRED  # closed on read
    assert reload(queue[1]).status == Status.OFFERED
    with pytest.raises(services.EnrolmentError, match="délai"):
        offers.accept(queue[0].pk, queue[0].user)


def test_nobody_answers_someone_elses_offer(communes):
    session, holder, queue = full_session(communes)
    services.cancel(holder.pk, holder.user)
    from django.core.exceptions import PermissionDenied
    with pytest.raises(PermissionDenied):
        offers.accept(queue[0].pk, queue[1].user)


def test_offer_hours_are_bounded_with_a_french_message(communes):
    session = make.session(make.course(TITLE), communes["Beauvais"], offer_hours=200)
    with pytest.raises(ValidationError) as error:
        session.full_clean()
    assert "au plus 168 heures" in str(error.value)
    session.offer_hours = 0
    with pytest.raises(ValidationError, match="au moins 1 heure"):
        session.full_clean()


def test_an_offer_never_runs_past_the_start(communes):
    session, holder, queue = full_session(communes, hours=168)
    Session.objects.filter(pk=session.pk).update(
        start=timezone.now() + timedelta(hours=3), end=timezone.now() + timedelta(hours=6),
        cancellation_deadline=timezone.now() + timedelta(hours=2))
    services.cancel(holder.pk, holder.user)
    assert reload(queue[0]).offer_expires_at <= timezone.now() + timedelta(hours=3)


# --- pages ------------------------------------------------------------------------------------
def test_mon_espace_shows_the_position_and_the_open_offer_with_its_answers(client, communes):
    session, holder, queue = full_session(communes)
    client.force_login(queue[1].user)
    page = text(client.get(reverse("accounts:home")))
    assert "2e sur la liste d'attente" in page
    assert "Quitter la liste d'attente" in page
    services.cancel(holder.pk, holder.user)
    client.force_login(queue[0].user)
    page = text(client.get(reverse("accounts:home")))
    assert "Une place vous est proposée" in page and "(heure de Paris)" in page
    assert "Accepter la place" in page and "Décliner la place" in page


def test_the_emailed_link_works_logged_out_then_accepts(client, communes,
                                                        django_capture_on_commit_callbacks):
    session, holder, queue = full_session(communes)
    services.cancel(holder.pk, holder.user)
    path = offers.offer_path(reload(queue[0]))
    response = client.get(path)
    assert response.status_code == 302 and "next=" in response["Location"]
    client.force_login(queue[0].user)
    page = client.get(path)
    assert page.status_code == 200 and "Répondez avant le" in text(page)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, {"choix": "accepter"}, follow=True)
    assert "est confirmée" in text(response)
    assert reload(queue[0]).status == Status.CONFIRMED


def test_declining_from_mon_espace(client, communes):
    session, holder, queue = full_session(communes)
    services.cancel(holder.pk, holder.user)
    client.force_login(queue[0].user)
    response = client.post(offers.offer_path(reload(queue[0])), {"choix": "decliner"},
                           follow=True)
    assert "elle ne vous est plus réservée" in text(response)
    assert reload(queue[1]).status == Status.OFFERED


def test_an_expired_offer_page_says_so_and_refuses_acceptance(client, communes):
    session, holder, queue = full_session(communes)
    services.cancel(holder.pk, holder.user)
    lapse(queue[0])
    client.force_login(queue[0].user)
    path = offers.offer_path(reload(queue[0]))
    assert "Cette proposition a expiré" in text(client.get(path))
    response = client.post(path, {"choix": "accepter"}, follow=True)
    assert "Le délai pour accepter cette place est dépassé" in text(response)
    assert reload(queue[0]).status == Status.OFFER_EXPIRED


def test_bad_links_and_answers_never_fail(client, communes):
    session, holder, queue = full_session(communes)
    services.cancel(holder.pk, holder.user)
    client.force_login(queue[1].user)
    assert client.get("/inscriptions/offres/n-importe-quoi/").status_code == 404
    # someone else's offer: not found
    assert client.get(offers.offer_path(reload(queue[0]))).status_code == 404
    client.force_login(queue[0].user)
    path = offers.offer_path(reload(queue[0]))
    response = client.post(path, {"choix": "peut-être"}, follow=True)
    assert "Choisissez « Accepter la place »" in text(response)
    assert reload(queue[0]).status == Status.OFFERED


def test_leaving_the_waiting_list_asks_first_then_leaves_and_emails_once(
        client, communes, django_capture_on_commit_callbacks):
    session, holder, queue = full_session(communes)
    client.force_login(queue[0].user)
    url = reverse("academy:leave_waitlist", args=[queue[0].pk])
    page = text(client.get(url))
    assert "Voulez-vous vraiment quitter la liste d'attente" in page
    assert "1er sur la liste d'attente" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert reload(queue[0]).status == Status.CANCELLED
    assert reload(queue[1]).waitlist_position() == 1
    assert subjects_to("w0@example.fr").count(f"Liste d'attente quittée : {TITLE}") == 1
    # again: nothing to leave, no second message
    assert client.post(url).status_code == 302
    assert subjects_to("w0@example.fr").count(f"Liste d'attente quittée : {TITLE}") == 1


def test_someone_elses_waiting_list_place_cannot_be_left(client, communes):
    session, holder, queue = full_session(communes)
    client.force_login(queue[1].user)
    url = reverse("academy:leave_waitlist", args=[queue[0].pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert reload(queue[0]).status == Status.WAITLISTED


def test_the_session_admin_form_offers_the_choice_and_bounds_the_delay(client, communes):
    from accounts.roles import Role

    client.force_login(make.staff_user(Role.ANCT_EDITOR))
    session = make.session(make.course(TITLE), communes["Beauvais"])
    url = reverse("wagtailsnippets_academy_session:edit", args=[session.pk])
    page = text(client.get(url))
    assert "Quand une place se libère" in page
    assert "Place proposée au suivant, qui l'accepte ou la décline" in page
    assert "Délai pour accepter (heures)" in page


def test_more_seats_in_offer_mode_are_offered_in_queue_order(communes):
    session, holder, queue = full_session(communes, waiting=3)
    services.change_capacity(session.pk, 3)
    assert [reload(e).status for e in queue] == [Status.OFFERED, Status.OFFERED,
                                                 Status.WAITLISTED]
    assert reload(queue[2]).waitlist_rank() == "1er sur la liste d'attente"


def test_an_erased_account_holding_an_offer_passes_the_seat_on(communes):
    from privacy.services import _withdraw_upcoming_enrolments

    session, holder, queue = full_session(communes)
    services.cancel(holder.pk, holder.user)
    _withdraw_upcoming_enrolments(queue[0].user, timezone.now())
    assert reload(queue[0]).status == Status.CANCELLED
    assert reload(queue[1]).status == Status.OFFERED


def test_declining_the_last_one_waiting_says_the_seat_is_free_again(
        communes, django_capture_on_commit_callbacks):
    session, holder, queue = full_session(communes, waiting=1)
    services.cancel(holder.pk, holder.user)
    with django_capture_on_commit_callbacks(execute=True):
        offers.decline(queue[0].pk, queue[0].user)
    [message] = [m for m in mail.outbox if m.subject.startswith("Place déclinée")]
    assert "Personne d'autre n'attend : elle est de nouveau libre." in message.body
    assert Session.objects.with_seats().get(pk=session.pk).seats_left == 1
