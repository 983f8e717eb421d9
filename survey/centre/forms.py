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
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
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
from wtforms.widgets import CheckboxInput, ListWidget, NumberInput

from instruments import AnswerError, Instrument, Item
from instruments.checks import Check
from instruments.item_types import ITEM_TYPES, MAX_TEXT
from instruments.model import Section

from ..words import item_label

PREFIX = "item_"  # field names: item ids may clash with a form's own attributes


def _number_input(item: Item, step: int | str) -> NumberInput:
    """A number input with the item's limits (the item type checks them when the form is sent)."""
    low, high = (None if v is None else int(v) if float(v).is_integer() else v for v in (item.min, item.max))
    return NumberInput(step=step, min=low, max=high)


def _choices(item: Item, lang: str) -> list[SelectChoice]:
    return [SelectChoice(choice.value, choice.label.get(lang)) for choice in item.choices]


FIELDS: dict[str, Callable[[Item, str, dict], Field]] = {
    "integer": lambda item, lang, kw: StringField(**kw, validators=[Optional()], widget=_number_input(item, 1)),
    "number": lambda item, lang, kw: StringField(**kw, validators=[Optional()], widget=_number_input(item, "any")),
    "boolean": lambda item, lang, kw: RadioField(
        **kw, choices=[SelectChoice("1", _l("是")), SelectChoice("0", _l("否"))], validators=[Optional()]
    ),
    "choice": lambda item, lang, kw: SelectField(
        **kw, choices=[SelectChoice("", _l("（请选择）")), *_choices(item, lang)], validators=[Optional()]
    ),
    "multi_choice": lambda item, lang, kw: SelectMultipleField(
        **kw,
        choices=_choices(item, lang),
        validators=[Optional()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    ),
    "text": lambda item, lang, kw: TextAreaField(**kw, validators=[Optional(), Length(max=MAX_TEXT)]),
    "date": lambda item, lang, kw: DateField(**kw, validators=[Optional()]),
}
SHOWN: dict[str, Callable[[Any], Any]] = {  # a stored value as its field holds it
    "boolean": lambda value: "1" if value else "0",
    "multi_choice": list,
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
        answers = {**stored, **self.answers()}
        for problem in Check(instrument, answers).problems(self.items, required=False, lang=self.lang):
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
            FileAllowed(["xlsx", "xlsm", "csv"], _l("只接受 .xlsx 或 .csv 文件")),
        ],
    )
