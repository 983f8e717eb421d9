"""Forms built from an instrument: one WTForms field per item, by dynamic composition.

Each item type maps to a field builder in FIELDS (a new type is one entry).
Required items are only marked here: a draft may be partial, and what is
missing is checked at submission. Typed values are read back through the
instrument core's own parsers, so the web and the workbooks agree on them:
a number field keeps the text typed, and the item type reads it and checks
its limits, with one message in the user's language when it does not fit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from markupsafe import Markup
from wtforms import (
    DateField,
    Field,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from instruments import BELOW, NOT_APPLICABLE, AnswerError, Clause, Instrument, Item
from instruments.checks import Check
from instruments.item_types import ITEM_TYPES, MAX_TEXT, NONE_CHOICE, MultiChoiceType
from instruments.model import Section

from ..files import tables_only
from ..site import language
from ..store.ratings import ClauseRating, RatingError, parse_ratings
from ..store.reviews import MAX_COMMENT
from ..words import item_label

PREFIX = "item_"  # field names: item ids may clash with a form's own attributes
UNANSWERED = ""  # the radio button that clears a yes/no answer


class TypedNumber(TextInput):
    """A number field that sends what was typed, typos included (a browser's number input sends a typo as
    blank, which would erase the saved answer); the phone shows a number keypad, the item type reads it."""

    def __init__(self, item: Item, whole: bool) -> None:
        super().__init__()
        signed = item.min is None or item.min < 0
        self.mode = "text" if signed else "numeric" if whole else "decimal"

    def __call__(self, field: Field, **kwargs: Any) -> Markup:
        kwargs.setdefault("inputmode", self.mode)
        kwargs.setdefault("autocomplete", "off")
        return super().__call__(field, **kwargs)


def _choices(item: Item, lang: str) -> list[SelectChoice]:
    return [SelectChoice(choice.value, choice.label.get(lang)) for choice in item.choices]


FIELDS: dict[str, Callable[[Item, str, dict], Field]] = {
    "integer": lambda item, lang, kw: StringField(**kw, validators=[Optional()], widget=TypedNumber(item, True)),
    "number": lambda item, lang, kw: StringField(**kw, validators=[Optional()], widget=TypedNumber(item, False)),
    "boolean": lambda item, lang, kw: RadioField(
        **kw,
        choices=[SelectChoice("1", _l("是")), SelectChoice("0", _l("否")), SelectChoice(UNANSWERED, _l("未答"))],
        default=UNANSWERED,
        validators=[Optional()],
    ),
    "choice": lambda item, lang, kw: SelectField(
        **kw, choices=[SelectChoice("", _l("（请选择）")), *_choices(item, lang)], validators=[Optional()]
    ),
    "multi_choice": lambda item, lang, kw: SelectMultipleField(
        **kw,
        choices=[*_choices(item, lang), SelectChoice(NONE_CHOICE, _l("无（以上都没有）"))],
        validators=[Optional()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    ),
    "text": lambda item, lang, kw: TextAreaField(**kw, validators=[Optional(), Length(max=MAX_TEXT)]),
    "date": lambda item, lang, kw: DateField(**kw, validators=[Optional()]),
}
SHOWN: dict[str, Callable[[Any], Any]] = {  # a stored value as its field holds it
    "boolean": lambda value: "1" if value else "0",
    "multi_choice": MultiChoiceType.checked,
    "date": dt.date.fromisoformat,
}


class SectionForm(FlaskForm):
    """One section's items, plus the version of the response the page was opened on."""

    version = HiddenField(default="0")
    items: tuple[Item, ...] = ()
    lang = "zh"

    def item_fields(self) -> Iterator[tuple[Item, Field]]:
        """Each item of the section with its field."""
        for item in self.items:
            yield item, self[PREFIX + item.id]

    def answers(self) -> dict[str, Any]:
        """The values typed, as the instrument core holds them: None when blank or failing a check."""
        out = {}
        for item, field in self.item_fields():
            try:
                out[item.id] = None if field.errors else _parse(item, field)
            except AnswerError:
                out[item.id] = None
        return out

    def check(self, instrument: Instrument, stored: Mapping[str, Any]) -> bool:
        """Validate each field, then this section's constraints against every answer (stored and typed)."""
        self.validate()
        for item, field in self.item_fields():
            try:
                _parse(item, field)
            except AnswerError as error:
                field.errors.append(error.text(self.lang))
        self.checked = Check(instrument, {**stored, **self.answers()})  # kept: the save decides relevance by it
        for problem in self.checked.problems(self.items, required=False, lang=self.lang):
            self[PREFIX + problem.item.id].errors.append(problem.message)
        return not any(field.errors for _, field in self.item_fields())

    def opened_version(self) -> int:
        """The response version the page was opened on (0: there was no response yet)."""
        try:
            return max(int(self.version.data or 0), 0)
        except ValueError:
            return 0


