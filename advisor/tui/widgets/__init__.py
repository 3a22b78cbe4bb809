"""Widgets: each renders one thing from attributes set by its screen."""
