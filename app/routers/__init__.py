"""HTTP only: parse, call one service method, return a schema."""