def _parse(item: Item, field: Field) -> Any:
    """A field's value through the item type's own parser (None when blank); AnswerError when it does not fit."""
    return None if field.data in (None, "", []) else ITEM_TYPES[item.type].parse(field.data, item)


def section_form(instrument: Instrument, section: Section, language: str) -> type[SectionForm]:
    """A form class with one field per item of `section`."""

    class Form(SectionForm):
        items = section.items
        lang = language

    for item in section.items:
        description = item.hint.get(language) if item.hint else ""
        field = FIELDS[item.type](item, language, {"label": item_label(item, language), "description": description})
        setattr(Form, PREFIX + item.id, field)
    return Form


def shown(section: Section, values: Mapping[str, Any], version: int) -> dict[str, Any]:
    """Form data for a section from stored values."""
    data: dict[str, Any] = {"version": str(version)}
    for item in section.items:
        value = values.get(item.id)
        if value is not None:
            data[PREFIX + item.id] = SHOWN.get(item.type, lambda v: v)(value)
    return data


class UploadForm(FlaskForm):
    """The filled-in offline template."""

    workbook = FileField(
        _l("填好的模板"),
        validators=[
            FileRequired(_l("请选择文件")),
            tables_only(),
        ],
    )


RATE, NOTE = "rate_", "note_"  # field name prefixes of the self-rating form
UNRATED = ""  # the radio button that leaves a clause unrated


class RatingForm(FlaskForm):
    """One chapter's onsite clauses: a self-rating (a level, 未达到, 不适用, or none) and a note each.

    A level the clause does not have is not refused by WTForms but by the store's reading
    of ratings (the same reading as everywhere), so the message is the store's, located
    at the clause; see `check`.
    """

    version = HiddenField(default="0")
    clauses: tuple[Clause, ...] = ()

    def given(self) -> dict[str, tuple[str | None, str]]:
        """What was picked and written, by clause id: (level as sent, note); a clause the post left out is left."""
        return {
            clause.id: (self[RATE + clause.id].data or None, (self[NOTE + clause.id].data or "").strip())
            for clause in self.clauses
            if self[RATE + clause.id].raw_data
        }

    def levels(self) -> dict[str, str | None]:
        """The levels picked that fit their clauses (checked), by clause id: for the live scorecard."""
        return {key: level for key, (level, _note) in self.given().items() if not self[RATE + key].errors}

    def check(self, instrument: Instrument) -> bool:
        """The fields' own checks, then each clause's rating read as the store reads it; errors by clause."""
        self.validate()
        for clause_id, given in self.given().items():
            try:
                parse_ratings(instrument, {clause_id: given})
            except RatingError as error:
                self[RATE + clause_id].errors = [*self[RATE + clause_id].errors, error.text(language())]
        return not any(self[RATE + c.id].errors or self[NOTE + c.id].errors for c in self.clauses)

    def opened_version(self) -> int:
        """The response version the page was opened on (0: there was no response yet)."""
        try:
            return max(int(self.version.data or 0), 0)
        except ValueError:
            return 0


def rating_form(clauses: Sequence[Clause], language: str) -> type[RatingForm]:
    """A self-rating form with a level choice and a note per onsite clause of `clauses`."""

    class Form(RatingForm):
        pass

    Form.clauses = tuple(clause for clause in clauses if not clause.auto)
    for clause in Form.clauses:
        options = [SelectChoice(level.id, level.id) for level in clause.levels]
        options += [
            SelectChoice(BELOW, _l("未达到")),
            SelectChoice(NOT_APPLICABLE, _l("不适用")),
            SelectChoice(UNRATED, _l("暂不评")),
        ]
        setattr(Form, RATE + clause.id, RadioField(choices=options, validate_choice=False, validators=[Optional()]))
        setattr(Form, NOTE + clause.id, TextAreaField(validators=[Optional(), Length(max=MAX_COMMENT)]))
    return Form


def rating_data(clauses: Sequence[Clause], ratings: Mapping[str, ClauseRating], version: int) -> dict[str, Any]:
    """Form data for a chapter's self-ratings from the stored ones."""
    data: dict[str, Any] = {"version": str(version)}
    for clause in clauses:
        rated = ratings.get(clause.id)
        data[RATE + clause.id] = rated.reported if rated and rated.reported is not None else UNRATED
        data[NOTE + clause.id] = rated.note if rated else ""
    return data


class EvidenceForm(FlaskForm):
    """One file for an item or a clause; its type is recognised by content in the store, not here."""

    target = HiddenField()
    file = FileField(_l("佐证材料"), validators=[FileRequired(_l("请选择文件"))])


class AppealForm(FlaskForm):
    """An appeal against a verified value or level: which, the response the page showed, a reason, a file."""

    item = HiddenField()
    response = HiddenField()
    reason = TextAreaField(_l("申诉理由"), validators=[Length(max=MAX_COMMENT)])
    file = FileField(_l("补充佐证材料（可选）"))

    def response_id(self) -> int | None:
        """The response the page showed (None when garbled)."""
        try:
            return int(self.response.data)
        except (TypeError, ValueError):
            return None
