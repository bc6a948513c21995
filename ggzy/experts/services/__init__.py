"""The expert app's writes (the only door besides the selectors)."""

from .draw import (
    Conflicts,
    draw_answer,
    draw_beacon,
    draw_publish,
    draw_request_create,
    draw_run,
    draw_sign_in,
    draw_timeouts,
)

__all__ = ["Conflicts", "draw_answer", "draw_beacon", "draw_publish", "draw_request_create", "draw_run",
           "draw_sign_in", "draw_timeouts"]
