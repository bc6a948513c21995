"""Admin of the catalog app: the provincial center edits, city staff read; every write goes through a service."""

from . import catalog, holidays, templates  # noqa: F401  (registers the model admins)
