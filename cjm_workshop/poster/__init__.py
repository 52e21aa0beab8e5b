"""The journey map as a poster PDF: content (plain data), layout (what fits), the template
(templates/poster/), rendering (a process of its own, cached) and the A4 tiles."""
