"""Front-end forms of the advisors programme, one module per flow. They check what a
person typed and give French messages; the rules live on the models (shown next to the
fields with ``add_model_errors``) and in ``advisors.services`` (views call them through
``advisors.views.calls.perform``)."""

from .activity import ActivityReportForm
from .applications import ApplicationFilterForm, ApplicationForm, OpinionForm, TransitionForm
from .common import BaseForm, CommuneField
from .contracts import ContractForm, ExtensionForm, RuptureForm
from .conventions import AmendmentForm, ConventionForm, ReasonForm
from .places import ClosureForm, OpeningHoursForm, ServicePointForm

__all__ = [
    "ActivityReportForm", "AmendmentForm", "ApplicationFilterForm", "ApplicationForm",
    "BaseForm", "ClosureForm", "CommuneField", "ContractForm", "ConventionForm",
    "ExtensionForm", "OpeningHoursForm", "OpinionForm", "ReasonForm", "RuptureForm",
    "ServicePointForm", "TransitionForm",
]
