"""Infrastructure every layer uses: settings, engine, errors, i18n, text, migrations, the result
cache. It imports nothing above it."""
