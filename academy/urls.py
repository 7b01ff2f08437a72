from django.urls import path

from . import (
    attestation_views,
    funding_views,
    materials_views,
    offer_views,
    survey_views,
    views,
)

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
    # DIF élus: the declaration of the request, the quote (the élu's), the programme.
    path("<int:enrolment_id>/financement-dif/", funding_views.request_funding,
         name="dif_request"),
    path("<int:enrolment_id>/devis-dif.pdf", funding_views.quote, name="dif_quote"),
    path("formations/<int:course_id>/programme-dif.pdf", funding_views.programme,
         name="dif_programme"),
]
