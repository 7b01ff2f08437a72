"""Reminders and decision notices of the programme: each reminder reaches the person who
acts, at its threshold, exactly once however often (and on however many days) its job
runs; people turn reminders off in "Mon espace"; decisions always reach the structure,
and the préfet where the posts of the territory change."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import NoticePreference, SentNotice
from accounts.preferences import field_name
from advisors import reminders, services
from advisors.models import (
    Amendment,
    Contract,
    ContractExtension,
    Convention,
    PrefectAssignment,
    PrefectOpinion,
)
from advisors.tasks import send_prefect_digests

from . import factories as make

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
NOW = timezone.now()
# A Wednesday (this week's or the next): the weekly digests' week goes on the next day too.
WEDNESDAY = NOW + timedelta(days=(2 - TODAY.weekday()) % 7)
COMMENT = "Projet cohérent avec le schéma départemental."


def run(capture, job, *args, **kwargs):
    with capture(execute=True):
        return job(*args, **kwargs)


def sent_to(mailoutbox, user):
    return [message for message in mailoutbox if user.email in message.to]


def html_of(message):
    return next(content for content, kind in message.alternatives if kind == "text/html")


def turn_off(user, kind):
    NoticePreference.objects.create(user=user, kind=kind, enabled=False)


def opinion(application, prefect, days_ago):
    return PrefectOpinion.objects.create(
        application=application, verdict="favourable", comment=COMMENT, author=prefect,
        given_at=NOW - timedelta(days=days_ago))


def filed(structure, days_ago, **fields):
    application = make.application(structure, **fields)
    type(application).objects.filter(pk=application.pk).update(
        created_at=NOW - timedelta(days=days_ago))
    return application


# --- préfet: opinions overdue -----------------------------------------------------------------
@pytest.fixture
def overdue(communes, oise_prefect):
    """In the Oise: an application waiting 16 days, an amendment 20 days, and an
    application filed 3 days ago (not yet overdue)."""
    old = filed(make.structure(communes["Beauvais"], name="Mairie de Beauvais"), 16)
    amendment = make.AmendmentFactory(
        convention=make.convention(make.structure(communes["Compiègne"], name="CCAS de Compiègne"),
                                   start=date(2025, 1, 1), end=date(2028, 1, 1)),
        requested_at=NOW - timedelta(days=20))
    recent = filed(make.structure(communes["Beauvais"], name="Médiathèque récente"), 3)
    return old, amendment, recent


def test_the_prefect_gets_the_files_waiting_for_his_opinion_beyond_15_days_once_a_week(
        overdue, oise_prefect, mailoutbox, django_capture_on_commit_callbacks):
    old, amendment, recent = overdue
    job = reminders.remind_prefects_of_overdue_opinions
    assert run(django_capture_on_commit_callbacks, job, now=WEDNESDAY) == 1
    assert run(django_capture_on_commit_callbacks, job, now=WEDNESDAY) == 0
    assert run(django_capture_on_commit_callbacks, job,
               now=WEDNESDAY + timedelta(days=1)) == 0
    [message] = sent_to(mailoutbox, oise_prefect)
    assert message.subject == ("[Conseillers numériques] 2 dossiers en attente de votre avis "
                               "depuis plus de 15 jours")
    assert "Mairie de Beauvais" in message.body and "CCAS de Compiègne" in message.body
    assert "Médiathèque récente" not in message.body
    assert settings.SITE_URL + reverse("advisors:application", args=[old.pk]) in message.body
    assert settings.SITE_URL + reverse("advisors:amendment", args=[amendment.pk]) in message.body
    assert reverse("advisors:prefect_applications") in html_of(message)
    # The next week, what still waits is listed again (a weekly digest).
    mailoutbox.clear()
    assert run(django_capture_on_commit_callbacks, job,
               now=WEDNESDAY + timedelta(days=14)) == 1
    assert "Médiathèque récente" in sent_to(mailoutbox, oise_prefect)[0].body


def test_a_given_opinion_takes_the_file_out_of_the_prefects_reminder(
        overdue, oise_prefect, mailoutbox, django_capture_on_commit_callbacks):
    old, amendment, _ = overdue
    services.give_opinion(old, oise_prefect, "favourable", COMMENT)
    services.give_opinion(amendment, oise_prefect, "favourable", COMMENT)
    assert run(django_capture_on_commit_callbacks,
               reminders.remind_prefects_of_overdue_opinions, now=NOW) == 0
    assert mailoutbox == []


def test_a_prefect_of_another_departement_is_not_reminded_of_the_oise(
        overdue, communes, mailoutbox, django_capture_on_commit_callbacks):
    nord = make.prefect(department=communes["Lille"].department)
    run(django_capture_on_commit_callbacks, reminders.remind_prefects_of_overdue_opinions,
        now=NOW)
    assert sent_to(mailoutbox, nord) == []


# --- ANCT: the committee ------------------------------------------------------------------------
def test_anct_administrators_get_the_applications_waiting_for_the_committee_beyond_30_days(
        communes, oise_prefect, admin, mailoutbox, django_capture_on_commit_callbacks):
    waiting = filed(make.structure(communes["Beauvais"], name="Mairie de Beauvais"), 60)
    opinion(waiting, oise_prefect, days_ago=31)
    fresh = filed(make.structure(communes["Compiègne"], name="Mairie de Compiègne"), 60)
    opinion(fresh, oise_prefect, days_ago=10)
    job = reminders.remind_committee_of_waiting_applications
    assert run(django_capture_on_commit_callbacks, job, now=NOW) == 1
    assert run(django_capture_on_commit_callbacks, job, now=NOW) == 0
    [message] = sent_to(mailoutbox, admin)
    assert "1 candidature en attente du comité depuis plus de 30 jours" in message.subject
    assert "Mairie de Beauvais" in message.body and "Compiègne" not in message.body
    assert reverse("advisors_applications:inspect", args=[waiting.pk]) in message.body
    assert sent_to(mailoutbox, oise_prefect) == []


def test_a_decided_application_no_longer_waits_for_the_committee(
        communes, oise_prefect, admin, mailoutbox, django_capture_on_commit_callbacks):
    application = filed(make.structure(communes["Beauvais"]), 60)
    opinion(application, oise_prefect, days_ago=31)
    services.decide(application, admin, "refused", decision_number="COSELEC-9")
    mailoutbox.clear()
    assert run(django_capture_on_commit_callbacks,
               reminders.remind_committee_of_waiting_applications, now=NOW) == 0


# --- structure managers: conventions ----------------------------------------------------------
def test_the_manager_is_reminded_90_then_30_days_before_the_convention_ends_once_each(
        structure, manager, mailoutbox, django_capture_on_commit_callbacks):
    end = TODAY + timedelta(days=200)
    convention = make.convention(structure, start=date(2024, 1, 1), end=end)
    job = reminders.remind_of_ending_conventions
    for days_before in (91, 90, 89, 31, 30, 29, 1):
        run(django_capture_on_commit_callbacks, job, today=end - timedelta(days=days_before))
        run(django_capture_on_commit_callbacks, job, today=end - timedelta(days=days_before))
    first, second = sent_to(mailoutbox, manager)
    assert first.subject.startswith("[Conseillers numériques] Fin de convention dans 90 jours")
    assert second.subject.startswith("[Conseillers numériques] Fin de convention dans 30 jours")
    assert settings.SITE_URL + reverse("advisors:renewal_start", args=[convention.pk]) \
        in first.body
    assert "Engager le reconventionnement" in html_of(first)
    assert SentNotice.objects.filter(kind=reminders.CONVENTION_ENDING).count() == 2


def test_a_job_that_runs_late_sends_only_the_threshold_reached(
        structure, manager, mailoutbox, django_capture_on_commit_callbacks):
    end = TODAY + timedelta(days=25)
    make.convention(structure, start=date(2024, 1, 1), end=end)
    run(django_capture_on_commit_callbacks, reminders.remind_of_ending_conventions)
    [message] = sent_to(mailoutbox, manager)
    assert "dans 25 jours" in message.subject


def test_a_convention_whose_renewal_is_engaged_brings_no_reminder(
        structure, manager, mailoutbox, django_capture_on_commit_callbacks):
    convention = make.convention(structure, start=date(2024, 1, 1),
                                 end=TODAY + timedelta(days=30))
    Convention.objects.create(structure=structure, kind=Convention.Kind.RENEWAL,
                              previous=convention, status=Convention.Status.INITIATED,
                              posts=2, start=convention.end + timedelta(days=1),
                              end=convention.end + timedelta(days=3 * 365))
    assert run(django_capture_on_commit_callbacks, reminders.remind_of_ending_conventions) == 0


# --- structure managers: contracts ------------------------------------------------------------
def test_the_manager_is_reminded_60_then_15_days_before_a_contract_ends_once_each(
        structure, manager, mailoutbox, django_capture_on_commit_callbacks):
    advisor = make.advisor(first_name="Inès", last_name="Morel")
    end = TODAY + timedelta(days=100)
    contract = make.contract(structure, advisor, start=TODAY - timedelta(days=200), end=end)
    job = reminders.remind_of_ending_contracts
    for days_before in (61, 60, 59, 16, 15, 14, 0):
        run(django_capture_on_commit_callbacks, job, today=end - timedelta(days=days_before))
        run(django_capture_on_commit_callbacks, job, today=end - timedelta(days=days_before))
    first, second = sent_to(mailoutbox, manager)
    assert first.subject == "[Conseillers numériques] Fin de contrat dans 60 jours : Inès Morel"
    assert second.subject == "[Conseillers numériques] Fin de contrat dans 15 jours : Inès Morel"
    assert settings.SITE_URL + reverse("advisors:extension_request", args=[contract.pk]) \
        in first.body


def test_an_extended_contract_is_reminded_again_before_its_new_end(
        structure, manager, admin, mailoutbox, django_capture_on_commit_callbacks):
    contract = make.contract(structure, make.advisor(), start=TODAY - timedelta(days=200),
                             end=TODAY + timedelta(days=15))
    run(django_capture_on_commit_callbacks, reminders.remind_of_ending_contracts)
    extension = services.request_extension(contract, manager, TODAY + timedelta(days=60))
    services.decide_extension(extension, admin, approve=True)
    mailoutbox.clear()
    run(django_capture_on_commit_callbacks, reminders.remind_of_ending_contracts)
    [message] = sent_to(mailoutbox, manager)
    assert "dans 60 jours" in message.subject


def test_a_pending_extension_is_mentioned_instead_of_asking_for_one(
        structure, manager, mailoutbox, django_capture_on_commit_callbacks):
    contract = make.contract(structure, make.advisor(), start=TODAY - timedelta(days=200),
                             end=TODAY + timedelta(days=10))
    ContractExtension.objects.create(contract=contract, new_end=TODAY + timedelta(days=100),
                                     previous_end=contract.end)
    run(django_capture_on_commit_callbacks, reminders.remind_of_ending_contracts)
    [message] = sent_to(mailoutbox, manager)
    assert "attend la décision de l'ANCT" in message.body


def test_open_ended_and_ruptured_contracts_bring_no_end_reminder(
        structure, manager, mailoutbox, django_capture_on_commit_callbacks):
    make.contract(structure, make.advisor(), kind=Contract.Kind.CDI)
    make.contract(structure, make.advisor(), end=TODAY + timedelta(days=10),
                  rupture_status=Contract.Rupture.REQUESTED, rupture_reason="resignation",
                  rupture_date=TODAY + timedelta(days=5))
    assert run(django_capture_on_commit_callbacks, reminders.remind_of_ending_contracts) == 0


def test_a_recruitment_waiting_15_days_for_validation_is_told_once(
        structure, manager, mailoutbox, django_capture_on_commit_callbacks):
    waiting = make.contract(structure, make.advisor(first_name="Léa", last_name="Roux"),
                            status=Contract.Status.SUBMITTED)
    Contract.objects.filter(pk=waiting.pk).update(created_at=NOW - timedelta(days=16))
    make.contract(structure, make.advisor(), status=Contract.Status.SUBMITTED)  # today
    job = reminders.remind_of_pending_recruitments
    assert run(django_capture_on_commit_callbacks, job, now=NOW) == 1
    assert run(django_capture_on_commit_callbacks, job, now=NOW + timedelta(days=1)) == 0
    [message] = sent_to(mailoutbox, manager)
    assert message.subject == ("[Conseillers numériques] Recrutement en attente de "
                               "validation : Léa Roux")
    assert reverse("advisors:structure", args=[structure.pk]) in message.body


# --- advisors: activity reports ---------------------------------------------------------------
def test_an_advisor_without_a_report_for_30_days_is_reminded_once_per_silence(
        structure, communes, mailoutbox, django_capture_on_commit_callbacks):
    user = make.user(email="ines@conseiller-numerique.fr", first_name="Inès")
    advisor = make.advisor(account=user)
    make.contract(structure, advisor, start=TODAY - timedelta(days=100))
    make.activity_report(advisor, communes["Beauvais"], date=TODAY - timedelta(days=29))
    job = reminders.remind_advisors_without_reports
    assert run(django_capture_on_commit_callbacks, job) == 0
    assert run(django_capture_on_commit_callbacks, job, today=TODAY + timedelta(days=1)) == 1
    assert run(django_capture_on_commit_callbacks, job, today=TODAY + timedelta(days=2)) == 0
    [message] = sent_to(mailoutbox, user)
    assert "Bonjour Inès" in message.body
    assert "Votre dernier compte rendu d'activité date du" in message.body
    assert settings.SITE_URL + reverse("advisors:report_create") in message.body
    # A new report, then 30 silent days again: a new reminder.
    make.activity_report(advisor, communes["Beauvais"], date=TODAY + timedelta(days=2))
    assert run(django_capture_on_commit_callbacks, job, today=TODAY + timedelta(days=10)) == 0
    assert run(django_capture_on_commit_callbacks, job, today=TODAY + timedelta(days=32)) == 1


def test_a_new_advisor_is_reminded_30_days_after_the_start_of_the_contract(
        structure, mailoutbox, django_capture_on_commit_callbacks):
    user = make.user(email="nouveau@conseiller-numerique.fr")
    advisor = make.advisor(account=user)
    make.contract(structure, advisor, start=TODAY - timedelta(days=29))
    job = reminders.remind_advisors_without_reports
    assert run(django_capture_on_commit_callbacks, job) == 0
    assert run(django_capture_on_commit_callbacks, job, today=TODAY + timedelta(days=1)) == 1
    assert "aucun compte rendu d'activité depuis le début de votre contrat" in \
        sent_to(mailoutbox, user)[0].body


def test_an_advisor_no_longer_under_contract_is_not_reminded(
        structure, mailoutbox, django_capture_on_commit_callbacks):
    advisor = make.advisor(account=make.user())
    make.contract(structure, advisor, start=TODAY - timedelta(days=300),
                  end=TODAY - timedelta(days=1))
    assert run(django_capture_on_commit_callbacks,
               reminders.remind_advisors_without_reports) == 0


# --- all the beat jobs together ---------------------------------------------------------------
BEAT_JOBS = [name for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
             if entry["task"].startswith("advisors.reminders.")]


def test_every_reminder_is_a_beat_job_of_a_registered_task():
    from config.celery import app

    assert len(BEAT_JOBS) == 6
    for name in BEAT_JOBS:
        assert settings.CELERY_BEAT_SCHEDULE[name]["task"] in app.tasks


def test_running_every_beat_job_twice_on_two_days_sends_each_notice_exactly_once(
        communes, structure, manager, oise_prefect, admin, overdue, mailoutbox,
        django_capture_on_commit_callbacks):
    from config.celery import app

    waiting = filed(make.structure(communes["Lille"], name="Mairie de Lille"), 60)
    opinion(waiting, make.prefect(department=communes["Lille"].department), days_ago=40)
    make.convention(structure, start=date(2024, 1, 1), end=TODAY + timedelta(days=80))
    make.contract(structure, make.advisor(), start=TODAY - timedelta(days=200),
                  end=TODAY + timedelta(days=50))
    pending = make.contract(structure, make.advisor(), status=Contract.Status.SUBMITTED)
    Contract.objects.filter(pk=pending.pk).update(created_at=NOW - timedelta(days=20))
    silent = make.user(email="silencieuse@conseiller-numerique.fr")
    make.contract(structure, make.advisor(account=silent), start=TODAY - timedelta(days=45))
    tasks = [app.tasks[settings.CELERY_BEAT_SCHEDULE[name]["task"]] for name in BEAT_JOBS]
    for _ in range(2):
        for task in tasks:
            with django_capture_on_commit_callbacks(execute=True):
                task.apply()
    subjects = sorted(message.subject for message in mailoutbox)
    assert len(subjects) == len(set(subjects)) == 6, subjects
    # The next day (Tuesday or not), nothing new is due.
    tomorrow = TODAY + timedelta(days=1)
    for job, kwargs in [(reminders.remind_of_ending_conventions, {"today": tomorrow}),
                        (reminders.remind_of_ending_contracts, {"today": tomorrow}),
                        (reminders.remind_of_pending_recruitments,
                         {"now": NOW + timedelta(days=1)}),
                        (reminders.remind_advisors_without_reports, {"today": tomorrow})]:
        assert run(django_capture_on_commit_callbacks, job, **kwargs) == 0
    assert len(mailoutbox) == 6


# --- preferences -------------------------------------------------------------------------------
def test_a_reminder_turned_off_is_not_sent_and_comes_back_when_turned_on(
        structure, manager, mailoutbox, django_capture_on_commit_callbacks):
    make.convention(structure, start=date(2024, 1, 1), end=TODAY + timedelta(days=80))
    turn_off(manager, reminders.CONVENTION_ENDING)
    assert run(django_capture_on_commit_callbacks, reminders.remind_of_ending_conventions) == 0
    assert mailoutbox == [] and not SentNotice.objects.exists()
    NoticePreference.objects.filter(user=manager).update(enabled=True)
    assert run(django_capture_on_commit_callbacks, reminders.remind_of_ending_conventions) == 1


def test_each_kind_is_turned_off_on_its_own(
        structure, manager, mailoutbox, django_capture_on_commit_callbacks):
    make.convention(structure, start=date(2024, 1, 1), end=TODAY + timedelta(days=80))
    make.contract(structure, make.advisor(), start=TODAY - timedelta(days=200),
                  end=TODAY + timedelta(days=50))
    turn_off(manager, reminders.CONTRACT_ENDING)
    assert run(django_capture_on_commit_callbacks, reminders.remind_of_ending_contracts) == 0
    assert run(django_capture_on_commit_callbacks, reminders.remind_of_ending_conventions) == 1


def test_the_other_manager_still_gets_the_reminder_one_turned_off(
        structure, manager, mailoutbox, django_capture_on_commit_callbacks):
    other = make.user(email="adjointe@mairie-beauvais.fr")
    structure.managers.add(other)
    make.convention(structure, start=date(2024, 1, 1), end=TODAY + timedelta(days=80))
    turn_off(manager, reminders.CONVENTION_ENDING)
    run(django_capture_on_commit_callbacks, reminders.remind_of_ending_conventions)
    assert [message.to for message in mailoutbox] == [[other.email]]


def test_a_prefect_who_turned_reminders_off_gets_neither_digest(
        overdue, oise_prefect, mailoutbox, django_capture_on_commit_callbacks):
    PrefectAssignment.objects.update(created_at=NOW - timedelta(days=30))
    turn_off(oise_prefect, reminders.OVERDUE_OPINIONS)
    turn_off(oise_prefect, reminders.PREFECT_DIGEST)
    run(django_capture_on_commit_callbacks, reminders.remind_prefects_of_overdue_opinions,
        now=NOW)
    run(django_capture_on_commit_callbacks, send_prefect_digests)
    assert mailoutbox == []
    # The daily digest's window moved on: turned on again, old files are not sent at once.
    NoticePreference.objects.filter(user=oise_prefect).delete()
    assert run(django_capture_on_commit_callbacks, send_prefect_digests) == 0


def test_decisions_are_sent_even_with_every_reminder_turned_off(
        structure, manager, admin, mailoutbox, django_capture_on_commit_callbacks):
    for notice in reminders.OPTIONAL_NOTICES:
        turn_off(manager, notice.kind)
    contract = make.contract(structure, make.advisor(), start=TODAY - timedelta(days=100),
                             end=TODAY + timedelta(days=100))
    extension = services.request_extension(contract, manager, TODAY + timedelta(days=200))
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_extension(extension, admin, approve=False)
    assert len(sent_to(mailoutbox, manager)) == 1


# --- the preferences page -------------------------------------------------------------------
def test_the_manager_chooses_the_reminders_of_a_manager_in_mon_espace(client, structure, manager):
    client.force_login(manager)
    home = client.get(reverse("accounts:home")).content.decode()
    assert reverse("accounts:notices") in home
    page = client.get(reverse("accounts:notices")).content.decode()
    assert "Fin de convention" in page and "Fin de contrat d&#x27;un conseiller" in page
    assert "Avis en attente" not in page and "compte rendu" not in page
    assert "toujours envoyées" in page
    response = client.post(reverse("accounts:notices"), {
        field_name(reminders.CONVENTION_ENDING): "on",
        field_name(reminders.RECRUITMENT_PENDING): "on"})
    assert response.status_code == 302
    assert dict(NoticePreference.objects.filter(user=manager).values_list("kind", "enabled")) \
        == {reminders.CONVENTION_ENDING: True, reminders.CONTRACT_ENDING: False,
            reminders.RECRUITMENT_PENDING: True}
    page = client.get(reverse("accounts:notices")).content.decode()
    assert "Vos choix de notifications sont enregistrés" in page


def test_the_kept_preferences_page_follows_choices_and_managed_structures(client, structure,
                                                                          manager):
    """The page is kept whole for the session (core.personal_pages): a choice saved, or the
    structure no longer managed, shows on the next visit."""
    client.force_login(manager)
    url = reverse("accounts:notices")
    for _ in range(3):
        response = client.get(url)
    assert response["X-Page-Cache"] == "personal"
    client.post(url, {field_name(reminders.CONVENTION_ENDING): "on"})
    page = client.get(url)  # the message "enregistrés", rendered
    assert "X-Page-Cache" not in page
    assert "Vos choix de notifications sont enregistrés" in page.content.decode()
    for _ in range(2):
        response = client.get(url)
    assert response["X-Page-Cache"] == "personal"
    structure.managers.remove(manager)
    page = client.get(url)
    assert "X-Page-Cache" not in page
    assert "Fin de convention" not in page.content.decode()


def test_an_advisor_sees_only_the_report_reminder(advisor_client):
    page = advisor_client.get(reverse("accounts:notices")).content.decode()
    assert "Aucun compte rendu d&#x27;activité depuis 30 jours" in page
    assert "Fin de convention" not in page


def test_someone_no_reminder_concerns_is_told_so_and_mon_espace_has_no_link(client):
    person = make.user(email="habitant@example.fr")
    client.force_login(person)
    assert reverse("accounts:notices") not in client.get(reverse("accounts:home")).content.decode()
    page = client.get(reverse("accounts:notices")).content.decode()
    assert "Aucun rappel facultatif ne vous concerne" in page


def test_the_preferences_page_needs_a_login_and_ignores_other_peoples_kinds(client, manager,
                                                                           structure):
    assert client.get(reverse("accounts:notices")).status_code == 302
    client.force_login(manager)
    client.post(reverse("accounts:notices"), {field_name(reminders.OVERDUE_OPINIONS): "on",
                                               "inconnu": "x" * 5000})
    assert not NoticePreference.objects.filter(kind=reminders.OVERDUE_OPINIONS).exists()
    assert not NoticePreference.objects.filter(kind="inconnu").exists()


# --- decisions: to the structure and the préfet ---------------------------------------------
@pytest.fixture
def convention(structure):
    return make.convention(structure, posts=2, start=date(2025, 1, 1), end=date(2028, 1, 1))


def test_an_amendment_decision_reaches_the_structure_and_the_prefect(
        convention, manager, admin, oise_prefect, mailoutbox,
        django_capture_on_commit_callbacks):
    amendment = make.AmendmentFactory(convention=convention,
                                      status=Amendment.Status.PENDING_DECISION, posts=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_amendment(amendment, admin, "validated", "Accordé au vu de l'avis.")
    [message] = mailoutbox
    assert set(message.to) == {manager.email, oise_prefect.email}
    assert "Avenant validé" in message.subject
    assert "ajout de 2 postes" in message.body and "Accordé au vu de l'avis." in message.body
    assert reverse("advisors:amendment", args=[amendment.pk]) in html_of(message)


def test_a_validated_rupture_reaches_the_structure_and_the_prefect_a_refused_one_the_structure(
        structure, manager, admin, oise_prefect, mailoutbox,
        django_capture_on_commit_callbacks):
    advisor = make.advisor(first_name="Léa", last_name="Roux")
    contract = make.contract(structure, advisor, start=TODAY - timedelta(days=100),
                             end=TODAY + timedelta(days=100))
    services.request_rupture(contract, manager, reason="resignation",
                             date=TODAY + timedelta(days=10))
    with django_capture_on_commit_callbacks(execute=True):
        services.refuse_rupture(contract, admin)
    [refused] = mailoutbox
    assert refused.to == [manager.email] and "Rupture refusée" in refused.subject
    services.request_rupture(contract, manager, reason="resignation",
                             date=TODAY + timedelta(days=10))
    with django_capture_on_commit_callbacks(execute=True):
        services.validate_rupture(contract, admin)
    validated = mailoutbox[1]
    assert set(validated.to) == {manager.email, oise_prefect.email}
    assert "Rupture validée : contrat de Léa Roux" in validated.subject
    assert "démission" in validated.body


def test_an_extension_decision_reaches_the_structure(
        structure, manager, admin, mailoutbox, django_capture_on_commit_callbacks):
    contract = make.contract(structure, make.advisor(), start=TODAY - timedelta(days=100),
                             end=TODAY + timedelta(days=100))
    extension = services.request_extension(contract, manager, TODAY + timedelta(days=200))
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_extension(extension, admin, approve=True)
    [message] = mailoutbox
    assert message.to == [manager.email] and "Prolongation validée" in message.subject


def test_a_validated_convention_and_renewal_reach_the_structure_and_the_prefect(
        structure, manager, admin, oise_prefect, mailoutbox,
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        convention = services.start_convention(structure, manager, start=date(2025, 1, 1),
                                               end=date(2027, 12, 31))
        services.validate_convention(convention, admin)
    [message] = mailoutbox
    assert set(message.to) == {manager.email, oise_prefect.email}
    assert "Convention validée" in message.subject
    with django_capture_on_commit_callbacks(execute=True):
        renewal = services.start_renewal(convention, manager, start=date(2028, 1, 1),
                                         end=date(2030, 12, 31))
    assert len(mailoutbox) == 1  # the manager engaged it: nothing to tell
    with django_capture_on_commit_callbacks(execute=True):
        services.validate_convention(renewal, admin)
    assert "Reconventionnement validé" in mailoutbox[1].subject
    assert set(mailoutbox[1].to) == {manager.email, oise_prefect.email}


def test_a_renewal_engaged_by_anct_or_declined_by_the_structure_is_told(
        convention, manager, admin, oise_prefect, mailoutbox,
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        renewal = services.start_renewal(convention, admin, start=date(2028, 1, 1),
                                         end=date(2030, 12, 31))
    [engaged] = mailoutbox
    assert engaged.to == [manager.email] and "Reconventionnement engagé" in engaged.subject
    with django_capture_on_commit_callbacks(execute=True):
        services.renewal_not_interested(renewal, manager, "Fin du projet de médiation.")
    declined = mailoutbox[1]
    assert set(declined.to) == {manager.email, oise_prefect.email}
    assert "Motif : Fin du projet de médiation." in declined.body


def test_a_refused_decision_sends_nothing(convention, manager, admin, mailoutbox,
                                          django_capture_on_commit_callbacks):
    amendment = make.AmendmentFactory(convention=convention,
                                      status=Amendment.Status.VALIDATED)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(
            services.WorkflowError):
        services.decide_amendment(amendment, admin, "refused")
    assert mailoutbox == []


def test_unticking_every_box_turns_every_reminder_off(client, structure, manager):
    client.force_login(manager)
    assert client.post(reverse("accounts:notices"), {}).status_code == 302
    assert set(NoticePreference.objects.filter(user=manager).values_list("enabled", flat=True)) \
        == {False}


def test_the_personal_data_export_lists_the_reminders_turned_off_and_sent(
        structure, manager, django_capture_on_commit_callbacks):
    from privacy.export import personal_data

    make.convention(structure, start=date(2024, 1, 1), end=TODAY + timedelta(days=80))
    run(django_capture_on_commit_callbacks, reminders.remind_of_ending_conventions)
    turn_off(manager, reminders.CONTRACT_ENDING)
    data = personal_data(manager)["notifications_par_courriel"]
    assert data["rappels_desactives"] == ["Fin de contrat d'un conseiller"]
    assert [sent["rappel"] for sent in data["rappels_envoyes"]] == ["Fin de convention"]


def test_a_prefect_and_an_anct_administrator_see_their_own_reminders(client, oise_prefect,
                                                                     admin):
    client.force_login(oise_prefect)
    page = client.get(reverse("accounts:notices")).content.decode()
    assert "Nouvelles candidatures de mon territoire" in page
    assert "Avis en attente depuis plus de 15 jours" in page
    assert "comité" not in page and "Fin de convention" not in page
    client.force_login(admin)
    page = client.get(reverse("accounts:notices")).content.decode()
    assert "Candidatures en attente du comité depuis plus de 30 jours" in page
    assert "Avis en attente" not in page


def test_deleting_the_account_takes_the_notification_choices_and_records_away(
        structure, manager, django_capture_on_commit_callbacks):
    from privacy.services import erase_account

    make.convention(structure, start=date(2024, 1, 1), end=TODAY + timedelta(days=80))
    run(django_capture_on_commit_callbacks, reminders.remind_of_ending_conventions)
    turn_off(manager, reminders.CONTRACT_ENDING)
    erase_account(manager)
    assert not NoticePreference.objects.filter(user=manager).exists()
    assert not SentNotice.objects.filter(user=manager).exists()


def test_the_programmes_other_emails_share_the_html_layout(
        structure, manager, mailoutbox, django_capture_on_commit_callbacks):
    from advisors import emails

    with django_capture_on_commit_callbacks(execute=True):
        emails.application_received(make.application(structure))
    [message] = mailoutbox
    assert message.body.startswith("Bonjour,\n\nLa candidature de")
    assert "Conseillers numériques</p>" in html_of(message)
    assert "Ce rappel est facultatif" not in message.body  # a decision is never optional
