"""Web app and command line of customer-segments."""
