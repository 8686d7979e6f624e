"""Billing documents: receipts per session, monthly invoices per driver and group account,
credit notes; their numbers, PDF, e-mail, scheduled issue and the PDF download route.

Documents are frozen once issued (BillingDocument.content); a correction is a credit note.
"""
