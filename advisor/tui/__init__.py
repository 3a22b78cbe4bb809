"""The guided Textual app: checklist, live shortlist, results (``advisor`` on a terminal)."""
