"""What people read: markdown, html, charts, spreadsheets, the terminal summary, and safe report directories. No Pyomo, no solver."""
