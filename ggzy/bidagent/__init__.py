"""ggzy-bid agent: a local certificate agent (证书助手) for the bidder's own keys.

The agent runs on the bidder's machine (``ggzy-bid agent``), listens on 127.0.0.1 only and answers the platform
pages the user paired it with: it lists certificates, signs and unwraps content keys with keys that never leave it
(a PKCS#11 token, or its encrypted software store), after the user confirms each operation in the agent's own
terminal. The protocol is in docs/agent.md. Pure Python over the standard library, ``cryptography``, ``gmalglib``
(SM2, through ggzy.pki's Django-free modules) and ``python-pkcs11`` — nothing here imports Django.
"""

VERSION = "1.0"
