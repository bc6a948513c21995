"""Helpers that show a service's ``DomainError`` on a Django form, field by field."""

from django import forms

from .errors import DomainError
from .money import yuan


def apply_domain_error(form: forms.Form, error: DomainError) -> None:
    """Attach each message to its field (or to the form when the field is not on it)."""
    for field, messages in error.errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


class MoneyField(forms.Field):
    """An amount in yuan on a page: the same rules and messages as every other door (``core.money.yuan``)."""

    MAX_TEXT = 40

    def __init__(self, *, max_digits: int = 16, **kwargs) -> None:
        self.max_digits = max_digits
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off",
                                                           "maxlength": self.MAX_TEXT}))
        super().__init__(**kwargs)

    def to_python(self, value):
        text = str(value).strip() if value is not None else ""
        if text in self.empty_values:
            return None
        label = str(self.label or "金额")
        if len(text) > self.MAX_TEXT:
            raise forms.ValidationError(f"{label}过长", code="money")
        try:
            return yuan(text, field="amount", label=label.split("（")[0], max_digits=self.max_digits)
        except DomainError as exc:
            raise forms.ValidationError(exc.message, code="money") from None
