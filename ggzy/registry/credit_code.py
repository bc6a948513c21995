"""统一社会信用代码 (GB 32100-2015): defined in ``ggzy.core.credit_code`` (pki reads it too), re-exported here."""

from ggzy.core.credit_code import *  # noqa: F403
from ggzy.core.credit_code import __all__ as __all__
