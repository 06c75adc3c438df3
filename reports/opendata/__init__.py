"""Open data: the API, exports, OAI-PMH, feeds, sitemaps and citation formats.

Each with its views; urls.py gathers them.
"""
