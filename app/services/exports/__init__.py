"""Files for spreadsheets and the open-data portal: score files, result files, the dump."""
