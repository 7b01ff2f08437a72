from django.urls import path

from . import attestation_views, materials_views, offer_views, survey_views, views

app_name = "academy"

urlpatterns = [
    path("sessions/<int:session_id>/", views.enrol, name="enrol"),
    path("<int:enrolment_id>/annuler/", views.cancel, name="cancel"),
    path("<int:enrolment_id>/attestation.pdf", views.attestation, name="attestation"),
    path("<int:enrolment_id>/attestation/affichage/", attestation_views.choose_initials,
         name="attestation_initials"),
    path("documents/<int:document_id>/", materials_views.material, name="material"),
    # Waiting list: the seat offered (the emailed signed link), leaving the list.
    path("offres/<str:token>/", offer_views.offer, name="offer"),
    path("<int:enrolment_id>/quitter-la-liste-d-attente/", offer_views.leave_waitlist,
         name="leave_waitlist"),
    # The built-in satisfaction questionnaire, by the invitation's personal link.
    path("questionnaire/<str:token>/", survey_views.answer, name="survey"),
]
