"""The register of personal data shown at /donnees-personnelles/: a fact of the platform
kept with its code (French, as published), not a CMS page. Update it with any new
personal field; ``tests/privacy/test_pages.py`` checks each category is listed."""

from email.utils import parseaddr

from django.conf import settings

PUBLIC_TASK = "Mission d'intérêt public (article 6-1 e du RGPD)"

ROWS = [
    {
        "category": "Compte",
        "data": "Nom, prénom, adresse électronique, empreinte du mot de passe (jamais le mot "
                "de passe lui-même), dates d'inscription et de dernière connexion, rôles.",
        "purpose": "Créer et gérer votre compte, vous identifier, vous écrire au sujet de vos "
                   "démarches.",
        "basis": PUBLIC_TASK,
        "retention": "Tant que vous utilisez le compte. Effacé à votre demande, ou après trois "
                     "ans sans connexion (avec un courriel d'avertissement 30 jours avant).",
        "recipients": "L'équipe de la plateforme à l'ANCT.",
    },
    {
        "category": "Sécurité de la connexion",
        "data": "Double authentification (secret TOTP, codes de secours), identifiant "
                "ProConnect si vous l'utilisez, session de connexion (cookie).",
        "purpose": "Protéger l'accès à votre compte et à l'administration.",
        "basis": "Obligation de sécurité (article 32 du RGPD) et mission d'intérêt public.",
        "retention": "Session : 12 heures. Secrets : jusqu'à leur remplacement ou à la "
                     "suppression du compte.",
        "recipients": "Personne : ces données ne sont pas communiquées.",
    },
    {
        "category": "Mandats d'élu",
        "data": "Fonctions, collectivités, dates de début, premier mandat, situation de "
                "salarié.",
        "purpose": "Vérifier l'accès aux formations réservées aux élus, établir la priorité "
                   "d'inscription, indiquer vos mandats sur l'attestation de formation.",
        "basis": PUBLIC_TASK + " ; droit à la formation des élus locaux.",
        "retention": "Jusqu'à votre modification ou la suppression du compte.",
        "recipients": "L'équipe de l'Académie des territoires.",
    },
    {
        "category": "Inscriptions et présences",
        "data": "Sessions demandées, statut de l'inscription, liste d'attente, présence par "
                "demi-journée, heures suivies, attestations.",
        "purpose": "Organiser les sessions, envoyer convocations, rappels et questionnaire "
                   "de satisfaction, établir la feuille d'émargement et les attestations.",
        "basis": PUBLIC_TASK,
        "retention": "Rattachées à votre nom tant que le compte existe. Ensuite, conservées "
                     "sans rien qui vous désigne, pour les statistiques de l'Académie.",
        "recipients": "L'équipe de l'Académie ; les formateurs de la session (feuille "
                      "d'émargement).",
    },
    {
        "category": "Agenda personnel",
        "data": "Lien secret d'abonnement à votre agenda.",
        "purpose": "Afficher vos formations (et vos lieux d'activité) dans votre application "
                   "d'agenda.",
        "basis": PUBLIC_TASK,
        "retention": "Jusqu'à son renouvellement ou la suppression du compte.",
        "recipients": "L'application d'agenda que vous abonnez.",
    },
    {
        "category": "Conseillers numériques : données professionnelles",
        "data": "Nom, prénom, courriel et téléphone professionnels, contrats (type, dates, "
                "salaire, rupture), formation (dates, niveau Pix, CCP1), lieux d'activité.",
        "purpose": "Piloter le dispositif Conseiller numérique : postes, conventions, "
                   "contrats, formation, annuaire des lieux.",
        "basis": PUBLIC_TASK,
        "retention": "Pendant le contrat. À la suppression du compte, une fois le contrat "
                     "terminé : nom et coordonnées effacés, contrats conservés sans nom pour "
                     "le suivi des postes et des subventions.",
        "recipients": "Votre structure employeuse, votre coordinateur, le préfet de votre "
                      "territoire, l'ANCT.",
    },
    {
        "category": "Comptes rendus d'activité",
        "data": "Aucune donnée personnelle des personnes accompagnées : des nombres par "
                "tranche d'âge et par situation, des thèmes, une durée, une commune. Le "
                "conseiller qui saisit est connu. Un compte rendu peut être relié à la fiche "
                "d'une personne suivie (ligne « Personnes accompagnées par les conseillers "
                "numériques »).",
        "purpose": "Mesurer l'activité du dispositif : tableaux de bord, données ouvertes "
                   "agrégées.",
        "basis": PUBLIC_TASK,
        "retention": "Pendant la durée du programme ; le nom du conseiller est effacé avec "
                     "son compte.",
        "recipients": "La structure, le coordinateur, le préfet, l'ANCT ; le public pour les "
                      "seuls agrégats.",
    },
    {
        "category": "Personnes accompagnées par les conseillers numériques",
        "data": "Prénom, nom ou initiales, commune, tranche d'année de naissance ; courriel ou "
                "téléphone seulement si la personne accepte d'être recontactée ; les "
                "accompagnements où elle est venue.",
        "purpose": "Suivre une personne d'un accompagnement à l'autre.",
        "basis": PUBLIC_TASK,
        "retention": "Anonymisée (identité et coordonnées effacées, accompagnements gardés "
                     "sans nom pour les statistiques) à la demande de la personne, après deux "
                     "ans sans accompagnement, ou quand plus aucun conseiller de la structure "
                     "n'est sous contrat.",
        "recipients": "Les seuls conseillers numériques sous contrat avec la structure.",
    },
    {
        "category": "Structures d'accueil",
        "data": "Contact déclaré (nom, courriel, téléphone), gestionnaires de la structure, "
                "candidatures déposées.",
        "purpose": "Instruire les candidatures, conventionner la structure, échanger avec "
                   "elle.",
        "basis": PUBLIC_TASK,
        "retention": "Tant que la structure participe au dispositif. Un gestionnaire qui "
                     "supprime son compte est retiré de la structure ; s'il en était le "
                     "contact, celui-ci est à renseigner de nouveau.",
        "recipients": "L'ANCT, le préfet du territoire.",
    },
    {
        "category": "Préfets",
        "data": "Territoire couvert, avis donnés sur les candidatures et avenants.",
        "purpose": "Recueillir l'avis de l'État local avant la décision du comité.",
        "basis": PUBLIC_TASK,
        "retention": "Les avis restent au dossier de la structure ; le nom de leur auteur "
                     "est effacé avec son compte.",
        "recipients": "L'ANCT, la structure concernée.",
    },
    {
        "category": "Rappels par courriel",
        "data": "Rappels que vous avez désactivés, rappels envoyés (type et date).",
        "purpose": "Vous rappeler une échéance de votre dossier une seule fois, et respecter "
                   "vos choix de notifications.",
        "basis": PUBLIC_TASK,
        "retention": "Jusqu'à la suppression du compte.",
        "recipients": "Personne : ces données ne sont pas communiquées.",
    },
    {
        "category": "Journaux techniques",
        "data": "Adresse IP, date, page demandée, erreurs de l'application.",
        "purpose": "Sécurité du service et diagnostic des pannes.",
        "basis": "Obligation de sécurité (article 32 du RGPD).",
        "retention": "Au plus un an.",
        "recipients": "L'équipe technique de la plateforme.",
    },
]


def contact_email() -> str:
    """The platform's contact address (the sender of its emails)."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
