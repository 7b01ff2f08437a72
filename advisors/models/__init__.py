"""Conseillers numériques: structures, posts, advisors, contracts, service points, activity."""

from .activity import AGE_BANDS, STATUS_BANDS, ActivityReport, ActivityTheme
from .applications import Application, ApplicationEvent, PrefectOpinion
from .beneficiaries import Beneficiary, BirthBand
from .conventions import Amendment, Convention
from .people import Advisor, Contract, ContractExtension
from .places import Closure, OpeningRange, PlaceService, ServicePoint
from .rollups import ActivityDay, ActivityMonth
from .structures import PrefectAssignment, Structure
from .training import TrainingRecord

__all__ = [
    "AGE_BANDS", "STATUS_BANDS", "ActivityDay", "ActivityMonth", "ActivityReport",
    "ActivityTheme", "Advisor", "Amendment",
    "Application", "ApplicationEvent", "Beneficiary", "BirthBand", "Closure", "Contract",
    "ContractExtension", "Convention",
    "OpeningRange", "PlaceService", "PrefectAssignment", "PrefectOpinion", "ServicePoint",
    "Structure", "TrainingRecord",
]
