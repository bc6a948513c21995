"""Indicators that work on data from anywhere, without Django: price screens per tender (``price``), the streaming
CSV scorer behind ``ggzy screens score`` (``scorecsv``) and Cardinal's red flags over OCDS (``cardinal``).

Nothing here imports Django or another part of ggzy (tests/test_layers.py checks it), so the supervision app's
services, the nightly task and the command-line tools all call the same functions.
"""
