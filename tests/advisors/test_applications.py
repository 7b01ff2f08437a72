"""Applications: the transition table, history, the préfet's opinion and the committee's
decision."""

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.roles import Role
from advisors import services
from advisors.models import Application, PrefectOpinion, Structure

from . import factories as make

pytestmark = pytest.mark.django_db
S = Application.Status
COMMENT = "Projet cohérent avec le schéma départemental."

MANUAL_MOVES = [(before, after) for before, moves in services.TRANSITIONS.items()
                for after in moves if after not in services.DECISIONS]
DECISION_MOVES = [(before, after) for before, moves in services.TRANSITIONS.items()
                  for after in moves if after in services.DECISIONS]


@pytest.fixture
def pending(communes, manager):
    """An application of a Beauvais structure, just filed."""
    return make.application(make.structure(communes["Beauvais"], manager=manager))


def in_status(application, status):
    application.status = status
    if status == S.VALIDATED:
        application.posts_granted = application.posts_requested
    application.save()
    return application


def opinion(application, prefect, verdict=PrefectOpinion.Verdict.FAVOURABLE):
    return services.give_opinion(application, prefect, verdict, COMMENT)


def test_the_table_covers_every_status_and_decisions_are_moves_of_the_table():
    assert set(services.TRANSITIONS) == set(S.values)
    assert sorted(DECISION_MOVES) == sorted([
        (S.CREATED, S.EXAMINATION), (S.CREATED, S.VALIDATED), (S.CREATED, S.REFUSED),
        (S.EXAMINATION, S.VALIDATED), (S.EXAMINATION, S.REFUSED)])


@pytest.mark.parametrize(("before", "after"), MANUAL_MOVES)
def test_every_allowed_manual_transition_is_made_and_recorded(pending, admin, before, after):
    in_status(pending, before)
    services.transition(pending, after, admin, "Motif de test")
    assert pending.status == after
    event = pending.events.get()
    assert (event.from_status, event.to_status, event.actor, event.reason) == (
        before, after, admin, "Motif de test")


@pytest.mark.parametrize(("before", "after"), DECISION_MOVES)
def test_every_committee_decision_is_made_after_the_opinion(pending, admin, oise_prefect,
                                                             before, after):
    in_status(pending, before)
    opinion(pending, oise_prefect)
    services.decide(pending, admin, after, posts_granted=2, decision_number="COSELEC-12")
    assert pending.status == after
    assert pending.posts_granted == (2 if after == S.VALIDATED else None)
    assert pending.decided_on == timezone.localdate()
    assert pending.events.get().to_status == after


@pytest.mark.parametrize("closed", [S.REFUSED, S.ABANDONED, S.CANCELLED, S.DUPLICATE])
def test_closed_applications_move_no_further(pending, admin, closed):
    in_status(pending, closed)
    with pytest.raises(services.WorkflowError, match="ne peut pas passer"):
        services.transition(pending, S.ABANDONED if closed != S.ABANDONED else S.CANCELLED,
                            admin, "Essai")
    pending.refresh_from_db()
    assert pending.status == closed and not pending.events.exists()


def test_a_refused_application_cannot_be_validated_afterwards(pending, admin, oise_prefect):
    opinion(pending, oise_prefect)
    services.decide(pending, admin, S.REFUSED, decision_number="COSELEC-3")
    with pytest.raises(services.WorkflowError,
                       match="« Refusée » ne peut pas passer à « Validée »"):
        services.decide(pending, admin, S.VALIDATED, posts_granted=1, decision_number="X")


def test_decisions_cannot_go_through_a_plain_transition(pending, admin):
    with pytest.raises(services.WorkflowError, match="comité de sélection"):
        services.transition(pending, S.VALIDATED, admin, "Raccourci")


def test_a_manual_transition_needs_a_reason(pending, admin):
    with pytest.raises(services.WorkflowError, match="motif"):
        services.transition(pending, S.CANCELLED, admin, "  ")


def test_managers_may_abandon_their_application_but_not_cancel_it(pending, manager):
    assert services.allowed_transitions(pending, manager) == [S.ABANDONED]
    with pytest.raises(services.NotAllowed):
        services.transition(pending, S.CANCELLED, manager, "Annulation")
    services.transition(pending, S.ABANDONED, manager, "Pas de budget cette année")
    assert pending.status == S.ABANDONED


