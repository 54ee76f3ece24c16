"""Converters: markdown -> DAST, and DAST -> markdown, HTML and plain text."""
