"""Reference data results hang on: unit groups, units, years, criteria sets, leaf scores, and
the bundled data sets."""
