"""Results of a (year, group): totals, indices, ranks, breakdowns, improvement lists, histories."""
