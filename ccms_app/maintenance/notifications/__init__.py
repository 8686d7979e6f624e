"""Alarm notifications: the e-mail outbox and its digest job, the browser's alarm bell."""
