"""The evaluator's forms: approve, return with item comments, verified values, bulk approval, queue filters.

The per-item forms are built from the instrument by dynamic composition, one
field per item, as the centre's section forms are. A verified value is typed as
text and read by the item type's own parser (which also checks min and max), so
it is read exactly as a reported value would be.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    Form,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from instruments import AnswerError, Instrument, Item
from instruments.item_types import ITEM_TYPES

from ..store.reviews import MAX_COMMENT

VERIFY, NOTE = "verify_", "note_"  # field name prefixes: item ids may clash with a form's own attributes


class VersionedForm(FlaskForm):
    """A form acting on a response, carrying the version the page was opened on."""

    version = HiddenField(default="0")

    def opened_version(self) -> int:
        """The response version the page showed (-1 when missing or garbled: never current)."""
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return -1


class ApproveForm(VersionedForm):
    """Approval, with an optional comment."""

    comment = TextAreaField(_l("审核意见（可选）"), validators=[Optional(), Length(max=MAX_COMMENT)])


class ReturnForm(VersionedForm):
    """An overall comment plus one comment field per item; at least one must say what to correct."""

    comment = TextAreaField(_l("总体意见"), validators=[Optional(), Length(max=MAX_COMMENT)])
    items: tuple[Item, ...] = ()

    def item_comments(self) -> dict[str, str]:
        """The item comments typed, by item id."""
        out = {}
        for item in self.items:
            text = (self[NOTE + item.id].data or "").strip()
            if text:
                out[item.id] = text
        return out

    def validate(self, extra_validators=None) -> bool:
        """The fields' own checks, then: something must say what to correct."""
        ok = super().validate(extra_validators)
        if ok and not (self.comment.data or "").strip() and not self.item_comments():
            self.comment.errors.append(_l("请填写总体意见，或至少对一项写明需要修改什么。"))
            return False
        return ok


class VerifyForm(VersionedForm):
    """One text field per item for the verified value; blank means no verified value."""

    items: tuple[Item, ...] = ()

    def item_fields(self) -> Iterator[tuple[Item, Field]]:
        """Each item with its field."""
        for item in self.items:
            yield item, self[VERIFY + item.id]

    def values(self) -> dict[str, Any] | None:
        """The verified values typed, parsed by their item types; None (with field errors) when any does not fit."""
        out, ok = {}, True
        for item, field in self.item_fields():
            try:
                out[item.id] = ITEM_TYPES[item.type].parse(field.data, item)
            except AnswerError as error:
                field.errors = [*field.errors, str(error)]
                ok = False
        return out if ok else None


def return_form(instrument: Instrument) -> type[ReturnForm]:
    """A return form with a comment field per item of the instrument."""

    class Form(ReturnForm):
        items = instrument.items

    for item in instrument.items:
        setattr(Form, NOTE + item.id, StringField(validators=[Optional(), Length(max=MAX_COMMENT)]))
    return Form


def verify_form(instrument: Instrument) -> type[VerifyForm]:
    """A verification form with a field per item of the instrument."""

    class Form(VerifyForm):
        items = instrument.items

    for item in instrument.items:
        setattr(Form, VERIFY + item.id, StringField())
    return Form


def verify_data(instrument: Instrument, verified: Mapping[str, Any], version: int, lang: str) -> dict[str, str]:
    """Form data for the verification form from the stored verified values."""
    data = {"version": str(version)}
    for item in instrument.items:
        if item.id in verified:
            data[VERIFY + item.id] = ITEM_TYPES[item.type].typed(verified[item.id], item, lang)
    return data


class BulkForm(FlaskForm):
    """The queue's checkboxes: each value is `org_code:version` as the page showed it."""

    picked = SelectMultipleField(choices=[], validate_choice=False)

    def picks(self) -> dict[str, int] | None:
        """The responses picked with the versions seen; None when a value is garbled."""
        out = {}
        for value in self.picked.data or []:
            code, _sep, version = str(value).rpartition(":")
            if not code or not version.isdigit():
                return None
            out[code] = int(version)
        return out


class FilterForm(Form):
    """The queue's filters, read from the query string (no CSRF: it changes nothing)."""

    status = SelectField(_l("状态"), default="")
    county = SelectField(_l("县（区）"), default="")


class RateForm(VersionedForm):
    """One clause's rating by the evaluator: the level is the button pressed, the comment beside it."""

    level = HiddenField()  # set by the button pressed (name="level")
    comment = StringField(_l("评审意见"), validators=[Optional(), Length(max=MAX_COMMENT)])


class DecideForm(FlaskForm):
    """An appeal's decision: accept or reject (a reason needed to reject)."""

    decision = SelectField(choices=[SelectChoice("accept", _l("采纳")), SelectChoice("reject", _l("不予采纳"))])
    reason = TextAreaField(_l("处理意见"), validators=[Optional(), Length(max=MAX_COMMENT)])