def test_strangers_and_prefects_cannot_move_an_application(pending, oise_prefect):
    for person in (make.user(), oise_prefect):
        with pytest.raises(services.NotAllowed):
            services.transition(pending, S.ABANDONED, person, "Pas mon dossier")


def test_history_keeps_every_step_with_actor_and_reason(communes, admin, oise_prefect):
    user = make.user()
    application = services.apply(
        {"name": "Mairie", "siret": make.siret(), "kind": "commune", "address": "1 place",
         "commune": communes["Beauvais"], "contact_first_name": "A", "contact_last_name": "B",
         "contact_email": "a@b.fr"},
        user, posts_requested=4, motivation="Motivation", desired_start=timezone.localdate())
    opinion(application, oise_prefect)
    services.decide(application, admin, S.EXAMINATION, reason="Budget à préciser")
    services.decide(application, admin, S.VALIDATED, posts_granted=2,
                    decision_number="COSELEC-7", reason="Deux postes sur quatre")
    steps = [(e.from_status, e.to_status, e.actor, e.reason)
             for e in application.events.all()]
    assert steps == [
        ("", S.CREATED, user, "Dépôt de la candidature"),
        (S.CREATED, S.EXAMINATION, admin, "Budget à préciser"),
        (S.EXAMINATION, S.VALIDATED, admin, "Deux postes sur quatre"),
    ]
    assert str(application.events.last()).startswith("En examen complémentaire → Validée")


def test_giving_up_validated_posts_is_refused_while_contracts_hold_them(structure, manager):
    make.contract(structure, make.advisor())
    application = structure.applications.get()
    with pytest.raises(services.WorkflowError, match="ne peut pas être dépassé"):
        services.transition(application, S.ABANDONED, manager, "On arrête")
    structure.contracts.update(status="refused")
    services.transition(application, S.ABANDONED, manager, "On arrête")
    assert services.granted_posts(structure) == 0


# --- the préfet's opinion ----------------------------------------------------------------

def test_the_decision_needs_the_prefects_opinion_first(pending, admin):
    with pytest.raises(services.WorkflowError, match="L'avis du préfet est nécessaire"):
        services.decide(pending, admin, S.VALIDATED, posts_granted=2, decision_number="C-1")
    pending.refresh_from_db()
    assert pending.status == S.CREATED


def test_the_prefect_of_the_structures_department_gives_the_opinion(pending, oise_prefect):
    given = opinion(pending, oise_prefect, PrefectOpinion.Verdict.UNFAVOURABLE)
    assert (given.application, given.author, given.verdict) == (
        pending, oise_prefect, "unfavourable")
    assert str(given).startswith("Avis défavorable sur Candidature de")


@pytest.mark.parametrize("who", ["other_department", "region", "no_role", "no_assignment",
                                 "admin", "manager"])
def test_only_the_prefect_of_the_department_may_give_the_opinion(pending, communes, who,
                                                                 admin, manager):
    person = {
        "other_department": lambda: make.prefect(department=communes["Lille"].department),
        "region": lambda: make.prefect(region=communes["Beauvais"].department.region),
        "no_role": lambda: make.prefect(department=communes["Beauvais"].department,
                                        with_role=False),
        "no_assignment": lambda: make.user(role=Role.PREFET),
        "admin": lambda: admin,
        "manager": lambda: manager,
    }[who]()
    with pytest.raises(services.NotAllowed, match="Seul le préfet du département"):
        opinion(pending, person)
    assert not PrefectOpinion.objects.exists()


def test_for_a_region_the_regional_prefect_gives_the_opinion(communes, manager, oise_prefect):
    region_structure = make.structure(communes["Beauvais"], manager=manager,
                                      kind=Structure.Kind.REGION)
    application = make.application(region_structure)
    with pytest.raises(services.NotAllowed, match="préfet de région"):
        opinion(application, oise_prefect)
    regional = make.prefect(region=communes["Beauvais"].department.region)
    assert opinion(application, regional).author == regional


def test_the_opinion_is_given_only_once(pending, oise_prefect):
    opinion(pending, oise_prefect)
    with pytest.raises(services.WorkflowError, match="Un avis a déjà été donné"):
        opinion(pending, oise_prefect, PrefectOpinion.Verdict.UNFAVOURABLE)
    assert PrefectOpinion.objects.get().verdict == "favourable"


