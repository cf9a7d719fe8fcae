"""Resource names, in one place."""
BUCKET = "corpus-settings-bucket"
TABLE = "corpus-settings-table"
