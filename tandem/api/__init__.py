"""Tandem's front door: the HTTP API (/v1), its identity checks and live events."""
