"""Cleaning: turn a document's raw text into body paragraphs, metadata and an audit of every removed line."""
