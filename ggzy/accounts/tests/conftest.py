"""Certificate-login tests use the root conftest's ``demo_pki`` and ``trust_store``."""
