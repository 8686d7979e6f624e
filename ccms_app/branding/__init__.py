"""White label: an operator's (or sub-operator's) brand on every page, e-mail and document."""
