"""Helpers that show a service's ``DomainError`` on a Django form, field by field."""

from django import forms

from .errors import DomainError


def apply_domain_error(form: forms.Form, error: DomainError) -> None:
    """Attach each message to its field (or to the form when the field is not on it)."""
    for field, messages in error.errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)
