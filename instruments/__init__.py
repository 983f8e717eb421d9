"""The instrument core: load questionnaires, score centres, find gaps, rank and sum regions.

Imports no Flask and no database; everything here is plain data in, plain data out.
"""

from .errors import AnswerError, ExpressionError, InstrumentError, Problem
from .evaluation import broken_constraints, columns, evaluate, unanswered_required
from .gaps import Gap, describe, find_gaps
from .loader import load, load_data, load_text
from .model import Indicator, Instrument, Item, Text
from .ranking import rank
from .regions import RegionFigure, membership, regional
from .scoring import IndicatorResult, Scorecard, Scores, score, score_columns, score_many

__all__ = [
    "AnswerError",
    "ExpressionError",
    "Gap",
    "Indicator",
    "IndicatorResult",
    "Instrument",
    "InstrumentError",
    "Item",
    "Problem",
    "RegionFigure",
    "Scorecard",
    "Scores",
    "Text",
    "broken_constraints",
    "columns",
    "describe",
    "evaluate",
    "find_gaps",
    "load",
    "load_data",
    "load_text",
    "membership",
    "rank",
    "regional",
    "score",
    "score_columns",
    "score_many",
    "unanswered_required",
]
