"""The expert pool's API: ``/api/v1/experts/…`` (routes are appended by the pool and the draw)."""

from ninja import Router

router = Router()
