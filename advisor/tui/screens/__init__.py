"""Screens: each composes widgets and turns their messages into app messages."""
