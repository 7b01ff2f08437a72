"""Granted posts: applications, conventions, renewals and amendments adding or withdrawing
posts; the QuerySet annotation and the service functions agree."""

from datetime import date

import pytest

from advisors import services
from advisors.models import Amendment, Application, Convention, Structure

from . import factories as make

pytestmark = pytest.mark.django_db
A = Amendment.Status
COMMENT = "Besoin confirmé par le comité local."


@pytest.fixture
def convention(structure):
    return make.convention(structure, posts=2)


def amendment(convention, kind, posts, status=A.VALIDATED):
    return Amendment.objects.create(convention=convention, kind=kind, posts=posts,
                                    reason="Motif", status=status)


def test_granted_posts_add_validated_amendments_and_subtract_withdrawals(structure,
                                                                         convention):
    assert services.granted_posts(structure) == 2
    amendment(convention, Amendment.Kind.ADD, 3)
    amendment(convention, Amendment.Kind.WITHDRAW, 1)
    amendment(convention, Amendment.Kind.ADD, 5, status=A.REFUSED)
    amendment(convention, Amendment.Kind.ADD, 7, status=A.PENDING_DECISION)
    assert services.granted_posts(structure) == 2 + 3 - 1


def test_only_validated_applications_grant_posts(structure):
    make.application(structure, Application.Status.REFUSED, posts_requested=9)
    structure.applications.filter(status=Application.Status.VALIDATED).update(
        posts_granted=4)
    assert services.granted_posts(structure) == 4


def test_the_annotation_and_the_services_agree_for_every_structure(communes, structure,
                                                                   convention):
    amendment(convention, Amendment.Kind.ADD, 2)
    make.contract(structure, make.advisor())
    make.contract(structure, make.advisor(), status="submitted")
    make.contract(structure, make.advisor(), status="refused")
    other = make.validated_structure(communes["Lille"], posts=5)
    empty = make.structure(communes["Paris"])
    rows = {s.pk: (s.granted_posts, s.occupied_posts, s.vacant_posts)
            for s in Structure.objects.with_posts()}
    assert rows == {structure.pk: (4, 2, 2), other.pk: (5, 0, 5), empty.pk: (0, 0, 0)}
    for s in (structure, other, empty):
        assert rows[s.pk] == (services.granted_posts(s), services.occupied_posts(s),
                              services.vacant_posts(s))


# --- conventions --------------------------------------------------------------------------

def test_a_convention_follows_a_validated_application(communes, manager, admin):
    pending = make.structure(communes["Beauvais"], manager=manager)
    make.application(pending)
    with pytest.raises(services.WorkflowError, match="candidature validée"):
        services.start_convention(pending, manager, start=date(2025, 1, 1),
                                  end=date(2027, 12, 31))


def test_the_initial_convention_is_started_by_the_manager_and_validated_by_anct(
        structure, manager, admin):
    convention = services.start_convention(structure, manager, start=date(2025, 1, 1),
                                           end=date(2027, 12, 31))
    assert (convention.status, convention.posts) == (Convention.Status.IN_PROGRESS, 2)
    with pytest.raises(services.NotAllowed):
        services.validate_convention(convention, manager)
    services.validate_convention(convention, admin)
    convention.refresh_from_db()
    assert convention.status == Convention.Status.VALIDATED
    assert convention.validated_by == admin and convention.validated_at
    with pytest.raises(services.WorkflowError, match="déjà sa convention initiale"):
        services.start_convention(structure, manager, start=date(2025, 1, 1),
                                  end=date(2027, 12, 31))


def test_a_convention_covers_no_more_posts_than_granted(structure, manager):
    with pytest.raises(services.WorkflowError, match="plus de postes"):
        services.start_convention(structure, manager, start=date(2025, 1, 1),
                                  end=date(2027, 12, 31), posts=3)


def test_a_convention_ends_after_it_starts(structure, manager):
    with pytest.raises(services.WorkflowError, match="suivre son début"):
        services.start_convention(structure, manager, start=date(2025, 1, 1),
                                  end=date(2025, 1, 1))


def test_others_cannot_start_a_convention(structure, oise_prefect):
    with pytest.raises(services.NotAllowed):
        services.start_convention(structure, oise_prefect, start=date(2025, 1, 1),
                                  end=date(2027, 12, 31))


def test_renewal_is_initiated_then_validated(convention, manager, admin):
    renewal = services.start_renewal(convention, manager, start=date(2027, 1, 1),
                                     end=date(2029, 12, 31))
    assert (renewal.kind, renewal.status, renewal.previous) == (
        Convention.Kind.RENEWAL, Convention.Status.INITIATED, convention)
    with pytest.raises(services.WorkflowError, match="déjà engagé"):
        services.start_renewal(convention, manager, start=date(2027, 1, 1),
                               end=date(2029, 12, 31))
    services.validate_convention(renewal, admin)
    renewal.refresh_from_db()
    assert renewal.status == Convention.Status.VALIDATED


