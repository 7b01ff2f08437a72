"""The environment variables of the platform, read from the settings themselves.

``settings_variables()`` finds every ``env(…)``, ``env_bool(…)`` and ``env_list(…)`` call in
the modules of config/settings/ (with its default); ``DESCRIPTIONS`` says what each one is
for. docs/deploy.md holds the table ``markdown_table()`` makes (``manage.py env_table
--write``), and a test compares them: a variable added to the settings without a line here
fails the test."""

import ast
from pathlib import Path

SETTINGS_DIR = Path(__file__).resolve().parent.parent / "config" / "settings"
READERS = {"env": "texte", "env_bool": "oui/non", "env_list": "liste (virgules)"}
# Read by a library rather than by an env() call of the settings.
OTHER_VARIABLES = {"DATABASE_URL": ("texte", "sqlite:///db.sqlite3")}
BEGIN = "<!-- env-table:begin (manage.py env_table --write) -->"
END = "<!-- env-table:end -->"

DESCRIPTIONS = {
    "DJANGO_ENV": "`production` en production : exige SECRET_KEY et ALLOWED_HOSTS, HTTPS, "
                  "fichiers statiques servis par WhiteNoise",
    "SECRET_KEY": "clé secrète propre à l'instance (obligatoire hors débogage)",
    "DEBUG": "mode débogage (développement sur ce poste seulement ; interdit en production)",
    "ALLOWED_HOSTS": "noms d'hôte servis (obligatoire en production)",
    "CSRF_TRUSTED_ORIGINS": "origines supplémentaires admises pour les formulaires",
    "SITE_URL": "adresse publique (courriels, flux) ; défaut : https:// + premier hôte",
    "DATABASE_URL": "base PostgreSQL (`postgres://utilisateur:mot-de-passe@hôte:5432/base`)",
    "DATABASE_REPLICA_URL": "réplique PostgreSQL en lecture (réplication en continu) lue par "
                            "les tableaux de bord et les données ouvertes ; vide : tout sur "
                            "DATABASE_URL",
    "DATABASE_REPLICA_PRIMARY_SECONDS": "secondes pendant lesquelles une personne qui vient "
                                        "d'écrire, et tout tableau de bord calculé après un "
                                        "changement de ses chiffres, lisent la base "
                                        "principale plutôt que la réplique",
    "DB_CONN_MAX_AGE": ("durée de vie des connexions à la base (secondes) ; la plateforme se "
                        "connecte directement à PostgreSQL (ou à un répartiteur en mode "
                        "session) : les inscriptions utilisent des requêtes préparées, propres à "
                        "chaque connexion (`core/prepared.py`)"),
    "REDIS_URL": "Redis du cache (et du broker Celery si CELERY_BROKER_URL est vide)",
    "CELERY_BROKER_URL": "broker Celery ; vide avec REDIS_URL vide : tâches exécutées sur place",
    "CELERY_QUEUE": "file Celery par défaut",
    "HEALTH_BEAT_MAX_AGE": "silence de Celery beat (secondes) au-delà duquel /sante/pret/ "
                           "répond 503",
    "ANONYMOUS_PAGE_CACHE_SECONDS": "durée de conservation des pages servies aux visiteurs "
                                    "anonymes",
    "PERSONAL_PAGE_CACHE_SECONDS": "durée maximale de conservation d'une page personnelle "
                                   "pour la session qui l'a vue (jamais au-delà de minuit)",
    "LOG_LEVEL": "niveau des journaux (DEBUG, INFO, WARNING…)",
    "MEDIA_ROOT": "dossier des documents et images déposés (disque local)",
    "PRIVATE_MEDIA_ROOT": "dossier des fichiers privés (exports), hors MEDIA_ROOT",
    "PRIVATE_FILES_ACCEL_REDIRECT": "emplacement `internal` nginx servant les fichiers privés "
                                    "(X-Accel-Redirect)",
    "MFA_ENCRYPTION_KEYS": "clés Fernet chiffrant les secrets TOTP (la première chiffre)",
    "PROCONNECT_CLIENT_ID": "identifiant client ProConnect (active la connexion ProConnect)",
    "PROCONNECT_SECRET": "secret client ProConnect",
    "PROCONNECT_SERVER_URL": "découverte OpenID Connect de ProConnect",
    "DIRECTORY_TILE_URL": "tuiles du fond de carte de l'annuaire ({z}/{x}/{y}) ; défaut : "
                          "« Plan IGN » de la Géoplateforme en production, aucune ailleurs "
                          "(contours des départements)",
    "DIRECTORY_TILE_ATTRIBUTION": "mention des sources du fond de carte de l'annuaire",
    "HOSTING_PROVIDER": "hébergeur cité dans les mentions légales",
    "SIRENE_SEARCH_URL": "API Recherche d'entreprises (vérification des SIRET)",
    "SIRENE_SEARCH_TIMEOUT": "délai de réponse de cette API (secondes)",
    "BAN_GEOCODER_URL": "géocodeur de la Base Adresse Nationale (positions des lieux et "
                        "structures) ; vide : adresses non géolocalisées",
    "BAN_GEOCODER_TIMEOUT": "délai de réponse du géocodeur (secondes)",
    "ATTESTATION_SIGNING_KEY": "clé privée (PEM) de l'agence signant les attestations ; vide : "
                               "certificat auto-signé en débogage, non signées en production",
    "ATTESTATION_SIGNING_CERT": "certificat (PEM) de l'agence signant les attestations",
    "ATTESTATION_SIGNING_PASSPHRASE": "phrase de passe de cette clé, si elle est chiffrée",
    "ATTESTATION_CHECK_RATE_LIMIT": "consultations de la page de vérification d'une "
                                    "attestation par adresse (`30/m/ip` : 30 par minute)",
    "ATTENDANCE_QR_MARGIN_MINUTES": "minutes pendant lesquelles le QR code d'émargement "
                                    "d'une demi-journée est accepté avant son début et après "
                                    "sa fin (30)",
    "DIF_DEFAULT_PRICE": "prix d'une formation sans prix propre sur le devis DIF élus "
                         "(euros par participant, 400)",
    "DIF_QUOTE_VALIDITY_DAYS": "jours de validité d'un devis DIF élus (30)",
    "DEFAULT_FROM_EMAIL": "expéditeur des courriels",
    "SERVER_EMAIL": "expéditeur des courriels d'erreur",
    "EMAIL_BACKEND": "moteur d'envoi (`django.core.mail.backends.smtp.EmailBackend` en "
                     "production)",
    "EMAIL_FILE_PATH": "dossier des courriels écrits en fichiers (moteur « filebased »)",
    "EMAIL_HOST": "serveur SMTP",
    "EMAIL_PORT": "port SMTP",
    "EMAIL_HOST_USER": "utilisateur SMTP",
    "EMAIL_HOST_PASSWORD": "mot de passe SMTP",
    "EMAIL_USE_TLS": "STARTTLS vers le serveur SMTP",
    "EMAIL_USE_SSL": "TLS implicite vers le serveur SMTP",
    "TRUSTED_PROXY_COUNT": "nombre de mandataires inverses ajoutant X-Forwarded-For",
    "SECURE_SSL_REDIRECT": "redirection vers HTTPS en production (0 derrière un mandataire "
                           "qui la fait déjà, ou en local)",
    "VIDEO_EMBED_ORIGINS": "origines des lecteurs vidéo intégrables",
    "SLOW_REQUEST_MS": "durée (ms) au-delà de laquelle une requête est journalisée comme lente",
    "LOG_FORMAT": "`json` (défaut en production : un objet JSON par ligne) ou `text`",
    "SENTRY_DSN": "adresse de signalement des erreurs (Sentry ou compatible) ; vide : rien "
                  "n'est envoyé",
    "SENTRY_ENVIRONMENT": "nom de l'environnement dans les signalements",
    "SENTRY_TRACES_SAMPLE_RATE": "part des requêtes tracées (0 à 1)",
    "AWS_STORAGE_BUCKET_NAME": "compartiment S3 des documents et images (vide : disque local "
                               "MEDIA_ROOT)",
    "AWS_PRIVATE_STORAGE_BUCKET_NAME": "compartiment S3 privé des exports et feuilles "
                                       "d'émargement (vide : PRIVATE_MEDIA_ROOT)",
    "AWS_S3_ENDPOINT_URL": "adresse du service S3 compatible (Scaleway, OVH, Outscale…)",
    "AWS_S3_REGION_NAME": "région S3",
}


def settings_variables():
    """{name: (kind, default)} of every variable the settings read."""
    found = dict(OTHER_VARIABLES)
    nodes = [node for path in sorted(SETTINGS_DIR.glob("*.py"))
             for node in ast.walk(ast.parse(path.read_text()))]
    for node in nodes:
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in READERS and node.args
                and isinstance(node.args[0], ast.Constant)):
            default = ""
            if len(node.args) > 1:
                default = (repr(node.args[1].value) if isinstance(node.args[1], ast.Constant)
                           and not isinstance(node.args[1].value, str)
                           else node.args[1].value if isinstance(node.args[1], ast.Constant)
                           else "(calculé)")
            found[node.args[0].value] = (READERS[node.func.id], str(default))
    return found


def markdown_table():
    lines = [BEGIN, "", "| variable | type | défaut | rôle |", "| --- | --- | --- | --- |"]
    for name, (kind, default) in sorted(settings_variables().items()):
        default = f"`{default}`" if default else "—"
        lines.append(f"| `{name}` | {kind} | {default.replace('|', '¦')} | "
                     f"{DESCRIPTIONS.get(name, '**non documentée**')} |")
    lines += ["", END]
    return "\n".join(lines)
