"""Tillit's own date and number formats, one module per language (``FORMAT_MODULE_PATH``).

Templates name a format (``date:"DATE_FORMAT"``, ``date:"SHORT_DATE_FORMAT"``) instead of
spelling one out, so every page writes a date the same way in each language. Anything not
set here (input formats among them) comes from Django's own locale module.
"""
