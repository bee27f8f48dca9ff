"""Reading import files into raw rows, one module per format, every problem with its place."""
