from django.urls import path

from .views import (
    activity,
    applications,
    beneficiaries,
    contracts,
    conventions,
    coordination,
    home,
    places,
    structures,
    training,
)

app_name = "advisors"

urlpatterns = [
    path("", home.home, name="home"),
    # Structure managers
    path("candidater/", applications.apply, name="apply"),
    path("candidater/siret/", applications.siret_lookup, name="siret_lookup"),
    path("ma-structure/", structures.my_structures, name="my_structures"),
    path("structures/<int:pk>/", structures.structure_detail, name="structure"),
    path("structures/<int:pk>/recrutement/", contracts.contract_create,
         name="contract_create"),
    path("contrats/<int:pk>/rupture/", contracts.rupture, name="rupture"),
    path("contrats/<int:pk>/prolongation/", contracts.extension_request,
         name="extension_request"),
    path("candidatures/<int:pk>/statut/", applications.application_status,
         name="application_status"),
    path("structures/<int:pk>/poste-coordinateur/", applications.coordinator_post_request,
         name="coordinator_post_request"),
    path("candidatures/<int:pk>/coordinateur/", applications.coordinator_appoint,
         name="coordinator_appoint"),
    # Conventions, renewals and amendments
    path("structures/<int:pk>/convention/", conventions.convention_start,
         name="convention_start"),
    path("conventions/<int:pk>/", conventions.convention_detail, name="convention"),
    path("conventions/<int:pk>/reconventionnement/", conventions.renewal_start,
         name="renewal_start"),
    path("conventions/<int:pk>/non-interessee/", conventions.renewal_decline,
         name="renewal_decline"),
    path("conventions/<int:pk>/avenant/", conventions.amendment_request,
         name="amendment_request"),
    path("avenants/<int:pk>/", conventions.amendment_detail, name="amendment"),
    # Applications: préfets, and the structure's managers
    path("candidatures/", applications.prefect_applications, name="prefect_applications"),
    path("candidatures/<int:pk>/", applications.application_detail, name="application"),
    # Advisors: service points and activity reports
    path("lieux/", places.place_list, name="places"),
    path("lieux/nouveau/", places.place_create, name="place_create"),
    path("lieux/<int:pk>/", places.place_edit, name="place"),
    path("lieux/<int:pk>/fermetures/", places.closure_add, name="closure_add"),
    path("fermetures/<int:pk>/supprimer/", places.closure_remove, name="closure_remove"),
    path("activite/", activity.report_list, name="reports"),
    path("activite/saisir/", activity.report_create, name="report_create"),
    path("activite/<int:pk>/modifier/", activity.report_edit, name="report_edit"),
    path("activite/<int:pk>/dupliquer/", activity.report_duplicate, name="report_duplicate"),
    path("activite/<int:pk>/supprimer/", activity.report_delete, name="report_delete"),
    path("ma-formation/", training.my_training, name="training"),
    # Advisors: the people they follow (bénéficiaires)
    path("beneficiaires/", beneficiaries.beneficiary_list, name="beneficiaries"),
    path("beneficiaires/nouveau/", beneficiaries.beneficiary_create,
         name="beneficiary_create"),
    path("beneficiaires/importer/", beneficiaries.beneficiary_import,
         name="beneficiary_import"),
    path("beneficiaires/<int:pk>/", beneficiaries.beneficiary_detail, name="beneficiary"),
    path("beneficiaires/<int:pk>/modifier/", beneficiaries.beneficiary_edit,
         name="beneficiary_edit"),
    path("beneficiaires/<int:pk>/anonymiser/", beneficiaries.beneficiary_anonymise,
         name="beneficiary_anonymise"),
    path("beneficiaires/<int:pk>/fusionner/<int:other>/", beneficiaries.beneficiary_merge,
         name="beneficiary_merge"),
    # Coordinators
    path("coordination/", coordination.coordinated_list, name="coordination"),
    path("coordination/conseillers/<int:pk>/", coordination.coordinated_detail,
         name="coordinated_advisor"),
]
