"""Finance -> Charging history: every session of the operator's network with its cost.

- `spec`: HISTORY_LIST, the one list spec the page, its export and the REST API share;
- `queries`: a page, the CSV export, the date range, the filter choices;
- `rows`: a row as the page and the CSV show it;
- `detail`: one session with its cost breakdown and its power / energy curve.
"""
