"""ORM models; importing this package registers every table on Base.metadata."""

from app.models.base import Base
from app.models.criteria import Band, CriteriaSet, Criterion
from app.models.revision import DataRevision
from app.models.score import LeafScore, PublishedGroupSummary, PublishedResult
from app.models.source import Source
from app.models.unit import OrgUnit, UnitGroup, UnitLineage
from app.models.year import AssessmentYear

__all__ = [
    "AssessmentYear",
    "Band",
    "Base",
    "CriteriaSet",
    "Criterion",
    "DataRevision",
    "LeafScore",
    "OrgUnit",
    "PublishedGroupSummary",
    "PublishedResult",
    "Source",
    "UnitGroup",
    "UnitLineage",
]
