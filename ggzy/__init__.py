"""ggzy — 公共资源交易平台 (public resource trading platform)."""

__version__ = "0.1.0"