def test_a_structure_may_decline_its_renewal(convention, manager, admin):
    renewal = services.start_renewal(convention, manager, start=date(2027, 1, 1),
                                     end=date(2029, 12, 31))
    with pytest.raises(services.WorkflowError, match="pourquoi"):
        services.renewal_not_interested(renewal, manager, "")
    services.renewal_not_interested(renewal, manager, "Fin du projet")
    renewal.refresh_from_db()
    assert (renewal.status, renewal.reason) == (Convention.Status.NOT_INTERESTED,
                                                "Fin du projet")
    with pytest.raises(services.WorkflowError, match="ne peut pas être validée"):
        services.validate_convention(renewal, admin)


def test_only_a_validated_convention_is_renewed(structure, manager):
    draft = make.convention(structure, status=Convention.Status.IN_PROGRESS)
    with pytest.raises(services.WorkflowError, match="convention validée"):
        services.start_renewal(draft, manager, start=date(2027, 1, 1), end=date(2029, 1, 1))


def test_convention_status_must_fit_its_kind(structure):
    from django.core.exceptions import ValidationError

    convention = Convention(structure=structure, kind=Convention.Kind.INITIAL,
                            status=Convention.Status.NOT_INTERESTED, posts=1,
                            start=date(2025, 1, 1), end=date(2026, 1, 1))
    with pytest.raises(ValidationError, match="impossible"):
        convention.full_clean()


# --- amendments ---------------------------------------------------------------------------

def test_adding_posts_needs_the_prefects_opinion_then_anct_decides(convention, manager,
                                                                   oise_prefect, admin):
    added = services.request_amendment(convention, manager, kind=Amendment.Kind.ADD,
                                       posts=2, reason="Nouvelle maison France services")
    assert added.status == A.PENDING_OPINION
    with pytest.raises(services.WorkflowError, match="L'avis du préfet est nécessaire"):
        services.decide_amendment(added, admin, A.VALIDATED)
    services.give_opinion(added, oise_prefect, "favourable", COMMENT)
    added.refresh_from_db()
    assert added.status == A.PENDING_DECISION and added.opinion.author == oise_prefect
    services.decide_amendment(added, admin, A.VALIDATED, "Accordé")
    added.refresh_from_db()
    assert (added.status, added.decided_by) == (A.VALIDATED, admin)
    assert services.granted_posts(convention.structure) == 4


def test_withdrawing_posts_skips_the_opinion(convention, manager, oise_prefect, admin):
    withdrawn = services.request_amendment(convention, manager, kind=Amendment.Kind.WITHDRAW,
                                           posts=1, reason="Un poste non pourvu")
    assert withdrawn.status == A.PENDING_DECISION
    with pytest.raises(services.WorkflowError, match="n'attend pas d'avis"):
        services.give_opinion(withdrawn, oise_prefect, "favourable", COMMENT)
    services.decide_amendment(withdrawn, admin, A.VALIDATED)
    assert services.granted_posts(convention.structure) == 1


def test_withdrawing_posts_held_by_contracts_is_refused(convention, manager, admin):
    make.contract(convention.structure, make.advisor())
    make.contract(convention.structure, make.advisor(), status="submitted")
    with pytest.raises(services.WorkflowError, match="ne peut pas être dépassé"):
        services.request_amendment(convention, manager, kind=Amendment.Kind.WITHDRAW,
                                   posts=1, reason="Réduction")


def test_a_refused_amendment_changes_nothing(convention, manager, admin):
    withdrawn = services.request_amendment(convention, manager, kind=Amendment.Kind.WITHDRAW,
                                           posts=1, reason="Réduction")
    services.decide_amendment(withdrawn, admin, A.REFUSED, "Postes maintenus")
    assert services.granted_posts(convention.structure) == 2
    with pytest.raises(services.WorkflowError, match="déjà été décidé"):
        services.decide_amendment(withdrawn, admin, A.VALIDATED)


def test_one_amendment_at_a_time_and_only_on_a_validated_convention(structure, convention,
                                                                    manager):
    services.request_amendment(convention, manager, kind=Amendment.Kind.ADD, posts=1,
                               reason="Un de plus")
    with pytest.raises(services.WorkflowError, match="déjà en cours"):
        services.request_amendment(convention, manager, kind=Amendment.Kind.ADD, posts=1,
                                   reason="Encore un")
    Convention.objects.filter(pk=convention.pk).update(status=Convention.Status.IN_PROGRESS)
    convention.refresh_from_db()
    with pytest.raises(services.WorkflowError, match="convention validée"):
        services.request_amendment(convention, manager, kind=Amendment.Kind.ADD, posts=1,
                                   reason="Un de plus")


def test_only_the_prefect_of_the_department_gives_the_amendment_opinion(convention,
                                                                        manager, communes):
    added = services.request_amendment(convention, manager, kind=Amendment.Kind.ADD,
                                       posts=1, reason="Un de plus")
    lille_prefect = make.prefect(department=communes["Lille"].department)
    with pytest.raises(services.NotAllowed):
        services.give_opinion(added, lille_prefect, "favourable", COMMENT)


def test_only_anct_decides_amendments(convention, manager):
    withdrawn = services.request_amendment(convention, manager, kind=Amendment.Kind.WITHDRAW,
                                           posts=1, reason="Réduction")
    with pytest.raises(services.NotAllowed):
        services.decide_amendment(withdrawn, manager, A.VALIDATED)
