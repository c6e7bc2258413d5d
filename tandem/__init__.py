"""Tandem: AI customer support in which the AI and human agents work in tandem."""
