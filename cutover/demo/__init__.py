"""The training database: built from the bundled sample or from a dry run, with personal data replaced."""
