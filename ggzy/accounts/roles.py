"""The platform's roles: defined in ``ggzy.core.roles`` (so lower layers can use them), re-exported here."""

from ggzy.core.roles import *  # noqa: F403
from ggzy.core.roles import __all__ as __all__
