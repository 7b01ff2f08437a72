"""The platform itself: its public address, names, hosting provider, the advisors'
minimum salary, the business register and the attestations' signing certificate."""

from decimal import Decimal

from .environment import ALLOWED_HOSTS, PRODUCTION, env

# The one public address of the platform: allauth's emails, the Wagtail site's hostname and
# port (synchronised after every migrate, accounts.site), feeds, notices. In production it
# defaults to https:// and the first of ALLOWED_HOSTS, never to a development address.
SITE_URL = env("SITE_URL") or (
    f"https://{ALLOWED_HOSTS[0]}" if PRODUCTION else "http://127.0.0.1:8000")
WAGTAILADMIN_BASE_URL = SITE_URL
# The directory's base map: in production IGN's "Plan IGN" (Géoplateforme WMTS, Web Mercator
# "PM" pyramid, levels 0-19), overridden by DIRECTORY_TILE_URL (any {z}/{x}/{y} template);
# in development and tests none (no network): the map draws the project's own outlines of
# the départements (territories/outlines.py) under the markers.
IGN_PLAN_TILE_URL = (
    "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&TILEMATRIXSET=PM"
    "&FORMAT=image/png&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}")
DIRECTORY_TILE_URL = env("DIRECTORY_TILE_URL", IGN_PLAN_TILE_URL if PRODUCTION else "")
DIRECTORY_TILE_ATTRIBUTION = env(
    "DIRECTORY_TILE_ATTRIBUTION",
    "© IGN" if DIRECTORY_TILE_URL == IGN_PLAN_TILE_URL else "© contributeurs OpenStreetMap")
SERVICE_NAME = "Agence nationale de la cohésion des territoires"
SERVICE_TAGLINE = "Académie des territoires · Conseillers numériques"
# The host named in the "Mentions légales" (name, address, telephone), set by each deployment.
HOSTING_PROVIDER = env("HOSTING_PROVIDER", "")
# Gross monthly legal minimum wage (SMIC, full time): no advisor contract may pay less.
ADVISOR_MINIMUM_MONTHLY_SALARY = Decimal("1823.03")
# Business register (API Recherche d'entreprises) checking a structure's SIRET and
# prefilling its name and address; empty (development, tests): not asked. Production:
# https://recherche-entreprises.api.gouv.fr/search
SIRENE_SEARCH_URL = env("SIRENE_SEARCH_URL", "")
SIRENE_SEARCH_TIMEOUT = float(env("SIRENE_SEARCH_TIMEOUT", "2"))
# Base Adresse Nationale: where service points and structures are located from their address
# (territories.geocoding, GET <url>/search/?q=…&citycode=…). Empty: nothing is located (the
# test settings). Answers are kept; an unreachable geocoder never blocks a save.
BAN_GEOCODER_URL = env("BAN_GEOCODER_URL", "https://api-adresse.data.gouv.fr")
BAN_GEOCODER_TIMEOUT = float(env("BAN_GEOCODER_TIMEOUT", "2"))
# The agency's certificate that signs the training attestations (PAdES, academy.signing): PEM
# files, and the key's passphrase when it is encrypted. Unset: with DEBUG a self-signed
# certificate (manage.py make_signing_certificate); in production they are served unsigned,
# with a warning in the logs.
ATTESTATION_SIGNING_KEY = env("ATTESTATION_SIGNING_KEY", "")
ATTESTATION_SIGNING_CERT = env("ATTESTATION_SIGNING_CERT", "")
ATTESTATION_SIGNING_PASSPHRASE = env("ATTESTATION_SIGNING_PASSPHRASE", "")
# Views of an attestation's public verification page per client address (allauth's limiter).
ATTESTATION_CHECK_RATE_LIMIT = env("ATTESTATION_CHECK_RATE_LIMIT", "30/m/ip")
# Attendance by QR code (academy.attendance): a half-day's code is accepted from this many
# minutes before its start until this many after its end.
ATTENDANCE_QR_MARGIN_MINUTES = int(env("ATTENDANCE_QR_MARGIN_MINUTES", "30"))
# The DIF élus quote (academy.funding): the price of a course without a price of its own
# (euros, per participant), and how many days a quote stays valid.
DIF_DEFAULT_PRICE = env("DIF_DEFAULT_PRICE", "400")
DIF_QUOTE_VALIDITY_DAYS = int(env("DIF_QUOTE_VALIDITY_DAYS", "30"))
