"""Industry chains (产业链): nodes, classification of companies, gaps and targets."""
