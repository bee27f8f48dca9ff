"""PAR Index service: administrative reform index results, rankings and breakdowns."""
