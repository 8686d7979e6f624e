"""The brand form's text fields: what each may hold, checked all at once.

An empty field is allowed everywhere: it inherits (the parent organisation's, then the
default). Names and the sender name are one line (the sender name goes into a mail header);
the login text and the document header may have line breaks. Control characters are refused
rather than cleaned, so what is saved is what was typed.
"""

from __future__ import annotations

from dataclasses import dataclass

from ccms_app.branding.rules.colours import ColourError, normalise_colour
from ccms_app.core.i18n import Message, _

# Field -> longest value (the `brand` table's column widths).
TEXT_FIELDS: dict[str, int] = {
    "product_name": 60,
    "login_text": 500,
    "email_sender_name": 80,
    "document_header": 500,
}
COLOUR_FIELDS = ("primary_colour", "accent_colour")
FIELDS = (*TEXT_FIELDS, *COLOUR_FIELDS)
MULTI_LINE = frozenset({"login_text", "document_header"})


@dataclass(frozen=True)
class CheckedForm:
    values: dict[str, str]  # every field, trimmed, colours as "#rrggbb" or ""
    errors: dict[str, Message]  # field -> what is wrong; empty when the form may be saved


def check_form(form: dict[str, str]) -> CheckedForm:
    """Every field of the brand form, each error named by its field."""
    values: dict[str, str] = {}
    errors: dict[str, Message] = {}
    for name, limit in TEXT_FIELDS.items():
        value = str(form.get(name, "")).strip().replace("\r\n", "\n")
        problem = _text_problem(name, value, limit)
        if problem is not None:
            errors[name] = problem
        values[name] = value
    for name in COLOUR_FIELDS:
        raw = str(form.get(name, "")).strip()
        try:
            values[name] = normalise_colour(raw)
        except ColourError as exc:
            errors[name] = exc.message
            values[name] = raw
    return CheckedForm(values, errors)


def _text_problem(name: str, value: str, limit: int) -> Message | None:
    if len(value) > limit:
        return _("At most {limit} characters ({count} now).", limit=limit, count=len(value))
    allowed = {"\n"} if name in MULTI_LINE else set()
    if any(ord(c) < 32 and c not in allowed for c in value) or "\x7f" in value:
        if name in MULTI_LINE:
            return _("Only text and line breaks, please (no tabs or control characters).")
        return _("One line of text, please (no line breaks or control characters).")
    return None
