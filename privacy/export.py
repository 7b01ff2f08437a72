"""Everything the platform holds about one person, as a JSON-ready dict (right of access
and portability). Keys are French: the file is read by the person.

Secrets are not exported (password hash, two-factor secrets, the calendar feed's token):
their existence is. Reads only rows tied to this account; the tests check that nobody
else's data appears.
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from academy.models import Enrolment, OfficialProfile
from accounts import notices
from accounts.models import NoticePreference, SentNotice
from advisors.models import (
    ActivityReport,
    Advisor,
    Application,
    PrefectAssignment,
    PrefectOpinion,
    Structure,
)
from calendars.models import CalendarToken
from dashboards.models import ExportJob


def _when(value):
    if value is None:
        return None
    if hasattr(value, "tzinfo"):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def personal_data(user, now=None) -> dict:
    now = now or timezone.now()
    return {
        "export": {
            "genere_le": _when(now),
            "plateforme": settings.SERVICE_NAME,
            "adresse": settings.SITE_URL,
            "responsable_du_traitement": "Agence nationale de la cohésion des territoires",
            "a_propos": settings.SITE_URL.rstrip("/") + reverse("privacy:register"),
        },
        "compte": _account(user),
        "adresses_electroniques": [
            {"adresse": a.email, "verifiee": a.verified, "principale": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "connexions_externes": [
            {"fournisseur": s.provider, "identifiant": s.uid, "derniere_connexion":
             _when(s.last_login), "cree_le": _when(s.date_joined)}
            for s in SocialAccount.objects.filter(user=user).order_by("pk")
        ],
        "double_authentification": [
            {"type": a.get_type_display(), "cree_le": _when(a.created_at),
             "derniere_utilisation": _when(a.last_used_at)}
            for a in Authenticator.objects.filter(user=user).order_by("pk")
        ],
        "agenda_personnel": _calendar(user),
        "notifications_par_courriel": _notices(user),
        "profil_elu": _profile(user),
        "inscriptions": _enrolments(user, now),
        "conseiller_numerique": _advisor(user),
        "structures_gerees": [
            {"nom": s.name, "siret": s.siret, "commune": s.commune.name,
             "contact_declare": {"prenom": s.contact_first_name, "nom": s.contact_last_name,
                                 "courriel": s.contact_email, "telephone": s.contact_phone}}
            for s in Structure.objects.filter(managers=user).select_related("commune")
        ],
        "candidatures_deposees": [
            {"structure": a.structure.name, "deposee_le": _when(a.created_at),
             "statut": a.get_status_display(), "postes_demandes": a.posts_requested}
            for a in Application.objects.filter(created_by=user).select_related("structure")
        ],
        "prefet": _prefect(user),
        "exports_demandes": [
            {"type": job.kind, "echelon": job.level_label, "territoire": job.territory_code,
             "demande_le": _when(job.created_at), "statut": job.get_status_display()}
            for job in ExportJob.objects.filter(requester=user)
        ],
    }


def _account(user):
    return {
        "adresse_electronique": user.email,
        "prenom": user.first_name,
        "nom": user.last_name,
        "inscrit_le": _when(user.date_joined),
        "derniere_connexion": _when(user.last_login),
        "actif": user.is_active,
        "mot_de_passe_defini": user.has_usable_password(),
        "roles": user.role_names,
    }


def _calendar(user):
    token = CalendarToken.objects.filter(user=user).first()
    return {
        "lien_personnel_cree": token is not None,
        "cree_ou_renouvele_le": _when(token.created_at) if token else None,
        "remarque": "Le lien secret n'est pas reproduit ici ; il figure dans « Mon espace ».",
    }


def _notices(user):
    labels = {notice.kind: notice.label for notice in notices.registered()}
    return {
        "rappels_desactives": [
            labels.get(kind, kind) for kind in NoticePreference.objects.filter(
                user=user, enabled=False).order_by("kind").values_list("kind", flat=True)],
        "rappels_envoyes": [
            {"rappel": labels.get(kind, kind), "envoye_le": _when(sent_at)}
            for kind, sent_at in SentNotice.objects.filter(user=user).order_by(
                "sent_at", "pk").values_list("kind", "sent_at")],
    }


def _profile(user):
    profile = OfficialProfile.objects.filter(user=user).prefetch_related(
        "mandates__commune", "mandates__epci", "mandates__department",
        "mandates__region").first()
    if profile is None:
        return None
    return {
        "salarie": profile.is_employee,
        "mis_a_jour_le": _when(profile.updated_at),
        "mandats": [
            {"fonction": m.get_role_display(), "collectivite": str(m.authority),
             "debut": _when(m.started_on), "premier_mandat": m.is_first_mandate}
            for m in profile.mandates.all()
        ],
    }


def _enrolments(user, now):
    enrolments = (Enrolment.objects.for_user(user).prefetch_related("attendances")
                  .select_related("mandate__commune", "mandate__epci", "mandate__department",
                                  "mandate__region", "dif_funding")
                  .order_by("session__start"))
    rows = []
    for e in enrolments:
        session = e.session
        hours = e.hours_attended() if session.end < now else 0
        rows.append({
            "formation": session.course.title,
            "session": {"debut": _when(session.start), "fin": _when(session.end),
                        "lieu": session.place_label, "statut": session.get_status_display()},
            "statut": e.get_status_display(),
            "inscrit_le": _when(e.created_at),
            "modifiee_le": _when(e.updated_at),
            "priorite_calculee": e.priority,
            # A waiting-list offer (academy.offers): when made, until when it was held.
            "place_proposee_le": _when(e.offered_at) if e.offered_at else None,
            "proposition_valable_jusqu_au": (_when(e.offer_expires_at)
                                             if e.offer_expires_at else None),
            # Chosen at enrolment: on site or remotely (hybrid session), and the mandate the
            # training's hours count under.
            "participation": e.get_attendance_mode_display() or None,
            "au_titre_du_mandat": (
                {"fonction": e.mandate.get_role_display(),
                 "collectivite": str(e.mandate.authority)} if e.mandate else None),
            "presences": [
                {"jour": _when(a.day), "demi_journee": a.get_period_display(),
                 "presence": a.get_status_display()}
                for a in sorted(e.attendances.all(), key=lambda a: (a.day, a.period))
            ],
            "heures_suivies": hours,
            # The DIF élus funding the person declared, and ANCT's record of the answer.
            "financement_dif": _dif_funding(e),
            "attestation": (settings.SITE_URL.rstrip("/")
                            + reverse("academy:attestation", args=[e.pk]) if hours else None),
        })
    return rows


def _dif_funding(enrolment):
    funding = getattr(enrolment, "dif_funding", None)
    if funding is None or funding.status == funding.Status.NONE:
        return None
    return {"statut": funding.get_status_display(),
            "demande_faite_le": _when(funding.requested_on),
            "numero_de_dossier": funding.file_reference or None,
            "decision_le": _when(funding.decided_at),
            "motif_du_refus": funding.refusal_reason or None}


def _advisor(user):
    advisor = Advisor.objects.filter(user=user).first()
    if advisor is None:
        return None
    reports = (ActivityReport.objects.filter(advisor=advisor)
               .select_related("commune", "structure", "service_point").order_by("date", "pk"))
    return {
        "prenom": advisor.first_name,
        "nom": advisor.last_name,
        "courriel_professionnel": advisor.email,
        "telephone_professionnel": advisor.phone,
        "coordinateur": advisor.is_coordinator,
        "formation": {
            "debut": _when(advisor.training_start), "fin": _when(advisor.training_end),
            "heures": advisor.training_hours, "niveau_pix": advisor.pix_level,
            "ccp1_obtenu": advisor.ccp1_obtained, "ccp1_obtenu_le":
            _when(advisor.ccp1_obtained_on),
        },
        "contrats": [
            {"structure": c.structure.name, "type": c.get_kind_display(),
             "debut": _when(c.start), "fin": _when(c.end),
             "salaire_brut_mensuel": str(c.monthly_gross_salary),
             "statut": c.get_status_display(), "rupture": c.get_rupture_status_display(),
             "motif_de_rupture": c.get_rupture_reason_display() or None,
             "date_de_rupture": _when(c.rupture_date)}
            for c in advisor.contracts.select_related("structure").order_by("start")
        ],
        "lieux_d_activite": [p.name for p in advisor.service_points.order_by("name")],
        "conseillers_coordonnes": [a.full_name for a in advisor.coordinated.all()],
        "comptes_rendus_d_activite": [
            {"date": _when(r.date), "commune": r.commune.name,
             "structure": r.structure.name if r.structure else None,
             "lieu": r.service_point.name if r.service_point else None,
             "canal": r.get_channel_display(), "type": r.get_kind_display(),
             "participants": r.participants, "themes": r.get_themes_display(),
             "duree": r.get_duration_display(), "reorientee_vers": r.redirected_to or None,
             "saisi_le": _when(r.created_at)}
            for r in reports
        ],
    }


def _prefect(user):
    assignment = PrefectAssignment.objects.filter(user=user).select_related(
        "department", "region").first()
    opinions = PrefectOpinion.objects.filter(author=user).select_related(
        "application__structure", "amendment__convention__structure")
    if assignment is None and not opinions:
        return None
    return {
        "territoire": str(assignment.territory) if assignment else None,
        "avis_donnes": [
            {"structure": (o.application.structure.name if o.application_id
                           else o.amendment.convention.structure.name),
             "objet": "candidature" if o.application_id else "avenant",
             "avis": o.get_verdict_display(), "commentaire": o.comment,
             "donne_le": _when(o.given_at)}
            for o in opinions
        ],
    }
