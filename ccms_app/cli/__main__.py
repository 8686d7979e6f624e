"""`python -m ccms_app.cli`: the same as the `ccms` console script."""

from ccms_app.cli import main

if __name__ == "__main__":  # not when a module walker merely imports it
    main()
