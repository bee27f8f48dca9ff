"""SQL only: queries that return ORM objects or typed rows; they flush, never commit."""
