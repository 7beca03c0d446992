"""Clean: HTML extraction (html.py), the line rules (rules.py, text.py, page_noise.py), metadata from the header
lines (metadata.py), site templates learnt across a site's pages (site_templates.py), and one document end to end
(document.py)."""