@pytest.mark.parametrize(("length", "accepted"),
                         [(9, False), (10, True), (1000, True), (1001, False)])
def test_opinion_comment_is_10_to_1000_characters(pending, oise_prefect, length, accepted):
    comment = "a" * length
    if accepted:
        assert services.give_opinion(pending, oise_prefect, "favourable", comment).pk
    else:
        with pytest.raises(services.WorkflowError, match="entre 10 et 1000 caractères"):
            services.give_opinion(pending, oise_prefect, "favourable", comment)


def test_blank_padding_does_not_count_in_the_comment(pending, oise_prefect):
    with pytest.raises(services.WorkflowError, match="entre 10 et 1000"):
        services.give_opinion(pending, oise_prefect, "favourable", "   court   ")


def test_an_unknown_verdict_is_refused(pending, oise_prefect):
    with pytest.raises(services.WorkflowError, match="favorable ou défavorable"):
        services.give_opinion(pending, oise_prefect, "maybe", COMMENT)


def test_no_opinion_on_a_closed_application(pending, oise_prefect):
    in_status(pending, S.ABANDONED)
    with pytest.raises(services.WorkflowError, match="n'attend plus d'avis"):
        opinion(pending, oise_prefect)


def test_awaiting_opinion_of_lists_the_prefects_open_applications(pending, oise_prefect,
                                                                  communes):
    make.application(make.structure(communes["Lille"]))
    assert list(Application.objects.awaiting_opinion_of(oise_prefect)) == [pending]
    opinion(pending, oise_prefect)
    assert not Application.objects.awaiting_opinion_of(oise_prefect).exists()


# --- the committee's decision ------------------------------------------------------------

def test_only_anct_decides(pending, oise_prefect, manager):
    opinion(pending, oise_prefect)
    for person in (oise_prefect, manager):
        with pytest.raises(services.NotAllowed, match="Seule l'ANCT"):
            services.decide(pending, person, S.VALIDATED, posts_granted=1,
                            decision_number="C-1")


@pytest.mark.parametrize("posts", [None, 0])
def test_validation_grants_at_least_one_post(pending, admin, oise_prefect, posts):
    opinion(pending, oise_prefect)
    with pytest.raises(services.WorkflowError, match="au moins un"):
        services.decide(pending, admin, S.VALIDATED, posts_granted=posts,
                        decision_number="C-1")


def test_validation_and_refusal_need_the_decision_number(pending, admin, oise_prefect):
    opinion(pending, oise_prefect)
    with pytest.raises(services.WorkflowError, match="numéro de la décision"):
        services.decide(pending, admin, S.REFUSED)


def test_granted_posts_may_differ_from_the_request(pending, admin, oise_prefect):
    opinion(pending, oise_prefect)
    services.decide(pending, admin, S.VALIDATED, posts_granted=1, decision_number="C-9")
    assert (pending.posts_requested, pending.posts_granted) == (3, 1)
    assert services.granted_posts(pending.structure) == 1


def test_managers_and_prefects_are_told_of_the_decision(
        pending, admin, manager, oise_prefect, communes, mailoutbox,
        django_capture_on_commit_callbacks):
    regional = make.prefect(region=communes["Beauvais"].department.region)
    make.prefect(department=communes["Lille"].department)  # not concerned
    opinion(pending, oise_prefect)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(pending, admin, S.VALIDATED, posts_granted=2,
                        decision_number="COSELEC-42", decided_on=timezone.localdate())
    [message] = mailoutbox
    assert sorted(message.to) == sorted([manager.email, oise_prefect.email, regional.email])
    assert message.subject.endswith(": validée")
    assert "2 poste(s)" in message.body and "COSELEC-42" in message.body


def test_a_prefect_who_lost_the_role_is_not_told(pending, admin, oise_prefect, mailoutbox,
                                                 django_capture_on_commit_callbacks):
    opinion(pending, oise_prefect)
    oise_prefect.groups.remove(Group.objects.get(name=Role.PREFET))
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(pending, admin, S.REFUSED, decision_number="C-2")
    assert oise_prefect.email not in mailoutbox[0].to
