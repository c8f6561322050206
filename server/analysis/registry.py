"""The analysis types this installation offers, by name."""

from server.analysis.base import AnalysisType
from server.analysis.lung import LUNG_NODULE_DETECTION
from server.analysis.turnaround import TURNAROUND_REVIEW

ANALYSIS_TYPES: dict[str, AnalysisType] = {
    t.name: t for t in (LUNG_NODULE_DETECTION, TURNAROUND_REVIEW)
}
