"""advisor: choose the LLM for a production workload from your own constraints."""

__version__ = "0.1.0"
