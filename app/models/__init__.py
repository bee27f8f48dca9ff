"""ORM models; importing this package registers every table on Base.metadata."""

from app.models.api_key import ApiKey
from app.models.base import Base
from app.models.criteria import Band, CriteriaSet, Criterion
from app.models.publication import AuditEvent, ImportRecord, YearRevision
from app.models.revision import DataRevision
from app.models.score import LeafScore, LeafScoreTotal, PublishedGroupSummary, PublishedResult
from app.models.source import Source
from app.models.unit import OrgUnit, UnitGroup, UnitLineage
from app.models.webhook import Webhook, WebhookDelivery
from app.models.year import AssessmentYear

__all__ = [
    "ApiKey",
    "AssessmentYear",
    "AuditEvent",
    "Band",
    "Base",
    "CriteriaSet",
    "Criterion",
    "DataRevision",
    "ImportRecord",
    "LeafScore",
    "LeafScoreTotal",
    "OrgUnit",
    "PublishedGroupSummary",
    "PublishedResult",
    "Source",
    "UnitGroup",
    "UnitLineage",
    "Webhook",
    "WebhookDelivery",
    "YearRevision",
]
