"""What a mechanism achieves: property audits, reports and metrics."""
