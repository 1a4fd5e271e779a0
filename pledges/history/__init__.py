"""Earlier years and the years across: importing the association's lists, and each
enterprise's history of signing."""
