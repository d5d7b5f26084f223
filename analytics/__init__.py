"""Analytics: cleaning rules, trends, RFM, scores, segmentation runs, comparison."""
