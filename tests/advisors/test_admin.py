"""The ANCT administrators' back office in the Wagtail admin: listings, filters, exports,
inspect views, committee decisions and contract validations."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.utils import timezone

from accounts.roles import Role
from advisors import services
from advisors.models import Application, Contract, PrefectOpinion
from tests import factories as base

from . import factories as make

pytestmark = pytest.mark.django_db

LISTINGS = ["advisors_structures", "advisors_applications", "advisors_conventions",
            "advisors_advisors", "advisors_contracts", "advisors_service_points",
            "advisors_activity_reports"]
COMMENT = "Projet cohérent avec le schéma départemental."


@pytest.fixture
def anct(client):
    client.force_login(base.staff_user(Role.ANCT_ADMIN))
    return client


@pytest.fixture
def programme(communes, manager):
    """Two structures (Beauvais, Lille), an advisor under contract in each, a convention,
    a service point, an activity report and a pending application in Paris."""
    beauvais = make.validated_structure(communes["Beauvais"], posts=2, manager=manager,
                                        name="Mairie de Beauvais")
    lille = make.validated_structure(communes["Lille"], posts=1, name="Lille Métropole")
    paris = make.structure(communes["Paris"], name="Association Paris Numérique")
    pending = make.application(paris)
    alice = make.advisor(first_name="Alice", last_name="Durand")
    bruno = make.advisor(first_name="Bruno", last_name="Petit")
    make.contract(beauvais, alice)
    make.contract(lille, bruno, status=Contract.Status.SUBMITTED)
    make.convention(beauvais)
    point = make.service_point(beauvais, advisors=[alice], name="Permanence de la mairie")
    make.activity_report(alice, communes["Beauvais"], structure=beauvais, service_point=point)
    return {"beauvais": beauvais, "lille": lille, "paris": paris, "pending": pending,
            "alice": alice, "bruno": bruno}


@pytest.mark.parametrize("name", LISTINGS)
def test_every_listing_and_its_inspect_view_open_for_an_anct_admin(anct, programme, name):
    response = anct.get(f"/admin/{name}/")
    assert response.status_code == 200
    rows = list(response.context["object_list"])
    assert rows
    assert anct.get(f"/admin/{name}/inspect/{rows[0].pk}/").status_code == 200
    # Read-only: no add or edit view; changes go through the actions and services.
    assert anct.get(f"/admin/{name}/new/").status_code == 404


def test_the_menu_groups_the_programme_for_an_anct_admin(anct, programme):
    page = anct.get("/admin/").content.decode()
    assert '"name": "conseillers-numeriques"' in page  # the group, in the sidebar's data
    for url in ["/admin/advisors_structures/", "/admin/advisors_applications/",
                "/admin/advisors_import/"]:
        assert url in page


def test_structures_are_filtered_by_department_region_and_searched(anct, programme,
                                                                   communes):
    oise = communes["Beauvais"].department
    names = lambda response: {s.name for s in response.context["object_list"]}  # noqa: E731
    assert names(anct.get(f"/admin/advisors_structures/?departement={oise.pk}")) == {
        "Mairie de Beauvais"}
    hdf = oise.region
    assert names(anct.get(f"/admin/advisors_structures/?region={hdf.pk}")) == {
        "Mairie de Beauvais", "Lille Métropole"}
    assert names(anct.get("/admin/advisors_structures/?q=paris")) == {
        "Association Paris Numérique"}


def test_applications_are_filtered_by_status_and_decision_dates(anct, programme):
    listed = anct.get("/admin/advisors_applications/?status=created").context["object_list"]
    assert [a.pk for a in listed] == [programme["pending"].pk]
    today = timezone.localdate().isoformat()
    decided = anct.get(f"/admin/advisors_applications/?decidee_from={today}"
                       f"&decidee_to={today}").context["object_list"]
    assert {a.structure.name for a in decided} == {"Mairie de Beauvais", "Lille Métropole"}


def test_contracts_are_filtered_by_status(anct, programme):
    listed = anct.get("/admin/advisors_contracts/?status=submitted").context["object_list"]
    assert [c.advisor for c in listed] == [programme["bruno"]]


def test_xlsx_export_of_structures_has_french_headings_and_every_row(anct, programme):
    response = anct.get("/admin/advisors_structures/?export=xlsx")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    headings = rows[0]
    assert headings[:3] == ("Nom", "SIRET", "Type")
    assert "Postes attribués" in headings
    by_name = {row[0]: dict(zip(headings, row, strict=True)) for row in rows[1:]}
    assert set(by_name) == {"Mairie de Beauvais", "Lille Métropole",
                            "Association Paris Numérique"}
    assert by_name["Mairie de Beauvais"]["SIRET"] == programme["beauvais"].siret
    assert by_name["Mairie de Beauvais"]["Postes attribués"] == 2
    assert by_name["Mairie de Beauvais"]["Département"] == "60"


def test_csv_export_follows_the_filters(anct, programme):
    response = anct.get("/admin/advisors_contracts/?status=submitted&export=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("Nom;Prénom;Courriel;Structure")
    assert len(lines) == 2 and "Petit" in lines[1] and "En attente de validation" in lines[1]


def test_application_export_shows_the_prefect_opinion(anct, programme, oise_prefect):
    response = anct.get("/admin/advisors_applications/?export=xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    column = rows[0].index("Avis du préfet")
    assert {row[column] for row in rows[1:]} == {"En attente"}


@pytest.mark.parametrize("role", [Role.ANCT_EDITOR, Role.PREFET])
def test_other_staff_get_neither_the_menu_nor_the_views(client, programme, communes, role):
    staff = base.staff_user(role)
    if role == Role.PREFET:
        # The préfet's territory does not open the back office either.
        from advisors.models import PrefectAssignment

        PrefectAssignment.objects.create(user=staff, department=communes["Beauvais"].department)
    client.force_login(staff)
    page = client.get("/admin/").content.decode()
    assert "conseillers-numeriques" not in page
    assert "/admin/advisors_structures/" not in page
    assert "/admin/advisors_import/" not in page
    for name in LISTINGS:
        response = client.get(f"/admin/{name}/")
        assert response.status_code in (302, 403), name
    assert client.get("/admin/advisors_import/").status_code in (302, 403)
    pending = programme["pending"]
    response = client.post(f"/admin/advisors_applications/decide/{pending.pk}/",
                           {"outcome": "refused", "decision_number": "X"})
    assert response.status_code in (302, 403, 404)
    pending.refresh_from_db()
    assert pending.status == Application.Status.CREATED


def test_a_user_without_admin_access_gets_a_403_with_ways_out_and_no_listing(client,
                                                                           programme):
    client.force_login(make.user())
    response = client.get("/admin/advisors_structures/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Accès refusé" in page
    assert "Aller à Mon espace" in page
    assert "Changer de compte" in page
    # What the 302 used to protect: none of the programme's data reaches this person.
    assert "Mairie de Beauvais" not in page
    assert "Lille Métropole" not in page


def test_an_anonymous_visitor_of_the_admin_is_sent_to_the_login(client, programme):
    response = client.get("/admin/advisors_structures/")
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert "next=/admin/advisors_structures/" in response["Location"]


# --- committee decision -------------------------------------------------------------------
def decision(**overrides):
    data = {"outcome": "validated", "posts_granted": "2", "decision_number": "COSELEC-42",
            "decided_on": timezone.localdate().isoformat(), "reason": "Projet solide."}
    data.update(overrides)
    return data


def test_the_committee_decision_is_refused_before_the_prefect_opinion(anct, programme):
    pending = programme["pending"]
    response = anct.post(f"/admin/advisors_applications/decide/{pending.pk}/", decision(),
                         follow=True)
    assert response.status_code == 200
    assert ("L&#x27;avis du préfet est nécessaire avant la décision du comité"
            in response.content.decode())
    pending.refresh_from_db()
    assert pending.status == Application.Status.CREATED
    assert not pending.events.exists()


def test_the_committee_validates_an_application_through_the_service(anct, programme,
                                                                    communes):
    pending = programme["pending"]
    paris_prefect = make.prefect(department=communes["Paris"].department)
    services.give_opinion(pending, paris_prefect, PrefectOpinion.Verdict.FAVOURABLE, COMMENT)

    response = anct.post(f"/admin/advisors_applications/decide/{pending.pk}/", decision())

    assert response.status_code == 302
    assert response["Location"] == f"/admin/advisors_applications/inspect/{pending.pk}/"
    pending.refresh_from_db()
    assert (pending.status, pending.posts_granted, pending.decision_number) == (
        Application.Status.VALIDATED, 2, "COSELEC-42")
    event = pending.events.get()
    assert (event.from_status, event.to_status, event.reason) == (
        "created", "validated", "Projet solide.")


def test_a_validation_without_posts_or_number_shows_the_service_message(anct, programme,
                                                                        communes):
    pending = programme["pending"]
    services.give_opinion(pending, make.prefect(department=communes["Paris"].department),
                          PrefectOpinion.Verdict.FAVOURABLE, COMMENT)
    response = anct.post(f"/admin/advisors_applications/decide/{pending.pk}/",
                         decision(posts_granted="", decision_number=""))
    assert response.status_code == 200
    assert "Indiquez le nombre de postes attribués" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Application.Status.CREATED


def test_the_application_page_shows_the_opinion_and_the_history(anct, programme, communes):
    pending = programme["pending"]
    prefect = make.prefect(department=communes["Paris"].department)
    services.give_opinion(pending, prefect, PrefectOpinion.Verdict.UNFAVOURABLE,
                          "Territoire déjà bien couvert par France Services.")
    admin = make.admin()
    services.decide(pending, admin, Application.Status.EXAMINATION, reason="Budget à revoir")

    page = anct.get(f"/admin/advisors_applications/inspect/{pending.pk}/").content.decode()

    assert "Avis défavorable" in page
    assert "Territoire déjà bien couvert par France Services." in page
    assert "Déposée → En examen complémentaire" in page
    assert "Budget à revoir" in page
    assert admin.email in page or admin.get_full_name() in page
    assert f"/admin/advisors_applications/decide/{pending.pk}/" in page


# --- contracts ----------------------------------------------------------------------------
def test_an_admin_validates_a_submitted_contract(anct, programme):
    contract = programme["bruno"].contracts.get()
    page = anct.get(f"/admin/advisors_contracts/inspect/{contract.pk}/").content.decode()
    assert "Valider le recrutement" in page
    response = anct.post(f"/admin/advisors_contracts/action/{contract.pk}/valider/")
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == Contract.Status.VALIDATED


def test_refusing_a_contract_needs_a_reason(anct, programme):
    contract = programme["bruno"].contracts.get()
    url = f"/admin/advisors_contracts/action/{contract.pk}/refuser/"
    assert anct.post(url, {"reason": ""}).status_code == 200
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SUBMITTED
    anct.post(url, {"reason": "Salaire incohérent avec la fiche de poste."})
    contract.refresh_from_db()
    assert contract.status == Contract.Status.REFUSED
    assert contract.refusal_reason == "Salaire incohérent avec la fiche de poste."


def test_an_admin_validates_a_requested_rupture(anct, programme, manager):
    contract = programme["alice"].contracts.get()
    services.request_rupture(contract, manager, reason=Contract.RuptureReason.RESIGNATION,
                             date=timezone.localdate() + timedelta(days=10))
    page = anct.get(f"/admin/advisors_contracts/inspect/{contract.pk}/").content.decode()
    assert "Valider la rupture" in page
    anct.post(f"/admin/advisors_contracts/action/{contract.pk}/valider-rupture/")
    contract.refresh_from_db()
    assert contract.rupture_status == Contract.Rupture.VALIDATED


def test_a_contract_action_refused_by_the_rules_shows_the_message(anct, programme):
    contract = programme["alice"].contracts.get()  # already validated, no rupture asked
    response = anct.post(f"/admin/advisors_contracts/action/{contract.pk}/valider-rupture/",
                         follow=True)
    assert "Aucune rupture de ce contrat n&#x27;attend de validation." in (
        response.content.decode())


def test_the_listings_read_visible_to_so_a_prefect_would_see_only_their_territory(
    client, programme, communes, monkeypatch
):
    """Should the back office ever open to préfets, the querysets already keep each one to
    their territory: here the policy is opened to everyone for the test."""
    from django.contrib.auth.models import Permission

    from advisors.admin import policy

    monkeypatch.setattr(policy, "is_anct_admin", lambda user: True)
    prefect = make.prefect(department=communes["Beauvais"].department)
    prefect.is_staff = True
    prefect.save()
    prefect.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(prefect)  # the factory's préfet has TOTP set up

    listed = client.get("/admin/advisors_structures/").context["object_list"]
    assert [s.name for s in listed] == ["Mairie de Beauvais"]
    export = client.get("/admin/advisors_structures/?export=csv")
    assert "Lille" not in b"".join(export.streaming_content).decode()
    lille = programme["lille"]
    assert client.get(f"/admin/advisors_structures/inspect/{lille.pk}/").status_code == 404


def test_the_decision_page_recalls_the_request_and_the_opinion(anct, programme, communes):
    pending = programme["pending"]
    services.give_opinion(pending, make.prefect(department=communes["Paris"].department),
                          PrefectOpinion.Verdict.FAVOURABLE, COMMENT)
    response = anct.get(f"/admin/advisors_applications/decide/{pending.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "demande 3 postes" in page
    assert COMMENT in page
    assert response.context["form"]["posts_granted"].value() == 3


def test_a_closed_application_offers_no_decision(anct, programme):
    validated = programme["beauvais"].applications.get()
    page = anct.get(f"/admin/advisors_applications/inspect/{validated.pk}/").content.decode()
    assert "/admin/advisors_applications/decide/" not in page


def test_activity_and_service_point_exports_give_labels_not_codes(anct, programme):
    reports = anct.get("/admin/advisors_activity_reports/?export=csv")
    text = b"".join(reports.streaming_content).decode()
    assert "Courriels" in text and "Démarches en ligne" in text
    points = anct.get("/admin/advisors_service_points/?export=xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(points.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    services_column = rows[0].index("Services proposés")
    assert rows[1][services_column] == "Aide aux démarches administratives"


def _cells(html):
    import re
    return [re.sub(r"<[^>]+>|\s+", " ", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)]


@pytest.mark.parametrize("name", ["advisors_advisors", "advisors_service_points"])
def test_yes_no_fields_read_oui_or_non_in_the_admin_listings(anct, programme, name):
    html = anct.get(f"/admin/{name}/").content.decode()
    cells = _cells(html)
    assert "True" not in cells and "False" not in cells
    assert "Oui" in cells or "Non" in cells


def test_the_advisor_inspect_page_reads_oui_non_and_a_french_colon(anct, programme):
    alice = programme["alice"]
    alice.is_coordinator, alice.ccp1_obtained = False, True
    alice.save()
    html = anct.get(f"/admin/advisors_advisors/inspect/{alice.pk}/").content.decode()
    assert ">True<" not in html.replace(" ", "").replace("\n", "")
    assert ">False<" not in html.replace(" ", "").replace("\n", "")
    import re
    values = [re.sub(r"\s+", " ", v).strip()
              for v in re.findall(r"<dd[^>]*>(.*?)</dd>", html, re.S)]
    assert "Oui" in values and "Non" in values
    assert "Inspecter\u00a0: Alice Durand" in html


def test_the_contract_csv_export_is_semicolon_separated_with_decimal_commas(anct, programme):
    Contract.objects.filter(advisor=programme["alice"]).update(monthly_gross_salary="2150.50")
    response = anct.get("/admin/advisors_contracts/?export=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    row = next(line for line in text.splitlines() if line.startswith("Durand"))
    assert row.split(";")[9] == "2150,50"


def test_admin_shows_phones_in_pairs_and_salaries_in_euros(anct, programme):
    alice = programme["alice"]
    alice.phone = "0600000000"
    alice.save()
    Contract.objects.filter(advisor=alice).update(monthly_gross_salary="2150.00")
    advisors = anct.get("/admin/advisors_advisors/").content.decode()
    assert "06 00 00 00 00" in _cells(advisors) and "0600000000" not in advisors
    inspect = anct.get(f"/admin/advisors_advisors/inspect/{alice.pk}/").content.decode()
    assert "06 00 00 00 00" in inspect
    contracts = anct.get("/admin/advisors_contracts/").content.decode()
    assert "2 150,00 €" in _cells(contracts)  # _cells folds the non-breaking spaces
    contract = Contract.objects.get(advisor=alice)
    inspect = anct.get(f"/admin/advisors_contracts/inspect/{contract.pk}/").content.decode()
    assert "2\u00a0150,00\u00a0€" in inspect and "2150,00" not in inspect
