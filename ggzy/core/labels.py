"""Choice labels are translated on pages (``gettext_lazy``); records keep them in the platform's language.

A label written into a stored or signed record (an opening record, an archive, an entity version) must not depend
on the language of the user who happened to act: ``record_label`` renders it in ``settings.LANGUAGE_CODE``.
"""

from django.conf import settings
from django.utils import translation


def record_label(label) -> str:
    """The label as records state it: in the platform's language (Chinese), whatever page language is active."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(label)
