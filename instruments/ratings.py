"""How a clause rated by people is written in answers, read from people's words, and scored.

In an answers dict — the store's rows, a web form's data, a row of an imported
workbook — an onsite clause is keyed by its id, beside the items, and its value is:

    a level id of the clause ("C", "B", "A")   rated at that level
    BELOW ("below")                            rated below its first level (未达到)
    NOT_APPLICABLE ("not_applicable")          the clause does not apply to the centre (不适用)
    None, or no key at all                     not rated yet (未评级)

The store keeps the centre's self-rating as the reported value and an evaluator's
rating as the verified value, and passes the verified one where there is one, as
for items; the core takes one value per clause.

`rating(clause, raw)` reads what people write — a level id in any case (also
full-width, or as "B级" / "level B"), 未达到 / 不适用 / 未评级, or the English words
— into one of those values, and raises AnswerError for a level the clause does not
have, and for any value at all given to an auto clause (its level follows from
the answers). `level_number(clause, value)` gives the number a scoring column
carries: the level's rank (1 for the first level, up to the number of levels),
0 below the first level, NaN when unrated, and NOT_APPLICABLE_NUMBER (-1) when
not applicable; a stored value that is no level of the clause (left from an
earlier version of the instrument) counts as unrated, as an unknown choice does.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from .errors import AnswerError
from .formatting import CLAUSE_STATUS_WORDS
from .model import Clause

BELOW = "below"
NOT_APPLICABLE = "not_applicable"
NOT_APPLICABLE_NUMBER = -1.0

_EXTRA_WORDS = {  # besides the words the platform shows for each status
    BELOW: ("below", "not reached", "not met"),
    NOT_APPLICABLE: ("not_applicable", "n/a", "na"),
    None: ("unrated", "not rated"),
}
WORDS: dict[str, str | None] = {
    word.casefold(): status
    for status, extra in _EXTRA_WORDS.items()
    for word in (*extra, *CLAUSE_STATUS_WORDS["unrated" if status is None else status].values())
}


def _normal(raw: Any) -> str:
    return unicodedata.normalize("NFKC", str(raw)).strip().casefold()


def reserved(level_id: str) -> bool:
    """Whether a level id would read as one of the statuses (below, not applicable, unrated)."""
    return _normal(level_id) in WORDS


def rating(clause: Clause, raw: Any) -> str | None:
    """The answers' value for what people wrote about `clause`; AnswerError when it does not fit."""
    blank = raw is None or (isinstance(raw, str) and not raw.strip())
    if clause.auto:
        if blank:
            return None
        raise AnswerError("rated_from_answers", clause=clause.id)
    if blank:
        return None
    if isinstance(raw, float) and math.isnan(raw):
        return None
    word = _normal(raw)
    if word in WORDS:
        return WORDS[word]
    word = word.removeprefix("level ").removesuffix("级").strip()
    for level_id in clause.level_ids:
        if word == level_id.casefold():
            return level_id
    allowed = "、".join([*clause.level_ids, *(CLAUSE_STATUS_WORDS[s]["zh"] for s in (BELOW, NOT_APPLICABLE))])
    raise AnswerError("not_a_level", raw=raw, clause=clause.id, allowed=allowed)


def level_number(clause: Clause, value: str | None) -> float:
    """The number a scoring column carries for an answers' value (see the module docstring)."""
    if value is None:
        return math.nan
    if value == BELOW:
        return 0.0
    if value == NOT_APPLICABLE:
        return NOT_APPLICABLE_NUMBER
    return float(clause.rank(value)) if value in clause.level_ids else math.nan
