"""Every message the loader gives, in one table: a code and its text with named parameters.

A problem carries its code and parameters beside the rendered text, so the same
problem can later be shown in another language from the same table's keys.
A `suggestion` parameter renders as " (did you mean '…'?)" wherever `{hint}` stands.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import suggested

MESSAGES: dict[str, str] = {
    # reading the text
    "cannot_read": "cannot be read ({reason})",
    "not_text_given": "an instrument must be given as text",
    "too_large": "larger than {limit:,} characters",
    "json_invalid": "not valid JSON: {reason}",
    "json_duplicate_key": "duplicate key '{key}' in JSON",
    "yaml_invalid": "not valid YAML: {reason}",
    "yaml_alias": "aliases (*name) are not allowed in an instrument",
    "yaml_duplicate_key": "duplicate key '{key}'",
    "nested_too_deep": "nested too deeply to be an instrument",
    "top_not_mapping": "an instrument must be a mapping of keys, not {found}",
    # shapes of values
    "not_mapping": "must be a mapping of keys, not {found}",
    "unknown_key": "unknown key{hint}",
    "required": "is required",
    "not_list": "must be a list, not {found}",
    "not_text": "must be text, not {found}",
    "not_text_quote": "must be text, not {found} (write it in quotes)",
    "invalid_instrument_id": "'{value}' is not a valid id (lower-case letters, digits and '-')",
    "invalid_name": "'{value}' is not a valid id (letters, digits and '_', not starting with a digit, at most 64)",
    "invalid_id": "'{value}' is not a valid id (letters, digits, '_' and '-', at most 64)",
    "unknown_language": "unknown language (use zh and en)",
    "text_needs_zh": "needs a text under zh (and en)",
    "not_text_or_languages": "must be text or {{zh: …, en: …}}, not {found}",
    "not_number": "must be a number, not {found}",
    "not_flag": "must be true or false, not {found}",
    "not_one_of": "must be one of {allowed}, not {found}{hint}",
    "expression": "{detail}",
    "not_condition": "must be a condition (true or false), not a {kind}",
    "duplicate": "duplicate {what} '{value}' (also at {other})",
    "reserved_word": "'{value}' is a word of the expression language; choose another id",
    "between_0_and_1": "must be between 0 and 1",
    "between_0_and_100": "must be between 0 and 100",
    "negative": "must not be negative",
    # limits
    "too_many": "{count:,} entries; at most {limit:,}",
    "too_many_values": "more than {limit:,} values in all (lists, mappings and single values)",
    "too_many_items": "{count:,} items in all; at most {limit:,}",
    "indicators_too_deep": "computed through {depth} levels of other indicators ({path}); at most {limit}",
    "too_many_operations": "the expressions together hold {count:,} operations; at most {limit:,}",
    "too_intricate": (
        "the indicators are too intricate to score quickly: searching their gaps takes {work:,} steps, "
        "at most {limit:,} (this indicator alone {own:,})"
    ),
    # the questionnaire
    "mean_needs_dimensions": "mean_of_dimensions needs dimensions",
    "no_sections": "needs at least one section",
    "no_items": "needs at least one item",
    "unknown_type": "unknown type {found}{hint}; use one of {allowed}",
    "choices_not_allowed": "only choice items have choices, not {type}",
    "choices_needed": "a {type} item needs a list of choices",
    "bounds_not_allowed": "only number items take {key}, not {type}",
    "max_below_min": "{high} is below min {low}",
    "message_without_constraint": "there is no constraint for it to explain",
    "relevance_loop": "relevance loops back on itself: {path}",
    # indicators
    "already_item_id": "'{value}' is already an item id",
    "already_indicator_id": "'{value}' is already an indicator id",
    "indicator_loop": "indicators refer to each other in a loop: {path}",
    "format_of_choice": "the formula gives a choice, which has no number format",
    "format_mismatch": "'{format}' does not fit a formula that gives a {kind}",
    "floor_without_linear": "a floor is only used with scoring: linear",
    "pooled_choice": "choice item '{item}' cannot be summed over a region",
    "pooled_not_number": "only a number formula can be pooled",
    "unknown_dimension": "no dimension '{value}'{hint}",
    "dimension_needed": "total is mean_of_dimensions, so a scored indicator needs one",
    "target_on_text": "a text indicator cannot have a target",
    "target_malformed": 'must be a comparison such as ">= 0.90" or "== true", not {found}',
    "target_true_on_number": "compares with {word} but the formula gives a number",
    "target_true_operator": "true and false can only be compared with == or !=, not {op}",
    "target_not_number": "'{word}' is not a number",
    "linear_needs_target": "linear scoring needs a target",
    "linear_needs_inequality": "linear scoring needs a target with < or >, not '{target}'",
    "linear_needs_floor": "linear scoring needs a floor (the value that earns nothing)",
    "floor_not_below": "{floor} must be below the target {target}",
    "floor_not_above": "{floor} must be above the target {target}",
    # frameworks and groups
    "no_groups": "needs at least one group",
    "unknown_framework": "no framework '{value}'{hint}",
    "unknown_group": "framework '{framework}' has no group '{value}'{hint}",
    # clauses
    "unknown_chapter": "no chapter '{value}'{hint}",
    "no_levels": "needs at least one level",
    "too_many_levels": "{count} levels; at most {limit}",
    "level_reserved": "'{value}' reads as a rating status (below, not applicable, unrated); choose another level id",
    "level_needs_when": "a level of an auto clause needs a when (the condition for reaching it)",
    "when_on_onsite": "an onsite clause is rated by people: its levels take a text, not a when",
    "level_needs_text": "a level of an onsite clause needs a text (what reaching it takes)",
    "credit_without_weight": "credit is only used with a weight",
    "credit_unknown_level": "no level '{value}' in this clause{hint}",
    "credit_missing": "gives no credit for level {levels}",
    "credit_falls": "level {level} earns less than level {below} below it",
    "weighted_clause_in_mean": "total is mean_of_dimensions, so a clause cannot carry a weight",
    # grades
    "must_meet_not_id": "must be an indicator id, not {found}",
    "must_meet_unknown": "names no indicator: '{value}'{hint}",
    "must_meet_no_target": "indicator '{value}' has no target to meet",
    "selects_no_clause": "selects no clause",
    "unknown_clause": "names no clause: '{value}'{hint}",
    "not_clause_id": "must be a clause id, not {found}",
    "level_not_in_clauses": "level '{level}' is not a level of {clauses}",
}


def render(code: str, params: Mapping[str, Any]) -> str:
    """The English text of a problem."""
    return MESSAGES[code].format(hint=suggested(params.get("suggestion")), **params)
