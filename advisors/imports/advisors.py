"""Conseillers numériques, identified by their professional email."""

from ..models import Advisor
from .base import Importer
from .columns import BooleanColumn, DateColumn, EmailColumn, IntegerColumn, TextColumn


class AdvisorEmail(EmailColumn):
    identifier = "email"
    label = "Courriel professionnel (identifie le conseiller)."
    required = True
    field = "email"


class AdvisorFirstName(TextColumn):
    identifier = "prenom"
    label = "Prénom."
    required = True
    field = "first_name"


class AdvisorLastName(TextColumn):
    identifier = "nom"
    label = "Nom."
    required = True
    field = "last_name"


class AdvisorPhone(TextColumn):
    identifier = "telephone"
    label = "Téléphone professionnel."
    field = "phone"


class Coordinator(BooleanColumn):
    identifier = "coordinateur"
    label = "« oui » pour un coordinateur, sinon « non » ou vide."
    field = "is_coordinator"


class TrainingStart(DateColumn):
    identifier = "debut_formation"
    label = "Début de la formation initiale (JJ/MM/AAAA)."
    field = "training_start"


class TrainingEnd(DateColumn):
    identifier = "fin_formation"
    label = "Fin de la formation initiale (JJ/MM/AAAA)."
    field = "training_end"


class TrainingHours(IntegerColumn):
    identifier = "heures_formation"
    label = "Nombre d'heures de formation."
    field = "training_hours"


class PixLevel(IntegerColumn):
    identifier = "niveau_pix"
    label = "Niveau Pix, de 0 à 8."
    field = "pix_level"


class Ccp1(BooleanColumn):
    identifier = "ccp1"
    label = "« oui » si le CCP1 du titre REMN est obtenu."
    field = "ccp1_obtained"


class Ccp1Date(DateColumn):
    identifier = "date_ccp1"
    label = "Date d'obtention du CCP1 (JJ/MM/AAAA)."
    field = "ccp1_obtained_on"


class AdvisorImporter(Importer):
    kind = "conseillers"
    label = "Conseillers numériques"
    key_label = "même courriel"
    model = Advisor
    columns = (AdvisorEmail, AdvisorFirstName, AdvisorLastName, AdvisorPhone, Coordinator,
               TrainingStart, TrainingEnd, TrainingHours, PixLevel, Ccp1, Ccp1Date)
    lookup = ("email",)
