"""The conversation's rules, free of Temporal: `Conversation` (machine.py) and the effects it asks for."""
