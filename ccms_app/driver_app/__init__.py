"""The driver app: the operator's customers' self service on their phones, under /app.

Drivers sign up with an e-mail and a password (a `DriverAccount`, separate from operator
logins: its own table, cookie and gate check), find stations with live availability and the
price they would pay, start and stop charging over OCPP, pay by wallet or card, reserve, and
see their history, cards and vehicles. The pages are mobile-first and installable (a web app
manifest and a service worker for the shell).
"""
