"""Team reports: the weekly digest's figures, its chart and its HTML page."""
