from django.urls import path

from . import attestation_views, materials_views, survey_views, views

app_name = "academy"

urlpatterns = [
    path("sessions/<int:session_id>/", views.enrol, name="enrol"),
    path("<int:enrolment_id>/annuler/", views.cancel, name="cancel"),
    path("<int:enrolment_id>/attestation.pdf", views.attestation, name="attestation"),
    path("<int:enrolment_id>/attestation/affichage/", attestation_views.choose_initials,
         name="attestation_initials"),
    path("documents/<int:document_id>/", materials_views.material, name="material"),
    # The built-in satisfaction questionnaire, by the invitation's personal link.
    path("questionnaire/<str:token>/", survey_views.answer, name="survey"),
]
