"""Analytics reports: charging sessions (summary and detail), charged energy and station
availability over a chosen range of days, narrowed by location, vehicle or user group; the
page, the REST API, the CSV exports and the monthly e-mail all read them from here."""
