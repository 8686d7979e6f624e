"""One module per page; ccms_app.ccms_app registers them."""
