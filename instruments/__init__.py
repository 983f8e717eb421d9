"""The instrument core: load questionnaires, score centres and rate clauses, find gaps, rank and sum regions.

Imports no Flask and no database; everything here is plain data in, plain data out.
"""

from .errors import AnswerError, ExpressionError, InstrumentError, Problem
from .evaluation import broken_constraints, columns, evaluate, unanswered_required
from .gaps import Gap, describe, find_gaps
from .grade_gaps import GradeGap, RequirementGap, describe_grade_gap
from .loader import load, load_data, load_text
from .model import Clause, Indicator, Instrument, Item, Text
from .ranking import rank
from .ratings import BELOW, NOT_APPLICABLE, level_number, rating
from .regions import ClauseFigure, RegionFigure, clause_regional, membership, regional
from .scoring import (
    ClauseResult,
    IndicatorResult,
    RequirementResult,
    Scorecard,
    Scores,
    score,
    score_columns,
    score_many,
)

__all__ = [
    "BELOW",
    "NOT_APPLICABLE",
    "AnswerError",
    "Clause",
    "ClauseFigure",
    "ClauseResult",
    "ExpressionError",
    "Gap",
    "GradeGap",
    "Indicator",
    "IndicatorResult",
    "Instrument",
    "InstrumentError",
    "Item",
    "Problem",
    "RegionFigure",
    "RequirementGap",
    "RequirementResult",
    "Scorecard",
    "Scores",
    "Text",
    "broken_constraints",
    "clause_regional",
    "columns",
    "describe",
    "describe_grade_gap",
    "evaluate",
    "find_gaps",
    "level_number",
    "load",
    "load_data",
    "load_text",
    "membership",
    "rank",
    "rating",
    "regional",
    "score",
    "score_columns",
    "score_many",
    "unanswered_required",
]
