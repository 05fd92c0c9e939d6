"""`cutover trace LEGACY_KEY`: one legacy record's way through a run (issue 18)."""
